//! Pillow 13.0.0's `Image.resize(size, resample)` (default `box`, `reducing_gap=None`): its
//! geometry and its arithmetic, as tap tables ([`AxisPlan`]) and exact plans ([`ExactPlan`]).
//!
//! Everything here follows the PyPI sdist of Pillow 13.0.0 (the GitHub snapshot before PR #9549
//! runs every resize horizontally first and is not 13.0.0):
//!
//! - `Image.py::Image.resize`: a `size` equal to the image's size returns `self.copy()` (no
//!   premultiply round trip); `RGBA` with any filter but `NEAREST` is converted to `RGBa`
//!   (premultiplied), resized, and converted back.
//! - `_imaging.c::_resize_impl`: `NEAREST` goes to `ImagingTransform(AFFINE)`, every other
//!   filter to `Resample.c::ImagingResample`.
//! - `Geometry.c::ImagingScaleAffine` (`NEAREST`): the source index of output `x` is the
//!   truncation of a running float64 sum, `xo = a0/2; idx = (int)xo; xo += a0` with
//!   `a0 = (double)(float)in / out` — not `floor((x + ½)·in/out)`; the sum's rounding drifts
//!   and is reproduced step by step ([`nearest_indices`]).
//! - `Resample.c::precompute_coeffs` ([`precompute_coeffs`]): float64 throughout; the filter is
//!   evaluated at `(x + xmin − center + 0.5) · (1/filterscale)` (a multiply by the reciprocal,
//!   not a division) and each weight divided by the sequential sum of the output's weights.
//! - `Resample.c` filters ([`Filter::kernel`]): `HAMMING` uses the float literals `0.54f` and
//!   `0.46f` promoted to double; `M_PI` and the C library's `sin`/`cos` (Rust's `f64::sin` calls
//!   the same libm on Linux).
//! - `Resample.c::normalize_coeffs_8bpc` ([`fixed_point`]): 8-bit coefficients are
//!   `(int)(w·2^22 ± 0.5)`, rounding half away from zero.
//! - `Resample.c::_ImagingResample{Horizontal,Vertical}_8bpc`: `ss = 2^21 + Σ v·k` in 32-bit
//!   integers, stored as `clip8(ss)`, i.e. `clamp(ss >> 22, 0, 255)`, after **each** pass.
//! - `Resample.c::_ImagingResample{Horizontal,Vertical}_32bpc` (mode `F`): `ss = 0.0` then
//!   `ss += (double)v · w` in tap order, stored as `(float)ss` after each pass.
//! - `Resample.c::ImagingResampleInner` ([`vertical_first`]): an unchanged axis gets no pass;
//!   the vertical pass runs first iff `(H − oh) > 0 && (H − oh) > 2·(W − ow)`.
//! - `Convert.c::rgbA2rgba` / `rgba2rgbA` ([`AlphaRule::PillowPremultiplied`]): colour times
//!   alpha with `MULDIV255`, and back with `min(255, ⌊255·c / a⌋)` except where alpha is 0 or
//!   255.
//!
//! The facts were established from those sources and checked bit for bit against Pillow
//! 13.0.0 on the real-data corpus and on randomized sweeps (L, RGB, RGBA and F, every filter,
//! both pass orders).

use super::separable::{
    Accumulate, AlphaRule, ArithmeticPlan, ExactPlan, Pass, PassAxis, PassTable, Rule,
    SeparablePlan, Store,
};
use super::{AxisPlan, Edge, ResizePlan, Taps, MAX_PLAN_TAPS};
use crate::error::{check_len, Error, Result};
use crate::tensor::ElementType;

/// `PRECISION_BITS` of Pillow's 8-bit path (`32 − 8 − 2`): coefficients are fixed point with 22
/// fractional bits.
pub const PRECISION_BITS: u32 = 22;

/// `M_PI` as Pillow's `Imaging.h` defines it (the double nearest π).
const M_PI: f64 = std::f64::consts::PI;

