//! `halfpixel identify`: which framework call turns A.npy into B.npy.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use halfpixel::identify::{
    format_error, format_tolerance, identify, unconnected, Group, IdentifyOptions, Report, Storage,
    Verdict,
};
use halfpixel::npy::{read_npy, NpyArray};
use halfpixel::Layout;
use ndarray::Array4;
use serde_json::json;

use crate::common::Fatal;

/// The arguments of `halfpixel identify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Every named preset (PyTorch, TensorFlow, Keras, ONNX, Core ML, MPS, \
    OpenCV) with every target it takes, and every combination of the portable vocabulary that \
    fits the two shapes, runs on A (CPU) and is compared with B. Candidates with bit-identical \
    outputs form one group of equivalent explanations (named presets with their calls, then \
    portable specs). Groups that reproduce B exactly or within float rounding come first; groups \
    are ranked by the size of their error (max |err|, then mean |err|); each group's rounding bound comes from its tap tables (k·ε·max|x|·Σ|wy|·Σ|wx|, k = \
    taps + 2). When nothing reproduces B, the search widens once (round scale factors, cubic \
    coefficients fitted to B) and the nearest groups are shown with their error, where it is \
    (border or interior) and how many elements differ; a near miss (within 1 % of B's largest \
    value) gets the --atol that accepts it. A float16 A or B is compared in float16 \
    (candidates rounded like B, float16's epsilon in the bound). When A and B are both 8-bit (or \
    both 16-bit), calls with integer arithmetic of their own (OpenCV, PyTorch, Pillow) run it and \
    are exact or not; other calls are computed in float32 and rounded, with one step of slack, \
    and are never called exact.

Exit status: 0 when some candidate reproduces B, 1 when none does, 2 on an error (an unreadable \
    file, shapes that no resize or pixel shuffle connects).

Examples:
  halfpixel identify --input a.npy --output b.npy
  halfpixel identify --input x.npy --output y.npy --layout NHWC --top 3
  halfpixel identify --input x.npy --output y.npy --scale 1.7,0.6 --json report.json"
)]
pub(crate) struct IdentifyArgs {
    /// A: the tensor the resize was given (.npy; a 2-D array is one H×W plane, a 3-D one gets a
    /// batch of 1)
    #[arg(long, value_name = "A.npy")]
    input: PathBuf,

    /// B: the tensor the framework produced from A (.npy, same rank rules)
    #[arg(long, value_name = "B.npy")]
    output: PathBuf,

    /// Layout of both tensors [default: inferred from the shapes; NCHW when both fit]
    #[arg(long, value_name = "NCHW|NHWC", value_parser = parse_layout)]
    layout: Option<Layout>,

    /// Scale factors the model passed (PyTorch scale_factor, ONNX scales, OpenCV fx/fy): one
    /// value for both axes, or HEIGHT,WIDTH
    #[arg(long, value_name = "S[,S]", value_parser = parse_scale)]
    scale: Option<[f64; 2]>,

    /// Also accept candidates within this absolute difference of B, for references whose values
    /// were rounded or printed with few digits (documentation examples, hand-written vectors);
    /// float rounding is always accepted
    #[arg(long, value_name = "X", default_value_t = 0.0, value_parser = parse_atol)]
    atol: f64,

    /// How many groups to show
    #[arg(long, value_name = "N", default_value_t = 5)]
    top: usize,

    /// Also write the full report (every group, every member, every candidate that could not
    /// run) as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn parse_atol(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("{s:?} is not a finite number of at least 0")),
    }
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    s.parse::<Layout>()
        .map_err(|_| format!("{s:?} is not NCHW or NHWC"))
}

fn parse_scale(s: &str) -> Result<[f64; 2], String> {
    let values: Vec<f64> = s
        .split(',')
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .map_err(|_| format!("{p:?} is not a number"))
        })
        .collect::<Result<_, _>>()?;
    if let Some(bad) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
        return Err(format!("scale factors must be finite and > 0, got {bad}"));
    }
    match values[..] {
        [s] => Ok([s, s]),
        [h, w] => Ok([h, w]),
        _ => Err(format!(
            "give one scale factor or two (HEIGHT,WIDTH), got {}",
            values.len()
        )),
    }
}

