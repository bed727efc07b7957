//! OpenCV's own 8- and 16-bit arithmetic for `cv::resize` (`modules/imgproc/src/resize.cpp`,
//! OpenCV 5.1, the x86-64 build of the pip wheels with IPP off), as [`ExactPlan`]s.
//!
//! The geometry is [`super::opencv`]'s; what this module adds is the arithmetic:
//!
//! | interpolation | 8-bit | 16-bit |
//! |---|---|---|
//! | `INTER_LINEAR` | 11-bit coefficients; horizontal sums kept as int32; vertical `((b0·(H0 >> 4)) >> 16) + ((b1·(H1 >> 4)) >> 16)`, then `(· + 2) >> 2` | float32 coefficients and sums, rounded half to even |
//! | `INTER_LINEAR_EXACT` | `resize_bitExact`: 8-bit fixed point, `(Σ + 2^15) >> 16` | 16-bit fixed point, `(Σ + 2^31) >> 32` |
//! | `INTER_CUBIC` | 11-bit coefficients; vertical: a float32 chain summed last tap first for the first `W − W mod 8` elements of a row (the SIMD loop), `(Σ + 2^21) >> 22` for the rest | float32; vertical chain reversed for the first `W − W mod 8` elements, in tap order after |
//! | `INTER_LANCZOS4` | 11-bit coefficients, `(Σ + 2^21) >> 22` | float32 in tap order |
//! | `INTER_AREA`, integer factors | `(s + 2) >> 2` for 2×2 (1, 3 or 4 channels), else `round(s · (1/area))` | the same 2×2 rule, else a float32 sum in groups of four |
//! | `INTER_AREA`, other shrinks | float32 coverage weights, horizontal then vertical, rounded half to even | the same |
//! | `INTER_AREA`, enlarging | `INTER_LINEAR`'s arithmetic on the area positions | the same |
//!
//! `W = width · channels` is the length of an output row in elements. Every pass runs
//! horizontally first. `INTER_NEAREST`, `INTER_NEAREST_EXACT` and the copy OpenCV makes when
//! `dsize` equals the source size are gathers, not plans. Each rule was established from the
//! source and checked bit for bit against OpenCV 5.1 on the real-data corpus and on randomized
//! sweeps (sizes 1–700, 1–4 channels, every row length modulo 8).

use super::opencv::{self, CvAxis, CvInterpolation};
use super::separable::{
    Accumulate, ArithmeticPlan, BlockAverage, BlockRule, ExactPlan, Pass, PassAxis, PassTable,
    Rule, SeparablePlan, Store,
};
use crate::error::{Error, Result};
use crate::tensor::ElementType;

/// `INTER_RESIZE_COEF_BITS`: 8-bit coefficients are float weights times 2^11.
const COEF_BITS: u32 = 11;

/// The elements of an output row that OpenCV's 128-bit vector loops cover (8 × int16 lanes):
/// `W − W mod 8` with `W = width · channels`.
fn simd_body(out_w: usize, channels: usize) -> usize {
    let w = out_w * channels;
    w - w % 8
}

/// `saturate_cast<short>(c · 2048)`: the product is exact; rounded half to even; clamped.
fn fixed(c: f32) -> i32 {
    ((c * (1 << COEF_BITS) as f32).round_ties_even() as i32).clamp(i16::MIN as i32, i16::MAX as i32)
}

fn clamp_index(i: i64, len: usize) -> usize {
    i.clamp(0, len as i64 - 1) as usize
}