/// `Image.Resampling`: the `resample` filter of `Image.resize(size, resample)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Filter {
    /// `Image.Resampling.NEAREST` (0): a gather through `ImagingScaleAffine`.
    Nearest,
    /// `Image.Resampling.BOX` (4): support 0.5.
    Box,
    /// `Image.Resampling.BILINEAR` (2): the triangle, support 1.
    Bilinear,
    /// `Image.Resampling.HAMMING` (5): a Hamming-windowed sinc, support 1.
    Hamming,
    /// `Image.Resampling.BICUBIC` (3): Keys' cubic with `a = −0.5`, support 2.
    Bicubic,
    /// `Image.Resampling.LANCZOS` (1): Lanczos-3, support 3.
    Lanczos,
}

impl Filter {
    /// Every filter, in the order of Pillow's documentation.
    pub const ALL: [Filter; 6] = [
        Filter::Nearest,
        Filter::Box,
        Filter::Bilinear,
        Filter::Hamming,
        Filter::Bicubic,
        Filter::Lanczos,
    ];

    /// The name of `Image.Resampling.NAME`.
    pub fn name(self) -> &'static str {
        match self {
            Filter::Nearest => "NEAREST",
            Filter::Box => "BOX",
            Filter::Bilinear => "BILINEAR",
            Filter::Hamming => "HAMMING",
            Filter::Bicubic => "BICUBIC",
            Filter::Lanczos => "LANCZOS",
        }
    }

    /// The integer value of `Image.Resampling.NAME` (what `resample=` receives).
    pub fn value(self) -> i64 {
        match self {
            Filter::Nearest => 0,
            Filter::Lanczos => 1,
            Filter::Bilinear => 2,
            Filter::Bicubic => 3,
            Filter::Box => 4,
            Filter::Hamming => 5,
        }
    }

    /// The filter whose `Image.Resampling` value is `value`.
    pub fn from_value(value: i64) -> Option<Filter> {
        Filter::ALL.into_iter().find(|f| f.value() == value)
    }

    /// The filter named `name`: `BILINEAR`, `Image.BILINEAR`, `Image.Resampling.BILINEAR`,
    /// `PIL.Image.Resampling.BILINEAR` (any case).
    pub fn from_name(name: &str) -> Option<Filter> {
        let last = name.trim().rsplit('.').next().unwrap_or("");
        Filter::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(last))
    }

    /// `struct filter.support` of `Resample.c`; `None` for `NEAREST`, which is no convolution.
    pub fn support(self) -> Option<f64> {
        match self {
            Filter::Nearest => None,
            Filter::Box => Some(0.5),
            Filter::Bilinear | Filter::Hamming => Some(1.0),
            Filter::Bicubic => Some(2.0),
            Filter::Lanczos => Some(3.0),
        }
    }

    /// The filter at `x`, in float64 as `Resample.c` evaluates it (`box_filter`,
    /// `bilinear_filter`, `hamming_filter`, `bicubic_filter`, `lanczos_filter`); `None` for
    /// `NEAREST`.
    pub fn kernel(self, x: f64) -> Option<f64> {
        Some(match self {
            Filter::Nearest => return None,
            Filter::Box => {
                if x > -0.5 && x <= 0.5 {
                    1.0
                } else {
                    0.0
                }
            }
            Filter::Bilinear => {
                let x = x.abs();
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            Filter::Hamming => {
                let x = x.abs();
                if x == 0.0 {
                    1.0
                } else if x >= 1.0 {
                    0.0
                } else {
                    let x = x * M_PI;
                    // `0.54f + 0.46f * cos(x)`: float literals promoted to double.
                    x.sin() / x * (0.54f32 as f64 + 0.46f32 as f64 * x.cos())
                }
            }
            Filter::Bicubic => {
                const A: f64 = -0.5;
                let x = x.abs();
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    (((x - 5.0) * x + 8.0) * x - 4.0) * A
                } else {
                    0.0
                }
            }
            Filter::Lanczos => {
                if (-3.0..3.0).contains(&x) {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
                }
            }
        })
    }
}

/// `Resample.c::sinc_filter`.
fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else {
        let x = x * M_PI;
        x.sin() / x
    }
}

/// `(double)(float)n`: Pillow passes image sizes through `float` box coordinates, which round
/// sizes above 2^24.
fn via_f32(n: usize) -> f64 {
    n as f32 as f64
}

