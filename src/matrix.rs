//! The cross-framework cheatsheet, computed: for every source preset (PyTorch, TensorFlow 2 and 1,
//! Keras, ONNX, OpenCV, Pillow) which target calls — Core ML NeuralNetwork layers and MIL ops, MPS
//! kernels, ONNX `Resize` attribute combinations and the rest of the portable vocabulary —
//! reproduce it, measured on seeded random data over a deterministic sweep of shapes and scales,
//! and when none does, the closest one and its max error.
//!
//! # The sweep ([`Sweep::standard`])
//!
//! - Resize: inputs `[1, c, h, w]` for `(c, h, w)` in `(1, 5, 8)`, `(2, 8, 13)`, `(3, 13, 5)`,
//!   `(1, 1, 8)`, `(2, 8, 1)` (length-1 axes), times scale factors 2, 3, 1.5, 7/3, 1.8
//!   (upsampling by integer and fractional factors; 1.8 takes 5 to 9, where align-corners
//!   coordinates fall on exact halves and nearest roundings part), 0.5, 0.6 (shrinking) and 0.2
//!   (shrinking to length 1), the same on both axes; the output is `floor(in · s)` per axis, and a
//!   pair whose output would have a zero length is skipped. 34 shape pairs.
//! - Pixel shuffle: block sizes 2 and 3 with 1 and 2 channels on the spatial side, both
//!   directions (depth_to_space `[1, c·b², 3, 4] → [1, c, 3b, 4b]` and its inverse). 8 pairs.
//!
//! Every source preset is run on every pair with every target its call accepts
//! ([`candidates::resize_targets`] with the sweep's scale as the hint: the output size, the
//! scale factors, and `out/in` when that differs from the scale). Each such run is a *case*.
//! Every target preset (and every portable combination, [`candidates::portable_candidates`]) is
//! run on the same input with every size or scale it accepts that gives the same output shape; a
//! target that cannot give that shape (integer-only MPS on a 1.5× pair) is *not applicable*
//! there, not a failure. A target that can take what the source call took (its size, or the same
//! scale factors: ONNX `sizes` / `scales`) is compared in that form only, as a converter would
//! write the call; one that cannot (Core ML `Upsample` takes factors, `ResizeBilinear` a size) is
//! compared in every form it can take, and the best counts. The input is uniform in `[-1, 1)`
//! from a SplitMix64 generator seeded per pair.
//!
//! # What counts as a match
//!
//! - **exact**: the outputs are bit-identical;
//! - **within float rounding**: the outputs differ, but the two tap tables ([`ResizePlan`]) give
//!   every source pixel weights that differ by no more than float32 evaluation of the same
//!   formula can make them ([`weight_tolerance`]) — PyTorch and TensorFlow form coordinates in
//!   float32, ONNX and Core ML in float64 — and the measured difference stays within the bound
//!   those weight differences imply ([`rounding_bound`]);
//! - otherwise the case **differs**, with its max `|Δ|`.
//!
//! Per (source, target): exact on every applicable case, within rounding on every one, exact on
//! some (with a computed description of where: "only for integer upsampling factors", "except
//! for an axis shrunk to length 1 and …"), or never (max error).
//!
//! Every framework here is halfpixel's model of it (its presets, checked against the frameworks'
//! own outputs by the conformance corpus): an equivalence found here holds between those models.
//! Where a model is inferred rather than measured (MPS `alignCorners = NO`, Core ML nearest with
//! fractional factors, see docs/matrix.md), so is the equivalence.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array4;
use serde::Serialize;

use crate::candidates::{self, Candidate, Origin};
use crate::error::{Error, Result};
use crate::op::{InputDesc, Operation};
use crate::plan::{AxisPlan, ResizePlan};
use crate::presets::named::{self, Kind, NamedPreset, Request, Target};
use crate::spec::{CoordinateTransform, Layout, Mode, ResizeSpec};

// ---- options --------------------------------------------------------------------------------

/// The source families `--sources` can name: a preset's family is the first part of its name.
///
/// Pillow's presets take their mode from the tensor; on the sweep's float32 inputs that is mode
/// `F` on each channel (float64 arithmetic, the filter's float semantics).
pub const SOURCE_FAMILIES: [&str; 7] = ["torch", "tf", "tf1", "keras", "onnx", "opencv", "pillow"];

/// A group of target calls: one column of the cheatsheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TargetGroup {
    /// Core ML NeuralNetwork layers (`Upsample`, `ResizeBilinear`, `ReorganizeData`).
    #[serde(rename = "coreml.nn")]
    CoreMlNn,
    /// Core ML MIL ops (`upsample_bilinear`, `resize_bilinear`, `pixel_shuffle`, …).
    #[serde(rename = "coreml.mil")]
    CoreMlMil,
    /// Metal Performance Shaders kernels.
    #[serde(rename = "mps")]
    Mps,
    /// ONNX `Resize` attribute combinations (and ONNX DepthToSpace / SpaceToDepth).
    #[serde(rename = "onnx")]
    Onnx,
    /// The portable vocabulary beyond ONNX: halfpixel's extensions (TF2's filters, PyTorch's
    /// adaptive pooling, OpenCV's Lanczos-4, Core ML's centred align-corners grid).
    #[serde(rename = "portable")]
    Portable,
}

impl TargetGroup {
    /// Every group, in column order.
    pub const ALL: [TargetGroup; 5] = [
        TargetGroup::CoreMlNn,
        TargetGroup::CoreMlMil,
        TargetGroup::Mps,
        TargetGroup::Onnx,
        TargetGroup::Portable,
    ];

    /// The name `--targets` takes.
    pub fn name(self) -> &'static str {
        match self {
            TargetGroup::CoreMlNn => "coreml.nn",
            TargetGroup::CoreMlMil => "coreml.mil",
            TargetGroup::Mps => "mps",
            TargetGroup::Onnx => "onnx",
            TargetGroup::Portable => "portable",
        }
    }

    /// A column title.
    pub fn title(self) -> &'static str {
        match self {
            TargetGroup::CoreMlNn => "Core ML NeuralNetwork",
            TargetGroup::CoreMlMil => "Core ML MIL",
            TargetGroup::Mps => "MPS",
            TargetGroup::Onnx => "ONNX",
            TargetGroup::Portable => "portable (beyond ONNX)",
        }
    }

    /// The groups a `--targets` name selects (`coreml` is both Core ML groups), or an error
    /// naming the valid names.
    pub fn parse(name: &str) -> Result<Vec<TargetGroup>> {
        let wanted = name.trim().to_ascii_lowercase();
        if wanted == "coreml" {
            return Ok(vec![TargetGroup::CoreMlNn, TargetGroup::CoreMlMil]);
        }
        TargetGroup::ALL
            .into_iter()
            .find(|g| g.name() == wanted)
            .map(|g| vec![g])
            .ok_or_else(|| {
                Error::invalid_argument(
                    "target framework",
                    name,
                    "expected coreml, coreml.nn, coreml.mil, mps, onnx or portable",
                )
            })
    }

    /// The group of a named preset used as a target, if it is one.
    fn of_preset(preset: &NamedPreset) -> Option<TargetGroup> {
        if preset.name.starts_with("coreml.nn.") {
            Some(TargetGroup::CoreMlNn)
        } else if preset.framework == "coreml" {
            Some(TargetGroup::CoreMlMil)
        } else if preset.framework == "mps" {
            Some(TargetGroup::Mps)
        } else if preset.framework == "onnx" && preset.kind != Kind::Resize {
            // ONNX resizes are covered by the portable combinations, which enumerate every
            // attribute; the named ONNX resize presets are sources.
            Some(TargetGroup::Onnx)
        } else {
            None
        }
    }
}