/// A tensor read from a file, before its layout is known.
struct Loaded {
    path: PathBuf,
    array: NpyArray,
}

impl Loaded {
    fn read(path: &Path, what: &str) -> Result<Loaded, Fatal> {
        let array = read_npy(path).map_err(|e| Fatal(format!("{what}: {e}")))?;
        match array.shape.len() {
            2..=4 => Ok(Loaded {
                path: path.to_path_buf(),
                array,
            }),
            r => Err(Fatal(format!(
                "{what} {} has rank {r} (shape {:?}); identify takes 2-D (H×W), 3-D (C×H×W, or \
                 H×W×C with --layout NHWC) and 4-D arrays",
                path.display(),
                array.shape
            ))),
        }
    }

    /// The 4-D shape in `layout`: a 2-D array is one plane, a 3-D one gets a batch of 1.
    fn shape(&self, layout: Layout) -> [usize; 4] {
        match *self.array.shape.as_slice() {
            [h, w] => layout.shape([1, 1, h, w]),
            [a, b, c] => [1, a, b, c],
            [n, a, b, c] => [n, a, b, c],
            _ => unreachable!("ranks are checked when the file is read"),
        }
    }

    /// The data as a 4-D array in `layout`, moved out (the file's other details stay).
    fn take_array(&mut self, layout: Layout) -> Result<Array4<f32>, Fatal> {
        let [a, b, c, d] = self.shape(layout);
        Array4::from_shape_vec((a, b, c, d), std::mem::take(&mut self.array.data))
            .map_err(|e| Fatal(format!("{}: {e}", self.path.display())))
    }

    fn storage(&self) -> Storage {
        Storage::of_dtype(self.array.dtype)
    }
}

/// The layout to use and how it was chosen.
fn choose_layout(args: &IdentifyArgs, a: &Loaded, b: &Loaded) -> (Layout, String) {
    if let Some(l) = args.layout {
        return (l, format!("{} (--layout)", l.name()));
    }
    if a.array.shape.len() == 2 && b.array.shape.len() == 2 {
        return (Layout::Nchw, "NCHW (2-D planes)".into());
    }
    let fit: Vec<Layout> = [Layout::Nchw, Layout::Nhwc]
        .into_iter()
        .filter(|&l| unconnected(l.nchw(a.shape(l)), l.nchw(b.shape(l))).is_none())
        .collect();
    match fit[..] {
        [only] => (only, format!("{} (inferred from the shapes)", only.name())),
        [_, _] => (
            Layout::Nchw,
            "NCHW (assumed: the shapes fit NHWC too; pass --layout NHWC if that is what they are)"
                .into(),
        ),
        _ => (Layout::Nchw, "NCHW".into()),
    }
}

/// Runs `halfpixel identify`.
pub(crate) fn run(args: &IdentifyArgs) -> Result<bool, Fatal> {
    let mut a = Loaded::read(&args.input, "--input")?;
    let mut b = Loaded::read(&args.output, "--output")?;
    let (layout, layout_note) = choose_layout(args, &a, &b);
    let options = IdentifyOptions {
        scale_hint: args.scale,
        input_storage: a.storage(),
        output_storage: b.storage(),
        widen: true,
        abs_tolerance: args.atol,
    };
    let (xa, xb) = (a.take_array(layout)?, b.take_array(layout)?);
    let report = identify(xa.view(), xb.view(), layout, &options).map_err(|e| {
        let other = match layout {
            Layout::Nchw => Layout::Nhwc,
            Layout::Nhwc => Layout::Nchw,
        };
        let also = if args.layout.is_none() && a.array.shape.len() > 2 {
            format!(" (nor as {})", other.name())
        } else {
            String::new()
        };
        Fatal(format!("{e}{also}"))
    })?;

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write_text(&mut out, args, &a, &b, &layout_note, &report)
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;

    if let Some(path) = &args.json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("input".into(), json!(a.path.display().to_string()));
            obj.insert("output".into(), json!(b.path.display().to_string()));
            obj.insert("input_dtype".into(), json!(a.array.dtype.code()));
            obj.insert("output_dtype".into(), json!(b.array.dtype.code()));
            obj.insert("layout_choice".into(), json!(layout_note));
            obj.insert("reproduced".into(), json!(report.reproduced()));
            obj.insert("summary".into(), json!(report.summary()));
        }
        let text = serde_json::to_string_pretty(&value)?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(report.reproduced())
}

