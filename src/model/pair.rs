//! `halfpixel audit SOURCE CONVERTED`: the layers of two files made from one program, paired,
//! and whether each pair computes the same function.
//!
//! Layers are paired in execution order by op family and shape: shapes are compared as
//! `[C, H, W]` whatever each file's layout, so the transposes, casts and layout changes a
//! converter inserts between layers do not matter. Each pair is run with halfpixel on the same
//! seeded random input: the same function within float rounding (the bound of the two tap
//! tables, [`crate::matrix::rounding_bound`]), or not, with the max and mean difference, how far
//! the sample grid moves in source pixels, and which layer or attributes of the converted
//! format would reproduce the source, with a snippet that applies the fix.

use ndarray::Array4;
use serde_json::{json, Value};

use super::audit::{LayerAudit, ModelAudit};
use super::describe::{probe_call, probe_dims, real_dims, reproducers, run, runs};
use super::fix::snippet;
use super::graph::ModelFormat;
use crate::candidates::Origin;
use crate::conformance::Op;
use crate::matrix::rounding_bound;
use crate::op::{InputDesc, Operation};
use crate::plan::{AxisPlan, ResizePlan};
use crate::presets::named::Request;
use crate::presets::{from_call, inferred, Call};
use crate::spec::{Layout, Mode, ResizeSpec};

/// The most elements a pair is run on; larger layers are compared by their tap tables alone.
pub const MAX_PAIR_ELEMENTS: usize = 1 << 24;

/// The seed of the input both layers of a pair run on.
pub const PAIR_SEED: u64 = 2024;

/// What would make the converted layer compute the source's function.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    /// Whether some layer of the converted format reproduces the source.
    pub possible: bool,
    /// That layer's call.
    pub call: Option<Call>,
    /// The named preset it is, if any.
    pub preset: Option<String>,
    /// What to change, in words (or why nothing can).
    pub explanation: String,
    /// A short ready-to-run snippet (onnx attribute edit, coremltools spec edit, …).
    pub snippet: Option<String>,
}

/// The verdict on one pair of layers.
#[derive(Debug, Clone, PartialEq)]
pub struct PairVerdict {
    /// The source layer's name.
    pub source: String,
    /// The converted layer's name.
    pub converted: String,
    /// The same function within float rounding; `None` when it cannot be said (a value not
    /// known, or a rule the framework does not document).
    pub same: Option<bool>,
    /// `max |source − converted|` on the seeded input.
    pub max_abs: Option<f64>,
    /// `mean |source − converted|`.
    pub mean_abs: Option<f64>,
    /// The float rounding bound the difference was held to.
    pub bound: Option<f64>,
    /// How far the sample grid moves, in source pixels: `[height, width]`, the largest shift of
    /// any output's centre of taps.
    pub grid_shift: Option<[f64; 2]>,
    /// Whether the filters differ beyond the grid (tap counts: antialiasing, another kernel).
    pub filters_differ: bool,
    /// Why `same` is not said, when it is not.
    pub note: Option<String>,
    /// What changed, in words ("nearest became bilinear", "antialiasing was dropped"), when
    /// the pair differs and both layers' grids are known.
    pub change: Option<String>,
    /// What to change on the converted side, when the pair differs.
    pub fix: Option<Fix>,
}

impl PairVerdict {
    /// The `PAIR` object of `halfpixel-audit/1`: `source`, `converted`, `same`, `max_abs`,
    /// `mean_abs`, `fix`.
    pub fn to_json(&self) -> Value {
        json!({
            "source": self.source,
            "converted": self.converted,
            "same": self.same,
            "max_abs": self.max_abs.map(super::layers::float_json),
            "mean_abs": self.mean_abs.map(super::layers::float_json),
            "fix": self.fix.as_ref().map(|f| json!({
                "possible": f.possible,
                "call": f.call,
                "preset": f.preset,
                "explanation": f.explanation,
                "snippet": f.snippet,
                "grid_shift": self.grid_shift,
                "what_changed": self.change,
                "filters_differ": self.filters_differ,
            })),
        })
    }
}