/// The family of a source preset: the first part of its name (`tf1.bilinear` → `tf1`).
pub fn source_family(preset: &NamedPreset) -> &'static str {
    preset.name.split('.').next().unwrap_or(preset.name)
}

/// The source families a `--sources` name selects (`tf` is TF2 and TF1), or an error naming the
/// valid names.
pub fn parse_source(name: &str) -> Result<Vec<&'static str>> {
    let wanted = name.trim().to_ascii_lowercase();
    match SOURCE_FAMILIES.iter().find(|f| **f == wanted) {
        Some(&"tf") => Ok(vec!["tf", "tf1"]),
        Some(f) => Ok(vec![*f]),
        None => Err(Error::invalid_argument(
            "source framework",
            name,
            format!("expected one of {}", SOURCE_FAMILIES.join(", ")),
        )),
    }
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct Options {
    /// Source families ([`SOURCE_FAMILIES`]); every one by default.
    pub sources: Vec<&'static str>,
    /// Target groups; every one by default.
    pub targets: Vec<TargetGroup>,
    /// The shapes and scales.
    pub sweep: Sweep,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sources: SOURCE_FAMILIES.to_vec(),
            targets: TargetGroup::ALL.to_vec(),
            sweep: Sweep::standard(),
        }
    }
}

impl Options {
    /// Options from `--sources` / `--targets` lists (empty = all), checking every name.
    pub fn from_names(sources: &[String], targets: &[String]) -> Result<Options> {
        let mut options = Options::default();
        if !sources.is_empty() {
            options.sources.clear();
            for s in sources {
                for f in parse_source(s)? {
                    if !options.sources.contains(&f) {
                        options.sources.push(f);
                    }
                }
            }
        }
        if !targets.is_empty() {
            options.targets.clear();
            for t in targets {
                for g in TargetGroup::parse(t)? {
                    if !options.targets.contains(&g) {
                        options.targets.push(g);
                    }
                }
            }
            options.targets.sort();
        }
        Ok(options)
    }
}

// ---- the sweep -------------------------------------------------------------------------------

/// The deterministic sweep of shapes (see the module documentation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    /// Resize inputs `(channels, height, width)` (batch 1).
    pub resize_inputs: Vec<[usize; 3]>,
    /// Scale factors, the same on both axes; outputs are `floor(in · s)`.
    pub scales: Vec<f64>,
    /// Pixel-shuffle block sizes.
    pub blocks: Vec<usize>,
    /// Channels on the spatial side of a pixel shuffle (`C` of `[1, C, H·b, W·b]`).
    pub block_channels: Vec<usize>,
    /// Height and width of the small side of a pixel shuffle.
    pub block_hw: [usize; 2],
    /// The seed of the random inputs.
    pub seed: u64,
}

impl Sweep {
    /// The standard sweep: 34 resize shape pairs and 8 pixel-shuffle pairs.
    pub fn standard() -> Sweep {
        Sweep {
            resize_inputs: vec![[1, 5, 8], [2, 8, 13], [3, 13, 5], [1, 1, 8], [2, 8, 1]],
            scales: vec![2.0, 3.0, 1.5, 7.0 / 3.0, 1.8, 0.5, 0.6, 0.2],
            blocks: vec![2, 3],
            block_channels: vec![1, 2],
            block_hw: [3, 4],
            seed: 0x6861_6c66_7069_7865, // "halfpixe"
        }
    }

    /// Every shape pair of the sweep, resize pairs first.
    pub fn pairs(&self) -> Vec<ShapePair> {
        let mut pairs = Vec::new();
        for &[c, h, w] in &self.resize_inputs {
            for &s in &self.scales {
                let oh = (h as f64 * s).floor() as usize;
                let ow = (w as f64 * s).floor() as usize;
                if oh == 0 || ow == 0 || c == 0 || h == 0 || w == 0 {
                    continue;
                }
                pairs.push(ShapePair {
                    kind: Kind::Resize,
                    input: [1, c, h, w],
                    output: [1, c, oh, ow],
                    scale: Some(s),
                });
            }
        }
        let [h, w] = self.block_hw;
        for &b in &self.blocks {
            for &c in &self.block_channels {
                pairs.push(ShapePair {
                    kind: Kind::DepthToSpace,
                    input: [1, c * b * b, h, w],
                    output: [1, c, h * b, w * b],
                    scale: None,
                });
                pairs.push(ShapePair {
                    kind: Kind::SpaceToDepth,
                    input: [1, c, h * b, w * b],
                    output: [1, c * b * b, h, w],
                    scale: None,
                });
            }
        }
        pairs
    }
}

/// An input shape, an output shape and the operation kind between them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ShapePair {
    /// Resize, depth_to_space or space_to_depth.
    #[serde(serialize_with = "kind_name")]
    pub kind: Kind,
    /// `[1, c, h, w]`.
    pub input: [usize; 4],
    /// `[1, c', h', w']`.
    pub output: [usize; 4],
    /// The sweep's scale factor (resize pairs).
    pub scale: Option<f64>,
}

fn kind_name<S: serde::Serializer>(kind: &Kind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(match kind {
        Kind::Resize => "resize",
        Kind::DepthToSpace => "depth_to_space",
        Kind::SpaceToDepth => "space_to_depth",
    })
}

/// SplitMix64: a tiny deterministic generator for the random inputs.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[-1, 1)`, on a 2⁻²³ grid (exact in float32).
    pub fn next_f32(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32) * (2.0 / 16_777_216.0) - 1.0
    }
}

/// The random input of pair number `index` of a sweep with `seed`.
pub fn random_input(seed: u64, index: usize, dims: [usize; 4]) -> Array4<f32> {
    let mut rng = SplitMix64::new(seed ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    Array4::from_shape_simple_fn((dims[0], dims[1], dims[2], dims[3]), || rng.next_f32())
}

// ---- cases and where a match holds ---------------------------------------------------------------

/// One source case: a shape pair and the target (size, scales or block) the source call got.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// The index in [`Matrix::cases`].
    pub id: usize,
    /// The shape pair.
    pub pair: ShapePair,
    /// `size=HxW`, `scale=SH,SW` or `block=B`.
    pub target: String,
    /// The properties the descriptions of partial matches are made of.
    pub features: Features,
}

/// Properties of a case, from which "where it matches" is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Features {
    /// Every axis: output an integer multiple of the input, at least 1× (or a pixel shuffle).
    pub integer: bool,
    /// Some axis grows and none shrinks.
    pub upsampling: bool,
    /// Some axis shrinks and none grows.
    pub shrinking: bool,
    /// Some axis shrinks to length 1 (from a longer input).
    pub output_len1: bool,
    /// Some input axis has length 1.
    pub input_len1: bool,
    /// The source was given scale factors (not a size).
    pub by_scale: bool,
    /// The scale the source was given is exactly out/in on every axis longer than 1 (always so
    /// for a size).
    pub exact_ratio: bool,
    /// Pixel shuffle with a single channel on the spatial side.
    pub one_channel: bool,
}

