//! A layer in words: what grid and filter it samples with, the equivalent calls of other
//! frameworks (found by the identify machinery), and what a user should be warned about.

use ndarray::Array4;
use serde_json::Value;

use super::fold::Shape;
use super::layers::{output_of, Found};
use crate::candidates::{self, Candidate, Origin, Search};
use crate::conformance::Op;
use crate::matrix::{random_input, rounding_bound};
use crate::op::InputDesc;
use crate::presets::named::Request;
use crate::presets::{from_call, inferred, Call};
use crate::spec::{CoordinateTransform, Layout, Mode, NearestMode, ResizeSpec};

/// A call of another framework that computes the same function.
#[derive(Debug, Clone, PartialEq)]
pub struct Equivalent {
    /// The named preset (`torch.bilinear`).
    pub preset: String,
    /// Who writes it: `PyTorch`, `TF2`, `TF1`, `Keras`, `TFLite`, `ONNX`, `OpenCV`, `Core ML
    /// NeuralNetwork`, `Core ML MIL`, `MPS`.
    pub family: String,
    /// The recorded call, with its values.
    pub call: Call,
    /// The call as its framework writes it.
    pub text: String,
    /// Bit-identical output (else within float rounding).
    pub exact: bool,
    /// halfpixel's semantics for this call are inferred, not documented by its framework
    /// ([`crate::presets::inferred`]).
    pub inferred: bool,
}

/// Who writes a named preset, for people.
pub fn family(preset: &str) -> &'static str {
    let head = preset.split('.').next().unwrap_or("");
    match head {
        "torch" => "PyTorch",
        "tf" => "TF2",
        "tf1" => "TF1",
        "keras" => "Keras",
        "tflite" => "TFLite",
        "onnx" => "ONNX",
        "opencv" => "OpenCV",
        "mps" => "MPS",
        "coreml" if preset.starts_with("coreml.nn.") => "Core ML NeuralNetwork",
        "coreml" => "Core ML MIL",
        _ => "halfpixel",
    }
}

/// The order families are named in: the most widely read first.
const FAMILY_ORDER: [&str; 10] = [
    "PyTorch",
    "TF2",
    "TF1",
    "Keras",
    "ONNX",
    "OpenCV",
    "TFLite",
    "Core ML NeuralNetwork",
    "Core ML MIL",
    "MPS",
];

/// The input a layer's function is evaluated on: `[n, c, h, w]` with one batch item, and one
/// channel for a resize (resizes treat channels alike); `None` when the dims it needs are not
/// known.
pub fn probe_dims(found: &Found) -> Option<[usize; 4]> {
    let shape: &Shape = found.input.as_ref()?;
    if shape.len() != 4 {
        return None;
    }
    let [_, c, h, w] = found.layer.layout.nchw([
        shape[0].unwrap_or(1),
        shape[1].unwrap_or(0),
        shape[2].unwrap_or(0),
        shape[3].unwrap_or(0),
    ]);
    let nchw = found.layer.layout.nchw([0, 1, 2, 3]);
    let known = |k: usize| shape[nchw[k]].is_some();
    if !(known(2) && known(3)) {
        return None;
    }
    // Pixel shuffles move whole blocks: a few blocks show the order as well as the whole map.
    let (out_h, out_w) = match found.output.as_ref().filter(|s| s.len() == 4) {
        Some(o) => (o[nchw[2]].unwrap_or(0), o[nchw[3]].unwrap_or(0)),
        None => (0, 0),
    };
    match found.layer.op {
        Op::Resize => Some([1, 1, h, w]),
        Op::DepthToSpace => known(1).then_some([1, c, h.min(2), w.min(2)]),
        Op::SpaceToDepth => {
            let b = if out_h > 0 && h % out_h == 0 {
                h / out_h
            } else {
                return known(1).then_some([1, c, h, w]);
            };
            let _ = out_w;
            known(1).then_some([1, c, b * (h / b).min(2), b * (w / b).min(2)])
        }
    }
}

