//! `identify`: which framework call turns tensor A into tensor B?
//!
//! [`identify`] runs every candidate [`crate::candidates`] offers for the two shapes — each named
//! preset with each target it takes, and each combination of the portable vocabulary — on A (on
//! the CPU), compares every output with B and reports which candidates reproduce B
//! [`Verdict::Exact`]ly or [`Verdict::WithinRounding`] float rounding, and how far the others
//! are ([`Verdict::Differs`]: max and mean |error|, where the worst one is — its index, border or
//! interior — and how many elements lie beyond the rounding bound). Groups are ranked by the size
//! of their error (max, then mean). When nothing reproduces B but the nearest group is off by
//! little ([`Report::near_miss`]), B was probably rounded, printed with few digits or noisy, and
//! the report suggests the absolute tolerance that accepts it
//! ([`IdentifyOptions::abs_tolerance`], `--atol`).
//!
//! Candidates whose outputs are bit-identical form one [`Group`]: equivalent explanations, such as
//! TF1 `resize_bilinear(align_corners=False)`, Core ML `UPSAMPLE_MODE` and ONNX `asymmetric`
//! linear. Named presets come first in a group, with their calls, then the portable specs.
//!
//! "Within float rounding" is derived from each candidate's tap tables, not a fixed tolerance:
//! see [`rounding_bound`]. Storage matters too ([`Storage`]): a float16 or integer B is compared
//! after rounding each candidate the same way.
//!
//! How the work stays small: candidates whose tap tables are equal are run once (most nearest
//! variants of an integer upscale, the same mapping reached from several frameworks); outputs are
//! fingerprinted and dropped, and outputs whose fingerprints agree are compared again element by
//! element before they are called identical, so a hash collision can never merge two groups.
//!
//! The first search tries the output size, its ratio `out / in` as an explicit scale factor, and
//! the scale hint, if any. When no candidate matches B bit for bit (a framework other than the
//! one halfpixel follows, a user scale factor, an unusual cubic coefficient), the search widens
//! once: to cubic coefficients fitted to B (see `fitted_cubic_coefficients`: two-decimal values
//! that are then tried like any other candidate, counting only if they reproduce B), and to the
//! round scale factors that give the same output size ([`candidates::round_scales`]), most
//! plausible first, within a work budget ([`WIDEN_BUDGET`]). Every explanation within float
//! rounding is then listed, not only the first found.
//!
//! ```
//! use halfpixel::identify::{identify, IdentifyOptions};
//! use halfpixel::presets::torch;
//! use halfpixel::Layout;
//! use ndarray::Array4;
//!
//! let a = Array4::from_shape_fn((1, 2, 5, 6), |(_, c, h, w)| ((c * 31 + h * 7 + w * 3) % 11) as f32);
//! let op = torch::Interpolate::size([10, 12], torch::Mode::Bilinear).align_corners(false).build()?;
//! let b = op.run_cpu(a.view(), Layout::Nchw)?;
//! let report = identify(a.view(), b.view(), Layout::Nchw, &IdentifyOptions::default())?;
//! assert!(report.reproduced());
//! let best = &report.groups[0];
//! assert!(best.members.iter().any(|m| m.preset.as_deref() == Some("tf1.bilinear.half_pixel_centers")));
//! # Ok::<(), halfpixel::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use ndarray::{Array4, ArrayView4, CowArray, Ix4};
use rayon::prelude::*;
use serde::Serialize;

use crate::candidates::{self, Candidate, Origin, Search};
use crate::conformance::element_error;
use crate::cpu::separable;
use crate::cpu::ResizeKernel;
use crate::error::{Error, Result};
use crate::npy::NpyDtype;
use crate::op::{InputDesc, IntegerPath, Operation};
use crate::plan::separable::ExactPlan;
use crate::plan::{AxisPlan, ResizePlan};
use crate::presets::named::{self, Kind, Request, Target};
use crate::spec::{Layout, Mode, ResizeSpec};
use crate::tensor::{ElementType, Tensor4};

// ---- options ------------------------------------------------------------------------------------

/// How a tensor was stored, which decides the arithmetic precision assumed for the framework
/// and how a candidate's output is rounded before it is compared with B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Storage {
    /// float32 (or float64, which halfpixel reads as float32).
    Float32,
    /// float16: the framework computed in half precision, or stored its result in it.
    Float16,
    /// Integers (`uint8` images and the like) in `[min, max]`. Candidates are rounded half away
    /// from zero; a framework that rounds ties to even or works in fixed point lands one step away
    /// at most, which [`rounding_bound`] allows.
    Integer {
        /// The smallest value of the type.
        min: f64,
        /// The largest value of the type.
        max: f64,
    },
}

impl Storage {
    /// The storage of a `.npy` dtype.
    pub fn of_dtype(dtype: NpyDtype) -> Storage {
        let int = |min: f64, max: f64| Storage::Integer { min, max };
        match dtype {
            NpyDtype::F16 => Storage::Float16,
            NpyDtype::F32 | NpyDtype::F64 => Storage::Float32,
            NpyDtype::Bool => int(0.0, 1.0),
            NpyDtype::I8 => int(i8::MIN as f64, i8::MAX as f64),
            NpyDtype::U8 => int(0.0, u8::MAX as f64),
            NpyDtype::I16 => int(i16::MIN as f64, i16::MAX as f64),
            NpyDtype::U16 => int(0.0, u16::MAX as f64),
            NpyDtype::I32 => int(i32::MIN as f64, i32::MAX as f64),
            NpyDtype::U32 => int(0.0, u32::MAX as f64),
            NpyDtype::I64 => int(i64::MIN as f64, i64::MAX as f64),
            NpyDtype::U64 => int(0.0, u64::MAX as f64),
        }
    }

    /// `float32`, `float16` or `integer`.
    pub fn name(self) -> &'static str {
        match self {
            Storage::Float32 => "float32",
            Storage::Float16 => "float16",
            Storage::Integer { .. } => "integer",
        }
    }

    /// Rounds a value computed in float32 the way storing it in this type does (float16: to
    /// nearest even; integers: half away from zero, saturated).
    pub fn round(self, v: f32) -> f32 {
        match self {
            Storage::Float32 => v,
            Storage::Float16 => half::f16::from_f32(v).to_f32(),
            Storage::Integer { min, max } => {
                if v.is_nan() {
                    v
                } else {
                    (v.round() as f64).clamp(min, max) as f32
                }
            }
        }
    }
}

impl Storage {
    /// The 8- or 16-bit element type of an integer storage of that range, if it is one.
    fn integer_type(self) -> Option<ElementType> {
        match self {
            Storage::Integer { min, max } if min == 0.0 && max == 255.0 => Some(ElementType::U8),
            Storage::Integer { min, max } if min == 0.0 && max == 65535.0 => Some(ElementType::U16),
            _ => None,
        }
    }
}

/// What [`identify`] needs besides the two tensors.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentifyOptions {
    /// Scale factors `[height, width]` the caller knows the model passed (`scale_factor`, ONNX
    /// `scales`, `fx`/`fy`); tried besides the ones the sizes imply.
    pub scale_hint: Option<[f64; 2]>,
    /// How A was stored.
    pub input_storage: Storage,
    /// How B was stored.
    pub output_storage: Storage,
    /// When no candidate matches B bit for bit, widen the search once to round scale factors and
    /// fitted cubic coefficients (see the module documentation).
    pub widen: bool,
    /// An absolute tolerance for B's values, for references that were rounded or printed with
    /// few digits (documentation examples, hand-written test vectors): a group within it but
    /// beyond float rounding is [`Verdict::WithinTolerance`]. 0 (the default) accepts float
    /// rounding only.
    pub abs_tolerance: f64,
}