/// `[C, H, W]` of a layer's input and output, when known.
fn chw(l: &LayerAudit) -> Option<([usize; 3], [usize; 3])> {
    let layout = l.found.layer.layout;
    let get = |s: &Option<Vec<usize>>| -> Option<[usize; 3]> {
        let s: [usize; 4] = s.as_ref()?.clone().try_into().ok()?;
        let [_, c, h, w] = layout.nchw(s);
        Some([c, h, w])
    };
    Some((
        get(&l.found.layer.input_shape)?,
        get(&l.found.layer.output_shape)?,
    ))
}

/// How well two layers pair: `None` when they cannot (another op family, other shapes).
fn affinity(a: &LayerAudit, b: &LayerAudit) -> Option<u32> {
    if a.found.layer.op != b.found.layer.op {
        return None;
    }
    match (chw(a), chw(b)) {
        (Some(x), Some(y)) if x == y => Some(3),
        (Some((ai, ao)), Some((bi, bo))) if ai[1..] == bi[1..] && ao[1..] == bo[1..] => Some(2),
        (Some(_), Some(_)) => None,
        _ => Some(1),
    }
}

/// Pairs the layers of two audits in order (an alignment that keeps the order of both files
/// and maximises how well paired layers agree), then judges each pair.
pub fn pair(source: &ModelAudit, converted: &ModelAudit) -> Vec<PairVerdict> {
    let (a, b) = (&source.layers, &converted.layers);
    let (n, m) = (a.len(), b.len());
    // best[i][j]: the best score pairing a[i..] with b[j..].
    let mut best = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let skip = best[i + 1][j].max(best[i][j + 1]);
            let take = affinity(&a[i], &b[j]).map_or(0, |s| s + best[i + 1][j + 1]);
            best[i][j] = skip.max(take);
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n && j < m {
        match affinity(&a[i], &b[j]) {
            Some(s) if best[i][j] == s + best[i + 1][j + 1] => {
                out.push(judge(&a[i], &b[j], converted));
                i += 1;
                j += 1;
            }
            _ if best[i][j] == best[i + 1][j] => i += 1,
            _ => j += 1,
        }
    }
    out
}

fn stats(x: &Array4<f32>, y: &Array4<f32>) -> (f64, f64) {
    let mut max = 0.0f64;
    let mut sum = 0.0f64;
    for (a, b) in x.iter().zip(y) {
        let d = (*a as f64 - *b as f64).abs();
        max = max.max(if d.is_nan() { f64::INFINITY } else { d });
        sum += d;
    }
    (max, sum / x.len().max(1) as f64)
}

fn plan(op: &Operation, dims: [usize; 4]) -> Option<ResizePlan> {
    op.plan(&InputDesc {
        dims,
        layout: Layout::Nchw,
    })
    .ok()
    .flatten()
}

/// The centre of an output's taps, in source pixels.
fn centres(axis: &AxisPlan) -> Vec<Option<f64>> {
    (0..axis.out_len())
        .map(|o| {
            if axis.is_extrapolated(o) {
                return None;
            }
            let (idx, w) = axis.taps(o);
            let sum: f64 = w.iter().map(|&w| w as f64).sum();
            (sum.abs() > 1e-12).then(|| {
                idx.iter()
                    .zip(w)
                    .map(|(&i, &w)| i as f64 * w as f64)
                    .sum::<f64>()
                    / sum
            })
        })
        .collect()
}

fn shift(a: &AxisPlan, b: &AxisPlan) -> f64 {
    centres(a)
        .iter()
        .zip(centres(b))
        .filter_map(|(x, y)| Some((x.as_ref()? - y?).abs()))
        .fold(0.0, f64::max)
}

