//! A progress bar on stderr for long runs (a large conformance corpus, `bench`, `matrix`), drawn
//! only when stderr is a terminal: piped or redirected output stays clean, and so do logs.
//!
//! Set `HALFPIXEL_PROGRESS=0` to hide it on a terminal too, or `HALFPIXEL_PROGRESS=1` to draw it
//! even when stderr is not a terminal.

use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the bar is redrawn at most.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

/// Cells of the bar itself.
const BAR_CELLS: usize = 28;

/// A progress bar: a label, a count out of a total, the elapsed time. Thread-safe: workers of a
/// parallel run may call [`inc`](Self::inc) concurrently.
pub struct ProgressBar {
    state: Mutex<State>,
}

struct State {
    out: Option<Box<dyn Write + Send>>,
    label: String,
    done: u64,
    total: u64,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: bool,
}

impl std::fmt::Debug for ProgressBar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("ProgressBar")
            .field("label", &s.label)
            .field("done", &s.done)
            .field("total", &s.total)
            .field("visible", &s.out.is_some())
            .finish()
    }
}

/// Whether a bar on stderr should be drawn: stderr is a terminal (not `TERM=dumb`), unless
/// `HALFPIXEL_PROGRESS` says otherwise.
pub fn stderr_wants_progress() -> bool {
    match std::env::var("HALFPIXEL_PROGRESS").as_deref() {
        Ok("0") => false,
        Ok("1") => true,
        _ => io::stderr().is_terminal() && std::env::var("TERM").as_deref() != Ok("dumb"),
    }
}

impl ProgressBar {
    /// A bar on stderr, visible only where [`stderr_wants_progress`] says so.
    pub fn stderr(label: impl Into<String>, total: u64) -> Self {
        let out: Option<Box<dyn Write + Send>> = if stderr_wants_progress() {
            Some(Box::new(io::stderr()))
        } else {
            None
        };
        Self::with_output(out, label, total)
    }

    /// A bar drawn into `out` whatever it is (tests, or a caller that decided itself).
    pub fn to_writer(out: Box<dyn Write + Send>, label: impl Into<String>, total: u64) -> Self {
        Self::with_output(Some(out), label, total)
    }

    /// A bar that draws nothing.
    pub fn hidden() -> Self {
        Self::with_output(None, "", 0)
    }

    fn with_output(
        out: Option<Box<dyn Write + Send>>,
        label: impl Into<String>,
        total: u64,
    ) -> Self {
        ProgressBar {
            state: Mutex::new(State {
                out,
                label: label.into(),
                done: 0,
                total,
                started: Instant::now(),
                last_draw: None,
                drawn: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Drawing never leaves the state half-updated, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether anything is drawn.
    pub fn is_visible(&self) -> bool {
        self.lock().out.is_some()
    }

    /// Counts `n` more steps done and redraws (at most every 100 ms, and at the last step).
    pub fn inc(&self, n: u64) {
        let mut s = self.lock();
        s.done = s.done.saturating_add(n);
        let complete = s.total > 0 && s.done >= s.total;
        s.draw(complete);
    }

    /// Changes the label (e.g. the backend or the workload being run) and redraws.
    pub fn set_label(&self, label: impl Into<String>) {
        let mut s = self.lock();
        s.label = label.into();
        s.draw(true);
    }

    /// Starts over: a new label and total, the count at zero.
    pub fn reset(&self, label: impl Into<String>, total: u64) {
        let mut s = self.lock();
        s.label = label.into();
        s.total = total;
        s.done = 0;
        s.started = Instant::now();
        s.draw(true);
    }

    /// Erases the bar, leaving the cursor at the start of an empty line.
    pub fn finish(&self) {
        let mut s = self.lock();
        if s.drawn {
            if let Some(out) = s.out.as_mut() {
                // A failed write to stderr has nowhere better to be reported.
                let _ = write!(out, "\r\x1b[2K");
                let _ = out.flush();
            }
            s.drawn = false;
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.finish();
    }
}

impl State {
    fn draw(&mut self, force: bool) {
        let now = Instant::now();
        if !force && self.last_draw.is_some_and(|t| now - t < REDRAW_EVERY) {
            return;
        }
        let line = self.line(now);
        let Some(out) = self.out.as_mut() else {
            return;
        };
        let _ = write!(out, "\r\x1b[2K{line}");
        let _ = out.flush();
        self.last_draw = Some(now);
        self.drawn = true;
    }

    /// `label [#####.....] done/total pct% elapsed`.
    fn line(&self, now: Instant) -> String {
        let elapsed = (now - self.started).as_secs_f64();
        if self.total == 0 {
            return format!("{} {} ({elapsed:.1} s)", self.label, self.done);
        }
        let frac = (self.done as f64 / self.total as f64).clamp(0.0, 1.0);
        let filled = (frac * BAR_CELLS as f64).round() as usize;
        format!(
            "{} [{}{}] {}/{} {:>3.0}% ({elapsed:.1} s)",
            self.label,
            "#".repeat(filled),
            ".".repeat(BAR_CELLS - filled),
            self.done,
            self.total,
            frac * 100.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn draws_the_count_and_erases_itself() {
        let sink = Shared::default();
        let bar = ProgressBar::to_writer(Box::new(sink.clone()), "cpu", 4);
        bar.inc(1);
        bar.inc(3);
        bar.finish();
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert!(text.contains("cpu ["), "{text:?}");
        assert!(text.contains("4/4 100%"), "{text:?}");
        assert!(text.ends_with("\r\x1b[2K"), "{text:?}");
    }

    #[test]
    fn hidden_bars_draw_nothing_and_count_from_many_threads() {
        let bar = ProgressBar::hidden();
        assert!(!bar.is_visible());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| (0..100).for_each(|_| bar.inc(1)));
            }
        });
        assert_eq!(bar.lock().done, 400);
    }
}