impl Default for IdentifyOptions {
    fn default() -> Self {
        IdentifyOptions {
            scale_hint: None,
            input_storage: Storage::Float32,
            output_storage: Storage::Float32,
            widen: true,
            abs_tolerance: 0.0,
        }
    }
}

// ---- the report ---------------------------------------------------------------------------------

/// How well a group's output matches B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every element equal (a NaN meeting a NaN, −0 meeting +0).
    Exact,
    /// Not equal, but within the float rounding bound of the group's plan ([`Group::tolerance`]).
    WithinRounding,
    /// Beyond the rounding bound, but within the absolute tolerance the caller gave
    /// ([`IdentifyOptions::abs_tolerance`]): B's values were rounded or printed with few digits.
    WithinTolerance,
    /// Beyond both: a different computation.
    Differs,
}

impl Verdict {
    /// Whether the group explains B (exactly, within float rounding, or within the caller's
    /// tolerance).
    pub fn reproduces(self) -> bool {
        self != Verdict::Differs
    }

    /// `exact`, `within float rounding`, `within the given tolerance` or `differs`.
    pub fn describe(self) -> &'static str {
        match self {
            Verdict::Exact => "exact",
            Verdict::WithinRounding => "within float rounding",
            Verdict::WithinTolerance => "within the given tolerance",
            Verdict::Differs => "differs",
        }
    }
}

/// One candidate of a group: a named preset with its target, or a portable spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    /// The preset name and target (`torch.bilinear size=10x12`) or `portable` and the spec.
    pub label: String,
    /// The named preset, for preset members.
    pub preset: Option<String>,
    /// The framework of a named preset (`torch`, `tf`, `coreml`, …).
    pub framework: Option<String>,
    /// The target a named preset was given: `size=HxW`, `scale=SH,SW` or `block=B`.
    pub target: Option<String>,
    /// The call to write, with its values.
    pub call: String,
    /// The portable spec, for portable members.
    pub portable: Option<ResizeSpec>,
    /// This member's own float rounding bound (see [`Group::tolerance`]).
    pub tolerance: f64,
    /// The target a named preset was given, to build it again.
    #[serde(skip)]
    target_value: Option<Target>,
}

impl Member {
    /// The recorded framework call of a named-preset member, for an input `[n, c, h, w]` (the
    /// one identified); `None` for portable members.
    pub fn recorded_call(&self, input: [usize; 4]) -> Option<crate::presets::Call> {
        let (name, target) = (self.preset.as_ref()?, self.target_value?);
        named::by_name(name)
            .ok()?
            .call(&Request {
                target,
                input,
                attributes: &[],
            })
            .ok()
    }

    /// Builds this member's operation again, for an input `[n, c, h, w]` (the one identified).
    pub fn operation(&self, input: [usize; 4]) -> Result<Operation> {
        match (&self.preset, self.target_value, &self.portable) {
            (Some(name), Some(target), _) => named::by_name(name)?.build(&Request {
                target,
                input,
                attributes: &[],
            }),
            (_, _, Some(spec)) => Ok(Operation::from(spec.clone())),
            _ => Err(Error::unsupported(format!(
                "{}: neither a named preset nor a portable spec",
                self.label
            ))),
        }
    }
}

/// Where the largest error of a group is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Location {
    /// The index in B, in B's layout.
    pub index: [usize; 4],
    /// The same element as `[n, c, h, w]`.
    pub nchw: [usize; 4],
    /// Whether it lies on the first or last row or column of the output.
    pub on_border: bool,
    /// B's value there.
    pub expected: f32,
    /// The group's value there (after rounding to B's storage).
    pub got: f32,
}

/// Candidates whose outputs are bit-identical, and how that output compares with B.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// Exact, within rounding, or differs.
    pub verdict: Verdict,
    /// `max |output − B|` (infinite when a NaN meets a number).
    pub max_abs_error: f64,
    /// The mean of `|output − B|` over B's elements (infinite when a NaN meets a number; 0 when
    /// B is empty). Groups with the same max |error| are ranked by it.
    pub mean_abs_error: f64,
    /// The float rounding bound: the largest of the members' bounds (they compute the same
    /// output, so B is explained within rounding as soon as one member's own evaluation order
    /// could have produced it). 0 for gathers (nearest) and pixel shuffles, which copy values.
    pub tolerance: f64,
    /// The first element with the largest error (`None` when B is empty).
    pub worst: Option<Location>,
    /// The largest error on the first and last rows and columns.
    pub max_border_error: f64,
    /// The largest error elsewhere.
    pub max_interior_error: f64,
    /// How many elements lie beyond `tolerance`.
    pub elements_beyond_tolerance: usize,
    /// How many elements B has.
    pub elements: usize,
    /// The equivalent candidates: named presets first (in the registry's order), then portable
    /// specs.
    pub members: Vec<Member>,
    /// On 8- and 16-bit tensors: the output was computed in float32 and rounded by halfpixel,
    /// because the group's calls have no integer arithmetic halfpixel reproduces. Such a group
    /// is at best [`Verdict::WithinRounding`], never exact: the framework's own integer result
    /// may differ.
    pub float_rounded: bool,
}

impl Group {
    /// The distinct named presets of the group, in order.
    pub fn preset_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for m in &self.members {
            if let Some(p) = m.preset.as_deref() {
                if !names.contains(&p) {
                    names.push(p);
                }
            }
        }
        names
    }
}

/// A candidate that could not run (it is left out of the groups).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The candidate's label.
    pub label: String,
    /// Why.
    pub reason: String,
}

/// What the widened search added (see [`IdentifyOptions::widen`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Widening {
    /// The round scale factors tried, most plausible first ([`candidates::round_scales`]).
    pub scales: Vec<[f64; 2]>,
    /// Round scale factors not tried because the work budget ([`WIDEN_BUDGET`]) was spent
    /// (a large input reduced to a few pixels has thousands of them); give `--scale` instead.
    pub scales_left_out: usize,
    /// The cubic coefficients fitted to B and tried.
    pub cubic_coeff_a: Vec<f64>,
}

/// Everything [`identify`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// A's shape, in its layout.
    pub input_shape: [usize; 4],
    /// B's shape, in its layout.
    pub output_shape: [usize; 4],
    /// The layout of both.
    pub layout: Layout,
    /// How A was stored.
    pub input_storage: Storage,
    /// How B was stored.
    pub output_storage: Storage,
    /// The machine epsilon of the arithmetic assumed for the framework: float16's when A or B is
    /// float16, float32's otherwise.
    pub epsilon: f64,
    /// The scale hint given.
    pub scale_hint: Option<[f64; 2]>,
    /// How many candidates were tried.
    pub candidates: usize,
    /// How many distinct tap tables (or block rearrangements) were run.
    pub runs: usize,
    /// What the widened search added, when it ran.
    pub widened: Option<Widening>,
    /// Every distinct output: the groups that reproduce B first, then the others; within each by
    /// max |error|, then mean |error|.
    pub groups: Vec<Group>,
    /// The largest finite |value| of B: the scale against which a near miss is judged.
    pub max_abs_output: f64,
    /// When nothing reproduces B: the groups (indices into `groups`) whose outputs agree with
    /// the nearest group's (the first) within float rounding — other calls that compute the
    /// same thing in another order, such as OpenCV's `INTER_AREA` and PyTorch's `area` on an
    /// integer reduction, named with it. Empty otherwise.
    pub agreeing_with_nearest: Vec<usize>,
    /// Candidates that could not run.
    pub skipped: Vec<Skipped>,
}

/// How far, relative to B's largest |value|, the nearest group may be off for
/// [`Report::near_miss`] to call it a near miss: 1 %.
pub const NEAR_MISS_RELATIVE: f64 = 0.01;

