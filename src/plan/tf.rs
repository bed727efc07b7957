//! TensorFlow's resize kernels, in TensorFlow's own precision.
//!
//! All of TF's coordinate math is float32 and multiplies by a precomputed `in/out` ratio
//! (`core/util/image_resizer_state.h::CalculateResizeScale`). `ResizeBicubic` reads its weights from
//! a table at 1/1024 steps (`resize_bicubic_op.cc`); reproducing the table is what makes TF's
//! bicubic reproducible (an exact cubic differs by up to ~2.5e-3).

use std::sync::OnceLock;

use super::filters;
use super::{AxisPlan, Edge, Taps};
use crate::error::Result;

/// One axis of a TF1-style resize (`tf.compat.v1.image.resize_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TfAxis {
    /// Input length.
    pub in_len: usize,
    /// Output length.
    pub out_len: usize,
    /// `align_corners=True`.
    pub align_corners: bool,
    /// `half_pixel_centers=True`.
    pub half_pixel_centers: bool,
}

impl TfAxis {
    /// `CalculateResizeScale`: `(in − 1)/(out − 1)` with align_corners (and out > 1), else `in/out`,
    /// in float32.
    pub fn scale(&self) -> f32 {
        if self.align_corners && self.out_len > 1 {
            (self.in_len as f32 - 1.0) / (self.out_len as f32 - 1.0)
        } else {
            self.in_len as f32 / self.out_len as f32
        }
    }

    /// `HalfPixelScaler` or `LegacyScaler`.
    fn source(&self, scale: f32, i: usize) -> f32 {
        if self.half_pixel_centers {
            (i as f32 + 0.5) * scale - 0.5
        } else {
            i as f32 * scale
        }
    }
}

/// `ResizeBilinear`: `lower = max(floor(x), 0)`, `upper = min(ceil(x), in − 1)`, `lerp = x − floor(x)`.
pub fn bilinear(axis: TfAxis) -> Result<AxisPlan> {
    let scale = axis.scale();
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let x = axis.source(scale, i);
        let lower = (x.floor() as i64).max(0);
        let upper = (x.ceil() as i64).min(last);
        let lerp = x - x.floor();
        Taps::from_pairs(vec![(lower, (1.0 - lerp) as f64), (upper, lerp as f64)])
    })
}

/// `ResizeNearestNeighbor`: `floorf` (or `roundf` with align_corners) of the float32 coordinate,
/// `x = (i + 0.5)·scale` with half_pixel_centers (no −0.5), clamped to the input.
pub fn nearest(axis: TfAxis) -> Result<AxisPlan> {
    let scale = axis.scale();
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let x = if axis.half_pixel_centers {
            (i as f32 + 0.5) * scale
        } else {
            i as f32 * scale
        };
        let mut idx = if axis.align_corners {
            x.round() as i64 // roundf: half away from zero
        } else {
            x.floor() as i64
        };
        idx = idx.min(last);
        if axis.half_pixel_centers {
            idx = idx.max(0);
        }
        Taps::one(idx)
    })
}

fn bicubic_table(keys: bool) -> &'static [f32] {
    static KEYS: OnceLock<Vec<f32>> = OnceLock::new();
    static LEGACY: OnceLock<Vec<f32>> = OnceLock::new();
    if keys {
        KEYS.get_or_init(|| filters::tf_bicubic_table(-0.5))
    } else {
        LEGACY.get_or_init(|| filters::tf_bicubic_table(-0.75))
    }
}

