//! TensorFlow's resize kernels, in TensorFlow's own precision.
//!
//! All of TF's coordinate math is float32 and multiplies by a precomputed `in/out` ratio
//! (`core/util/image_resizer_state.h::CalculateResizeScale`). `ResizeBicubic` reads its weights from
//! a table at 1/1024 steps (`resize_bicubic_op.cc`); reproducing the table is what makes TF's
//! bicubic reproducible (an exact cubic differs by up to ~2.5e-3).

use std::sync::OnceLock;

use super::filters;
use super::portable::{box_taps, window_taps};
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

/// `ResizeArea`: the box `[i·scale, (i+1)·scale)` in float32 coordinates, each row weighted by its
/// coverage, divided by the box length; indices clamped to the input.
pub fn area(in_len: usize, out_len: usize) -> Result<AxisPlan> {
    let scale = in_len as f32 / out_len as f32;
    AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
        let start = i as f32 * scale;
        let end = (i + 1) as f32 * scale;
        let mut t = box_taps(start as f64, end as f64);
        // TF divides by the float32 scale, not by the (equal in exact arithmetic) box length.
        let len = (end - start) as f64;
        for tap in t.taps.iter_mut() {
            tap.1 = tap.1 * len / scale as f64;
        }
        t
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
    fn radius(self) -> f64 {
        match self {
            TfKernel::Triangle => 1.0,
            TfKernel::KeysCubic => 2.0,
            TfKernel::Lanczos3 => 3.0,
            TfKernel::Lanczos5 => 5.0,
            TfKernel::Gaussian => 1.5,
            TfKernel::MitchellCubic => 2.0,
        }
    }

    fn eval(self, x: f64) -> f64 {
        match self {
            TfKernel::Triangle => filters::triangle(x),
            TfKernel::KeysCubic => filters::keys_cubic(x, -0.5),
            TfKernel::Lanczos3 => filters::lanczos(x, 3.0),
            TfKernel::Lanczos5 => filters::lanczos(x, 5.0),
            TfKernel::Gaussian => filters::gaussian(x),
            TfKernel::MitchellCubic => filters::mitchell_cubic(x),
        }
    }
}

/// `ScaleAndTranslate` with translation 0: sample at `(i + 0.5)/scale` with
/// `scale = float32(out)/float32(in)`, kernel widened by `max(1/scale, 1)` with antialias, taps
/// outside the input dropped and the weights renormalised.
pub fn scale_and_translate(
    in_len: usize,
    out_len: usize,
    kernel: TfKernel,
    antialias: bool,
) -> Result<AxisPlan> {
    let scale = out_len as f32 / in_len as f32;
    let inv_scale = (1.0 / scale) as f64;
    let kernel_scale = if antialias { inv_scale.max(1.0) } else { 1.0 };
    AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
        let sample = (i as f64 + 0.5) * inv_scale;
        window_taps(sample - 0.5, kernel.radius(), kernel_scale, in_len, true, |x| {
            kernel.eval(x)
        })
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
        let p = area(7, 3).unwrap();
        for o in 0..3 {
            let s: f32 = p.taps(o).1.iter().sum();
            assert!((s - 1.0).abs() < 1e-6);
        }
    }
}