/// Nothing reproduces B, but the nearest group is off by little: B was probably rounded, printed
/// with few digits, or has noise ([`Report::near_miss`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NearMiss {
    /// The index of the group in [`Report::groups`] (the first: groups are ranked by error).
    pub group: usize,
    /// Its max |error|.
    pub max_abs_error: f64,
    /// Its mean |error|.
    pub mean_abs_error: f64,
    /// `max_abs_error` relative to B's largest |value| ([`Report::max_abs_output`]).
    pub relative_error: f64,
    /// The absolute tolerance that accepts the group: its max |error| rounded up to two
    /// significant digits ([`suggested_tolerance`]).
    pub abs_tolerance: f64,
}

/// `error` rounded up to two significant digits (`3.81e-3` → `3.9e-3`), a tolerance that
/// accepts it and reads well on a command line. 0 stays 0; a non-finite error has none.
pub fn suggested_tolerance(error: f64) -> Option<f64> {
    if !error.is_finite() || error < 0.0 {
        return None;
    }
    if error == 0.0 {
        return Some(0.0);
    }
    let exponent = error.log10().floor() as i32 - 1;
    let mut digits = (error / 10f64.powi(exponent)).ceil();
    loop {
        // Written and read back as text, the value must still be at least the error.
        let value: f64 = format!("{digits}e{exponent}").parse().ok()?;
        if value >= error {
            return Some(value);
        }
        digits += 1.0;
    }
}

impl Report {
    /// The nearest group when nothing reproduces B but it is off by at most
    /// [`NEAR_MISS_RELATIVE`] of B's largest |value|, with the tolerance that accepts it.
    /// `None` when some group reproduces B, or the nearest is further off.
    pub fn near_miss(&self) -> Option<NearMiss> {
        if self.reproduced() {
            return None;
        }
        let g = self.groups.first()?;
        let abs_tolerance = suggested_tolerance(g.max_abs_error)?;
        let relative_error = if self.max_abs_output > 0.0 {
            g.max_abs_error / self.max_abs_output
        } else {
            f64::INFINITY
        };
        (relative_error <= NEAR_MISS_RELATIVE).then_some(NearMiss {
            group: 0,
            max_abs_error: g.max_abs_error,
            mean_abs_error: g.mean_abs_error,
            relative_error,
            abs_tolerance,
        })
    }

    /// Whether some group reproduces B exactly or within float rounding.
    pub fn reproduced(&self) -> bool {
        self.groups.iter().any(|g| g.verdict.reproduces())
    }

    /// The groups that reproduce B.
    pub fn reproducing(&self) -> impl Iterator<Item = &Group> {
        self.groups.iter().filter(|g| g.verdict.reproduces())
    }

    /// One sentence saying what B is: "This is tf1.bilinear (exactly): call, a.k.a. …; also
    /// within float rounding: …" (headed by the best reproducing group that names a framework
    /// call), or that nothing reproduces it and how close the nearest candidate comes.
    pub fn summary(&self) -> String {
        let Some(best) = self.groups.first() else {
            return "No candidate could run.".into();
        };
        if !best.verdict.reproduces() {
            let names = best.preset_names();
            let mut nearest = match names.split_first() {
                Some((first, [])) => first.to_string(),
                Some((first, rest)) => format!("{first}, a.k.a. {}", rest.join(", ")),
                None => best
                    .members
                    .first()
                    .map_or("?", |m| m.label.as_str())
                    .to_string(),
            };
            let mut agreeing: Vec<&str> = Vec::new();
            for &k in &self.agreeing_with_nearest {
                for n in self.groups[k].preset_names() {
                    if !names.contains(&n) && !agreeing.contains(&n) {
                        agreeing.push(n);
                    }
                }
            }
            if !agreeing.is_empty() {
                nearest += &format!(", and within float rounding of it {}", agreeing.join(", "));
            }
            let near = match self.near_miss() {
                Some(n) => format!(
                    " A near miss ({:.2} % of B's largest value): B looks rounded, printed with \
                     few digits or noisy; a tolerance of {} accepts it.",
                    100.0 * n.relative_error,
                    format_tolerance(n.abs_tolerance)
                ),
                None => String::new(),
            };
            return format!(
                "Nothing reproduces B: no named preset or portable combination gives it exactly \
                 or within float rounding. Nearest: {nearest} (max |err| {}, mean {}, {} of {} \
                 elements beyond the rounding bound).{near}",
                format_error(best.max_abs_error),
                format_error(best.mean_abs_error),
                best.elements_beyond_tolerance,
                best.elements
            );
        }
        // The headline is the best group that names a framework call, if any does.
        let head = self
            .reproducing()
            .find(|g| !g.preset_names().is_empty())
            .unwrap_or(best);
        let names = head.preset_names();
        let how = match head.verdict {
            Verdict::Exact => "exactly",
            Verdict::WithinTolerance => "within the given tolerance",
            _ => "within float rounding",
        };
        let mut s = match names.first() {
            Some(first) => {
                let call = head
                    .members
                    .iter()
                    .find(|m| m.preset.as_deref() == Some(*first))
                    .map_or("", |m| m.call.as_str());
                format!("This is {first} ({how}): {call}")
            }
            None => format!(
                "This is the portable spec {} ({how}); no named preset reproduces B",
                head.members.first().map_or("?", |m| m.call.as_str())
            ),
        };
        if names.len() > 1 {
            s += &format!(", a.k.a. {}", names[1..].join(", "));
        }
        let mut others: Vec<&str> = Vec::new();
        for g in self.reproducing() {
            for n in g.preset_names() {
                if !names.contains(&n) && !others.contains(&n) {
                    others.push(n);
                }
            }
        }
        if !others.is_empty() {
            let also = if head.verdict == Verdict::WithinTolerance {
                "within the given tolerance"
            } else {
                "within float rounding"
            };
            s += &format!("; also {also}: {}", others.join(", "));
        }
        s + "."
    }
}

/// An error in a short form: `0`, `3.1e-7`.
pub fn format_error(e: f64) -> String {
    if e == 0.0 {
        "0".into()
    } else if e.is_infinite() {
        "inf (NaN against a number)".into()
    } else {
        format!("{e:.3e}")
    }
}

/// A tolerance as it is written on a command line: `3.9e-3`, `0.25e0` is `2.5e-1`.
pub fn format_tolerance(t: f64) -> String {
    format!("{t:e}")
}

// ---- the rounding bound -------------------------------------------------------------------------

/// Tap count and largest Σ|w| of an axis.
fn axis_sums(axis: &AxisPlan) -> (usize, f64) {
    let sum = (0..axis.out_len())
        .map(|o| axis.taps(o).1.iter().map(|w| w.abs() as f64).sum::<f64>())
        .fold(0.0, f64::max);
    (axis.width(), sum)
}