/// One literal of a description: a feature and its phrase when it holds and when it does not.
struct Literal {
    get: fn(&Features) -> bool,
    yes: &'static str,
    no: &'static str,
}

const LITERALS: [Literal; 8] = [
    Literal {
        get: |f| f.integer,
        yes: "integer upsampling factors",
        no: "factors other than integer upsampling",
    },
    Literal {
        get: |f| f.upsampling,
        yes: "upsampling",
        no: "no upsampling",
    },
    Literal {
        get: |f| f.shrinking,
        yes: "shrinking",
        no: "no shrinking",
    },
    Literal {
        get: |f| f.output_len1,
        yes: "an axis shrunk to length 1",
        no: "no axis shrunk to length 1",
    },
    Literal {
        get: |f| f.input_len1,
        yes: "an input of length 1",
        no: "no input of length 1",
    },
    Literal {
        get: |f| f.by_scale,
        yes: "given scale factors",
        no: "given a size",
    },
    Literal {
        get: |f| f.exact_ratio,
        yes: "scale = out/in exactly",
        no: "scale ≠ out/in",
    },
    Literal {
        get: |f| f.one_channel,
        yes: "one channel",
        no: "several channels",
    },
];

impl Features {
    fn of(pair: &ShapePair, target: &Target) -> Features {
        let [_, c, h, w] = pair.input;
        let [_, oc, oh, ow] = pair.output;
        let axes = [(h, oh), (w, ow)];
        let block = pair.kind != Kind::Resize;
        // Every mapping reads pixel 0 of a length-1 input, so such an axis says nothing about
        // the scale or an output of length 1.
        let exact_ratio = match target {
            Target::Scale(s) => axes
                .iter()
                .zip(s)
                .all(|(&(i, o), &s)| i == 1 || o as f64 / i as f64 == s),
            _ => true,
        };
        Features {
            integer: block || axes.iter().all(|&(i, o)| o >= i && o % i == 0),
            upsampling: axes.iter().any(|&(i, o)| o > i) && axes.iter().all(|&(i, o)| o >= i),
            shrinking: axes.iter().any(|&(i, o)| o < i) && axes.iter().all(|&(i, o)| o <= i),
            output_len1: axes.iter().any(|&(i, o)| o == 1 && i > 1),
            input_len1: h == 1 || w == 1,
            by_scale: matches!(target, Target::Scale(_)),
            exact_ratio,
            one_channel: block && c.min(oc) == 1,
        }
    }
}

/// Describes the cases of `subset` within `within` with one or two literals: "only for integer
/// factors", "only for upsampling and no axis shrunk to length 1", or "except for an axis shrunk
/// to length 1 and a size"; `None` when no such description fits.
fn describe(cases: &[&Case], within: &[bool], subset: &[bool]) -> Option<String> {
    // Whether `subset` is exactly the cases where the literals all hold (negated: where they do
    // not all hold).
    let holds = |lits: &[(usize, bool)], negated: bool| {
        cases.iter().enumerate().all(|(k, c)| {
            if !within[k] {
                return true;
            }
            let all = lits
                .iter()
                .all(|&(l, polarity)| (LITERALS[l].get)(&c.features) == polarity);
            (all != negated) == subset[k]
        })
    };
    let phrase = |(l, polarity): (usize, bool)| {
        if polarity {
            LITERALS[l].yes
        } else {
            LITERALS[l].no
        }
    };
    let literals: Vec<(usize, bool)> = (0..LITERALS.len())
        .flat_map(|l| [(l, true), (l, false)])
        .collect();
    for &a in &literals {
        if holds(&[a], false) {
            return Some(format!("only for {}", phrase(a)));
        }
    }
    for negated in [false, true] {
        for (i, &a) in literals.iter().enumerate() {
            for &b in &literals[i + 1..] {
                if a.0 != b.0 && holds(&[a, b], negated) {
                    let how = if negated { "except for" } else { "only for" };
                    return Some(format!("{how} {} and {}", phrase(a), phrase(b)));
                }
            }
        }
    }
    None
}

// ---- float rounding ------------------------------------------------------------------------------

/// float32 unit roundoff, 2⁻²⁴.
pub const UNIT_ROUNDOFF: f64 = 1.0 / 16_777_216.0;

/// An upper bound on the slope of every filter halfpixel evaluates, per pixel of coordinate:
/// triangle 1, Keys cubic 1.35 (a = −0.75) and 1 (a = −0.5), Lanczos-3/4/5 below 1.4, the
/// Gaussian of TF (σ = 0.5) 1.22, Mitchell–Netravali below 1; antialiasing only flattens them.
pub const FILTER_SLOPE: f64 = 2.0;

/// The most two weight tables computed from the same formula can differ by, per tap, on an axis
/// with `in_len` input pixels and `taps` taps per output.
///
/// A source coordinate lies in `[-1, in_len]`. A float32 framework forms it with at most four
/// roundings — the ratio `in/out` or `1/s` (relative `u`, scaled by `i + ½ ≤ out`: at most
/// `u·(in_len + 1)` absolute), then a multiply, an add and a subtract on magnitudes at most
/// `in_len + 1` — so `|Δx| ≤ 4u(in_len + 1)`; a float64 framework is exact at this scale. A weight
/// is a filter value at that coordinate, so it moves by at most `FILTER_SLOPE·|Δx|`; evaluating
/// the filter polynomial and storing the weight as float32 adds at most `4u`, and renormalising by
/// the sum of `taps` weights (exclude_outside, antialias, TF's kernels) at most `taps·u` more.
/// Both sides may carry all of it, hence the factor 2:
/// `τ = 2u·(4·FILTER_SLOPE·(in_len + 1) + 4 + taps)`.
///
/// Measured on the standard sweep (every named preset's plan against every candidate's, same
/// source pixels): plans of the same formula differ by at most 0.31·τ per weight; the nearest
/// different formula, TF's 1/1024 bicubic table against the exact cubic, by 30·τ. Nothing falls
/// in between.
pub fn weight_tolerance(in_len: usize, taps: usize) -> f64 {
    2.0 * UNIT_ROUNDOFF * (4.0 * FILTER_SLOPE * (in_len as f64 + 1.0) + 4.0 + taps as f64)
}

/// `γ_n = n·u / (1 − n·u)`: the relative error bound of a sum of `n` products in float32.
pub fn gamma(n: usize) -> f64 {
    let nu = n as f64 * UNIT_ROUNDOFF;
    nu / (1.0 - nu)
}

/// How one axis of two plans compares.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AxisDiff {
    /// The largest weight difference of one source index of one output.
    max_tap: f64,
    /// The largest `Σ|Δw|` of one output.
    max_l1: f64,
    /// The largest `Σ|w|` of one output, in each plan.
    sum_a: f64,
    sum_b: f64,
    /// Taps per output, the larger of the two plans.
    width: usize,
}