/// One axis's coefficients as `precompute_coeffs` computes them: for each output, the first
/// source index `xmin` and the float64 weights of the contiguous sources `xmin ..`, already
/// divided by their sum. Pillow's padding taps (beyond each output's count, weight 0) are not
/// stored: no path reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisCoefficients {
    in_len: usize,
    ksize: usize,
    first: Vec<usize>,
    offsets: Vec<usize>,
    weights: Vec<f64>,
}

impl AxisCoefficients {
    /// Input length of the axis.
    pub fn in_len(&self) -> usize {
        self.in_len
    }

    /// Output length of the axis.
    pub fn out_len(&self) -> usize {
        self.first.len()
    }

    /// Pillow's table stride: `ceil(support · max(in/out, 1)) · 2 + 1`, the most taps an output
    /// can have.
    pub fn ksize(&self) -> usize {
        self.ksize
    }

    /// Output `o`'s first source index and its weights (source `first + k` has weight `k`).
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn taps(&self, o: usize) -> (usize, &[f64]) {
        (
            self.first[o],
            &self.weights[self.offsets[o]..self.offsets[o + 1]],
        )
    }

    /// Output `o`'s 8-bit fixed-point coefficients ([`fixed_point`] of each weight).
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn fixed(&self, o: usize) -> Vec<i32> {
        self.taps(o).1.iter().map(|&w| fixed_point(w)).collect()
    }
}

/// `Resample.c::precompute_coeffs(inSize, 0, inSize, outSize, filter)`: the weights of a
/// convolution filter along one axis, in float64 exactly as Pillow computes them:
///
/// ```text
/// scale = (double)(float)in / out;  filterscale = max(scale, 1);  support = K.support · filterscale
/// center = (o + 0.5) · scale
/// xmin = max((int)(center − support + 0.5), 0);  xmax = min((int)(center + support + 0.5), in)
/// w[x] = K((x + xmin − center + 0.5) · (1.0 / filterscale)),  x in 0 .. xmax − xmin
/// w[x] /= (w[0] + w[1] + …)   (unless that sum is 0)
/// ```
///
/// Errors: a length of 0 or past [`MAX_AXIS_LEN`](crate::error::MAX_AXIS_LEN); `NEAREST`
/// (not a convolution: [`nearest_indices`]); more than [`MAX_PLAN_TAPS`] taps in all.
pub fn precompute_coeffs(
    filter: Filter,
    in_len: usize,
    out_len: usize,
) -> Result<AxisCoefficients> {
    check_len("input length", in_len)?;
    check_len("output length", out_len)?;
    let Some(support) = filter.support() else {
        return Err(Error::invalid_argument(
            "resample",
            filter.name(),
            "NEAREST has no convolution coefficients; it is a gather (nearest_indices)",
        ));
    };
    let scale = via_f32(in_len) / out_len as f64;
    let filterscale = scale.max(1.0);
    let support = support * filterscale;
    let ksize = support.ceil() as usize * 2 + 1;
    let inv_filterscale = 1.0 / filterscale;
    // Each output reads at most ksize sources, and about 2·support·in/out on average.
    let estimate = (out_len as f64 * (2.0 * support + 1.0)).min((out_len * ksize) as f64);
    if estimate > MAX_PLAN_TAPS as f64 {
        return Err(Error::SizeTooLarge {
            what: format!(
                "taps of Pillow's {} coefficients ({in_len} → {out_len})",
                filter.name()
            ),
            value: estimate as u128,
            limit: MAX_PLAN_TAPS as u128,
        });
    }
    let mut first = Vec::with_capacity(out_len);
    let mut offsets = Vec::with_capacity(out_len + 1);
    let mut weights: Vec<f64> = Vec::with_capacity(estimate as usize);
    offsets.push(0);
    for o in 0..out_len {
        let center = 0.0 + (o as f64 + 0.5) * scale;
        // C's (int) truncates toward zero.
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xmax = ((center + support + 0.5) as i64).min(in_len as i64);
        let count = xmax - xmin;
        if count < 1 {
            return Err(Error::invalid_argument(
                "Pillow coefficients",
                format!("output {o} of {in_len} → {out_len}"),
                "no source pixel in the filter's window (not reachable for valid sizes)",
            ));
        }
        let start = weights.len();
        let mut sum = 0.0f64;
        for x in 0..count {
            let w = filter
                .kernel(((x + xmin) as f64 - center + 0.5) * inv_filterscale)
                .unwrap_or(0.0);
            weights.push(w);
            sum += w;
        }
        if sum != 0.0 {
            for w in &mut weights[start..] {
                *w /= sum;
            }
        }
        first.push(xmin as usize);
        offsets.push(weights.len());
    }
    Ok(AxisCoefficients {
        in_len,
        ksize,
        first,
        offsets,
        weights,
    })
}