/// The float rounding bound of a plan: how far two float evaluations of the same weighted sums
/// can be apart.
///
/// For an output `Σ_j wy_j · Σ_i wx_i · x_ij` with `Tw` taps along the width and `Th` along the
/// height, each evaluation rounds every weight, every product and every partial sum once: at most
/// `(Tw + 1)` roundings of relative size `u = ε/2` in each inner sum and `(Th + 1)` in the outer
/// one, so its error is below `(Th + Tw + 2) · u · max|x| · Σ|wy| · Σ|wx|` (to first order),
/// whatever the summation order. A framework (PyTorch, TF, ONNX's float64 reference, …) is one
/// such evaluation and halfpixel another, so the two are at most twice that apart:
///
/// `k · ε · max|x| · max Σ|wy| · max Σ|wx|` with `k = Th + Tw + 2` (the tap count + 2),
///
/// with `max|x|` over A's finite values (and the extrapolation value) and ε the epsilon of the
/// arithmetic assumed (float32, or float16 when A or B is float16). A float16 B adds one more
/// step of rounding (the store), so `k` grows by 1; an integer B is compared after rounding to
/// integers, one step apart at most beyond the float bound. Plans that only copy values
/// (nearest on both axes) have no rounding at all: their bound is 0.
///
/// Differences in how a framework *computes its weights* (float32 coordinates against float64,
/// TF's 1/1024 bicubic table) are not rounding of the same sums: they are semantics, and show as
/// [`Verdict::Differs`] against presets that do not share them.
pub fn rounding_bound(
    plan: &ResizePlan,
    max_abs_input: f64,
    epsilon: f64,
    storage: Storage,
) -> f64 {
    if plan.h.is_gather() && plan.w.is_gather() {
        return 0.0;
    }
    let (th, sh) = axis_sums(&plan.h);
    let (tw, sw) = axis_sums(&plan.w);
    let store = match storage {
        Storage::Float16 => 1.0,
        _ => 0.0,
    };
    let k = (th + tw + 2) as f64 + store;
    let m = max_abs_input.max((plan.extrapolation_value as f64).abs());
    let bound = k * epsilon * m * sh.max(1.0) * sw.max(1.0);
    match storage {
        Storage::Integer { .. } => bound + 1.0,
        _ => bound,
    }
}

// ---- comparing one output with B ----------------------------------------------------------------

/// The geometry of the output, to tell border elements from interior ones: the output is a
/// sequence of lines (one row of one channel in NCHW, one row of all channels in NHWC).
#[derive(Debug, Clone, Copy)]
struct Geometry {
    /// Elements per line.
    line: usize,
    /// Elements per pixel within a line (1 in NCHW, C in NHWC).
    pixel: usize,
    /// Output height: line `l` is row `l % height`.
    height: usize,
    /// The output shape in its layout.
    shape: [usize; 4],
    layout: Layout,
}

impl Geometry {
    fn new(shape: [usize; 4], layout: Layout) -> Geometry {
        let [_, c, h, w] = layout.nchw(shape);
        let (line, pixel) = match layout {
            Layout::Nchw => (w, 1),
            Layout::Nhwc => (w * c, c),
        };
        Geometry {
            line,
            pixel,
            height: h,
            shape,
            layout,
        }
    }

    /// The layout index and the `[n, c, h, w]` index of flat element `f`.
    fn index(&self, f: usize) -> ([usize; 4], [usize; 4]) {
        let mut rest = f;
        let mut index = [0; 4];
        for d in (0..4).rev() {
            index[d] = rest % self.shape[d].max(1);
            rest /= self.shape[d].max(1);
        }
        let nchw = match self.layout {
            Layout::Nchw => index,
            Layout::Nhwc => [index[0], index[3], index[1], index[2]],
        };
        (index, nchw)
    }

    fn on_border(&self, nchw: [usize; 4]) -> bool {
        let [_, _, oh, ow] = self.layout.nchw(self.shape);
        nchw[2] == 0 || nchw[2] + 1 == oh || nchw[3] == 0 || nchw[3] + 1 == ow
    }
}

/// Error statistics of one output against B.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stats {
    max: f64,
    /// Σ |error| (infinite when a NaN meets a number).
    sum: f64,
    worst: usize,
    worst_got: f32,
    border: f64,
    interior: f64,
    beyond: usize,
}

/// Largest error of a segment, its first position, the count beyond `tol`, and the sum of the
/// errors.
fn scan(got: &[f32], expected: &[f32], base: usize, tol: f64) -> (f64, usize, usize, f64) {
    let (mut max, mut arg, mut beyond, mut sum) = (0.0f64, base, 0usize, 0.0f64);
    for (i, (&g, &e)) in got.iter().zip(expected).enumerate() {
        let mut d = (g as f64 - e as f64).abs();
        if d.is_nan() {
            d = element_error(e, g);
        }
        if d > max {
            max = d;
            arg = base + i;
        }
        if d > tol {
            beyond += 1;
        }
        sum += d;
    }
    (max, arg, beyond, sum)
}

fn compare(got: &[f32], expected: &[f32], geo: &Geometry, tol: f64) -> Stats {
    let mut stats = Stats {
        max: 0.0,
        sum: 0.0,
        worst: 0,
        worst_got: got.first().copied().unwrap_or(f32::NAN),
        border: 0.0,
        interior: 0.0,
        beyond: 0,
    };
    if geo.line == 0 {
        return stats;
    }
    let mut take = |seg: (f64, usize, usize, f64), border: bool| {
        let (max, arg, beyond, sum) = seg;
        stats.beyond += beyond;
        stats.sum += sum;
        if border {
            stats.border = stats.border.max(max);
        } else {
            stats.interior = stats.interior.max(max);
        }
        if max > stats.max || (max == stats.max && max > 0.0 && arg < stats.worst) {
            stats.max = max;
            stats.worst = arg;
        }
    };
    let p = geo.pixel;
    for (l, (g, e)) in got
        .chunks(geo.line)
        .zip(expected.chunks(geo.line))
        .enumerate()
    {
        let base = l * geo.line;
        let row = l % geo.height.max(1);
        if row == 0 || row + 1 == geo.height || g.len() <= 2 * p {
            take(scan(g, e, base, tol), true);
        } else {
            let n = g.len();
            take(scan(&g[..p], &e[..p], base, tol), true);
            take(scan(&g[p..n - p], &e[p..n - p], base + p, tol), false);
            take(scan(&g[n - p..], &e[n - p..], base + n - p, tol), true);
        }
    }
    stats.worst_got = got[stats.worst];
    stats
}

/// A 64-bit fingerprint of an output: values compared as values (every NaN alike, −0 as +0).
/// Equal fingerprints are only a hint; outputs are compared again before being grouped.
fn fingerprint(values: &[f32]) -> u64 {
    const K: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0x85EB_CA77_C2B2_AE63,
    ];
    let canon = |v: f32| -> u64 {
        if v == 0.0 {
            0
        } else if v.is_nan() {
            0x7fc0_0000
        } else {
            v.to_bits() as u64
        }
    };
    let mut lanes = K;
    let mut chunks = values.chunks_exact(4);
    for c in &mut chunks {
        for (lane, (&v, &k)) in lanes.iter_mut().zip(c.iter().zip(&K)) {
            *lane = (*lane ^ canon(v)).wrapping_mul(k).rotate_left(31);
        }
    }
    for (&v, lane) in chunks.remainder().iter().zip(lanes.iter_mut()) {
        *lane = (*lane ^ canon(v)).wrapping_mul(K[0]).rotate_left(31);
    }
    let mut h = values.len() as u64;
    for (lane, k) in lanes.iter().zip(K) {
        h = (h ^ lane).wrapping_mul(k).rotate_left(27);
    }
    h ^ (h >> 29)
}

/// Whether two outputs are equal as values (NaN meets NaN, −0 meets +0).
fn same_values(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

// ---- the engine ---------------------------------------------------------------------------------

/// Everything the runs share.
struct Context<'a> {
    input: CowArray<'a, f32, Ix4>,
    expected: CowArray<'a, f32, Ix4>,
    layout: Layout,
    desc: InputDesc,
    geometry: Geometry,
    max_abs_input: f64,
    epsilon: f64,
    storage: Storage,
    /// [`IdentifyOptions::abs_tolerance`].
    abs_tolerance: f64,
    /// When A and B are both 8-bit (or both 16-bit) integers: their type, and A in it. Calls
    /// with integer arithmetic of their own then run it ([`ExactPlan`]s).
    integer: Option<(ElementType, Tensor4)>,
}

