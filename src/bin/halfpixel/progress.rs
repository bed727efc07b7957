//! The progress bar of long runs (a large conformance corpus, `bench`, `matrix`), drawn on stderr
//! with indicatif, and only where it helps: stderr is a terminal (not `TERM=dumb`). Piped or
//! redirected output stays clean, and so do logs; stdout never carries the bar.
//!
//! `HALFPIXEL_PROGRESS=0` hides it on a terminal too; `HALFPIXEL_PROGRESS=1` draws it even when
//! stderr is not a terminal (indicatif's own stderr target would hide it there, so that case
//! draws through [`ForcedStderr`]).

use std::io::{self, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle, TermLike};

/// `label [#####.....] done/total pct% (elapsed)`.
const TEMPLATE: &str = "{msg} [{bar:28}] {pos}/{len} {percent:>3}% ({elapsed})";

/// Redraws per second at most.
const REFRESH_HZ: u8 = 10;

/// A bar on stderr labelled `label`, counting to `total`. It is erased when finished or dropped,
/// leaving the cursor at the start of an empty line.
pub fn stderr_bar(label: &str, total: u64) -> ProgressBar {
    let target = match std::env::var("HALFPIXEL_PROGRESS").as_deref() {
        Ok("0") => ProgressDrawTarget::hidden(),
        Ok("1") => ProgressDrawTarget::term_like_with_hz(Box::new(ForcedStderr), REFRESH_HZ),
        _ => ProgressDrawTarget::stderr_with_hz(REFRESH_HZ),
    };
    let style = ProgressStyle::with_template(TEMPLATE)
        // The template is a constant this module's tests parse; the fallback keeps a bar anyway.
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("#.");
    ProgressBar::with_draw_target(Some(total), target)
        .with_style(style)
        .with_message(label.to_string())
        .with_finish(ProgressFinish::AndClear)
}

/// Starts `bar` over: a new label and total, the count and the clock at zero.
pub fn restart(bar: &ProgressBar, label: &str, total: u64) {
    bar.set_message(label.to_string());
    bar.set_length(total);
    bar.set_position(0);
    bar.reset_elapsed();
}

/// stderr as a terminal whatever it is connected to, with ANSI cursor control: what
/// `HALFPIXEL_PROGRESS=1` draws through.
#[derive(Debug)]
struct ForcedStderr;

impl ForcedStderr {
    fn write(&self, s: &str) -> io::Result<()> {
        io::stderr().lock().write_all(s.as_bytes())
    }

    /// Moves the cursor `n` cells (none when `n` is 0) in the ANSI direction `code` (`A` up, `B`
    /// down, `C` right, `D` left).
    fn cursor(&self, n: usize, code: char) -> io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.write(&format!("\x1b[{n}{code}"))
    }
}

impl TermLike for ForcedStderr {
    fn width(&self) -> u16 {
        100
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        self.cursor(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        self.cursor(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> io::Result<()> {
        self.cursor(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> io::Result<()> {
        self.cursor(n, 'D')
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        self.write(&format!("{s}\n"))
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        self.write(s)
    }

    fn clear_line(&self) -> io::Result<()> {
        self.write("\r\x1b[2K")
    }

    fn flush(&self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
    }

    #[test]
    fn a_hidden_bar_counts_from_many_threads() {
        let bar = ProgressBar::hidden();
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..250).for_each(|_| bar.inc(1)));
            }
        });
        assert_eq!(bar.position(), 1000);
        restart(&bar, "next", 7);
        assert_eq!((bar.position(), bar.length()), (0, Some(7)));
    }
}