/// `ResizeBicubic`: the fraction is rounded to a multiple of 1/1024 (`lrintf`) and the weights are
/// read from TF's table; a = −0.5 with half_pixel_centers (taps outside the input get weight 0 and
/// the rest are renormalised), a = −0.75 otherwise (edge replicated).
pub fn bicubic(axis: TfAxis) -> Result<AxisPlan> {
    const TABLE: i64 = 1024;
    let scale = axis.scale();
    let keys = axis.half_pixel_centers;
    let table = bicubic_table(keys);
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let x = axis.source(scale, i);
        let in_loc = x.floor() as i64;
        let delta = x - in_loc as f32;
        // lrintf: round half to even.
        let offset = (delta * TABLE as f32).round_ties_even() as i64;
        let offset = offset.clamp(0, TABLE) as usize;
        let inv = TABLE as usize - offset;
        let mut w = [
            table[offset * 2 + 1],
            table[offset * 2],
            table[inv * 2],
            table[inv * 2 + 1],
        ];
        let idx = [in_loc - 1, in_loc, in_loc + 1, in_loc + 2];
        if keys {
            for k in 0..4 {
                if idx[k].clamp(0, last) != idx[k] {
                    w[k] = 0.0;
                }
            }
            let sum = w[0] + w[1] + w[2] + w[3];
            if sum.abs() >= 1000.0 * f32::MIN_POSITIVE {
                let inv_sum = 1.0 / sum;
                for v in w.iter_mut() {
                    *v *= inv_sum;
                }
            }
        }
        Taps::from_pairs((0..4).map(|k| (idx[k], w[k] as f64)).collect())
    })
}

/// `ResizeArea`: the box `[i·scale, (i+1)·scale)` in float32 coordinates; each covered pixel `j`
/// (index clamped to the input) weighs, in float32,
/// `j < in0 ? (j+1 > in1 ? scale : j+1−in0) : (j+1 > in1 ? in1−j : 1)` — so a box inside one
/// pixel weighs exactly `scale` — and the sum is divided by `scale` (TF multiplies by
/// `1/(scale_h·scale_w)` once at the end). `scale` is `CalculateResizeScale`.
pub fn area(axis: TfAxis) -> Result<AxisPlan> {
    let (in_len, out_len) = (axis.in_len, axis.out_len);
    let scale = axis.scale();
    AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
        let in0 = i as f32 * scale;
        let in1 = (i + 1) as f32 * scale;
        let (start, end) = (in0.floor() as i64, in1.ceil() as i64);
        let taps = (start..end)
            .map(|j| {
                let jf = j as f32;
                let w = if jf < in0 {
                    if jf + 1.0 > in1 {
                        scale
                    } else {
                        jf + 1.0 - in0
                    }
                } else if jf + 1.0 > in1 {
                    in1 - jf
                } else {
                    1.0
                };
                (j, w as f64 / scale as f64)
            })
            .collect();
        Taps::from_pairs(taps)
    })
}

/// The kernels of `ScaleAndTranslate` (TF2 `tf.image.resize` with antialias or the extra methods).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TfKernel {
    /// `triangle` (bilinear with antialias).
    Triangle,
    /// `keyscubic` (bicubic with antialias): Keys a = −0.5.
    KeysCubic,
    /// `lanczos3`.
    Lanczos3,
    /// `lanczos5`.
    Lanczos5,
    /// `gaussian`.
    Gaussian,
    /// `mitchellcubic`.
    MitchellCubic,
}

impl TfKernel {
    /// `Radius()` of the kernel.
    fn radius(self) -> f32 {
        match self {
            TfKernel::Triangle => 1.0,
            TfKernel::KeysCubic => 2.0,
            TfKernel::Lanczos3 => 3.0,
            TfKernel::Lanczos5 => 5.0,
            TfKernel::Gaussian => 1.5,
            TfKernel::MitchellCubic => 2.0,
        }
    }