fn compare_axes(a: &AxisPlan, b: &AxisPlan) -> Option<AxisDiff> {
    if a.in_len() != b.in_len() || a.out_len() != b.out_len() {
        return None;
    }
    let mut d = AxisDiff {
        max_tap: 0.0,
        max_l1: 0.0,
        sum_a: 0.0,
        sum_b: 0.0,
        width: a.width().max(b.width()),
    };
    let mut weights: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for o in 0..a.out_len() {
        if a.is_extrapolated(o) != b.is_extrapolated(o) {
            return None;
        }
        weights.clear();
        let (ia, wa) = a.taps(o);
        let (ib, wb) = b.taps(o);
        for (&i, &w) in ia.iter().zip(wa) {
            weights.entry(i).or_default().0 += w as f64;
        }
        for (&i, &w) in ib.iter().zip(wb) {
            weights.entry(i).or_default().1 += w as f64;
        }
        let mut l1 = 0.0f64;
        for &(x, y) in weights.values() {
            let diff = (x - y).abs();
            if diff.is_nan() {
                return None;
            }
            d.max_tap = d.max_tap.max(diff);
            l1 += diff;
        }
        d.max_l1 = d.max_l1.max(l1);
        d.sum_a = d.sum_a.max(wa.iter().map(|w| w.abs() as f64).sum());
        d.sum_b = d.sum_b.max(wb.iter().map(|w| w.abs() as f64).sum());
    }
    Some(d)
}

/// The bound on `|y_a − y_b|` for two plans whose weights are within [`weight_tolerance`] of
/// each other, or `None` when they are not (different pixels, or weights further apart than
/// float32 evaluation explains).
///
/// With `M = max|x|`, `D` the largest `Σ|Δw|` of one output and `S` the largest `Σ|w|`, per axis:
/// `y_a − y_b = Σ (wa_y − wb_y)·wa_x·x + Σ wb_y·(wa_x − wb_x)·x` in exact arithmetic, at most
/// `M·(D_y·S_x,a + S_y,b·D_x)`; each side's float32 evaluation (the kernel sums `n_y` products
/// per column, then `n_x` per output) adds at most `γ(n_y + n_x)·M·S_y·S_x`.
pub fn rounding_bound(a: &ResizePlan, b: &ResizePlan, max_abs_input: f64) -> Option<f64> {
    if a.batch_index != b.batch_index
        || a.extrapolation_value.to_bits() != b.extrapolation_value.to_bits()
    {
        return None;
    }
    let y = compare_axes(&a.h, &b.h)?;
    let x = compare_axes(&a.w, &b.w)?;
    if y.max_tap > weight_tolerance(a.h.in_len(), y.width)
        || x.max_tap > weight_tolerance(a.w.in_len(), x.width)
    {
        return None;
    }
    let g = gamma(y.width + x.width);
    Some(
        max_abs_input
            * (y.max_l1 * x.sum_a
                + y.sum_b * x.max_l1
                + g * (y.sum_a * x.sum_a + y.sum_b * x.sum_b)),
    )
}

/// The rounding model, as the report states it.
#[derive(Debug, Clone, Serialize)]
pub struct RoundingModel {
    /// [`UNIT_ROUNDOFF`].
    pub unit_roundoff: f64,
    /// [`FILTER_SLOPE`].
    pub filter_slope: f64,
    /// The per-tap weight tolerance, in words.
    pub weight_tolerance: &'static str,
    /// The output bound, in words.
    pub output_bound: &'static str,
}

impl Default for RoundingModel {
    fn default() -> Self {
        RoundingModel {
            unit_roundoff: UNIT_ROUNDOFF,
            filter_slope: FILTER_SLOPE,
            weight_tolerance: "same source pixels, every weight within 2u(4L(in+1) + 4 + taps)",
            output_bound: "max|x|·(D_y·S_x + S_y·D_x + γ(n_y+n_x)·(S_y·S_x of each side))",
        }
    }
}

// ---- results -------------------------------------------------------------------------------------

/// A target call: a named preset, or a portable combination without its sizes.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// Its name: the preset name, or `onnx(mode=…, …)` / `portable(mode=…, …)`.
    pub name: String,
    /// Its column.
    pub group: TargetGroup,
    /// The call it mirrors.
    pub mirrors: String,
}

/// The outcome of one target on one source case.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The target cannot give this output shape.
    NotApplicable,
    /// Bit-identical outputs.
    Exact {
        /// The target's form that matched (`size`, `scale` or `block`).
        form: &'static str,
    },
    /// Different outputs from the same math: within the rounding bound.
    Rounding {
        /// The target's form.
        form: &'static str,
        /// The measured max `|Δ|`.
        error: f64,
        /// The bound it is within.
        bound: f64,
    },
    /// Different outputs.
    Differs {
        /// The smallest max `|Δ|` over the target's forms (∞ when NaNs differ).
        error: f64,
    },
}

impl Outcome {
    /// Exact or within rounding.
    pub fn matches(&self) -> bool {
        matches!(self, Outcome::Exact { .. } | Outcome::Rounding { .. })
    }

    /// The measured max `|Δ|` (0 when exact or not applicable).
    pub fn error(&self) -> f64 {
        match *self {
            Outcome::NotApplicable | Outcome::Exact { .. } => 0.0,
            Outcome::Rounding { error, .. } | Outcome::Differs { error } => error,
        }
    }

    /// Exact before rounding before differs (smaller error first).
    fn better_than(&self, other: &Outcome) -> bool {
        let rank = |o: &Outcome| match o {
            Outcome::Exact { .. } => 0,
            Outcome::Rounding { .. } => 1,
            Outcome::Differs { .. } => 2,
            Outcome::NotApplicable => 3,
        };
        (rank(self), self.error()) < (rank(other), other.error())
            || (rank(self) == rank(other) && other.error().is_nan() && !self.error().is_nan())
    }
}

/// How a target does against a source over all its cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Bit-identical on every applicable case.
    Exact,
    /// Bit-identical or within float rounding on every applicable case, not all bit-identical.
    WithinRounding,
    /// Matches (exactly or within rounding) on some applicable cases only.
    Partial,
    /// Matches on no case.
    Never,
}

/// One (source, target) entry.
#[derive(Debug, Clone, Serialize)]
pub struct PairResult {
    /// The target's name ([`TargetInfo::name`]).
    pub target: String,
    /// Its column.
    pub group: TargetGroup,
    /// The verdict.
    pub verdict: Verdict,
    /// Cases where the target applies.
    pub applicable: usize,
    /// Of those, bit-identical.
    pub exact: usize,
    /// Of those, within float rounding.
    pub rounding: usize,
    /// The max `|Δ|` over the applicable cases (0 when every one is exact).
    pub max_error: f64,
    /// The case with that error ([`Case::id`]).
    pub worst_case: Option<usize>,
    /// The largest rounding bound used.
    pub max_bound: f64,
    /// For a partial match: where it matches, computed from the cases ("only for integer
    /// factors", "except for …"), or the number of cases when no short description fits.
    pub matches_on: Option<String>,
    /// Whether `matches_on` is a description (not a count).
    pub described: bool,
    /// When the target does not apply to every case of the source: where it does ("only for
    /// integer upsampling factors", …).
    pub applies_to: Option<String>,
    /// The target forms that matched (`size`, `scale`, `block`).
    pub forms: Vec<&'static str>,
    /// The outcome on each case of the source. The JSON carries them for the entries a cell
    /// shows only (every entry keeps its counts, errors and descriptions).
    #[serde(skip_serializing_if = "PerCase::hidden")]
    pub outcomes: PerCase,
}