/// The exact plan of `cv2.resize` on an 8- or 16-bit image of `channels` channels, or `None`
/// when the call only copies pixels (nearest, nearest-exact, an unchanged size), which runs as a
/// gather.
pub fn exact_plan(
    interp: CvInterpolation,
    y: CvAxis,
    x: CvAxis,
    ty: ElementType,
    channels: usize,
) -> Result<Option<ExactPlan>> {
    let hi = match ty {
        ElementType::U8 => 255,
        ElementType::U16 => 65535,
        other => {
            return Err(Error::unsupported(format!(
                "OpenCV's integer arithmetic on {other} data"
            )))
        }
    };
    if (y.in_len == y.out_len && x.in_len == x.out_len)
        || matches!(
            interp,
            CvInterpolation::Nearest | CvInterpolation::NearestExact
        )
    {
        return Ok(None);
    }
    let (scale_x, scale_y) = (x.scale(), y.scale());
    let (iscale_x, iscale_y) = (scale_x.round_ties_even(), scale_y.round_ties_even());
    let is_area_fast =
        (scale_x - iscale_x).abs() < f64::EPSILON && (scale_y - iscale_y).abs() < f64::EPSILON;
    let twice = is_area_fast && iscale_x == 2.0 && iscale_y == 2.0;
    let mut interp = interp;
    if interp == CvInterpolation::LinearExact {
        // An exact 2× shrink of other than 2 channels is the same as the area average.
        if twice && channels != 2 {
            interp = CvInterpolation::Area;
        } else {
            return linear_exact(y, x, ty, hi).map(Some);
        }
    }
    if interp == CvInterpolation::Linear && twice {
        interp = CvInterpolation::Area;
    }
    let input_hw = [y.in_len, x.in_len];
    let output_hw = [y.out_len, x.out_len];
    let arithmetic = match interp {
        CvInterpolation::Area if scale_x >= 1.0 && scale_y >= 1.0 => {
            if is_area_fast {
                let factor = [iscale_y as usize, iscale_x as usize];
                let whole = if factor == [2, 2] && channels != 2 {
                    BlockRule::TwoByTwoShift
                } else if ty == ElementType::U8 {
                    BlockRule::IntSumTimesReciprocal
                } else {
                    BlockRule::FloatSumByFourTimesReciprocal
                };
                ArithmeticPlan::BlockAverage(BlockAverage {
                    input_hw,
                    output_hw,
                    factor,
                    whole,
                    float_partial_sums: ty != ElementType::U8,
                })
            } else {
                area_shrink(y, x, hi)?
            }
        }
        CvInterpolation::Linear | CvInterpolation::Area => {
            let area = interp == CvInterpolation::Area;
            linear(y, x, ty, hi, area)?
        }
        CvInterpolation::Cubic | CvInterpolation::Lanczos4 => {
            let cubic = interp == CvInterpolation::Cubic;
            kernel(y, x, ty, hi, channels, cubic)?
        }
        CvInterpolation::Nearest | CvInterpolation::NearestExact | CvInterpolation::LinearExact => {
            unreachable!("handled above")
        }
    };
    Ok(Some(ExactPlan {
        arithmetic,
        input: ty,
        output: ty,
        alpha: None,
    }))
}

/// `(sx, fx)` of a linear or area-enlarging output along x (`xofs`/`alpha`): a position left
/// of the image becomes `(0, 0)`, one at or right of the last pixel `(len − 1, 0)`.
fn linear_x(axis: CvAxis, dx: usize, area: bool) -> (usize, f32) {
    let (sx, fx) = if area {
        opencv::area_upscale_position(axis, dx)
    } else {
        axis.half_pixel(dx)
    };
    let last = axis.in_len as i64 - 1;
    if sx < 0 {
        (0, 0.0)
    } else if sx >= last {
        (last as usize, 0.0)
    } else {
        (sx as usize, fx)
    }
}

/// `(sy, fy)` along y (`yofs`/`beta`): not adjusted; the rows are clipped when read.
fn linear_y(axis: CvAxis, dy: usize, area: bool) -> (i64, f32) {
    if area {
        opencv::area_upscale_position(axis, dy)
    } else {
        axis.half_pixel(dy)
    }
}