/// A layer's call as it applies to the NCHW probe of `dims`: ONNX's full-rank lists (`sizes`,
/// `scales`, `roi`, `axes`) are put in NCHW order and `sizes` takes the probe's batch and
/// channels. Calls of other frameworks name no batch, channel or layout and are returned as
/// they are.
pub fn probe_call(call: &Call, layout: Layout, dims: [usize; 4]) -> Call {
    if call.framework != "onnx" || !matches!(call.function.as_str(), "Resize" | "Upsample") {
        return call.clone();
    }
    let mut c = call.clone();
    // Position k of the layer's tensor is NCHW axis nchw_of[k].
    let order = layout.nchw([0, 1, 2, 3]);
    let to_nchw = |v: &Value| -> Option<Value> {
        let a = v.as_array()?;
        if a.len() != 4 {
            return None;
        }
        Some(Value::Array((0..4).map(|k| a[order[k]].clone()).collect()))
    };
    let args = &mut c.args;
    for path in [
        ["inputs", "sizes"],
        ["inputs", "scales"],
        ["attributes", "scales"],
    ] {
        if let Some(v) = to_nchw(&args[path[0]][path[1]]) {
            args[path[0]][path[1]] = v;
        }
    }
    if let Some(roi) = args["inputs"]["roi"]
        .as_array()
        .filter(|r| r.len() == 8)
        .cloned()
    {
        let starts = to_nchw(&Value::Array(roi[..4].to_vec()));
        let ends = to_nchw(&Value::Array(roi[4..].to_vec()));
        if let (Some(Value::Array(mut s)), Some(Value::Array(e))) = (starts, ends) {
            s.extend(e);
            args["inputs"]["roi"] = Value::Array(s);
        }
    }
    if let Some(axes) = args["attributes"]["axes"].as_array().cloned() {
        let position = |a: i64| -> i64 {
            let a = if a < 0 { a + 4 } else { a };
            (0..4)
                .find(|&k| order[k] as i64 == a)
                .map_or(a, |k| k as i64)
        };
        args["attributes"]["axes"] = Value::Array(
            axes.iter()
                .map(|a| serde_json::json!(position(a.as_i64().unwrap_or(0))))
                .collect(),
        );
    }
    if let Some(sizes) = args["inputs"]["sizes"]
        .as_array_mut()
        .filter(|s| s.len() == 4)
    {
        sizes[0] = serde_json::json!(dims[0]);
        sizes[1] = serde_json::json!(dims[1]);
    }
    c
}

/// A layer's input as `[n, c, h, w]`, unknown dims taken from the probe's.
pub fn real_dims(found: &Found, probe: [usize; 4]) -> [usize; 4] {
    let Some(s) = found.input.as_ref().filter(|s| s.len() == 4) else {
        return probe;
    };
    let order = found.layer.layout.nchw([0, 1, 2, 3]);
    let mut out = probe;
    for (j, &k) in order.iter().enumerate() {
        if let Some(d) = s[k] {
            out[j] = d;
        }
    }
    out
}

/// Runs a call on the standard probe input of `dims` (NCHW): input and output.
pub fn run(call: &Call, dims: [usize; 4], seed: u64) -> Option<(Array4<f32>, Array4<f32>)> {
    let op = from_call(call).ok()?;
    let x = random_input(seed, 0, dims);
    let y = op.run_cpu(x.view(), Layout::Nchw).ok()?;
    Some((x, y))
}

/// Whether a layer's call runs on its input and gives its output (the file may say otherwise:
/// then the call is reported, and nothing is computed from it).
pub fn runs(f: &Found) -> bool {
    let Some(call) = &f.layer.call else {
        return false;
    };
    if let (Some(i), Some(o)) = (&f.layer.input_shape, &f.layer.output_shape) {
        return output_of(call, f.layer.layout, i).is_ok_and(|x| &x == o);
    }
    // Shapes partly known (a batch fixed only at run time): the probe must run and agree with
    // the output dims that are known.
    let Some(dims) = probe_dims(f) else {
        return false;
    };
    let Ok(out) = output_of(&probe_call(call, f.layer.layout, dims), Layout::Nchw, &dims) else {
        return false;
    };
    let Some(o) = f.output.as_ref().filter(|o| o.len() == 4) else {
        return true;
    };
    let p = f.layer.layout.nchw([0, 1, 2, 3]);
    let (h, w) = (o[p[2]], o[p[3]]);
    h.is_none_or(|h| h == out[2]) && w.is_none_or(|w| w == out[3])
}