/// `Resample.c::normalize_coeffs_8bpc`: a float64 weight as a fixed-point coefficient with
/// [`PRECISION_BITS`] fractional bits, `(int)(w·2^22 + 0.5)` for `w ≥ 0` and
/// `(int)(w·2^22 − 0.5)` below (C truncation: rounding half away from zero).
pub fn fixed_point(w: f64) -> i32 {
    let scaled = w * (1u32 << PRECISION_BITS) as f64;
    if w < 0.0 {
        (-0.5 + scaled) as i32
    } else {
        (0.5 + scaled) as i32
    }
}

/// `Resample.c::ImagingResampleInner` (13.0.0): whether the vertical pass runs first, for an
/// image of `[height, width]` resized to `[oh, ow]` — iff the height shrinks, and by more than
/// twice as many pixels as the width does (`(H − oh) > 0 && (H − oh) > 2·(W − ow)`, in C
/// `int`s; a width that grows counts as a negative shrink).
pub fn vertical_first(input_hw: [usize; 2], output_hw: [usize; 2]) -> bool {
    let dh = input_hw[0] as i64 - output_hw[0] as i64;
    let dw = input_hw[1] as i64 - output_hw[1] as i64;
    dh > 0 && dh > 2 * dw
}

/// `Geometry.c::ImagingScaleAffine`: the source index of each output along one axis for
/// `NEAREST`, from the running float64 sum Pillow steps through
/// (`a0 = (double)(float)in / out; xo = 0 + a0·0.5; idx[x] = (int)xo; xo += a0`).
///
/// `None` marks an index outside the input, which Pillow leaves at its zero fill. Up to 2^24
/// pixels that never happens (the drift of the sum stays far below its `a0/2` margin); past
/// 2^24 `(float)in` may round up, and the last outputs then read past the input (an image
/// 2^25 − 1 pixels wide resized to 2^25 keeps a zero last column).
pub fn nearest_indices(in_len: usize, out_len: usize) -> Vec<Option<usize>> {
    let a0 = via_f32(in_len) / out_len as f64;
    let mut xo = 0.0 + a0 * 0.5;
    (0..out_len)
        .map(|_| {
            // COORD(v): -1 below zero, else (int)v.
            let index = if xo < 0.0 { -1 } else { xo as i64 };
            xo += a0;
            (index >= 0 && (index as usize) < in_len).then_some(index as usize)
        })
        .collect()
}

/// The float32 tap table of one axis, Pillow's geometry with float32 weights: an unchanged
/// axis copies (no pass), `NEAREST` gathers ([`nearest_indices`]), the other filters take the
/// weights of [`precompute_coeffs`] rounded to float32 (every tap of an output, zero weights
/// included, in source order; no index repeats).
pub fn axis_plan(filter: Filter, in_len: usize, out_len: usize) -> Result<AxisPlan> {
    check_len("input length", in_len)?;
    check_len("output length", out_len)?;
    if in_len == out_len {
        return AxisPlan::identity(in_len);
    }
    if filter == Filter::Nearest {
        let indices = nearest_indices(in_len, out_len);
        return AxisPlan::build(in_len, out_len, Edge::Replicate, |o| match indices[o] {
            Some(i) => Taps::one(i as i64),
            None => Taps::extrapolated(),
        });
    }
    let c = precompute_coeffs(filter, in_len, out_len)?;
    AxisPlan::build(in_len, out_len, Edge::Replicate, |o| {
        let (first, w) = c.taps(o);
        Taps::from_pairs(
            w.iter()
                .enumerate()
                .map(|(k, &w)| ((first + k) as i64, w))
                .collect(),
        )
    })
}