/// The outcome of a target on each case of a source.
#[derive(Debug, Clone, PartialEq)]
pub struct PerCase {
    /// One per case, in [`SourceRow::cases`] order.
    pub list: Vec<Outcome>,
    /// Whether a cell shows the entry ([`SourceRow::cell`]: a match, a partial match worth a
    /// footnote, or the closest target of its group).
    pub shown: bool,
}

impl PerCase {
    fn hidden(&self) -> bool {
        !self.shown
    }
}

impl Serialize for PerCase {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.list.serialize(s)
    }
}

/// One source preset: its cases and every target's result.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    /// The preset name.
    pub source: String,
    /// Its family ([`SOURCE_FAMILIES`]).
    pub family: &'static str,
    /// The call it mirrors.
    pub mirrors: String,
    /// Its case ids ([`Matrix::cases`]).
    pub cases: Vec<usize>,
    /// Every target that applies to at least one case, best first.
    pub results: Vec<PairResult>,
}

/// What a cheatsheet cell shows for one source and one target group.
#[derive(Debug, Clone, Default)]
pub struct Cell<'a> {
    /// Targets that match on every applicable case (exact first).
    pub matches: Vec<&'a PairResult>,
    /// Targets that match on some cases, worth a footnote: where they match has a short
    /// description, or it is at least half the cases they apply to (a match on a few cases whose
    /// outputs happen to coincide is left to the JSON). Most matched cases first.
    pub partial: Vec<&'a PairResult>,
    /// When nothing matches everywhere: among the targets that apply to the most cases, the one
    /// with the smallest max error.
    pub closest: Option<&'a PairResult>,
}

impl PairResult {
    /// Cases matched exactly or within rounding.
    pub fn matched(&self) -> usize {
        self.exact + self.rounding
    }

    fn partial_worth_showing(&self) -> bool {
        self.verdict == Verdict::Partial
            && 4 * self.matched() >= self.applicable
            && (self.described || 2 * self.matched() >= self.applicable)
    }
}

impl SourceRow {
    /// The cell of `group`.
    pub fn cell(&self, group: TargetGroup) -> Cell<'_> {
        let in_group: Vec<&PairResult> = self.results.iter().filter(|r| r.group == group).collect();
        let mut cell = Cell {
            matches: in_group
                .iter()
                .copied()
                .filter(|r| matches!(r.verdict, Verdict::Exact | Verdict::WithinRounding))
                .collect(),
            partial: in_group
                .iter()
                .copied()
                .filter(|r| r.partial_worth_showing())
                .collect(),
            closest: None,
        };
        cell.partial
            .sort_by(|a, b| b.matched().cmp(&a.matched()).then(closeness(a, b)));
        if cell.matches.is_empty() {
            let most = in_group.iter().map(|r| r.applicable).max().unwrap_or(0);
            cell.closest = in_group
                .iter()
                .copied()
                .filter(|r| r.applicable == most)
                .min_by(|a, b| closeness(a, b));
        }
        cell
    }

    /// The result of `target` against this source, if it applies anywhere.
    pub fn result(&self, target: &str) -> Option<&PairResult> {
        self.results.iter().find(|r| r.target == target)
    }
}

/// Smaller max error first (NaN last); then more applicable cases; then the shorter name.
fn closeness(a: &PairResult, b: &PairResult) -> std::cmp::Ordering {
    let key = |r: &PairResult| {
        if r.max_error.is_nan() {
            f64::INFINITY
        } else {
            r.max_error
        }
    };
    key(a)
        .total_cmp(&key(b))
        .then(b.applicable.cmp(&a.applicable))
        .then(a.target.len().cmp(&b.target.len()))
        .then(a.target.cmp(&b.target))
}

/// The computed cheatsheet.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// The sweep it was computed on.
    pub sweep: Sweep,
    /// The shape pairs of the sweep.
    pub pairs: Vec<ShapePair>,
    /// Every source case.
    pub cases: Vec<Case>,
    /// The target groups computed.
    pub target_groups: Vec<TargetGroup>,
    /// Every target seen.
    pub targets: Vec<TargetInfo>,
    /// One row per source preset.
    pub rows: Vec<SourceRow>,
    /// What "within float rounding" means.
    pub rounding: RoundingModel,
    /// Cases whose weights are within rounding but whose outputs exceed the bound (a bug in
    /// the bound or the kernel if ever non-empty): `(source, target, case, error, bound)`.
    pub bound_violations: Vec<(String, String, usize, f64, f64)>,
}

impl Matrix {
    /// The row of a source preset.
    pub fn row(&self, source: &str) -> Option<&SourceRow> {
        self.rows.iter().find(|r| r.source == source)
    }

    /// The whole matrix as JSON: every case, every target, every entry's counts, errors and
    /// descriptions, and the per-case outcomes of the entries the cells show.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

// ---- computing ------------------------------------------------------------------------------------

/// One target run on one shape pair.
struct TargetRun {
    target: usize,
    /// What the call was given: the output size, scale factors or a block size.
    given: Target,
    form: &'static str,
    op: Operation,
    output: Array4<f32>,
    plan: Option<Option<ResizePlan>>,
}

/// The form of a named target.
fn form_of(target: &Target) -> &'static str {
    match target {
        Target::Size(_) => "size",
        Target::Scale(_) => "scale",
        Target::Block(_) => "block",
    }
}

/// The name of a portable combination, without sizes or scales, and its group.
fn portable_identity(spec: &ResizeSpec) -> (String, TargetGroup) {
    use CoordinateTransform as C;
    let onnx_mode = matches!(spec.mode, Mode::Nearest | Mode::Linear | Mode::Cubic);
    let onnx_mapping = !matches!(
        spec.coordinate_transformation_mode,
        C::AlignCornersCentered | C::RoiAlign
    );
    let group = if onnx_mode && onnx_mapping {
        TargetGroup::Onnx
    } else {
        TargetGroup::Portable
    };
    let mut parts = vec![spec.mode.name().to_string()];
    if !matches!(spec.mode, Mode::Area | Mode::AdaptiveAvgPool) {
        parts.push(spec.coordinate_transformation_mode.name().to_string());
    }
    if let Some(m) = spec.nearest_mode {
        parts.push(m.name().to_string());
    }
    if let Some(a) = spec.cubic_coeff_a {
        parts.push(format!("a={a}"));
    }
    if spec.exclude_outside {
        parts.push("exclude_outside".into());
    }
    if spec.antialias {
        parts.push("antialias".into());
    }
    let prefix = if group == TargetGroup::Onnx {
        "onnx"
    } else {
        "portable"
    };
    (format!("{prefix}({})", parts.join(", ")), group)
}