/// The longest axis the equivalents are looked for on (8K images; every candidate builds its
/// tap tables, and a long axis shrunk with antialiasing has as many taps as pixels).
pub const MAX_EQUIVALENT_AXIS: usize = 8192;

/// A candidate that reproduces a reference output: bit for bit, or within the float rounding
/// bound of the two tap tables ([`crate::matrix::rounding_bound`]: the same formula evaluated in
/// another precision or order).
pub struct Reproducer {
    /// The candidate (a named preset with its target, or a portable spec).
    pub candidate: Candidate,
    /// Bit-identical output.
    pub exact: bool,
}

/// Every named preset and portable spec that reproduces `call` on the probe input of `dims`,
/// among those `keep` accepts (by preset name; portable specs have none), trying the stated
/// scale factors besides the sizes.
pub fn reproducers(
    call: &Call,
    dims: [usize; 4],
    scales: &[[f64; 2]],
    keep: impl Fn(Option<&str>) -> bool,
) -> Vec<Reproducer> {
    let Ok(op) = from_call(call) else {
        return Vec::new();
    };
    let desc = InputDesc {
        dims,
        layout: Layout::Nchw,
    };
    let Ok(out) = op.output_dims(&desc) else {
        return Vec::new();
    };
    // Tap tables are per axis; an axis this long is no image.
    if out[2].max(out[3]).max(dims[2]).max(dims[3]) > MAX_EQUIVALENT_AXIS {
        return Vec::new();
    }
    // Only the scale factors that could give this output: a factor the file states beside
    // `sizes` may be anything.
    let plausible = |i: usize, o: usize, s: f64| {
        s.is_finite() && s > 0.0 && (i as f64 * s - o as f64).abs() <= 1.0
    };
    let search = Search {
        scales: scales
            .iter()
            .copied()
            .filter(|[sh, sw]| plausible(dims[2], out[2], *sh) && plausible(dims[3], out[3], *sw))
            .collect(),
        cubic_coeff_a: Vec::new(),
    };
    // Resizes compare by their tap tables (the CPU and GPU kernels execute nothing else):
    // equal tables give bit-identical outputs, tables within the float rounding of the same
    // formula give outputs within its bound. Pixel shuffles compare by their outputs on the
    // probe, which is small.
    let reference = op.plan(&desc).ok().flatten();
    let data = match &reference {
        Some(_) => None,
        None => {
            let x = random_input(0x5eed, 0, dims);
            match op.run_cpu(x.view(), Layout::Nchw) {
                Ok(y) => Some((x, y)),
                Err(_) => return Vec::new(),
            }
        }
    };
    let mut found = Vec::new();
    for c in candidates::search_candidates(dims, out, Layout::Nchw, &search) {
        let name = match &c.origin {
            Origin::Named { preset, .. } => Some(preset.name),
            Origin::Portable(_) => None,
        };
        if !keep(name) {
            continue;
        }
        let (exact, close) = match (&reference, &data) {
            (Some(p), _) => match c.op.plan(&desc).ok().flatten() {
                Some(q) => {
                    let exact = *p == q;
                    (exact, exact || rounding_bound(p, &q, 1.0).is_some())
                }
                None => (false, false),
            },
            (None, Some((x, y))) => {
                let exact = c.op.run_cpu(x.view(), Layout::Nchw).is_ok_and(|z| {
                    z.dim() == y.dim() && z.iter().zip(y.iter()).all(|(a, b)| a == b)
                });
                (exact, exact)
            }
            (None, None) => (false, false),
        };
        if close {
            found.push(Reproducer {
                candidate: c,
                exact,
            });
        }
    }
    found
}

/// The rank of a portable spec as a description: the most common reading of a grid first.
fn description_rank(spec: &ResizeSpec) -> (usize, usize, usize) {
    let mode = usize::from(!matches!(
        spec.mode,
        Mode::Nearest | Mode::Linear | Mode::Cubic
    ));
    let ctm = match spec.coordinate_transformation_mode {
        CoordinateTransform::HalfPixel => 0,
        CoordinateTransform::Asymmetric => 1,
        CoordinateTransform::AlignCorners => 2,
        CoordinateTransform::PytorchHalfPixel => 3,
        _ => 4,
    };
    let nearest = match spec.nearest_mode {
        Some(NearestMode::Floor) => 0,
        Some(NearestMode::RoundPreferCeil) => 1,
        _ => 2,
    };
    let plain = usize::from(spec.antialias)
        + usize::from(spec.exclude_outside)
        + usize::from(spec.scale.is_some());
    (
        mode,
        plain,
        if spec.mode == Mode::Nearest {
            nearest * 8 + ctm
        } else {
            ctm
        },
    )
}