fn write_text(
    out: &mut dyn Write,
    args: &IdentifyArgs,
    a: &Loaded,
    b: &Loaded,
    layout_note: &str,
    report: &Report,
) -> io::Result<()> {
    for (name, t, shape) in [("A", a, report.input_shape), ("B", b, report.output_shape)] {
        writeln!(
            out,
            "{name}: {}  {} {:?}",
            t.path.display(),
            t.array.dtype.code(),
            shape
        )?;
    }
    writeln!(out, "layout: {layout_note}")?;
    if report.epsilon > f32::EPSILON as f64 {
        writeln!(
            out,
            "float16 data: candidates are rounded like B and bounded with float16's epsilon"
        )?;
    }
    if let Storage::Integer { .. } = report.output_storage {
        if report.input_storage == report.output_storage {
            writeln!(
                out,
                "integer A and B: calls with their own integer arithmetic run it (exact or not); \
                 the others are computed in float32 and rounded, one step of slack"
            )?;
        } else {
            writeln!(
                out,
                "integer B: candidates are rounded to integers, one step of slack"
            )?;
        }
    }
    writeln!(
        out,
        "tried {} candidates: {} distinct tap tables, {} distinct outputs",
        report.candidates,
        report.runs,
        report.groups.len()
    )?;
    if let Some(w) = &report.widened {
        let a_list: Vec<String> = w.cubic_coeff_a.iter().map(|a| a.to_string()).collect();
        let left_out = if w.scales_left_out > 0 {
            format!(" ({} more left out: time budget)", w.scales_left_out)
        } else {
            String::new()
        };
        writeln!(
            out,
            "nothing matched bit for bit, so the search widened: {} round scale factor pairs{left_out}, \
             cubic coefficients fitted to B: {}",
            w.scales.len(),
            if a_list.is_empty() {
                "none new".to_string()
            } else {
                a_list.join(", ")
            }
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", report.summary())?;
    if !report.reproduced() {
        write_hints(out, report)?;
    }
    writeln!(out)?;
    for (i, g) in report.groups.iter().take(args.top).enumerate() {
        write_group(out, i + 1, g)?;
    }
    let hidden = report.groups.len().saturating_sub(args.top);
    if hidden > 0 {
        let reproducing_hidden = report
            .reproducing()
            .count()
            .saturating_sub(args.top.min(report.groups.len()));
        writeln!(
            out,
            "({hidden} more group{}{}; --top N shows more, --json FILE writes them all)",
            if hidden == 1 { "" } else { "s" },
            if reproducing_hidden > 0 {
                format!(", {reproducing_hidden} of them reproducing B")
            } else {
                String::new()
            }
        )?;
    }
    if !report.skipped.is_empty() {
        writeln!(
            out,
            "{} candidate(s) could not run (see --json): first {}: {}",
            report.skipped.len(),
            report.skipped[0].label,
            report.skipped[0].reason
        )?;
    }
    Ok(())
}

/// The group's name in a hint: its first named preset, else its first member.
fn group_name(g: &Group) -> &str {
    g.preset_names()
        .first()
        .copied()
        .or_else(|| g.members.first().map(|m| m.label.as_str()))
        .unwrap_or("?")
}

fn write_hints(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let near = report.near_miss();
    if let Some(n) = near {
        let g = &report.groups[n.group];
        writeln!(
            out,
            "hint: a near miss: #{} ({}) is off by at most {} (mean {}), {:.2} % of B's largest \
             value; if B was rounded, printed with few digits or has noise, --atol {} accepts it",
            n.group + 1,
            group_name(g),
            format_error(n.max_abs_error),
            format_error(n.mean_abs_error),
            100.0 * n.relative_error,
            format_tolerance(n.abs_tolerance)
        )?;
    }
    let edge = report
        .groups
        .iter()
        .enumerate()
        .find(|(_, g)| g.max_interior_error <= g.tolerance && g.max_border_error > g.tolerance);
    // Off at a few elements only: the group with the fewest beyond its bound, if under 1 %.
    let few = report
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            g.elements_beyond_tolerance > 0 && g.elements_beyond_tolerance * 100 < g.elements
        })
        .min_by_key(|(i, g)| (g.elements_beyond_tolerance, *i));
    if let Some((i, g)) = edge {
        writeln!(
            out,
            "hint: #{} ({}) matches B everywhere but on the border rows and columns: the edge \
             rule differs (replicate vs exclude, clamping, a crop box)",
            i + 1,
            group_name(g)
        )?;
    } else if let Some((i, g)) = few {
        writeln!(
            out,
            "hint: #{} ({}) matches B at all but {} of {} elements: look at those values before \
             suspecting the resize",
            i + 1,
            group_name(g),
            g.elements_beyond_tolerance,
            g.elements
        )?;
    }
    if report.scale_hint.is_none() && near.is_none() {
        writeln!(
            out,
            "hint: if the model passes scale factors (scale_factor, ONNX scales, fx/fy), give \
             them with --scale: the mapping may use them instead of out/in"
        )?;
    }
    Ok(())
}