/// What portable combinations mirror, in words.
fn portable_mirrors(spec: &ResizeSpec, group: TargetGroup) -> String {
    let mut s = ResizeSpec::new(spec.mode, spec.coordinate_transformation_mode, [1, 1]);
    s.nearest_mode = spec.nearest_mode;
    s.cubic_coeff_a = spec.cubic_coeff_a;
    s.exclude_outside = spec.exclude_outside;
    s.antialias = spec.antialias;
    let text = crate::op::ResizePlanner::describe(&s);
    let text = text
        .split(", output_size")
        .next()
        .unwrap_or(&text)
        .to_string();
    if group == TargetGroup::Onnx {
        format!(
            "onnx Resize-19{} with sizes or scales",
            text.trim_start_matches("resize")
        )
    } else {
        format!("halfpixel {text})")
    }
}

/// Max `|a − b|` (∞ when a NaN faces a number); `None` when the shapes differ.
fn max_abs_diff(a: &Array4<f32>, b: &Array4<f32>) -> Option<(f64, bool)> {
    if a.dim() != b.dim() {
        return None;
    }
    let mut max = 0.0f64;
    let mut identical = true;
    for (&x, &y) in a.iter().zip(b.iter()) {
        if x.to_bits() == y.to_bits() {
            continue;
        }
        identical = false;
        let d = if x.is_nan() || y.is_nan() {
            if x.is_nan() && y.is_nan() {
                0.0
            } else {
                f64::INFINITY
            }
        } else {
            (x as f64 - y as f64).abs()
        };
        max = max.max(d);
    }
    Some((max, identical))
}

fn plan_of(op: &Operation, input: [usize; 4]) -> Option<ResizePlan> {
    op.plan(&InputDesc {
        dims: input,
        layout: Layout::Nchw,
    })
    .ok()
    .flatten()
}

/// Registry of targets by name.
#[derive(Default)]
struct Targets {
    infos: Vec<TargetInfo>,
    by_name: HashMap<String, usize>,
}

impl Targets {
    fn id(&mut self, name: String, group: TargetGroup, mirrors: impl FnOnce() -> String) -> usize {
        if let Some(&id) = self.by_name.get(&name) {
            return id;
        }
        let id = self.infos.len();
        self.by_name.insert(name.clone(), id);
        self.infos.push(TargetInfo {
            name,
            group,
            mirrors: mirrors(),
        });
        id
    }
}

/// The scale factors worth giving scale-taking targets on a pair: the sweep's scale, and
/// `out/in` where that differs (the scales the source calls are given).
fn scale_hints(pair: &ShapePair) -> Vec<[f64; 2]> {
    let Some(s) = pair.scale else {
        return Vec::new();
    };
    candidates::resize_targets(
        named::Accepts::Scale,
        [pair.input[2], pair.input[3]],
        [pair.output[2], pair.output[3]],
        Some([s, s]),
    )
    .into_iter()
    .filter_map(|t| match t {
        Target::Scale(sc) => Some(sc),
        _ => None,
    })
    .collect()
}

/// Every candidate for a pair: named presets and portable combinations, with each scale hint,
/// without duplicates. `candidates::portable_candidates` tries `antialias` only when shrinking
/// (where it changes the result); the antialiased combinations are added here on the other
/// pairs too, run as they are, so that "antialias" targets are compared on every case.
fn pair_candidates(pair: &ShapePair, portable: bool) -> Vec<Candidate> {
    let mut hints: Vec<Option<[f64; 2]>> = scale_hints(pair).into_iter().map(Some).collect();
    if hints.is_empty() {
        hints.push(None);
    }
    let mut seen: Vec<String> = Vec::new();
    let mut all = Vec::new();
    let mut push = |c: Candidate, all: &mut Vec<Candidate>| {
        let label = c.label();
        if !seen.contains(&label) {
            seen.push(label);
            all.push(c);
        }
    };
    for &hint in &hints {
        for c in candidates::named_candidates(pair.input, pair.output, Layout::Nchw, hint) {
            push(c, &mut all);
        }
        if !(portable && pair.kind == Kind::Resize) {
            continue;
        }
        for c in candidates::portable_candidates(pair.input, pair.output, Layout::Nchw, hint) {
            let extra = match &c.origin {
                Origin::Portable(spec) if spec.mode.supports_antialias() && !spec.antialias => {
                    let aa = spec.clone().with_antialias(true);
                    aa.validate().is_ok().then(|| Candidate {
                        op: Operation::from(aa.clone()),
                        origin: Origin::Portable(aa),
                    })
                }
                _ => None,
            };
            push(c, &mut all);
            if let Some(e) = extra {
                push(e, &mut all);
            }
        }
    }
    all
}

/// The target runs of one shape pair.
fn target_runs(
    pair: &ShapePair,
    input: &Array4<f32>,
    groups: &[TargetGroup],
    registry: &mut Targets,
) -> Result<Vec<TargetRun>> {
    let portable = groups.contains(&TargetGroup::Onnx) || groups.contains(&TargetGroup::Portable);
    let mut runs = Vec::new();
    for c in pair_candidates(pair, portable) {
        let (target, given) = match &c.origin {
            Origin::Named { preset, target } => {
                let Some(group) = TargetGroup::of_preset(preset) else {
                    continue;
                };
                if preset.kind != pair.kind || !groups.contains(&group) {
                    continue;
                }
                let id = registry.id(preset.name.to_string(), group, || {
                    preset.mirrors.to_string()
                });
                (id, *target)
            }
            Origin::Portable(spec) => {
                let (name, group) = portable_identity(spec);
                if !groups.contains(&group) {
                    continue;
                }
                let id = registry.id(name, group, || portable_mirrors(spec, group));
                (
                    id,
                    spec.scale
                        .map_or(Target::Size(spec.output_size), Target::Scale),
                )
            }
        };
        let dims = c.op.output_dims(&InputDesc {
            dims: pair.input,
            layout: Layout::Nchw,
        });
        if dims.ok() != Some(pair.output) {
            continue;
        }
        let output = c.op.run_cpu(input.view(), Layout::Nchw)?;
        runs.push(TargetRun {
            target,
            given,
            form: form_of(&given),
            op: c.op,
            output,
            plan: None,
        });
    }
    Ok(runs)
}

/// Source cases of one preset on one pair: `(target, operation)` for every target its call
/// accepts that gives the pair's output shape.
fn source_ops(preset: &NamedPreset, pair: &ShapePair) -> Vec<(Target, Operation)> {
    let targets = match pair.kind {
        Kind::Resize => candidates::resize_targets(
            preset.accepts,
            [pair.input[2], pair.input[3]],
            [pair.output[2], pair.output[3]],
            pair.scale.map(|s| [s, s]),
        ),
        Kind::DepthToSpace => vec![Target::Block(pair.output[2] / pair.input[2])],
        Kind::SpaceToDepth => vec![Target::Block(pair.input[2] / pair.output[2])],
    };
    targets
        .into_iter()
        .filter_map(|target| {
            let op = preset
                .build(&Request {
                    target,
                    input: pair.input,
                    attributes: &[],
                })
                .ok()?;
            let dims = op
                .output_dims(&InputDesc {
                    dims: pair.input,
                    layout: Layout::Nchw,
                })
                .ok()?;
            (dims == pair.output).then_some((target, op))
        })
        .collect()
}