fn judge(a: &LayerAudit, b: &LayerAudit, converted: &ModelAudit) -> PairVerdict {
    let (la, lb) = (&a.found.layer, &b.found.layer);
    let mut v = PairVerdict {
        source: la.name.clone(),
        converted: lb.name.clone(),
        same: None,
        max_abs: None,
        mean_abs: None,
        bound: None,
        grid_shift: None,
        filters_differ: false,
        note: None,
        change: None,
        fix: None,
    };
    let (Some(ca), Some(cb)) = (&la.call, &lb.call) else {
        v.note = Some("a layer's call could not be worked out (see its warnings)".into());
        return v;
    };
    if !runs(&a.found) || !runs(&b.found) {
        v.note = Some(
            "a layer's call does not give the output shape the file declares (see its warnings)"
                .into(),
        );
        return v;
    }
    let Some(dims) = probe_dims(&a.found).or_else(|| probe_dims(&b.found)) else {
        v.note = Some("the layers' shapes are not known: give --input-shape".into());
        return v;
    };
    let (ca, cb) = (
        &probe_call(ca, la.layout, dims),
        &probe_call(cb, lb.layout, dims),
    );
    let elements = |c: &Call| {
        from_call(c)
            .and_then(|op| {
                op.output_dims(&InputDesc {
                    dims,
                    layout: Layout::Nchw,
                })
            })
            .map_or(0, |d| d.iter().product::<usize>())
    };
    if elements(ca).max(elements(cb)).max(dims.iter().product()) > MAX_PAIR_ELEMENTS {
        // Too large to run: the tap tables decide.
        let plans = from_call(ca)
            .ok()
            .zip(from_call(cb).ok())
            .and_then(|(p, q)| Some((plan(&p, dims)?, plan(&q, dims)?)));
        if let Some((pa, pb)) = plans {
            let same = pa == pb || rounding_bound(&pa, &pb, 1.0).is_some();
            v.same = if inferred(ca).or_else(|| inferred(cb)).is_some() {
                None
            } else {
                Some(same)
            };
            v.grid_shift = Some([shift(&pa.h, &pb.h), shift(&pa.w, &pb.w)]);
            v.note = Some("compared by their tap tables (too large to run)".into());
            if !same {
                v.fix = find_fix(ca, dims, b, converted);
            }
        }
        return v;
    }
    let (Some((x, ya)), Some((_, yb))) = (run(ca, dims, PAIR_SEED), run(cb, dims, PAIR_SEED))
    else {
        v.note = Some("a layer's call cannot run at this shape".into());
        return v;
    };
    if ya.dim() != yb.dim() {
        v.same = Some(false);
        v.note = Some(format!(
            "the outputs differ in shape: {:?} against {:?} (NCHW)",
            ya.dim(),
            yb.dim()
        ));
        v.fix = find_fix(ca, dims, b, converted);
        return v;
    }
    let (max, mean) = stats(&ya, &yb);
    v.max_abs = Some(max);
    v.mean_abs = Some(mean);
    let (oa, ob) = (from_call(ca).ok(), from_call(cb).ok());
    let plans = oa
        .as_ref()
        .zip(ob.as_ref())
        .and_then(|(p, q)| Some((plan(p, dims)?, plan(q, dims)?)));
    let max_x = x.iter().fold(0.0f64, |m, v| m.max(v.abs() as f64));
    let same = match (&plans, la.op) {
        (Some((pa, pb)), Op::Resize) => {
            let bound = rounding_bound(pa, pb, max_x);
            v.bound = bound;
            v.grid_shift = Some([shift(&pa.h, &pb.h), shift(&pa.w, &pb.w)]);
            v.filters_differ = pa.h.width() != pb.h.width() || pa.w.width() != pb.w.width();
            bound.map_or(max == 0.0, |b| max <= b)
        }
        _ => max == 0.0,
    };
    let why = inferred(ca).or_else(|| inferred(cb));
    v.same = match why {
        Some(w) => {
            v.note = Some(format!(
                "{w}; halfpixel's inference gives max |diff| {max:.3e}"
            ));
            None
        }
        None => Some(same),
    };
    if !same {
        v.change = change(a, b);
        v.fix = find_fix(ca, dims, b, converted);
    }
    v
}