/// `INTER_LINEAR` (and `INTER_AREA` on an enlarging axis): `resizeGeneric_` with
/// `HResizeLinear` / `VResizeLinear`.
fn linear(y: CvAxis, x: CvAxis, ty: ElementType, hi: i64, area: bool) -> Result<ArithmeticPlan> {
    let x_taps = |dx: usize| {
        let (sx, fx) = linear_x(x, dx, area);
        let next = (sx + 1).min(x.in_len - 1);
        [(sx, 1.0 - fx), (next, fx)]
    };
    let y_taps = |dy: usize| {
        let (sy, fy) = linear_y(y, dy, area);
        [
            (clamp_index(sy, y.in_len), 1.0 - fy),
            (clamp_index(sy + 1, y.in_len), fy),
        ]
    };
    let (h_pass, v_pass) = if ty == ElementType::U8 {
        let h = PassTable::int(x.in_len, x.out_len, |dx| {
            x_taps(dx).iter().map(|&(i, c)| (i, fixed(c))).collect()
        })?;
        let v = PassTable::int(y.in_len, y.out_len, |dy| {
            y_taps(dy).iter().map(|&(i, c)| (i, fixed(c))).collect()
        })?;
        (
            pass(PassAxis::Width, h, int_keep()),
            pass(
                PassAxis::Height,
                v,
                Rule {
                    accumulate: Accumulate::ShiftedProducts {
                        pre_shift: 4,
                        post_shift: 16,
                    },
                    store: Store::Shift {
                        bias: 2,
                        shift: 2,
                        lo: 0,
                        hi,
                    },
                },
            ),
        )
    } else {
        let h = PassTable::float(x.in_len, x.out_len, |dx| x_taps(dx).to_vec())?;
        let v = PassTable::float(y.in_len, y.out_len, |dy| y_taps(dy).to_vec())?;
        (
            pass(PassAxis::Width, h, float_keep(false)),
            pass(PassAxis::Height, v, float_round(false, hi)),
        )
    };
    Ok(separable(y, x, vec![h_pass, v_pass]))
}

/// `INTER_LINEAR_EXACT` on integer images: `resize_bitExact` with `interpolationLinear`.
/// Coefficients are `round((x − floor x) · 2^bits)` in float64 (`softdouble`) with
/// `x = scale·(d + 0.5) − 0.5`; an output left of the image reads the first pixel, one at or
/// right of the last pixel reads the last.
fn linear_exact(y: CvAxis, x: CvAxis, ty: ElementType, hi: i64) -> Result<ExactPlan> {
    let bits: u32 = if ty == ElementType::U8 { 8 } else { 16 };
    let one = 1i64 << bits;
    let taps = |axis: CvAxis, d: usize| -> Vec<(usize, i64)> {
        let f = axis.scale() * (d as f64 + 0.5) - 0.5;
        let i = f.floor();
        let last = axis.in_len - 1;
        if i >= 0.0 && axis.in_len > 1 {
            let i = i as usize;
            if i < last {
                let c = ((f - i as f64) * one as f64).round_ties_even() as i64;
                return vec![(i, one - c), (i + 1, c)];
            }
            return vec![(last, one)];
        }
        vec![(0, one)]
    };
    // Coefficients are at most 2^16; the products and sums (up to 2^48 for 16-bit images) are
    // exact in the executor's 64-bit accumulator.
    let table = |axis: CvAxis| {
        PassTable::int(axis.in_len, axis.out_len, |d| {
            taps(axis, d)
                .into_iter()
                .map(|(i, c)| (i, c as i32))
                .collect()
        })
    };
    let shift = 2 * bits;
    Ok(ExactPlan {
        arithmetic: separable(
            y,
            x,
            vec![
                pass(PassAxis::Width, table(x)?, int_keep()),
                pass(
                    PassAxis::Height,
                    table(y)?,
                    Rule {
                        accumulate: Accumulate::Int,
                        store: Store::Shift {
                            bias: 1 << (shift - 1),
                            shift,
                            lo: 0,
                            hi,
                        },
                    },
                ),
            ],
        ),
        input: ty,
        output: ty,
        alpha: None,
    })
}