/// The source presets `options` selects.
fn sources(options: &Options) -> Vec<&'static NamedPreset> {
    named::all()
        .iter()
        .filter(|p| options.sources.contains(&source_family(p)))
        .filter(|p| {
            matches!(
                p.framework,
                "torch" | "tf" | "keras" | "onnx" | "opencv" | "pillow"
            )
        })
        // Keras `Resizing` runs `tf.image.resize` itself: its rows would repeat TF2's.
        .filter(|p| !p.name.starts_with("keras.resizing."))
        .collect()
}

/// Per target id: its best outcome on one case, and the forms of it that matched there (a bit
/// per entry of [`FORMS`]).
type CaseOutcomes = HashMap<usize, (Outcome, u8)>;

/// The forms a target call can take, as [`form_of`] names them.
const FORMS: [&str; 3] = ["size", "scale", "block"];

fn form_bit(form: &str) -> u8 {
    FORMS.iter().position(|f| *f == form).map_or(0, |k| 1 << k)
}

/// One source case being compared with the target runs of its pair.
struct SourceRun<'a> {
    op: &'a Operation,
    input: [usize; 4],
    output: &'a Array4<f32>,
    /// The source's plan, built the first time a comparison needs it.
    plan: Option<Option<ResizePlan>>,
    max_abs: f64,
}

impl SourceRun<'_> {
    /// The outcome against one target run (`None` when the shapes differ), and the bound when
    /// the two plans are within rounding of each other but the outputs are not within it.
    fn compare(&mut self, run: &mut TargetRun) -> Option<(Outcome, Option<f64>)> {
        let (error, identical) = max_abs_diff(self.output, &run.output)?;
        if identical {
            return Some((Outcome::Exact { form: run.form }, None));
        }
        let (op, input) = (self.op, self.input);
        let a = self.plan.get_or_insert_with(|| plan_of(op, input)).as_ref();
        let b = run
            .plan
            .get_or_insert_with(|| plan_of(&run.op, input))
            .as_ref();
        let bound = a
            .zip(b)
            .and_then(|(a, b)| rounding_bound(a, b, self.max_abs));
        Some(match bound {
            Some(bound) if error <= bound => (
                Outcome::Rounding {
                    form: run.form,
                    error,
                    bound,
                },
                None,
            ),
            Some(bound) => (Outcome::Differs { error }, Some(bound)),
            None => (Outcome::Differs { error }, None),
        })
    }
}

/// Computes the matrix, calling `progress` with a short line before each shape pair.
pub fn compute(options: &Options, progress: &mut dyn FnMut(&str)) -> Result<Matrix> {
    if options.sources.is_empty() || options.targets.is_empty() {
        return Err(Error::invalid_argument(
            "matrix",
            "no sources or no targets",
            "name at least one source framework and one target group",
        ));
    }
    let pairs = options.sweep.pairs();
    let presets = sources(options);
    let mut registry = Targets::default();
    let mut cases: Vec<Case> = Vec::new();
    // Per source: its case ids and, per case, each target's best outcome and matching forms.
    let mut per_source: Vec<(Vec<usize>, Vec<CaseOutcomes>)> =
        vec![(Vec::new(), Vec::new()); presets.len()];
    let mut violations = Vec::new();

    for (index, pair) in pairs.iter().enumerate() {
        progress(&format!(
            "{}/{}: {} {:?} -> {:?}{}",
            index + 1,
            pairs.len(),
            kind_text(pair.kind),
            pair.input,
            pair.output,
            pair.scale
                .map(|s| format!(" (scale {s:.4})"))
                .unwrap_or_default()
        ));
        let input = random_input(options.sweep.seed, index, pair.input);
        let max_abs = input.iter().fold(0.0f64, |m, &v| m.max(v.abs() as f64));
        let mut runs = target_runs(pair, &input, &options.targets, &mut registry)?;
        for (s, preset) in presets.iter().enumerate() {
            if preset.kind != pair.kind {
                continue;
            }
            for (target, op) in source_ops(preset, pair) {
                let output = op.run_cpu(input.view(), Layout::Nchw)?;
                let id = cases.len();
                cases.push(Case {
                    id,
                    pair: *pair,
                    target: candidates::target_text(&target),
                    features: Features::of(pair, &target),
                });
                let mut source = SourceRun {
                    op: &op,
                    input: pair.input,
                    output: &output,
                    plan: None,
                    max_abs,
                };
                // A target that can take what the source call took (its size, or the same
                // scale factors) is compared that way only, as a converter would write it; one
                // that cannot is compared in every form it can take.
                let same_form: Vec<usize> = runs
                    .iter()
                    .filter(|r| r.given == target)
                    .map(|r| r.target)
                    .collect();
                let mut best = CaseOutcomes::new();
                for run in runs.iter_mut() {
                    if run.given != target && same_form.contains(&run.target) {
                        continue;
                    }
                    let Some((outcome, bound)) = source.compare(run) else {
                        continue;
                    };
                    if let Some(bound) = bound {
                        violations.push((
                            preset.name.to_string(),
                            registry.infos[run.target].name.clone(),
                            id,
                            outcome.error(),
                            bound,
                        ));
                    }
                    let (slot, forms) = best
                        .entry(run.target)
                        .or_insert((Outcome::NotApplicable, 0));
                    if outcome.matches() {
                        *forms |= form_bit(run.form);
                    }
                    if outcome.better_than(slot) {
                        *slot = outcome;
                    }
                }
                per_source[s].0.push(id);
                per_source[s].1.push(best);
            }
        }
    }

    let rows = presets
        .iter()
        .zip(per_source)
        .filter(|(_, (ids, _))| !ids.is_empty())
        .map(|(preset, (ids, outcomes))| {
            let case_refs: Vec<&Case> = ids.iter().map(|&i| &cases[i]).collect();
            let mut results: Vec<PairResult> = (0..registry.infos.len())
                .filter_map(|t| {
                    let per_case: Vec<(Outcome, u8)> = outcomes
                        .iter()
                        .map(|m| m.get(&t).copied().unwrap_or((Outcome::NotApplicable, 0)))
                        .collect();
                    aggregate(&registry.infos[t], &case_refs, per_case)
                })
                .collect();
            results.sort_by(|a, b| {
                let rank = |v: Verdict| v as u8;
                rank(a.verdict)
                    .cmp(&rank(b.verdict))
                    .then(b.exact.cmp(&a.exact))
                    .then(b.matched().cmp(&a.matched()))
                    .then(b.applicable.cmp(&a.applicable))
                    .then(closeness(a, b))
            });
            let mut row = SourceRow {
                source: preset.name.to_string(),
                family: source_family(preset),
                mirrors: preset.mirrors.to_string(),
                cases: ids,
                results,
            };
            mark_shown(&mut row);
            row
        })
        .collect();

    Ok(Matrix {
        sweep: options.sweep.clone(),
        pairs,
        cases,
        target_groups: options.targets.clone(),
        targets: registry.infos,
        rows,
        rounding: RoundingModel::default(),
        bound_violations: violations,
    })
}

fn kind_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Resize => "resize",
        Kind::DepthToSpace => "depth_to_space",
        Kind::SpaceToDepth => "space_to_depth",
    }
}