/// What changed between two layers' grids and filters, in words.
fn change(a: &LayerAudit, b: &LayerAudit) -> Option<String> {
    let (pa, pb) = (a.portable.as_ref()?, b.portable.as_ref()?);
    let mode = |m: Mode| match m {
        Mode::Nearest => "nearest",
        Mode::Linear => "bilinear",
        Mode::Cubic => "bicubic",
        _ => "another filter",
    };
    let mut parts = Vec::new();
    if pa.mode != pb.mode {
        parts.push(format!("{} became {}", mode(pa.mode), mode(pb.mode)));
    }
    if pa.antialias && !pb.antialias {
        parts.push("antialiasing was dropped (the source widens its filter when shrinking; the converted layer samples 2 taps)".into());
    } else if !pa.antialias && pb.antialias {
        parts.push("antialiasing was added".into());
    }
    if pa.coordinate_transformation_mode != pb.coordinate_transformation_mode {
        parts.push(format!(
            "the grid changed from {} to {}",
            pa.coordinate_transformation_mode.name(),
            pb.coordinate_transformation_mode.name()
        ));
    } else if pa.nearest_mode != pb.nearest_mode
        && pa.mode == Mode::Nearest
        && pb.mode == Mode::Nearest
    {
        parts.push("the nearest rounding changed".into());
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Whether a named preset is a layer the converted file's format can hold.
fn holds(format: ModelFormat, preset: &str) -> bool {
    match format {
        ModelFormat::Onnx => preset == "onnx" || preset.starts_with("onnx."),
        ModelFormat::TfLite => preset.starts_with("tflite."),
        ModelFormat::Keras => preset.starts_with("keras."),
        ModelFormat::CoreMlNeuralNetwork => preset.starts_with("coreml.nn."),
        ModelFormat::CoreMlProgram => {
            preset.starts_with("coreml.") && !preset.starts_with("coreml.nn.")
        }
    }
}

/// The format's name, for messages.
fn format_name(format: ModelFormat) -> String {
    format.to_string()
}

/// Scale factors a call states (for presets that take factors).
fn scales_of(call: &Call) -> Vec<[f64; 2]> {
    let a = &call.args;
    let mut out = Vec::new();
    let pair = |v: &Value| -> Option<[f64; 2]> {
        let arr = v.as_array()?;
        let n = arr.len();
        (n >= 2)
            .then(|| Some([arr[n - 2].as_f64()?, arr[n - 1].as_f64()?]))
            .flatten()
    };
    for v in [
        &a["inputs"]["scales"],
        &a["scale_factor"],
        &a["fractionalScalingFactor"],
        &a["scalingFactor"],
    ] {
        out.extend(pair(v));
    }
    if let (Some(h), Some(w)) = (
        a["scale_factor_height"].as_f64(),
        a["scale_factor_width"].as_f64(),
    ) {
        out.push([h, w]);
    }
    out
}

fn find_fix(
    source: &Call,
    dims: [usize; 4],
    b: &LayerAudit,
    converted: &ModelAudit,
) -> Option<Fix> {
    let cb = b.found.layer.call.as_ref()?;
    let mut scales = scales_of(source);
    scales.extend(scales_of(cb));
    let format = converted.format;
    let real = real_dims(&b.found, dims);
    let mut found: Vec<(String, Call)> = Vec::new();
    for r in reproducers(source, dims, &scales, |name| {
        name.is_some_and(|n| holds(format, n))
    }) {
        if let Origin::Named { preset, target } = &r.candidate.origin {
            if let Ok(call) = preset.call(&Request {
                target: *target,
                input: real,
                attributes: &[],
            }) {
                found.push((preset.name.to_string(), call));
            }
        }
    }
    // ONNX: every attribute combination of Resize-19, beyond the named presets.
    if found.is_empty() && format == ModelFormat::Onnx && b.found.layer.op == Op::Resize {
        let portable = reproducers(source, dims, &scales, |name| name.is_none());
        let mut specs: Vec<ResizeSpec> = portable
            .iter()
            .filter_map(|r| match &r.candidate.origin {
                Origin::Portable(spec) => Some(spec.clone()),
                _ => None,
            })
            .collect();
        specs.sort_by_key(|s| (s.scale.is_some(), s.antialias, s.exclude_outside));
        if let Some(spec) = specs.first() {
            found.push(("onnx".into(), onnx_call(spec, cb)));
        }
    }
    // Prefer the converted layer's own op (an attribute edit) over another op.
    found.sort_by_key(|(_, c)| c.function != cb.function);
    let layer_name = &b.found.layer.name;
    match found.into_iter().next() {
        Some((preset, call)) => {
            let own = call.function == cb.function;
            let text = from_call(&call).map(|o| o.describe()).unwrap_or_default();
            let caveat = inferred(&call).map_or(String::new(), |why| format!(" (caveat: {why})"));
            Some(Fix {
                possible: true,
                explanation: format!(
                    "{} `{layer_name}` reproduces the source: {text}{caveat}",
                    if own {
                        "changing the attributes of"
                    } else {
                        "replacing"
                    },
                ),
                snippet: snippet(converted, &b.found.layer, &call),
                preset: (preset != "onnx").then_some(preset),
                call: Some(call),
            })
        }
        None => {
            // A NeuralNetwork that cannot: say whether an ML Program of the same program can.
            let program = (format == ModelFormat::CoreMlNeuralNetwork)
                .then(|| {
                    reproducers(source, dims, &scales, |name| {
                        name.is_some_and(|n| holds(ModelFormat::CoreMlProgram, n))
                    })
                    .into_iter()
                    .find_map(|r| match &r.candidate.origin {
                        Origin::Named { preset, target } => preset
                            .call(&Request {
                                target: *target,
                                input: real,
                                attributes: &[],
                            })
                            .ok(),
                        _ => None,
                    })
                })
                .flatten();
            let instead = match &program {
                Some(call) => {
                    let text = from_call(call).map(|o| o.describe()).unwrap_or_default();
                    let caveat =
                        inferred(call).map_or(String::new(), |why| format!(" (caveat: {why})"));
                    format!(
                        "; an ML Program can (coremltools `convert_to=\"mlprogram\"`): {text}{caveat}"
                    )
                }
                None => "; resize outside the model, or keep a framework that has it".to_string(),
            };
            Some(Fix {
                possible: false,
                call: None,
                preset: None,
                explanation: format!(
                    "no {} layer reproduces the source's function at this shape{instead}",
                    format_name(format)
                ),
                snippet: None,
            })
        }
    }
}

/// An ONNX Resize call for a portable spec, at the converted node's opset and inputs.
fn onnx_call(spec: &ResizeSpec, converted: &Call) -> Call {
    let mut attrs = serde_json::Map::new();
    attrs.insert(
        "mode".into(),
        json!(match spec.mode {
            Mode::Nearest => "nearest",
            Mode::Cubic => "cubic",
            _ => "linear",
        }),
    );
    attrs.insert(
        "coordinate_transformation_mode".into(),
        json!(spec.coordinate_transformation_mode.name()),
    );
    if let Some(m) = spec.nearest_mode {
        attrs.insert("nearest_mode".into(), json!(m.name()));
    }
    if let Some(a) = spec.cubic_coeff_a {
        attrs.insert("cubic_coeff_a".into(), json!(a));
    }
    if spec.exclude_outside {
        attrs.insert("exclude_outside".into(), json!(1));
    }
    if spec.antialias {
        attrs.insert("antialias".into(), json!(1));
    }
    let opset = converted.args["opset"].as_i64().unwrap_or(19);
    let opset = if spec.antialias { opset.max(18) } else { opset };
    Call {
        framework: "onnx".into(),
        function: "Resize".into(),
        args: json!({"opset": opset, "attributes": attrs, "inputs": converted.args["inputs"].clone()}),
    }
}

/// The report's top level: `{"format": "halfpixel-audit/1", "models": [...], "pairs": [...]}`.
pub fn report_json(models: &[&ModelAudit], pairs: &[PairVerdict]) -> Value {
    json!({
        "format": super::audit::FORMAT,
        "models": models.iter().map(|m| m.to_json()).collect::<Vec<_>>(),
        "pairs": pairs.iter().map(PairVerdict::to_json).collect::<Vec<_>>(),
    })
}