/// What a layer's call equals: the named presets of every framework that reproduce it (exactly
/// or within float rounding) and the portable spec that describes it best, if any.
///
/// `call` is applied to the probe of `dims` ([`probe_call`] adapts ONNX calls); the equivalent
/// calls are written for the layer's real input `real` (`[n, c, h, w]`).
pub fn equivalents(
    call: &Call,
    dims: [usize; 4],
    real: [usize; 4],
    scale_hint: Option<[f64; 2]>,
) -> (Vec<Equivalent>, Option<ResizeSpec>) {
    let mut out: Vec<Equivalent> = Vec::new();
    let mut portable: Vec<ResizeSpec> = Vec::new();
    let scales: Vec<[f64; 2]> = scale_hint.into_iter().collect();
    for r in reproducers(call, dims, &scales, |_| true) {
        match &r.candidate.origin {
            Origin::Named { preset, target } => {
                let Ok(c) = preset.call(&Request {
                    target: *target,
                    input: real,
                    attributes: &[],
                }) else {
                    continue;
                };
                if out.iter().any(|e| e.call == c) {
                    continue;
                }
                out.push(Equivalent {
                    preset: preset.name.to_string(),
                    family: family(preset.name).to_string(),
                    text: from_call(&c).map_or_else(|_| r.candidate.call(), |o| o.describe()),
                    inferred: inferred(&c).is_some(),
                    call: c,
                    exact: r.exact,
                });
            }
            Origin::Portable(spec) => portable.push(spec.clone()),
        }
    }
    // Antialiasing changes nothing when no axis shrinks: those variants are noise.
    let shrinks = out_dims(call, dims).is_some_and(|o| o[2] < dims[2] || o[3] < dims[3]);
    if !shrinks {
        out.retain(|e| !e.preset.contains("antialias"));
    }
    out.sort_by_key(|e| {
        (
            FAMILY_ORDER
                .iter()
                .position(|f| *f == e.family)
                .unwrap_or(FAMILY_ORDER.len()),
            !e.exact,
            // ONNX's generic preset (the spec's defaults) after the named attribute sets.
            e.preset == "onnx",
        )
    });
    portable.sort_by_key(description_rank);
    (out, portable.into_iter().next())
}

fn out_dims(call: &Call, dims: [usize; 4]) -> Option<[usize; 4]> {
    from_call(call)
        .ok()?
        .output_dims(&InputDesc {
            dims,
            layout: Layout::Nchw,
        })
        .ok()
}