impl Context<'_> {
    fn expected(&self) -> &[f32] {
        self.expected
            .as_slice()
            .expect("B was made standard-layout when the context was built")
    }

    /// Runs an operation and rounds its output to B's storage.
    fn run(&self, class: &Class) -> Result<Array4<f32>> {
        if let (Some(plan), Some((_, typed))) = (&class.exact, &self.integer) {
            let out = match typed {
                Tensor4::U8(a) => separable::run(plan, a.view(), self.layout)?,
                Tensor4::U16(a) => separable::run(plan, a.view(), self.layout)?,
                Tensor4::F32(a) => separable::run(plan, a.view(), self.layout)?,
            };
            return Ok(standard(out.to_f32()));
        }
        let input = self.input.view();
        let mut out = match &class.kernel {
            // A call with its own float arithmetic (Pillow's float64 F mode) runs through the
            // operation, which runs that arithmetic; its kernel still gives the bound.
            Some(kernel) if !class.own_arithmetic => kernel.run(input)?,
            _ => class.op.run_cpu(input, self.layout)?,
        };
        if self.storage != Storage::Float32 {
            out.mapv_inplace(|v| self.storage.round(v));
        }
        Ok(standard(out))
    }
}

/// The array in standard (C) layout, copied only when it is not.
fn standard(a: Array4<f32>) -> Array4<f32> {
    if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    }
}

/// Runs `f`, turning a panic into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error::unsupported(format!("the run panicked: {msg}")))
    })
}

/// Candidates with equal tap tables (or the same block rearrangement): one run for all.
struct Class {
    op: Operation,
    kernel: Option<Arc<ResizeKernel>>,
    /// The call's own integer arithmetic, on integer tensors.
    exact: Option<Arc<ExactPlan>>,
    /// Computed in float32 and rounded by halfpixel (integer tensors, no integer arithmetic).
    float_rounded: bool,
    /// The call computes float32 input with its own arithmetic
    /// ([`crate::ResizePlanner::exact_f32_plan`]), not its kernel's: it shares a class only
    /// with the same call.
    own_arithmetic: bool,
    tolerance: f64,
    members: Vec<usize>,
    result: Option<std::result::Result<(Stats, u64), String>>,
}

/// What identifies a class: the plan's tables (and the call, for one with its own arithmetic),
/// or the rearrangement.
fn class_hash(op: &Operation, kernel: Option<&ResizeKernel>, own_arithmetic: bool) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if own_arithmetic {
        op.describe().hash(&mut h);
    }
    match (op, kernel) {
        (_, Some(k)) => {
            let plan = k.plan();
            for axis in [&plan.h, &plan.w] {
                (axis.in_len(), axis.out_len(), axis.width()).hash(&mut h);
                axis.counts().hash(&mut h);
                axis.index_table().hash(&mut h);
                for w in axis.weight_table() {
                    w.to_bits().hash(&mut h);
                }
                axis.extrapolation_flags().hash(&mut h);
            }
            plan.extrapolation_value.to_bits().hash(&mut h);
            plan.batch_index.hash(&mut h);
        }
        (Operation::DepthToSpace(b), None) => (0u8, b).hash(&mut h),
        (Operation::SpaceToDepth(b), None) => (1u8, b).hash(&mut h),
        (Operation::Resize(_), None) => 2u8.hash(&mut h),
    }
    h.finish()
}

fn same_class(
    a: &Class,
    op: &Operation,
    kernel: Option<&ResizeKernel>,
    exact: Option<&ExactPlan>,
    float_rounded: bool,
    own_arithmetic: bool,
) -> bool {
    if a.exact.as_deref() != exact || a.float_rounded != float_rounded {
        return false;
    }
    if a.own_arithmetic || own_arithmetic {
        return a.own_arithmetic == own_arithmetic && a.op.describe() == op.describe();
    }
    match (&a.kernel, kernel) {
        (Some(x), Some(y)) => x.plan() == y.plan(),
        (None, None) => match (&a.op, op) {
            (Operation::DepthToSpace(x), Operation::DepthToSpace(y))
            | (Operation::SpaceToDepth(x), Operation::SpaceToDepth(y)) => x == y,
            _ => false,
        },
        _ => false,
    }
}

struct Engine<'a> {
    ctx: Context<'a>,
    candidates: Vec<Candidate>,
    labels: HashSet<String>,
    classes: Vec<Class>,
    by_hash: HashMap<u64, Vec<usize>>,
    skipped: Vec<Skipped>,
}

