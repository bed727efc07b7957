//! `halfpixel audit MODEL [CONVERTED]`: every resize, upsample and pixel-shuffle layer of a
//! model file, named exactly; with two files, what the conversion changed.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;
use halfpixel::model::audit::{audit, AuditOptions, LayerAudit, ModelAudit};
use halfpixel::model::fold::InputShape;
use halfpixel::model::pair::{pair, report_json, PairVerdict};

use crate::common::Fatal;

/// The arguments of `halfpixel audit`.
#[derive(Debug, Args)]
#[command(
    after_help = "For each resize-like layer (ONNX Resize/Upsample/DepthToSpace/SpaceToDepth, \
    Core ML upsample/resizeBilinear/cropResize/reorganizeData and MIL resize ops, TFLite \
    RESIZE_*/DEPTH_TO_SPACE/SPACE_TO_DEPTH, Keras UpSampling2D/Resizing, and resizes spelled with \
    Reshape/Transpose/Gather/Tile/Slice/Concat), in execution order: its name, op, shapes and \
    the call it encodes (the conformance format's vocabulary), a sentence saying what it \
    computes, the calls of other frameworks that compute the same, and warnings (float16 \
    compute, fractional scale factors, the asymmetric TF1 grid, size-1 axes, values that could \
    not be worked out).

With CONVERTED (a file made from the same program by a converter), layers are paired by order, \
    op family and shape, each pair is run with halfpixel on the same seeded input, and the \
    verdict says whether they compute the same function; if not, how much they differ, how far \
    the sample grid moves, and which layer or attributes of the converted format would \
    reproduce the source, with a snippet that applies the fix.

Exit status: 0 when layers were found (and every pair agrees), 1 when the model has no \
    resize-like layer or some pair differs, 2 when a file cannot be read.

Examples:
  halfpixel audit model.onnx
  halfpixel audit model.onnx --input-shape x=1,3,480,640
  halfpixel audit model.onnx model.mlmodel --json audit.json"
)]
pub(crate) struct AuditArgs {
    /// The model file (.onnx, .mlmodel, .mlpackage, .tflite, .keras)
    #[arg(value_name = "MODEL")]
    model: PathBuf,

    /// A model converted from MODEL (or from the same program), to compare layer by layer
    #[arg(value_name = "CONVERTED")]
    converted: Option<PathBuf>,

    /// The shape of a model input whose dims are symbolic: NAME=D,D,D,D, or D,D,D,D for the
    /// first input; repeat for several inputs
    #[arg(long = "input-shape", value_name = "[NAME=]DIMS", value_parser = parse_shape)]
    input_shape: Vec<InputShape>,

    /// Also write the report as JSON (format halfpixel-audit/1) to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Leave out the list of equivalent calls of other frameworks (shorter output)
    #[arg(long)]
    no_equivalents: bool,
}

fn parse_shape(s: &str) -> Result<InputShape, String> {
    s.parse()
}

/// Runs `halfpixel audit`.
pub(crate) fn run(args: &AuditArgs) -> Result<bool, Fatal> {
    let mut options = AuditOptions {
        input_shapes: args.input_shape.clone(),
        no_equivalents: args.no_equivalents,
        lenient_names: args.converted.is_some(),
    };
    let source = audit(&args.model, &options)?;
    let converted = match &args.converted {
        Some(p) => {
            options.lenient_names = true;
            Some(audit(p, &options)?)
        }
        None => None,
    };
    let pairs = match &converted {
        Some(c) => pair(&source, c),
        None => Vec::new(),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut write = || -> io::Result<()> {
        write_model(&mut out, &source)?;
        if let Some(c) = &converted {
            writeln!(out)?;
            write_model(&mut out, c)?;
            writeln!(out)?;
            write_pairs(&mut out, &source, c, &pairs)?;
        }
        out.flush()
    };
    write().map_err(|e| Fatal(format!("cannot write the report: {e}")))?;
    if let Some(path) = &args.json {
        let models: Vec<&ModelAudit> = std::iter::once(&source).chain(converted.as_ref()).collect();
        let text = serde_json::to_string_pretty(&report_json(&models, &pairs))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    let found =
        !source.layers.is_empty() && converted.as_ref().is_none_or(|c| !c.layers.is_empty());
    Ok(found && pairs.iter().all(|p| p.same != Some(false)))
}

fn shape(s: &Option<Vec<usize>>) -> String {
    s.as_ref().map_or("?".into(), |s| format!("{s:?}"))
}

fn write_model(out: &mut dyn Write, m: &ModelAudit) -> io::Result<()> {
    let version = match m.version {
        Some(v) if m.format == halfpixel::model::ModelFormat::Onnx => format!(" opset {v}"),
        _ => String::new(),
    };
    let producer = if m.producer.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.producer)
    };
    let n = m.layers.len();
    writeln!(
        out,
        "{} — {}{version}{producer}: {}",
        m.path,
        m.format,
        match n {
            0 => "no resize, upsample or pixel-shuffle layer".to_string(),
            1 => "1 resize-like layer".to_string(),
            n => format!("{n} resize-like layers"),
        }
    )?;
    if let Some(note) = &m.mislabelled {
        writeln!(out, "  note: the file is {note}")?;
    }
    for (k, l) in m.layers.iter().enumerate() {
        write_layer(out, k + 1, l)?;
    }
    Ok(())
}