/// Pillow's resize of `[height, width]` to `[oh, ow]` as a float32 [`ResizePlan`]: each axis
/// from [`axis_plan`]; outside samples (only past 2^24 pixels, see
/// [`nearest_indices`]) take 0, Pillow's fill.
pub fn resize_plan(
    filter: Filter,
    input_hw: [usize; 2],
    output_hw: [usize; 2],
) -> Result<ResizePlan> {
    Ok(ResizePlan::new(
        axis_plan(filter, input_hw[0], output_hw[0])?,
        axis_plan(filter, input_hw[1], output_hw[1])?,
    ))
}

/// Which of Pillow's resampling paths an image takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// `_ImagingResample{Horizontal,Vertical}_8bpc`: modes `L` and `RGB`, and `RGBA` through
    /// `RGBa` when `premultiplied_alpha` (4 channels, alpha last).
    EightBit {
        /// Premultiply before and unpremultiply after (`RGBA` with a filter other than
        /// `NEAREST`).
        premultiplied_alpha: bool,
    },
    /// `_ImagingResample{Horizontal,Vertical}_32bpc` on mode `F`: float64 weights and sums,
    /// float32 between passes.
    Float,
}

/// Pillow's own arithmetic for a resize of `[height, width]` to `[oh, ow]` along `path`, or
/// `None` when Pillow copies pixels: `NEAREST`, and a `size` equal to the image's (which
/// `Image.resize` answers with `copy()`, even for `RGBA`). Those run as a gather.
///
/// The passes run in Pillow's order ([`vertical_first`]), an unchanged axis without a pass.
/// 8-bit: fixed-point tables ([`fixed_point`]), `Σ v·k` in integers, stored as
/// `clamp((Σ + 2^21) >> 22, 0, 255)` after each pass (never beyond i32: the largest `Σ|k|` of any
/// Pillow table is under 1.6·2^22). Float: float64 tables, [`Accumulate::Double`], float32
/// between passes.
pub fn exact_plan(
    filter: Filter,
    input_hw: [usize; 2],
    output_hw: [usize; 2],
    path: Path,
) -> Result<Option<ExactPlan>> {
    for (what, v) in [
        ("input height", input_hw[0]),
        ("input width", input_hw[1]),
        ("output height", output_hw[0]),
        ("output width", output_hw[1]),
    ] {
        check_len(what, v)?;
    }
    if filter == Filter::Nearest || input_hw == output_hw {
        return Ok(None);
    }
    let order = if vertical_first(input_hw, output_hw) {
        [PassAxis::Height, PassAxis::Width]
    } else {
        [PassAxis::Width, PassAxis::Height]
    };
    let mut passes = Vec::with_capacity(2);
    for axis in order {
        let k = match axis {
            PassAxis::Height => 0,
            PassAxis::Width => 1,
        };
        let (in_len, out_len) = (input_hw[k], output_hw[k]);
        if in_len == out_len {
            continue;
        }
        let c = precompute_coeffs(filter, in_len, out_len)?;
        let taps = |o: usize| {
            let (first, w) = c.taps(o);
            (first, w.len())
        };
        let (table, rule) = match path {
            Path::EightBit { .. } => (
                PassTable::int(in_len, out_len, |o| {
                    let (first, _) = taps(o);
                    c.fixed(o)
                        .into_iter()
                        .enumerate()
                        .map(|(k, q)| (first + k, q))
                        .collect()
                })?,
                Rule {
                    accumulate: Accumulate::Int,
                    store: Store::Shift {
                        bias: 1 << (PRECISION_BITS - 1),
                        shift: PRECISION_BITS,
                        lo: 0,
                        hi: 255,
                    },
                },
            ),
            Path::Float => (
                PassTable::double(in_len, out_len, |o| {
                    let (first, w) = c.taps(o);
                    w.iter().enumerate().map(|(k, &w)| (first + k, w)).collect()
                })?,
                Rule {
                    accumulate: Accumulate::Double,
                    store: Store::Keep,
                },
            ),
        };
        debug_assert!((0..out_len).all(|o| taps(o).1 == table.counts()[o] as usize));
        passes.push(Pass {
            axis,
            table,
            rule,
            tail: None,
        });
    }
    let (ty, alpha) = match path {
        Path::EightBit {
            premultiplied_alpha,
        } => (
            ElementType::U8,
            premultiplied_alpha.then_some(AlphaRule::PillowPremultiplied),
        ),
        Path::Float => (ElementType::F32, None),
    };
    Ok(Some(ExactPlan {
        arithmetic: ArithmeticPlan::Separable(SeparablePlan {
            input_hw,
            output_hw,
            passes,
        }),
        input: ty,
        output: ty,
        alpha,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_order_follows_pillow_13() {
        // Portrait 320×240 → 224×224: the height shrinks by 96, the width by 16: vertical first.
        assert!(vertical_first([320, 240], [224, 224]));
        // Landscape 240×320 → 224×224: horizontal first.
        assert!(!vertical_first([240, 320], [224, 224]));
        // The boundary: (H − oh) = 2·(W − ow) runs horizontally first, one more vertically.
        assert!(!vertical_first([30, 20], [10, 10]));
        assert!(vertical_first([31, 20], [10, 10]));
        // A width that grows counts as a negative shrink; a height that grows never goes first.
        assert!(vertical_first([20, 5], [19, 9]));
        assert!(!vertical_first([5, 20], [9, 3]));
        assert!(!vertical_first([7, 7], [7, 3]));
        let plan = exact_plan(
            Filter::Bicubic,
            [320, 240],
            [224, 224],
            Path::EightBit {
                premultiplied_alpha: false,
            },
        )
        .unwrap()
        .unwrap();
        let ArithmeticPlan::Separable(s) = &plan.arithmetic else {
            panic!("separable")
        };
        let axes: Vec<PassAxis> = s.passes.iter().map(|p| p.axis).collect();
        assert_eq!(axes, [PassAxis::Height, PassAxis::Width]);
    }

    #[test]
    fn unchanged_axes_get_no_pass_and_copies_are_gathers() {
        let eight = Path::EightBit {
            premultiplied_alpha: true,
        };
        let one = exact_plan(Filter::Bilinear, [10, 12], [10, 7], eight)
            .unwrap()
            .unwrap();
        let ArithmeticPlan::Separable(s) = &one.arithmetic else {
            panic!("separable")
        };
        assert_eq!(s.passes.len(), 1);
        assert_eq!(s.passes[0].axis, PassAxis::Width);
        // RGBA premultiplies even when one axis changes.
        assert_eq!(one.alpha, Some(AlphaRule::PillowPremultiplied));
        assert!(exact_plan(Filter::Lanczos, [10, 12], [10, 12], eight)
            .unwrap()
            .is_none());
        assert!(exact_plan(Filter::Nearest, [10, 12], [3, 40], Path::Float)
            .unwrap()
            .is_none());
    }

    #[test]
    fn nearest_steps_a_running_double_sum() {
        // Pillow 13.0.0 (checked with mode F): 2 → 7 reads source 0 at output 3, where the
        // exact position (3 + ½)·2/7 = 1 would read source 1; the running sum 1/7 + 3·2/7 lands
        // just below 1. Likewise 2 → 15 at 7 and 2 → 21 at 10.
        for (i, o, x) in [(2usize, 7usize, 3usize), (2, 15, 7), (2, 21, 10)] {
            let stepped = nearest_indices(i, o);
            assert_eq!(stepped[x], Some(0), "{i} → {o} at {x}");
            assert_eq!((2 * x + 1) * i / (2 * o), 1);
        }
        for (i, o) in [
            (7usize, 3usize),
            (100, 49),
            (999, 997),
            (1024, 3000),
            (3, 1000),
        ] {
            let stepped = nearest_indices(i, o);
            let a0 = i as f64 / o as f64;
            let mut xo = a0 * 0.5;
            for s in &stepped {
                assert_eq!(*s, Some(xo as usize));
                xo += a0;
            }
        }
        assert!(nearest_indices(1, 9).iter().all(|&s| s == Some(0)));
        assert_eq!(nearest_indices(9, 1), vec![Some(4)]);
        // Up to 2^24 every index lies inside the input, however long the output.
        let f32_exact = 1usize << 24;
        for (i, o) in [
            (f32_exact - 1, f32_exact),
            (f32_exact, f32_exact - 3),
            (3, 1 << 25),
        ] {
            assert!(nearest_indices(i, o)
                .iter()
                .all(|s| s.is_some_and(|s| s < i)));
        }
        // Beyond, Pillow's float box rounds the size: 2^25 − 1 counts as 2^25, so the last of
        // 2^25 outputs reads past the input and keeps Pillow's zero fill.
        let big = crate::error::MAX_AXIS_LEN;
        let s = nearest_indices(big - 1, big);
        assert_eq!(s[big - 2], Some(big - 2));
        assert_eq!(s[big - 1], None);
    }

    #[test]
    fn coefficients_match_pillow() {
        // Values from the reference that matches Pillow 13.0.0 bit for bit
        // (research/pillow/ref.py). BILINEAR 4 → 2: centers 1 and 3, support 2, windows 0..3
        // and 1..4 (xmin = (int)(−0.5) = 0: C truncates toward zero), weights 3/7, 3/7, 1/7.
        let c = precompute_coeffs(Filter::Bilinear, 4, 2).unwrap();
        assert_eq!(c.ksize(), 5);
        let (first, w) = c.taps(0);
        assert_eq!(first, 0);
        assert_eq!(w, &[0.75 / 1.75, 0.75 / 1.75, 0.25 / 1.75][..]);
        assert_eq!(c.taps(1).0, 1);
        assert_eq!(c.fixed(0), vec![1797559, 1797559, 599186]);
        assert_eq!(c.fixed(1), vec![599186, 1797559, 1797559]);
        // HAMMING 5 → 3: a tap of weight 1e-17 stays a tap (and rounds to 0 in fixed point).
        let c = precompute_coeffs(Filter::Hamming, 5, 3).unwrap();
        let (first, w) = c.taps(0);
        assert_eq!((first, w.len()), (0, 3));
        assert_eq!(w[0], 0.6230445544245342);
        assert_eq!(w[2], 1.0534076354879906e-17);
        assert_eq!(c.fixed(0), vec![2613238, 1581066, 0]);
        assert_eq!(c.fixed(1), vec![600761, 2992781, 600761]);
        assert_eq!((c.taps(2).0, c.fixed(2)), (3, vec![1581066, 2613238]));
        // Fixed point rounds half away from zero.
        assert_eq!(fixed_point(-0.5 / (1 << 22) as f64), -1);
        assert_eq!(fixed_point(0.5 / (1 << 22) as f64), 1);
        assert_eq!(fixed_point(0.49 / (1 << 22) as f64), 0);
        // HAMMING uses 0.54f/0.46f: at x = 0.5 the double constants would give another value.
        let h = Filter::Hamming.kernel(0.5).unwrap();
        let t = 0.5 * M_PI;
        assert_eq!(h, t.sin() / t * (0.54f32 as f64 + 0.46f32 as f64 * t.cos()));
        assert_ne!(h, t.sin() / t * (0.54 + 0.46 * t.cos()));
        // LANCZOS is asymmetric at ±3 (x < 3), BOX at ±0.5.
        assert_eq!(Filter::Lanczos.kernel(-3.0), Some(sinc(-3.0) * sinc(-1.0)));
        assert_eq!(Filter::Lanczos.kernel(3.0), Some(0.0));
        assert_eq!(Filter::Box.kernel(0.5), Some(1.0));
        assert_eq!(Filter::Box.kernel(-0.5), Some(0.0));
        assert!(precompute_coeffs(Filter::Nearest, 4, 2).is_err());
    }

    #[test]
    fn filters_parse_by_name_and_value() {
        for f in Filter::ALL {
            assert_eq!(Filter::from_value(f.value()), Some(f));
            assert_eq!(Filter::from_name(f.name()), Some(f));
            assert_eq!(
                Filter::from_name(&format!("Image.Resampling.{}", f.name())),
                Some(f)
            );
        }
        assert_eq!(Filter::from_name("image.bilinear"), Some(Filter::Bilinear));
        assert_eq!(Filter::from_name("ANTIALIAS"), None);
        assert_eq!(Filter::from_value(6), None);
    }
}