/// Marks the entries a cell shows.
fn mark_shown(row: &mut SourceRow) {
    let mut shown: Vec<String> = Vec::new();
    for group in TargetGroup::ALL {
        let cell = row.cell(group);
        shown.extend(cell.matches.iter().map(|r| r.target.clone()));
        shown.extend(cell.partial.iter().map(|r| r.target.clone()));
        shown.extend(cell.closest.iter().map(|r| r.target.clone()));
    }
    for r in row.results.iter_mut() {
        r.outcomes.shown = shown.contains(&r.target);
    }
}

/// The (source, target) entry from the per-case outcomes, or `None` when the target applies to
/// no case.
fn aggregate(
    info: &TargetInfo,
    cases: &[&Case],
    per_case: Vec<(Outcome, u8)>,
) -> Option<PairResult> {
    let bits = per_case.iter().fold(0u8, |b, (_, f)| b | f);
    let forms: Vec<&'static str> = FORMS
        .iter()
        .enumerate()
        .filter(|(k, _)| bits & (1 << k) != 0)
        .map(|(_, f)| *f)
        .collect();
    let outcomes: Vec<Outcome> = per_case.into_iter().map(|(o, _)| o).collect();
    let applicable: Vec<bool> = outcomes
        .iter()
        .map(|o| *o != Outcome::NotApplicable)
        .collect();
    let n_applicable = applicable.iter().filter(|&&a| a).count();
    if n_applicable == 0 {
        return None;
    }
    let matched: Vec<bool> = outcomes.iter().map(Outcome::matches).collect();
    let exact = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Exact { .. }))
        .count();
    let rounding = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Rounding { .. }))
        .count();
    let (mut max_error, mut worst_case, mut max_bound) = (0.0f64, None, 0.0f64);
    for (k, o) in outcomes.iter().enumerate() {
        let e = o.error();
        if e > max_error || (e.is_nan() && !max_error.is_nan()) {
            max_error = e;
            worst_case = Some(cases[k].id);
        }
        if let Outcome::Rounding { bound, .. } = o {
            max_bound = max_bound.max(*bound);
        }
    }
    let n_matched = exact + rounding;
    let verdict = if n_matched == n_applicable {
        if rounding == 0 {
            Verdict::Exact
        } else {
            Verdict::WithinRounding
        }
    } else if n_matched > 0 {
        Verdict::Partial
    } else {
        Verdict::Never
    };
    let description = (verdict == Verdict::Partial)
        .then(|| describe(cases, &applicable, &matched))
        .flatten();
    let described = description.is_some();
    let matches_on = (verdict == Verdict::Partial)
        .then(|| description.unwrap_or_else(|| format!("{n_matched} of {n_applicable} cases")));
    let everywhere = vec![true; cases.len()];
    let applies_to = (n_applicable < cases.len()).then(|| {
        describe(cases, &everywhere, &applicable)
            .unwrap_or_else(|| format!("{n_applicable} of {} cases", cases.len()))
    });
    Some(PairResult {
        target: info.name.clone(),
        group: info.group,
        verdict,
        applicable: n_applicable,
        exact,
        rounding,
        max_error,
        worst_case,
        max_bound,
        matches_on,
        described,
        applies_to,
        forms,
        outcomes: PerCase {
            list: outcomes,
            shown: false,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_in_range() {
        let a = random_input(7, 3, [1, 2, 3, 4]);
        let b = random_input(7, 3, [1, 2, 3, 4]);
        let c = random_input(7, 4, [1, 2, 3, 4]);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
    }

    #[test]
    fn the_standard_sweep_has_the_documented_pairs() {
        let pairs = Sweep::standard().pairs();
        let resize = pairs.iter().filter(|p| p.kind == Kind::Resize).count();
        assert_eq!(resize, 34);
        assert_eq!(pairs.len() - resize, 8);
        // 5x8 at 1.5 → 7x12; 8x1 at 2 → 16x2; 13x5 at 0.2 → 2x1.
        for (i, o) in [
            ([1, 1, 5, 8], [1, 1, 7, 12]),
            ([1, 2, 8, 1], [1, 2, 16, 2]),
            ([1, 3, 13, 5], [1, 3, 2, 1]),
        ] {
            assert!(pairs.iter().any(|p| p.input == i && p.output == o), "{i:?}");
        }
    }

    #[test]
    fn descriptions_pick_the_literal_that_separates() {
        let pair = |h: usize, o: usize| ShapePair {
            kind: Kind::Resize,
            input: [1, 1, h, h],
            output: [1, 1, o, o],
            scale: None,
        };
        let mk = |p: ShapePair, id| Case {
            id,
            pair: p,
            target: String::new(),
            features: Features::of(&p, &Target::Size([p.output[2], p.output[3]])),
        };
        let cases = [mk(pair(4, 8), 0), mk(pair(4, 6), 1), mk(pair(4, 2), 2)];
        let refs: Vec<&Case> = cases.iter().collect();
        let all = [true; 3];
        assert_eq!(
            describe(&refs, &all, &[true, false, false]).as_deref(),
            Some("only for integer upsampling factors")
        );
        assert_eq!(
            describe(&refs, &all, &[true, true, false]).as_deref(),
            Some("only for upsampling")
        );
        assert_eq!(
            describe(&refs, &all, &[false, true, true]).as_deref(),
            Some("only for factors other than integer upsampling")
        );
    }

    #[test]
    fn rounding_bound_accepts_rounding_and_refuses_another_formula() {
        use crate::plan::{Edge, Taps};
        let axis = |shift: f64| {
            AxisPlan::build(5, 7, Edge::Replicate, |o| {
                let t = 0.3 + shift;
                Taps::from_pairs(vec![((o % 4) as i64, 1.0 - t), ((o % 4) as i64 + 1, t)])
            })
            .unwrap()
        };
        let a = ResizePlan::new(axis(0.0), AxisPlan::identity(3).unwrap());
        let near = ResizePlan::new(axis(3e-7), AxisPlan::identity(3).unwrap());
        let far = ResizePlan::new(axis(1.0 / 2048.0), AxisPlan::identity(3).unwrap());
        assert_eq!(rounding_bound(&a, &a, 1.0), Some(2.0 * gamma(3)));
        let bound = rounding_bound(&a, &near, 1.0).expect("within rounding");
        assert!(bound > 2.0 * 3e-7 && bound < 1e-5, "{bound:e}");
        assert_eq!(rounding_bound(&a, &far, 1.0), None);
        // Another pixel altogether is not rounding either.
        let other = ResizePlan::new(
            axis(0.0),
            AxisPlan::build(3, 3, Edge::Replicate, |o| Taps::one(2 - o as i64)).unwrap(),
        );
        assert_eq!(rounding_bound(&a, &other, 1.0), None);
    }

    #[test]
    fn the_weight_tolerance_grows_with_the_coordinate_range() {
        assert!(weight_tolerance(13, 2) > weight_tolerance(5, 2));
        // Far below a 1/1024 quantisation step of a weight, far above one ulp of it.
        assert!(weight_tolerance(13, 4) < 1e-4);
        assert!(weight_tolerance(1, 2) > 2.0 * UNIT_ROUNDOFF);
    }
}