fn write_group(out: &mut dyn Write, rank: usize, g: &Group) -> io::Result<()> {
    let head = match g.verdict {
        Verdict::Exact => "exact".to_string(),
        Verdict::WithinRounding => format!(
            "within float rounding: max |err| {} ≤ bound {}",
            format_error(g.max_abs_error),
            format_error(g.tolerance)
        ),
        Verdict::WithinTolerance => format!(
            "within the given tolerance: max |err| {} (beyond the rounding bound {})",
            format_error(g.max_abs_error),
            format_error(g.tolerance)
        ),
        Verdict::Differs => {
            let mut s = format!(
                "differs: max |err| {}, mean {}",
                format_error(g.max_abs_error),
                format_error(g.mean_abs_error)
            );
            if let Some(w) = &g.worst {
                s += &format!(
                    " at {:?} ({}; B {} vs {})",
                    w.index,
                    if w.on_border { "border" } else { "interior" },
                    w.expected,
                    w.got
                );
            }
            s + &format!(
                "; border max {}, interior max {}; {} of {} elements beyond the bound {}",
                format_error(g.max_border_error),
                format_error(g.max_interior_error),
                g.elements_beyond_tolerance,
                g.elements,
                format_error(g.tolerance)
            )
        }
    };
    let n = g.members.len();
    writeln!(
        out,
        "#{rank} {head} — {n} candidate{}",
        if n == 1 { "" } else { "s" }
    )?;
    if g.float_rounded {
        writeln!(
            out,
            "    (computed in float32 and rounded by halfpixel: these calls have no integer \
             arithmetic halfpixel reproduces, so the framework's own integer result may differ)"
        )?;
    }
    // Named presets: each name once, with its calls (the first two targets).
    let names = g.preset_names();
    let width = names.iter().map(|s| s.len()).max().unwrap_or(8).max(8);
    for name in &names {
        let calls: Vec<&str> = g
            .members
            .iter()
            .filter(|m| m.preset.as_deref() == Some(*name))
            .map(|m| m.call.as_str())
            .collect();
        for (i, call) in calls.iter().take(2).enumerate() {
            let label = if i == 0 { *name } else { "" };
            writeln!(out, "    {label:<width$}  {call}")?;
        }
        if calls.len() > 2 {
            writeln!(
                out,
                "    {:<width$}  (+{} more targets)",
                "",
                calls.len() - 2
            )?;
        }
    }
    let portable: Vec<&str> = g
        .members
        .iter()
        .filter(|m| m.portable.is_some())
        .map(|m| m.call.as_str())
        .collect();
    for (i, call) in portable.iter().take(3).enumerate() {
        let label = if i == 0 { "portable" } else { "" };
        writeln!(out, "    {label:<width$}  {call}")?;
    }
    if portable.len() > 3 {
        writeln!(
            out,
            "    {:<width$}  (+{} more portable specs)",
            "",
            portable.len() - 3
        )?;
    }
    Ok(())
}