impl<'a> Engine<'a> {
    /// Adds candidates not seen yet, joining the class of an equal plan or opening a new one.
    fn add(&mut self, candidates: Vec<Candidate>) {
        for c in candidates {
            let label = c.label();
            if !self.labels.insert(label.clone()) {
                continue;
            }
            let kernel = match &c.op {
                Operation::Resize(r) => match r.kernel(&self.ctx.desc) {
                    Ok(k) => Some(k),
                    Err(e) => {
                        self.skipped.push(Skipped {
                            label,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                },
                _ => None,
            };
            // On float tensors: whether the call has float arithmetic of its own.
            let own_arithmetic = match &c.op {
                Operation::Resize(r) if self.ctx.integer.is_none() => {
                    match r.planner().exact_f32_plan(&self.ctx.desc) {
                        Ok(plan) => plan.is_some(),
                        Err(e) => {
                            self.skipped.push(Skipped {
                                label,
                                reason: e.to_string(),
                            });
                            continue;
                        }
                    }
                }
                _ => false,
            };
            // On integer tensors, what the call itself computes.
            let (mut exact, mut float_rounded) = (None, false);
            if let (Some((ty, _)), Operation::Resize(r)) = (&self.ctx.integer, &c.op) {
                match r.planner().integer_path(&self.ctx.desc, *ty) {
                    Ok(IntegerPath::Exact(plan)) => exact = Some(plan),
                    Ok(IntegerPath::Gather) => {}
                    Ok(IntegerPath::FloatOutput) => {
                        self.skipped.push(Skipped {
                            label,
                            reason: format!("gives float32 for {ty} input, and B is {ty}"),
                        });
                        continue;
                    }
                    Err(Error::Unsupported { .. }) => float_rounded = true,
                    Err(e) => {
                        self.skipped.push(Skipped {
                            label,
                            reason: e.to_string(),
                        });
                        continue;
                    }
                }
            }
            let index = self.candidates.len();
            let mut hash = class_hash(&c.op, kernel.as_deref(), own_arithmetic);
            if exact.is_some() || float_rounded {
                // Equal float tables, different integer arithmetic: apart.
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (hash, float_rounded, format!("{exact:?}")).hash(&mut h);
                hash = h.finish();
            }
            let bucket = self.by_hash.entry(hash).or_default();
            let existing = bucket.iter().copied().find(|&k| {
                same_class(
                    &self.classes[k],
                    &c.op,
                    kernel.as_deref(),
                    exact.as_deref(),
                    float_rounded,
                    own_arithmetic,
                )
            });
            match existing {
                Some(k) => self.classes[k].members.push(index),
                None => {
                    // The framework's own integer arithmetic is exact or wrong: no bound.
                    let tolerance = match (&exact, &kernel) {
                        (Some(_), _) | (None, None) => 0.0,
                        (None, Some(k)) => rounding_bound(
                            k.plan(),
                            self.ctx.max_abs_input,
                            self.ctx.epsilon,
                            self.ctx.storage,
                        ),
                    };
                    bucket.push(self.classes.len());
                    self.classes.push(Class {
                        op: c.op.clone(),
                        kernel,
                        exact,
                        float_rounded,
                        own_arithmetic,
                        tolerance,
                        members: vec![index],
                        result: None,
                    });
                }
            }
            self.candidates.push(c);
        }
    }

    /// Runs every class not run yet, in parallel, keeping statistics and a fingerprint.
    fn evaluate(&mut self) {
        let ctx = &self.ctx;
        self.classes
            .par_iter_mut()
            .filter(|c| c.result.is_none())
            .for_each(|class| {
                let result = guarded(|| ctx.run(class)).map(|out| {
                    let got = out.as_slice().expect("standard layout");
                    (
                        compare(got, ctx.expected(), &ctx.geometry, class.tolerance),
                        fingerprint(got),
                    )
                });
                class.result = Some(result.map_err(|e| e.to_string()));
            });
    }

    /// Splits classes with equal fingerprints into sets of truly equal outputs.
    fn partition(&self, classes: &[usize]) -> Vec<Vec<usize>> {
        if classes.len() == 1 {
            return vec![classes.to_vec()];
        }
        let mut left: Vec<usize> = classes.to_vec();
        let mut sets = Vec::new();
        while let Some(&first) = left.first() {
            let reference = guarded(|| self.ctx.run(&self.classes[first]));
            let Ok(reference) = reference else {
                // Cannot rerun: keep it apart rather than claim equality.
                sets.push(vec![first]);
                left.remove(0);
                continue;
            };
            let r = reference.as_slice().expect("standard layout");
            let equal: Vec<bool> = left[1..]
                .par_iter()
                .map(|&k| {
                    guarded(|| self.ctx.run(&self.classes[k]))
                        .is_ok_and(|o| same_values(r, o.as_slice().expect("standard layout")))
                })
                .collect();
            let mut set = vec![first];
            let mut rest = Vec::new();
            for (&k, eq) in left[1..].iter().zip(equal) {
                if eq {
                    set.push(k);
                } else {
                    rest.push(k);
                }
            }
            sets.push(set);
            left = rest;
        }
        sets
    }

    /// The groups: classes with equal outputs together, ranked, each with the class that speaks
    /// for it.
    fn groups(&mut self) -> Vec<(Group, usize)> {
        let mut skipped = Vec::new();
        let mut by_print: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut order: Vec<u64> = Vec::new();
        for (k, class) in self.classes.iter().enumerate() {
            match &class.result {
                Some(Ok((_, print))) => {
                    let entry = by_print.entry(*print).or_default();
                    if entry.is_empty() {
                        order.push(*print);
                    }
                    entry.push(k);
                }
                Some(Err(reason)) => {
                    for &m in &class.members {
                        skipped.push(Skipped {
                            label: self.candidates[m].label(),
                            reason: reason.clone(),
                        });
                    }
                }
                None => {}
            }
        }
        let mut groups: Vec<(usize, usize, Group)> = Vec::new();
        for print in order {
            for set in self.partition(&by_print[&print]) {
                groups.push(self.group_of(&set));
            }
        }
        groups.sort_by_key(|(ia, _, a)| rank(a, *ia));
        for s in skipped {
            if !self.skipped.contains(&s) {
                self.skipped.push(s);
            }
        }
        groups.into_iter().map(|(_, rep, g)| (g, rep)).collect()
    }

    /// One group from a set of classes with equal outputs, its first candidate's index, and the
    /// class that speaks for it.
    fn group_of(&self, set: &[usize]) -> (usize, usize, Group) {
        // The class with the largest bound speaks for the group (same output, most lenient
        // legitimate evaluation).
        let rep = *set
            .iter()
            .max_by(|&&a, &&b| {
                self.classes[a]
                    .tolerance
                    .total_cmp(&self.classes[b].tolerance)
                    .then(b.cmp(&a))
            })
            .expect("a set is never empty");
        let class = &self.classes[rep];
        let Some(Ok((stats, _))) = &class.result else {
            unreachable!("only evaluated classes are grouped")
        };
        let mut members: Vec<(bool, usize, f64)> = set
            .iter()
            .flat_map(|&k| {
                let t = self.classes[k].tolerance;
                self.classes[k].members.iter().map(move |&m| (m, t))
            })
            .map(|(m, t)| {
                let portable = matches!(self.candidates[m].origin, Origin::Portable(_));
                (portable, m, t)
            })
            .collect();
        members.sort_by_key(|&(portable, m, _)| (portable, m));
        let first = members.iter().map(|m| m.1).min().unwrap_or(0);
        let elements = self.ctx.expected().len();
        let worst = (elements > 0).then(|| {
            let (index, nchw) = self.ctx.geometry.index(stats.worst);
            Location {
                index,
                nchw,
                on_border: self.ctx.geometry.on_border(nchw),
                expected: self.ctx.expected()[stats.worst],
                got: stats.worst_got,
            }
        });
        let verdict = if stats.max == 0.0 && !class.float_rounded {
            Verdict::Exact
        } else if stats.max <= class.tolerance {
            Verdict::WithinRounding
        } else if stats.max <= self.ctx.abs_tolerance {
            Verdict::WithinTolerance
        } else {
            Verdict::Differs
        };
        let group = Group {
            verdict,
            max_abs_error: stats.max,
            mean_abs_error: if elements == 0 {
                0.0
            } else {
                stats.sum / elements as f64
            },
            tolerance: class.tolerance,
            worst,
            max_border_error: stats.border,
            max_interior_error: stats.interior,
            elements_beyond_tolerance: stats.beyond,
            elements,
            members: members
                .into_iter()
                .map(|(_, m, t)| member(&self.candidates[m], t))
                .collect(),
            float_rounded: class.float_rounded,
        };
        (first, rep, group)
    }

    /// When nothing reproduces B: the groups (indices into `groups`) whose outputs agree with the
    /// nearest group's within float rounding (the larger of the two bounds) — the same
    /// computation in another evaluation order, such as OpenCV's and PyTorch's area on an
    /// integer reduction. Only groups whose error could allow it are rerun (if two outputs lie
    /// within t of each other, their errors against B differ by at most t), at most
    /// [`NEAREST_RERUNS`].
    fn agreeing_with_nearest(&self, groups: &[(Group, usize)]) -> Vec<usize> {
        let Some((nearest, nearest_class)) = groups.first() else {
            return Vec::new();
        };
        if nearest.verdict.reproduces() || !nearest.max_abs_error.is_finite() {
            return Vec::new();
        }
        let candidates: Vec<usize> = (1..groups.len())
            .filter(|&k| {
                let g = &groups[k].0;
                let t = g.tolerance.max(nearest.tolerance);
                (g.max_abs_error - nearest.max_abs_error).abs() <= t
            })
            .take(NEAREST_RERUNS)
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let Ok(reference) = guarded(|| self.ctx.run(&self.classes[*nearest_class])) else {
            return Vec::new();
        };
        let r = reference.as_slice().expect("standard layout");
        candidates
            .into_par_iter()
            .filter(|&k| {
                let (g, class) = &groups[k];
                let t = g.tolerance.max(nearest.tolerance);
                guarded(|| self.ctx.run(&self.classes[*class])).is_ok_and(|o| {
                    let o = o.as_slice().expect("standard layout");
                    o.iter().zip(r).all(|(&x, &y)| element_error(y, x) <= t)
                })
            })
            .collect()
    }
}

/// The order of groups: those that reproduce B first, then the others; within each, by the size
/// of the error: max |error|, then mean |error|, then the verdict (exact before float-rounded
/// integer outputs). Ties keep the candidates' order.
///
/// The size of the error, not how many elements exceed a bound: the bound of a differing group
/// is its float rounding, so with noise in B every element of the true call exceeds it, and a
/// count would rank the true call behind candidates hundreds of times worse. A group off at a few
/// elements only (a corrupted value, an edge rule) is pointed out by the command line's hints
/// instead.
fn rank(g: &Group, first: usize) -> (bool, u64, u64, Verdict, usize) {
    let reproduces = g.verdict.reproduces();
    // Non-negative floats order like their bits.
    let max = g.max_abs_error.max(0.0).to_bits();
    let mean = g.mean_abs_error.max(0.0).to_bits();
    (!reproduces, max, mean, g.verdict, first)
}

fn member(c: &Candidate, tolerance: f64) -> Member {
    match &c.origin {
        Origin::Named { preset, target } => Member {
            label: c.label(),
            preset: Some(preset.name.to_string()),
            framework: Some(preset.framework.to_string()),
            target: Some(candidates::target_text(target)),
            call: c.call(),
            portable: None,
            tolerance,
            target_value: Some(*target),
        },
        Origin::Portable(spec) => Member {
            label: c.label(),
            preset: None,
            framework: None,
            target: None,
            call: c.call(),
            portable: Some(spec.clone()),
            tolerance,
            target_value: None,
        },
    }
}

// ---- shapes -------------------------------------------------------------------------------------

/// Why no resize, depth_to_space or space_to_depth turns `input` into `output` (both
/// `[n, c, h, w]`), or `None` when one can.
pub fn unconnected(input: [usize; 4], output: [usize; 4]) -> Option<String> {
    if input.contains(&0) || output.contains(&0) {
        return Some("a tensor with a zero-length axis has nothing to identify".into());
    }
    if !candidates::kinds_for(input, output).is_empty() {
        return None;
    }
    let [n, c, h, w] = input;
    let [on, oc, oh, ow] = output;
    if n != on {
        return Some(format!(
            "the batch changes ({n} → {on}); resizes and pixel shuffles keep it"
        ));
    }
    let block_hint = |big: usize, small: usize, verb: &str| {
        let channels = match (2..=big).find(|b| small * b * b == big) {
            Some(b) => format!("the channels give b = {b}"),
            None => format!("{big} = {small}·b² has no whole b"),
        };
        format!("{channels}, and the height ({h} → {oh}) and width ({w} → {ow}) must {verb} by b")
    };
    let why = if oc < c {
        format!(
            "the channels change ({c} → {oc}): a resize keeps them, and depth_to_space needs \
             C_in = C_out·b²: {}",
            block_hint(c, oc, "grow")
        )
    } else {
        format!(
            "the channels change ({c} → {oc}): a resize keeps them, and space_to_depth needs \
             C_out = C_in·b²: {}",
            block_hint(oc, c, "shrink")
        )
    };
    Some(why)
}

// ---- widening -----------------------------------------------------------------------------------

/// Per axis, the outputs whose taps the edge rule does not touch: the replicate and exclude
/// variants of `spec` read the same pixels with the same weights there.
fn edge_free(spec: &ResizeSpec, input_hw: [usize; 2]) -> Option<(Vec<bool>, Vec<bool>)> {
    let replicate = spec
        .clone()
        .with_exclude_outside(false)
        .plan(input_hw)
        .ok()?;
    let exclude = spec
        .clone()
        .with_exclude_outside(true)
        .plan(input_hw)
        .ok()?;
    let same = |a: &AxisPlan, b: &AxisPlan| -> Vec<bool> {
        (0..a.out_len())
            .map(|o| !a.is_extrapolated(o) && a.taps(o) == b.taps(o))
            .collect()
    };
    Some((
        same(&replicate.h, &exclude.h),
        same(&replicate.w, &exclude.w),
    ))
}

/// Calls `f(flat index)` for every element of the output whose row and column are both marked.
fn for_marked(geo: &Geometry, rows: &[bool], cols: &[bool], mut f: impl FnMut(usize)) {
    if geo.line == 0 {
        return;
    }
    let lines = geo.shape.iter().product::<usize>() / geo.line;
    for l in 0..lines {
        if !rows[l % geo.height] {
            continue;
        }
        for k in 0..geo.line {
            if cols[k / geo.pixel] {
                f(l * geo.line + k);
            }
        }
    }
}

/// Cubic coefficients fitted to B, on the grid of two decimals.
///
/// Every weight of a cubic resize is affine in its coefficient `a`, so a 2-D output (a product of
/// a height weight and a width weight) is quadratic in it: with the outputs `y₀, y₁, y₂` at
/// a = −0.5, −0.75, −1 and `s = (a + 0.5)/−0.25`,
/// `y(s) = y₀ + s·(y₁ − y₀) + s(s − 1)/2·(y₂ − 2y₁ + y₀)` exactly. One pass gathers the six sums
/// that make `Σ (B − y(s))²` a quartic in `s`, which is minimised over the two-decimal grid
/// −1.99 … −0.01. Only elements whose taps the edge rule (replicate or exclude) does not touch
/// are used, so the fit serves both edge rules.
///
/// The best coefficient is kept when the prediction there is within `(1 + Σ|Lₖ|)` rounding
/// bounds of B (B within one bound of the exact `y(a)`, each `yₖ` within half a bound, weighted
/// by the interpolation's coefficients `Lₖ`) — a cheap filter: a kept coefficient is then tried
/// like any other candidate, and counts only if it reproduces B. −0.75 and −0.5 (always tried)
/// are left out. Antialiased cubics are not fitted (their renormalised weights are not affine in
/// `a`); families with equal tap tables are fitted once.
fn fitted_cubic_coefficients(engine: &Engine<'_>) -> Vec<f64> {
    let ctx = &engine.ctx;
    let input_hw = [ctx.desc.dims[2], ctx.desc.dims[3]];
    let mut families: Vec<(ResizeSpec, ResizePlan)> = Vec::new();
    for c in &engine.candidates {
        let Origin::Portable(spec) = &c.origin else {
            continue;
        };
        if spec.mode != Mode::Cubic
            || spec.cubic_coeff_a != Some(-0.5)
            || spec.exclude_outside
            || spec.antialias
        {
            continue;
        }
        let Ok(plan) = spec.plan(input_hw) else {
            continue;
        };
        if !families.iter().any(|(_, p)| *p == plan) {
            families.push((spec.clone(), plan));
        }
    }
    let expected = ctx.expected();
    let fits: Vec<Option<f64>> = families
        .par_iter()
        .map(|(spec, plan)| {
            let (rows, cols) = edge_free(spec, input_hw)?;
            let bound = rounding_bound(plan, ctx.max_abs_input, ctx.epsilon, ctx.storage);
            let run = |a: f64| -> Option<Array4<f32>> {
                let op = Operation::from(spec.clone().with_cubic_coeff_a(a));
                guarded(|| op.run_cpu(ctx.input.view(), ctx.layout))
                    .ok()
                    .map(standard)
            };
            let (y0, y1, y2) = (run(-0.5)?, run(-0.75)?, run(-1.0)?);
            let (y0, y1, y2) = (y0.as_slice()?, y1.as_slice()?, y2.as_slice()?);
            // Per element: r = B − y₀, q = (y₁ − y₀) − d/2, w = d/2 with d = y₂ − 2y₁ + y₀,
            // so that B − y(s) = r − s·q − s²·w.
            let terms = |k: usize| -> Option<(f64, f64, f64)> {
                let (b, p0, p1, p2) =
                    (expected[k] as f64, y0[k] as f64, y1[k] as f64, y2[k] as f64);
                if !(b.is_finite() && p0.is_finite() && p1.is_finite() && p2.is_finite()) {
                    return None;
                }
                let d = p2 - 2.0 * p1 + p0;
                Some((b - p0, (p1 - p0) - d / 2.0, d / 2.0))
            };
            let mut sums = [0.0f64; 6]; // rr, rq, rw, qq, qw, ww
            for_marked(&ctx.geometry, &rows, &cols, |k| {
                if let Some((r, q, w)) = terms(k) {
                    for (acc, v) in sums
                        .iter_mut()
                        .zip([r * r, r * q, r * w, q * q, q * w, w * w])
                    {
                        *acc += v;
                    }
                }
            });
            let [rr, rq, rw, qq, qw, ww] = sums;
            if qq + ww <= 0.0 {
                return None; // a changes nothing where the fit can look
            }
            let objective = |s: f64| {
                rr - 2.0 * s * rq
                    + s * s * (qq - 2.0 * rw)
                    + 2.0 * s * s * s * qw
                    + s * s * s * s * ww
            };
            let to_s = |a: f64| (a + 0.5) / -0.25;
            let a = (1..200)
                .map(|k| -(k as f64) / 100.0)
                .min_by(|&x, &y| objective(to_s(x)).total_cmp(&objective(to_s(y))))?;
            let s = to_s(a);
            let (l0, l1, l2) = (
                1.0 - 1.5 * s + 0.5 * s * s,
                2.0 * s - s * s,
                0.5 * (s * s - s),
            );
            let mut worst = 0.0f64;
            for_marked(&ctx.geometry, &rows, &cols, |k| {
                if let Some((r, q, w)) = terms(k) {
                    worst = worst.max((r - s * q - s * s * w).abs());
                }
            });
            (worst <= (1.0 + l0.abs() + l1.abs() + l2.abs()) * bound).then_some(a)
        })
        .collect();
    let mut out: Vec<f64> = Vec::new();
    for a in fits.into_iter().flatten() {
        if a != -0.5 && a != -0.75 && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

// ---- the entry point ----------------------------------------------------------------------------

/// How much work the widened scale search may add, in element operations: each new tap table
/// costs one run over A and B (their element count), each new candidate [`CANDIDATE_COST`] for
/// building and planning it. About a third of a second of CPU: round scale factors are tried most
/// plausible first ([`candidates::round_scales`]) until it is spent, so a large input reduced to
/// a few pixels — thousands of plausible factors, each a full pass over the input — cannot turn
/// a question into an hour; the report says how many were left out.
pub const WIDEN_BUDGET: usize = 1 << 26;

/// How many groups [`Report::agreeing_with_nearest`] compares with the nearest at most.
pub const NEAREST_RERUNS: usize = 64;

/// What building and planning one candidate costs, in the element operations of
/// [`WIDEN_BUDGET`] (a few microseconds).
pub const CANDIDATE_COST: usize = 1 << 12;

/// Finds which named presets and portable specs turn `input` into `output` (both in `layout`).
///
/// Errors: [`Error::InvalidArgument`] naming the output shape when no resize, depth_to_space or
/// space_to_depth connects the shapes (with the reason), or when no candidate can produce the
/// output shape; or naming `abs_tolerance` when it is negative or not finite.
pub fn identify(
    input: ArrayView4<'_, f32>,
    output: ArrayView4<'_, f32>,
    layout: Layout,
    options: &IdentifyOptions,
) -> Result<Report> {
    let input_shape: [usize; 4] = input.dim().into();
    let output_shape: [usize; 4] = output.dim().into();
    let (in_dims, out_dims) = (layout.nchw(input_shape), layout.nchw(output_shape));
    let shape_error = |reason: String| {
        Error::invalid_argument(
            "output shape",
            format!("{output_shape:?}"),
            format!(
                "no resize or pixel shuffle turns the input {input_shape:?} into it ({}): {reason}",
                layout.name()
            ),
        )
    };
    if let Some(why) = unconnected(in_dims, out_dims) {
        return Err(shape_error(why));
    }
    if !(options.abs_tolerance.is_finite() && options.abs_tolerance >= 0.0) {
        return Err(Error::invalid_argument(
            "abs_tolerance",
            options.abs_tolerance,
            "must be a finite number of at least 0",
        ));
    }
    let half =
        options.input_storage == Storage::Float16 || options.output_storage == Storage::Float16;
    let epsilon = if half {
        half::f16::EPSILON.to_f64()
    } else {
        f32::EPSILON as f64
    };
    let max_abs_input = input
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs() as f64));
    let max_abs_output = output
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs() as f64));
    let ctx = Context {
        input: input.as_standard_layout(),
        expected: output.as_standard_layout(),
        layout,
        desc: InputDesc {
            dims: in_dims,
            layout,
        },
        geometry: Geometry::new(output_shape, layout),
        max_abs_input,
        epsilon,
        storage: options.output_storage,
        abs_tolerance: options.abs_tolerance,
        integer: match (
            options.input_storage.integer_type(),
            options.output_storage.integer_type(),
        ) {
            (Some(a), Some(b)) if a == b => Some((
                a,
                if a == ElementType::U8 {
                    Tensor4::U8(input.mapv(|v| v as u8))
                } else {
                    Tensor4::U16(input.mapv(|v| v as u16))
                },
            )),
            _ => None,
        },
    };
    let mut engine = Engine {
        ctx,
        candidates: Vec::new(),
        labels: HashSet::new(),
        classes: Vec::new(),
        by_hash: HashMap::new(),
        skipped: Vec::new(),
    };
    // The sizes' own ratio is also tried as an explicit scale: ONNX exporters write `scales`
    // (a float32 tensor) even when they mean out/in.
    let mut search = Search::from_hint(options.scale_hint);
    let ratio = [
        out_dims[2] as f64 / in_dims[2] as f64,
        out_dims[3] as f64 / in_dims[3] as f64,
    ];
    if !search.scales.contains(&ratio) {
        search.scales.push(ratio);
    }
    engine.add(candidates::search_candidates(
        in_dims, out_dims, layout, &search,
    ));
    if engine.candidates.is_empty() {
        let why = engine.skipped.first().map_or_else(
            || "no preset or portable spec produces this shape".to_string(),
            |s| format!("no candidate can produce it ({}: {})", s.label, s.reason),
        );
        return Err(shape_error(why));
    }
    engine.evaluate();
    let mut groups = engine.groups();
    let mut widened = None;
    if options.widen && !groups.iter().any(|(g, _)| g.verdict == Verdict::Exact) {
        let resize = candidates::kinds_for(in_dims, out_dims).contains(&(Kind::Resize, None));
        if resize {
            let cubic = fitted_cubic_coefficients(&engine);
            search.cubic_coeff_a = cubic.clone();
            if !cubic.is_empty() {
                engine.add(candidates::search_candidates(
                    in_dims, out_dims, layout, &search,
                ));
            }
            // Round scale factors, most plausible first, within the work budget.
            let scales =
                candidates::round_scales([in_dims[2], in_dims[3]], [out_dims[2], out_dims[3]]);
            let elements = input.len() + output.len();
            let (mut work, mut tried, mut left_out) = (0usize, Vec::new(), 0usize);
            for pair in scales {
                if work > WIDEN_BUDGET {
                    left_out += 1;
                    continue;
                }
                let (classes, members) = (engine.classes.len(), engine.candidates.len());
                let one = Search {
                    scales: vec![pair],
                    cubic_coeff_a: search.cubic_coeff_a.clone(),
                };
                engine.add(candidates::search_candidates(
                    in_dims, out_dims, layout, &one,
                ));
                let runs = engine.classes.len() - classes;
                let built = engine.candidates.len() - members;
                work = work
                    .saturating_add(runs.saturating_mul(elements))
                    .saturating_add(built.saturating_mul(CANDIDATE_COST));
                tried.push(pair);
            }
            engine.evaluate();
            groups = engine.groups();
            widened = Some(Widening {
                scales: tried,
                scales_left_out: left_out,
                cubic_coeff_a: cubic,
            });
        }
    }
    let agreeing_with_nearest = engine.agreeing_with_nearest(&groups);
    let groups: Vec<Group> = groups.into_iter().map(|(g, _)| g).collect();
    Ok(Report {
        agreeing_with_nearest,
        input_shape,
        output_shape,
        layout,
        input_storage: options.input_storage,
        output_storage: options.output_storage,
        epsilon,
        scale_hint: options.scale_hint,
        candidates: engine.candidates.len(),
        runs: engine.classes.len(),
        widened,
        groups,
        max_abs_output,
        skipped: engine.skipped,
    })
}
