//! `halfpixel matrix`: the cross-framework cheatsheet, computed — which Core ML, MPS and ONNX
//! calls reproduce each PyTorch, TensorFlow, Keras, ONNX, OpenCV and Pillow preset, as a Markdown page
//! section (markdown) or everything as JSON.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use halfpixel::matrix::{self, Matrix, Options, PairResult, SourceRow, TargetGroup, Verdict};

use crate::common::Fatal;
use crate::progress;

/// The arguments of `halfpixel matrix`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  \
        halfpixel matrix > cheatsheet.md\n  \
        halfpixel matrix --sources torch,tf --targets coreml,mps\n  \
        halfpixel matrix --format json --sources keras\n  \
        halfpixel matrix --json matrix.json",
    after_long_help = "For every PyTorch, TensorFlow (2 and 1), Keras, ONNX, OpenCV and Pillow \
        preset (Pillow's in mode F on each channel of the float32 sweep): \
        which Core ML NeuralNetwork layers, Core ML MIL ops, MPS kernels and ONNX Resize \
        attribute combinations (and the rest of the portable vocabulary) reproduce it. Every \
        source runs on a fixed sweep of shapes and scale factors (length-1 axes, integer and \
        fractional upsampling, shrinking; pixel shuffle with 1 and 2 channels) on seeded random \
        data, against every target that can give the same output shape. A target reproduces a \
        source when the outputs are bit-identical, or differ only by float32 rounding of the \
        same formula (same source pixels, weights within the rounding bound); where it matches \
        on some cases only, the cases are described (\"only for integer upsampling \
        factors\"); where nothing matches, the closest target and its max error are given.\n\n\
        Exit status: 0 when computed, 1 when an output exceeded its own rounding bound (a bug, \
        listed on stderr), 2 on a usage error (an unknown framework name) or an unwritable \
        --json file.\n\n\
        Examples:\n  \
        halfpixel matrix > cheatsheet.md\n  \
        halfpixel matrix --sources torch,tf --targets coreml,mps\n  \
        halfpixel matrix --format json --sources keras\n  \
        halfpixel matrix --json matrix.json"
)]
pub(crate) struct MatrixArgs {
    /// What to print on stdout: md (docs/matrix.md: the table and its footnotes) or json
    /// (the sweep, every case, every target's counts, errors and descriptions, and the per-case
    /// outcomes of the entries the table shows)
    #[arg(long, value_enum, default_value_t = Format::Md)]
    format: Format,

    /// Also write everything as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Comma-separated source frameworks: torch, tf (TF2 and TF1), tf1, keras, onnx, opencv,
    /// pillow [default: all]
    #[arg(long, value_name = "FRAMEWORKS", value_delimiter = ',')]
    sources: Vec<String>,

    /// Comma-separated target groups: coreml (both), coreml.nn, coreml.mil, mps, onnx,
    /// portable (the vocabulary beyond ONNX) [default: all]
    #[arg(long, value_name = "FRAMEWORKS", value_delimiter = ',')]
    targets: Vec<String>,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Markdown: a table of sources by target group, with footnotes
    Md,
    /// JSON: the whole computation
    Json,
}

/// Runs `halfpixel matrix`; false when a rounding bound was exceeded (a bug in the bound or the
/// kernel, listed on stderr).
pub(crate) fn run(args: &MatrixArgs) -> Result<bool, Fatal> {
    let options = Options::from_names(&args.sources, &args.targets)?;
    // Refuse an unwritable --json before the computation, not after it.
    let json_file = args
        .json
        .as_ref()
        .map(|path| {
            std::fs::File::create(path)
                .map(|f| (path, f))
                .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))
        })
        .transpose()?;
    // A bar on stderr when it is a terminal: one step per shape pair, labelled with the pair.
    let bar = progress::stderr_bar("matrix", options.sweep.pairs().len() as u64);
    let mut started = false;
    let mut progress = |line: &str| {
        if std::mem::replace(&mut started, true) {
            bar.inc(1);
        }
        bar.set_message(format!("matrix {line}"));
    };
    let computed = matrix::compute(&options, &mut progress);
    bar.finish_and_clear();
    let matrix = computed?;
    if let Some((path, mut file)) = json_file {
        let json = serde_json::to_string_pretty(&matrix)?;
        file.write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    let text = match args.format {
        Format::Md => markdown(&matrix),
        Format::Json => serde_json::to_string_pretty(&matrix)? + "\n",
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("cannot write the matrix: {e}")))?;
    for (source, target, case, error, bound) in &matrix.bound_violations {
        eprintln!(
            "matrix: {source} vs {target}, case {case}: max |Δ| {error:.3e} exceeds its rounding \
             bound {bound:.3e}"
        );
    }
    Ok(matrix.bound_violations.is_empty())
}