/// `INTER_CUBIC` and `INTER_LANCZOS4`: `HResizeCubic`/`HResizeLanczos4` then the vertical
/// pass, taps `sx − 1 ..= sx + 2` (cubic) or `sx − 3 ..= sx + 4` (Lanczos-4) clamped into the
/// image, kept as separate terms.
fn kernel(
    y: CvAxis,
    x: CvAxis,
    ty: ElementType,
    hi: i64,
    channels: usize,
    cubic: bool,
) -> Result<ArithmeticPlan> {
    let weights = |axis: CvAxis, d: usize| -> Vec<(usize, f32)> {
        let (s, f) = axis.half_pixel(d);
        if cubic {
            let c = opencv::cubic_coeffs(f);
            (0..4)
                .map(|k| (clamp_index(s - 1 + k as i64, axis.in_len), c[k]))
                .collect()
        } else {
            let c = super::filters::opencv_lanczos4(f);
            (0..8)
                .map(|k| (clamp_index(s - 3 + k as i64, axis.in_len), c[k]))
                .collect()
        }
    };
    let body = simd_body(x.out_len, channels);
    let passes = if ty == ElementType::U8 {
        let int_table = |axis: CvAxis| {
            PassTable::int(axis.in_len, axis.out_len, |d| {
                weights(axis, d)
                    .into_iter()
                    .map(|(i, c)| (i, fixed(c)))
                    .collect()
            })
        };
        let shifted = Rule {
            accumulate: Accumulate::Int,
            store: Store::Shift {
                bias: 1 << 21,
                shift: 22,
                lo: 0,
                hi,
            },
        };
        let mut v = pass(PassAxis::Height, int_table(y)?, shifted);
        if cubic {
            // VResizeCubicVec_32s8u: (float)H · (ib · 2^-22), summed H0·b0 + (H1·b1 + (H2·b2 +
            // H3·b3)), rounded half to even; the scalar tail shifts in integers.
            v.rule = Rule {
                accumulate: Accumulate::Float {
                    reverse: true,
                    scale: 1.0 / (1u32 << 22) as f32,
                },
                store: Store::RoundEven { lo: 0, hi },
            };
            v.tail = Some((body, shifted));
        }
        vec![pass(PassAxis::Width, int_table(x)?, int_keep()), v]
    } else {
        let float_table =
            |axis: CvAxis| PassTable::float(axis.in_len, axis.out_len, |d| weights(axis, d));
        let mut v = pass(PassAxis::Height, float_table(y)?, float_round(false, hi));
        if cubic {
            // VResizeVec_32f: the SIMD chain sums the last tap first; the tail in tap order.
            v.rule = float_round(true, hi);
            v.tail = Some((body, float_round(false, hi)));
        }
        vec![pass(PassAxis::Width, float_table(x)?, float_keep(false)), v]
    };
    Ok(separable(y, x, passes))
}

/// `INTER_AREA` shrinking by a non-integer factor: `computeResizeAreaTab` weights, a float32
/// horizontal pass and a float32 vertical pass in table order, rounded half to even.
fn area_shrink(y: CvAxis, x: CvAxis, hi: i64) -> Result<ArithmeticPlan> {
    let table = |axis: CvAxis| {
        PassTable::float(axis.in_len, axis.out_len, |d| {
            opencv::area_taps(axis, d)
                .into_iter()
                .map(|(i, a)| (clamp_index(i, axis.in_len), a))
                .collect()
        })
    };
    Ok(separable(
        y,
        x,
        vec![
            pass(PassAxis::Width, table(x)?, float_keep(false)),
            pass(PassAxis::Height, table(y)?, float_round(false, hi)),
        ],
    ))
}

fn separable(y: CvAxis, x: CvAxis, passes: Vec<Pass>) -> ArithmeticPlan {
    ArithmeticPlan::Separable(SeparablePlan {
        input_hw: [y.in_len, x.in_len],
        output_hw: [y.out_len, x.out_len],
        passes,
    })
}

fn pass(axis: PassAxis, table: PassTable, rule: Rule) -> Pass {
    Pass {
        axis,
        table,
        rule,
        tail: None,
    }
}

fn int_keep() -> Rule {
    Rule {
        accumulate: Accumulate::Int,
        store: Store::Keep,
    }
}

fn float_keep(reverse: bool) -> Rule {
    Rule {
        accumulate: Accumulate::Float {
            reverse,
            scale: 1.0,
        },
        store: Store::Keep,
    }
}

fn float_round(reverse: bool, hi: i64) -> Rule {
    Rule {
        accumulate: Accumulate::Float {
            reverse,
            scale: 1.0,
        },
        store: Store::RoundEven { lo: 0, hi },
    }
}