fn write_layer(out: &mut dyn Write, k: usize, l: &LayerAudit) -> io::Result<()> {
    let layer = &l.found.layer;
    writeln!(
        out,
        "  {k}. {}  ({}, {})  {} → {}",
        layer.name,
        layer.native_op,
        layer.layout.name(),
        shape(&layer.input_shape),
        shape(&layer.output_shape)
    )?;
    writeln!(out, "     {}", l.sentence)?;
    match &layer.call {
        Some(c) => writeln!(
            out,
            "     call: {}",
            serde_json::to_string(c).unwrap_or_default()
        )?,
        None => writeln!(out, "     call: unknown")?,
    }
    if !l.equivalents.is_empty() {
        writeln!(out, "     equivalents:")?;
        let width = l
            .equivalents
            .iter()
            .map(|e| e.family.len())
            .max()
            .unwrap_or(0);
        let mut shown: Vec<&str> = Vec::new();
        let mut hidden = 0;
        for e in &l.equivalents {
            if shown.contains(&e.family.as_str()) {
                hidden += 1;
                continue;
            }
            shown.push(&e.family);
            writeln!(
                out,
                "       {:width$}  {}{}",
                e.family,
                e.text,
                match (e.exact, e.inferred) {
                    (_, true) => "  (rule inferred: the framework does not document it)",
                    (false, false) => "  (within float rounding)",
                    (true, false) => "",
                }
            )?;
        }
        if hidden > 0 {
            writeln!(
                out,
                "       (+{hidden} more calls of these frameworks in --json)"
            )?;
        }
    }
    for w in &l.warnings {
        writeln!(out, "     warning: {w}")?;
    }
    Ok(())
}

fn write_pairs(
    out: &mut dyn Write,
    a: &ModelAudit,
    b: &ModelAudit,
    pairs: &[PairVerdict],
) -> io::Result<()> {
    writeln!(out, "pairs ({} → {}):", a.path, b.path)?;
    if pairs.is_empty() {
        writeln!(out, "  no layers pair up (different op families or shapes)")?;
    }
    for p in pairs {
        let verdict = match p.same {
            Some(true) => "same function".to_string(),
            Some(false) => "DIFFERENT".to_string(),
            None => "cannot say".to_string(),
        };
        writeln!(out, "  {} → {}: {verdict}", p.source, p.converted)?;
        if let (Some(max), Some(mean)) = (p.max_abs, p.mean_abs) {
            let bound = p.bound.map_or(String::new(), |b| {
                format!(" (float rounding bound {b:.3e})")
            });
            writeln!(out, "     max |diff| {max:.3e}, mean {mean:.3e} on a seeded uniform(−1, 1) input{bound}")?;
        }
        if p.same == Some(false) {
            if let Some([dy, dx]) = p.grid_shift {
                writeln!(
                    out,
                    "     the sample grid moves by up to {dy:.3} source pixels vertically and {dx:.3} horizontally{}",
                    if p.filters_differ { "; the filters differ too" } else { "" }
                )?;
            }
        }
        if let Some(c) = &p.change {
            writeln!(out, "     what changed: {c}")?;
        }
        if let Some(n) = &p.note {
            writeln!(out, "     {n}")?;
        }
        if let Some(f) = &p.fix {
            writeln!(out, "     fix: {}", f.explanation)?;
            if let Some(s) = &f.snippet {
                for line in s.lines() {
                    writeln!(out, "       {line}")?;
                }
            }
        }
    }
    Ok(())
}