/// Matches shown per cell before "+N more".
const SHOWN: usize = 3;

/// Partial matches shown per cell (the JSON has them all).
const PARTIAL_SHOWN: usize = 1;

/// The Markdown page (docs/matrix.md).
fn markdown(m: &Matrix) -> String {
    let mut s = String::new();
    let resize_pairs = m.pairs.iter().filter(|p| p.scale.is_some()).count();
    let _ = writeln!(s, "## Which call reproduces which (computed)\n");
    let _ = writeln!(
        s,
        "Generated by `halfpixel matrix`: every source preset run on {} resize shape pairs \
         (inputs C×H×W {}; scale factors {}) and {} pixel-shuffle pairs, {} cases in all, on \
         seeded random data in [-1, 1), against every target call that can produce the same \
         output shape — given the source's own size or scale factors where it takes them (ONNX \
         `sizes` / `scales`), else whatever size or factors it takes. **`name`**: bit-identical \
         on every case it applies to; `name` ≈: within float32 rounding (the same source pixels, \
         weights within the rounding of the same formula); partly: on the cases the footnote \
         names; none: the closest target and its max |Δ|. `onnx(…)` are ONNX Resize-19 \
         attribute combinations; `portable(…)` the halfpixel vocabulary beyond ONNX.\n",
        resize_pairs,
        m.sweep
            .resize_inputs
            .iter()
            .map(|[c, h, w]| format!("{c}×{h}×{w}"))
            .collect::<Vec<_>>()
            .join(", "),
        m.sweep
            .scales
            .iter()
            .map(|v| trim_number(*v))
            .collect::<Vec<_>>()
            .join(", "),
        m.pairs.len() - resize_pairs,
        m.cases.len(),
    );
    let groups = &m.target_groups;
    let _ = write!(s, "| source | call |");
    for g in groups {
        let _ = write!(s, " {} |", g.title());
    }
    let _ = write!(s, "\n|---|---|");
    for _ in groups {
        let _ = write!(s, "---|");
    }
    s.push('\n');
    let mut notes: Vec<String> = Vec::new();
    for row in &m.rows {
        let _ = write!(
            s,
            "| `{}` | `{}` |",
            row.source,
            escape(&short_call(&row.mirrors))
        );
        for &g in groups {
            let _ = write!(s, " {} |", cell_text(m, row, g, &mut notes));
        }
        s.push('\n');
    }
    if !notes.is_empty() {
        s.push('\n');
        for (k, n) in notes.iter().enumerate() {
            let _ = writeln!(s, "{}. {n}", k + 1);
        }
    }
    let _ = writeln!(
        s,
        "\n≈ (within float32 rounding): the two tap tables give every source pixel weights that \
         differ by at most τ = 2u·(4L·(in+1) + 4 + taps) — what float32 coordinates against \
         float64 ones can do to the same formula (u = 2⁻²⁴, L = {} the steepest filter slope) — \
         and the measured difference stays under the bound those weights imply, \
         max|x|·(D_y·S_x + S_y·D_x + γ(n_y+n_x)·S_y·S_x).",
        trim_number(m.rounding.filter_slope)
    );
    s
}