    /// The kernel at `x ≥ 0`, evaluated as `sampling_kernels.h` does (float32; the Gaussian's
    /// exponent in float64).
    fn eval(self, x: f32) -> f32 {
        let x = x.abs();
        match self {
            TfKernel::Triangle => {
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            TfKernel::KeysCubic => {
                if x >= 2.0 {
                    0.0
                } else if x >= 1.0 {
                    ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
                } else {
                    ((1.5 * x - 2.5) * x) * x + 1.0
                }
            }
            TfKernel::Lanczos3 | TfKernel::Lanczos5 => {
                // TF's `kPI = 3.14159265359` rounds to exactly this float.
                const PI: f32 = std::f32::consts::PI;
                let radius = self.radius();
                if x > radius {
                    0.0
                } else if x <= 1e-3 {
                    1.0
                } else {
                    radius * (PI * x).sin() * (PI * x / radius).sin() / (PI * PI * x * x)
                }
            }
            TfKernel::Gaussian => {
                const RADIUS: f32 = 1.5;
                let sigma: f32 = RADIUS / 3.0;
                if x >= RADIUS {
                    0.0
                } else {
                    let s = sigma as f64;
                    ((-(x * x)) as f64 / (2.0 * s * s)).exp() as f32
                }
            }
            TfKernel::MitchellCubic => {
                if x >= 2.0 {
                    0.0
                } else if x >= 1.0 {
                    (((-7.0 / 18.0) * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
                } else {
                    (((7.0 / 6.0) * x - 2.0) * x) * x + 8.0 / 9.0
                }
            }
        }
    }
}

/// `ScaleAndTranslate` with translation 0 (`ComputeSpansCore`, float32 throughout): sample at
/// `(i + 0.5)·inv_scale` with `scale = float32(out)/float32(in)`, kernel widened by
/// `max(inv_scale, 1)` with antialias, the span clamped to the input, weights normalised by their
/// float32 sum. Reproduced in float32 because the Gaussian and Lanczos kernels do not vanish
/// at their radius: whether a tap at distance ≈ radius is in the span depends on float32 rounding.
pub fn scale_and_translate(
    in_len: usize,
    out_len: usize,
    kernel: TfKernel,
    antialias: bool,
) -> Result<AxisPlan> {
    let scale = out_len as f32 / in_len as f32;
    // `const float inv_scale = 1.0 / scale;`: a double division narrowed to float.
    let inv_scale = (1.0 / scale as f64) as f32;
    let inv_translate = -inv_scale * 0.0;
    let kernel_scale: f32 = if antialias { inv_scale.max(1.0) } else { 1.0 };
    let one_over_kernel_scale = 1.0 / kernel_scale;
    let reach = kernel.radius() * kernel_scale;
    let n_in = in_len as i64;
    AxisPlan::build(in_len, out_len, Edge::Replicate, |x| {
        let sample_f = (x as f32 + 0.5) * inv_scale + inv_translate;
        if sample_f < 0.0 || sample_f > in_len as f32 {
            return Taps::from_pairs(Vec::new());
        }
        let start = ((sample_f - reach - 0.5).ceil() as i64).clamp(0, n_in - 1);
        let end = ((sample_f + reach - 0.5).floor() as i64).clamp(0, n_in - 1) + 1;
        let mut total = 0f32;
        let mut taps: Vec<(i64, f32)> = Vec::with_capacity((end - start).max(0) as usize);
        for source in start..end {
            let kernel_pos = source as f32 + 0.5 - sample_f;
            let w = kernel.eval((kernel_pos * one_over_kernel_scale).abs());
            total += w;
            taps.push((source, w));
        }
        if total.abs() >= 1000.0 * f32::MIN_POSITIVE {
            let inv_total = 1.0 / total;
            for t in taps.iter_mut() {
                t.1 *= inv_total;
            }
        }
        Taps::from_pairs(taps.into_iter().map(|(i, w)| (i, w as f64)).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn align_corners_nearest_rounds_half_away() {
        // 3 -> 5 with align_corners: x = 0, .5, 1, 1.5, 2 -> 0, 1, 1, 2, 2
        let p = nearest(TfAxis {
            in_len: 3,
            out_len: 5,
            align_corners: true,
            half_pixel_centers: false,
        })
        .unwrap();
        let idx: Vec<_> = p.gather_indices().into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(idx, vec![0, 1, 1, 2, 2]);
    }

    #[test]
    fn area_weights_sum_to_one() {
        let p = area(TfAxis {
            in_len: 7,
            out_len: 3,
            align_corners: false,
            half_pixel_centers: false,
        })
        .unwrap();
        for o in 0..3 {
            let s: f32 = p.taps(o).1.iter().sum();
            assert!((s - 1.0).abs() < 1e-6);
        }
    }
}