/// A number as short as it reads: a float32 value by its shortest float32 digits (`1.7`, not
/// `1.7000000476837158`), others to 6 significant digits.
pub fn short(f: f64) -> String {
    if (f as f32) as f64 == f {
        format!("{}", f as f32)
    } else {
        let s = format!("{f:.6}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A portable spec in words: "half-pixel bilinear", "asymmetric nearest (floor)",
/// "antialiased half-pixel bilinear".
pub fn grid_words(spec: &ResizeSpec) -> String {
    let grid = match spec.coordinate_transformation_mode {
        CoordinateTransform::HalfPixel | CoordinateTransform::PytorchHalfPixel => "half-pixel",
        CoordinateTransform::HalfPixelSymmetric => "symmetric half-pixel",
        CoordinateTransform::AlignCorners | CoordinateTransform::AlignCornersCentered => {
            "align-corners"
        }
        CoordinateTransform::Asymmetric => "asymmetric",
        CoordinateTransform::TfCropAndResize => "crop-and-resize",
        CoordinateTransform::TfHalfPixelForNearest => "TF half-pixel",
        CoordinateTransform::RoiAlign => "ROI-align",
    };
    let filter = match spec.mode {
        Mode::Nearest => format!(
            "nearest ({})",
            match spec.nearest_mode.unwrap_or(NearestMode::RoundPreferFloor) {
                NearestMode::Floor => "floor",
                NearestMode::Ceil => "ceil",
                NearestMode::RoundPreferFloor => "round half down",
                NearestMode::RoundPreferCeil => "round half up",
            }
        ),
        Mode::Linear => "bilinear".into(),
        Mode::Cubic => format!("bicubic (a = {})", spec.cubic_coeff_a.unwrap_or(-0.75)),
        Mode::Area => "area".into(),
        Mode::AdaptiveAvgPool => "adaptive average pooling".into(),
        Mode::Lanczos3 => "Lanczos-3".into(),
        Mode::Lanczos5 => "Lanczos-5".into(),
        Mode::Gaussian => "Gaussian".into(),
        Mode::MitchellCubic => "Mitchell cubic".into(),
        Mode::Lanczos4 => "Lanczos-4".into(),
    };
    let mut s = if matches!(spec.mode, Mode::Area | Mode::AdaptiveAvgPool) {
        filter
    } else {
        format!("{grid} {filter}")
    };
    if spec.antialias {
        s = format!("antialiased {s}");
    }
    if spec.exclude_outside && spec.mode != Mode::Nearest {
        s += " without taps outside the image";
    }
    if let Some([sh, sw]) = spec.scale {
        s += &format!(" sampled at scale {}×{}", short(sh), short(sw));
    }
    s
}

fn hw(shape: &Option<Shape>, layout: Layout) -> Option<[usize; 2]> {
    let s = shape.as_ref()?;
    if s.len() != 4 {
        return None;
    }
    let p = layout.nchw([0, 1, 2, 3]);
    Some([s[p[2]]?, s[p[3]]?])
}

fn chw(shape: &Option<Shape>, layout: Layout) -> Option<[usize; 3]> {
    let s = shape.as_ref()?;
    if s.len() != 4 {
        return None;
    }
    let p = layout.nchw([0, 1, 2, 3]);
    Some([s[p[1]]?, s[p[2]]?, s[p[3]]?])
}

/// The plain sentence: "half-pixel bilinear, 10×12 → 21×25; PyTorch
/// `F.interpolate(size=(21, 25), mode='bilinear', align_corners=False)`; equivalent to TF2
/// `tf.image.resize(…)`, ONNX `…`". `searched` says whether the equivalents were looked for.
pub fn sentence(
    found: &Found,
    equivalents: &[Equivalent],
    portable: Option<&ResizeSpec>,
    searched: bool,
) -> String {
    let layer = &found.layer;
    let repeat = match (
        hw(&found.input, layer.layout),
        hw(&found.output, layer.layout),
        portable,
    ) {
        (Some([a, b]), Some([c, d]), Some(p))
            if p.mode == Mode::Nearest
                && p.coordinate_transformation_mode == CoordinateTransform::Asymmetric
                && c % a == 0
                && d % b == 0
                && (c > a || d > b) =>
        {
            Some(format!("nearest, each pixel repeated {}×{}", c / a, d / b))
        }
        _ => None,
    };
    let what = match layer.op {
        Op::Resize => {
            repeat.unwrap_or_else(|| portable.map_or_else(|| "resize".to_string(), grid_words))
        }
        Op::DepthToSpace => "depth_to_space (pixel shuffle)".into(),
        Op::SpaceToDepth => "space_to_depth (pixel unshuffle)".into(),
    };
    let shapes = match layer.op {
        Op::Resize => match (
            hw(&found.input, layer.layout),
            hw(&found.output, layer.layout),
        ) {
            (Some([a, b]), Some([c, d])) => format!("{a}×{b} → {c}×{d}"),
            _ => "shapes unknown".into(),
        },
        _ => match (
            chw(&found.input, layer.layout),
            chw(&found.output, layer.layout),
        ) {
            (Some([a, b, c]), Some([d, e, f])) => format!("{a}×{b}×{c} → {d}×{e}×{f} (C×H×W)"),
            _ => "shapes unknown".into(),
        },
    };
    let Some(call) = &layer.call else {
        let why = layer
            .unknowns
            .first()
            .map_or("a value it needs is not known", String::as_str);
        return format!(
            "{} {what}; its call cannot be worked out: {why}",
            layer.native_op
        );
    };
    let own = from_call(call)
        .map(|op| op.describe())
        .unwrap_or_else(|e| format!("({e})"));
    let mut s = format!("{what}, {shapes}");
    // Headline: the most widely read framework's call, else the layer's own.
    let mut named: Vec<&Equivalent> = Vec::new();
    for e in equivalents {
        if !named.iter().any(|n| n.family == e.family) {
            named.push(e);
        }
    }
    match named.split_first() {
        Some((head, rest)) => {
            s += &format!("; {} `{}`", head.family, head.text);
            if !rest.is_empty() {
                let others: Vec<String> = rest
                    .iter()
                    .map(|e| format!("{} `{}`", e.family, short_name(&e.call)))
                    .collect();
                s += &format!("; equivalent to {}", others.join(", "));
            }
        }
        None if searched => {
            s += &format!("; `{own}` (no other framework's call computes the same)")
        }
        None => s += &format!("; `{own}`"),
    }
    s
}

/// A call's function as its framework spells it, without arguments: `tf.image.resize`,
/// `F.interpolate`, `Resize`, `cv2.resize`, `NeuralNetwork.Upsample`.
pub fn short_name(call: &Call) -> String {
    match call.framework.as_str() {
        "torch" => format!("F.{}", call.function),
        "tf" => format!("tf.{}", call.function),
        "keras" => format!("keras.{}", call.function),
        "opencv" => "cv2.resize".into(),
        _ => call.function.clone(),
    }
}

/// The per-axis scale factors a call states, if any: `(height, width)`.
fn stated_scales(call: &Call, layout: Layout) -> Option<[f64; 2]> {
    let a = &call.args;
    let pair = |v: &Value| -> Option<[f64; 2]> {
        let arr = v.as_array()?;
        match arr.len() {
            2 => Some([arr[0].as_f64()?, arr[1].as_f64()?]),
            4 => {
                let p = layout.nchw([0, 1, 2, 3]);
                Some([arr[p[2]].as_f64()?, arr[p[3]].as_f64()?])
            }
            _ => None,
        }
    };
    match call.framework.as_str() {
        "onnx" => pair(&a["inputs"]["scales"]).or_else(|| pair(&a["attributes"]["scales"])),
        "torch" => pair(&a["scale_factor"]),
        "coreml" => pair(&a["fractionalScalingFactor"])
            .or_else(|| pair(&a["scalingFactor"]))
            .or_else(|| {
                Some([
                    a["scale_factor_height"].as_f64()?,
                    a["scale_factor_width"].as_f64()?,
                ])
            }),
        "opencv" => {
            Some([a["fy"].as_f64()?, a["fx"].as_f64()?]).filter(|[y, x]| *y > 0.0 && *x > 0.0)
        }
        _ => None,
    }
}

/// ONNX `Resize` with `scales` under `align_corners` or `tf_crop_and_resize`, where `in·scale`
/// is not a whole number: ONNX's reference evaluator (which halfpixel's ONNX preset follows)
/// maps with the fractional length `in·scale`, ONNX Runtime with the output length
/// `floor(in·scale)`. The call ONNX Runtime computes, as the same Resize with `sizes`; `None`
/// where the two agree.
pub fn onnx_runtime_variant(call: &Call, input: &[usize], output: &[usize]) -> Option<Call> {
    if call.framework != "onnx" || call.function != "Resize" {
        return None;
    }
    let ctm = call.args["attributes"]["coordinate_transformation_mode"].as_str()?;
    if !matches!(ctm, "align_corners" | "tf_crop_and_resize") {
        return None;
    }
    let scales: Vec<f64> = call.args["inputs"]["scales"]
        .as_array()?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    if scales.len() != input.len() || output.len() != input.len() {
        return None;
    }
    if scales
        .iter()
        .zip(input)
        .all(|(s, &i)| (s * i as f64).fract() == 0.0)
    {
        return None;
    }
    let mut c = call.clone();
    c.args["inputs"]["scales"] = Value::Null;
    c.args["inputs"]["sizes"] = serde_json::json!(output);
    Some(c)
}

/// What a user should know about a layer.
pub fn warnings(
    found: &Found,
    portable: Option<&ResizeSpec>,
    mislabelled: Option<&str>,
) -> Vec<String> {
    let layer = &found.layer;
    let mut w = Vec::new();
    if let Some(p) = &layer.precision {
        if p == "float16" || p == "bfloat16" {
            w.push(format!(
                "computes in {p} (the converter inserted casts): expect differences of about 1e-3 of the values' range against a float32 source"
            ));
        }
    }
    if let Some(pattern) = &layer.pattern {
        w.push(format!(
            "no resize op: the resize is spelled with {} ({}); tools that look for Resize nodes miss it",
            if pattern.len() == 1 { "one op" } else { "several ops" },
            pattern.join(" → ")
        ));
    }
    if let (Some(call), Some([ih, iw]), Some([oh, ow])) = (
        &layer.call,
        hw(&found.input, layer.layout),
        hw(&found.output, layer.layout),
    ) {
        if let Some(scales) = stated_scales(call, layer.layout) {
            for (axis, s, i, o) in [("height", scales[0], ih, oh), ("width", scales[1], iw, ow)] {
                if s.fract() != 0.0 && s > 0.0 {
                    let implied = (i as f64 * s).floor();
                    let ctm = call.args["attributes"]["coordinate_transformation_mode"].as_str();
                    let grid = if matches!(ctm, Some("align_corners" | "tf_crop_and_resize")) {
                        "the grid is pinned to the corners, so the factor changes only the size"
                            .to_string()
                    } else if call.framework == "coreml" {
                        format!(
                            "the factor only sets the size (the converter picks it so that the floor lands on {o}); the grid follows {i}/{o} = {}",
                            short(i as f64 / o as f64)
                        )
                    } else {
                        format!(
                            "the sample grid steps by 1/scale = {} source pixels per output pixel, not {i}/{o} = {}",
                            short(1.0 / s),
                            short(i as f64 / o as f64)
                        )
                    };
                    w.push(format!(
                        "fractional scale factor {} on the {axis}: floor({i} × {}) = {implied} ({o} in the file); {grid}",
                        short(s),
                        short(s)
                    ));
                }
            }
        }
        if let Some(spec) = portable {
            if spec.coordinate_transformation_mode == CoordinateTransform::Asymmetric
                && !matches!(
                    spec.mode,
                    Mode::Nearest | Mode::Area | Mode::AdaptiveAvgPool
                )
            {
                w.push(
                    "asymmetric grid (TF1 align_corners=False, half_pixel_centers=False): output pixel i samples \
                     source i·in/out, so the image shifts by half an output pixel against half-pixel resizes"
                        .to_string(),
                );
            }
        }
        for (axis, i, o) in [("height", ih, oh), ("width", iw, ow)] {
            if i == 1 || o == 1 {
                w.push(format!(
                    "the {axis} has length 1 ({} {i} → {o}): frameworks disagree on where a single sample lies (pixel 0 or the centre)",
                    if o == 1 { "output" } else { "input" }
                ));
            }
        }
        if let (Some(i), Some(o)) = (&layer.input_shape, &layer.output_shape) {
            if let Some(ort) = onnx_runtime_variant(call, i, o) {
                let diff = probe_dims(found).and_then(|d| {
                    let (_, a) = run(&probe_call(call, layer.layout, d), d, 0x5eed)?;
                    let (_, b) = run(&probe_call(&ort, layer.layout, d), d, 0x5eed)?;
                    (a.dim() == b.dim()).then(|| {
                        a.iter()
                            .zip(b.iter())
                            .fold(0.0f64, |m, (x, y)| m.max((x - y).abs() as f64))
                    })
                });
                w.push(format!(
                    "ONNX Runtime and ONNX's reference disagree here: with scales and {}, the reference maps with the fractional length in·scale, \
                     ONNX Runtime with the output length floor(in·scale){}; the call above follows the reference, ONNX Runtime computes it with sizes={}",
                    call.args["attributes"]["coordinate_transformation_mode"].as_str().unwrap_or(""),
                    diff.map_or(String::new(), |d| format!(" (max |diff| {d:.3e} on uniform(−1, 1) data)")),
                    serde_json::json!(o)
                ));
            }
        }
        if let Some(why) = inferred(call) {
            w.push(format!("undocumented semantics: {why}"));
        }
    }
    for u in &layer.unknowns {
        w.push(format!("not folded: {u}"));
    }
    if let Some(m) = mislabelled {
        w.push(format!("the file is {m}"));
    }
    w
}