/// One cell: the matches, the partial matches worth a footnote, and when nothing matches
/// everywhere the closest target.
fn cell_text(m: &Matrix, row: &SourceRow, g: TargetGroup, notes: &mut Vec<String>) -> String {
    let cell = row.cell(g);
    if cell.matches.is_empty() && cell.partial.is_empty() && cell.closest.is_none() {
        return "n/a".into();
    }
    let mut parts: Vec<String> = Vec::new();
    for r in cell.matches.iter().take(SHOWN) {
        parts.push(match_text(r, notes));
    }
    if cell.matches.len() > SHOWN {
        parts.push(format!("+{} more", cell.matches.len() - SHOWN));
    }
    // Beside full matches, only partial matches with a crisp condition ("no axis shrunk to
    // length 1").
    let partial: Vec<&PairResult> = cell
        .partial
        .iter()
        .copied()
        .filter(|r| cell.matches.is_empty() || r.described)
        .take(PARTIAL_SHOWN)
        .collect();
    for r in &partial {
        parts.push(format!(
            "partly `{}`{}",
            r.target,
            partial_note(m, row, r, notes)
        ));
    }
    if let Some(c) = cell.closest {
        if !partial.iter().any(|p| p.target == c.target) {
            let lead = if parts.is_empty() {
                "none; closest"
            } else {
                "otherwise closest"
            };
            parts.push(format!(
                "{lead} `{}` (max \\|Δ\\| {})",
                c.target,
                fmt_err(c.max_error)
            ));
        }
    }
    parts.join(", ")
}

/// The footnote of a partial match.
fn partial_note(m: &Matrix, row: &SourceRow, r: &PairResult, notes: &mut Vec<String>) -> String {
    let rounding = if r.rounding > 0 {
        format!(", {} of them within float rounding", r.rounding)
    } else {
        String::new()
    };
    let condition = match (&r.matches_on, r.described) {
        (Some(on), true) => format!(" {on}"),
        _ => String::new(),
    };
    note(
        notes,
        format!(
            "`{}` reproduces `{}`{condition}: {} of the {} cases it applies to{rounding}; \
             elsewhere max |Δ| {}{}.",
            r.target,
            row.source,
            r.matched(),
            r.applicable,
            fmt_err(r.max_error),
            worst_text(m, r)
        ),
    )
}

/// A matching target, with a footnote when it applies to some cases only (a note that does not
/// depend on the source, so rows share it).
fn match_text(r: &PairResult, notes: &mut Vec<String>) -> String {
    let mut text = match r.verdict {
        Verdict::WithinRounding => format!("`{}` ≈", r.target),
        _ => format!("**`{}`**", r.target),
    };
    if let Some(where_) = &r.applies_to {
        text += &note(notes, format!("`{}` applies {where_}.", r.target));
    }
    text
}

/// Adds a footnote (or finds the same one) and returns its mark.
fn note(notes: &mut Vec<String>, text: String) -> String {
    let k = match notes.iter().position(|n| *n == text) {
        Some(k) => k,
        None => {
            notes.push(text);
            notes.len() - 1
        }
    };
    format!(" [{}]", k + 1)
}

fn worst_text(m: &Matrix, r: &PairResult) -> String {
    r.worst_case
        .and_then(|c| m.cases.get(c))
        .map(|c| {
            format!(
                ", e.g. {}×{} → {}×{} with {}",
                c.pair.input[2], c.pair.input[3], c.pair.output[2], c.pair.output[3], c.target
            )
        })
        .unwrap_or_default()
}

fn fmt_err(e: f64) -> String {
    if e == 0.0 {
        "0".into()
    } else if !e.is_finite() {
        // A NaN on one side only (exclude_outside with every tap outside, as ONNX's reference).
        "∞ (NaN against a number)".into()
    } else if e >= 0.01 {
        format!("{e:.2}")
    } else {
        format!("{e:.1e}")
    }
}

fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The call, shortened for a table cell.
fn short_call(mirrors: &str) -> String {
    mirrors
        .replace("torch.nn.functional.", "F.")
        .replace("tf.compat.v1.image.", "tf1.image.")
}

fn escape(s: &str) -> String {
    s.replace('|', "\\|")
}
