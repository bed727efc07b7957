//! OpenCV's `cv::resize` rules (`modules/imgproc/src/resize.cpp`, the plain C++ float path).
//!
//! Scales are float64 (`scale_x = 1/inv_scale_x`, `inv_scale_x = dsize/ssize` or the user's `fx`);
//! the linear, cubic and Lanczos-4 source coordinate is computed in float64 and rounded to
//! float32 (`fx = (float)((dx + 0.5)·scale_x − 0.5)`); `INTER_NEAREST_EXACT` is 16.16 fixed point.

use super::filters;
use super::{AxisPlan, Edge, Taps};
use crate::error::Result;

/// OpenCV's interpolation flags for `cv::resize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CvInterpolation {
    /// `INTER_NEAREST`: `floor(dx · scale_x)`.
    Nearest,
    /// `INTER_NEAREST_EXACT`: half-pixel nearest in 16.16 fixed point.
    NearestExact,
    /// `INTER_LINEAR`: half-pixel bilinear.
    Linear,
    /// `INTER_LINEAR_EXACT`: half-pixel bilinear in bit-exact fixed point on 8- and 16-bit
    /// images (`resize_bitExact`); `INTER_LINEAR` on float images.
    LinearExact,
    /// `INTER_CUBIC`: half-pixel Keys cubic, a = −0.75.
    Cubic,
    /// `INTER_AREA`: box coverage when shrinking both axes, a special bilinear otherwise.
    Area,
    /// `INTER_LANCZOS4`: 8-tap Lanczos.
    Lanczos4,
}

/// One axis of a `cv::resize`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvAxis {
    /// Source length.
    pub in_len: usize,
    /// Destination length.
    pub out_len: usize,
    /// `inv_scale_x`: `dsize/ssize`, or the user's `fx` when `dsize` was empty.
    pub inv_scale: f64,
}

impl CvAxis {
    /// `scale = 1/inv_scale`, float64.
    pub fn scale(&self) -> f64 {
        1.0 / self.inv_scale
    }

    /// `fx = (float)((dx + 0.5)·scale − 0.5)`, split into `sx = floor(fx)` and the fraction.
    pub fn half_pixel(&self, dx: usize) -> (i64, f32) {
        let fx = ((dx as f64 + 0.5) * self.scale() - 0.5) as f32;
        let sx = fx.floor();
        (sx as i64, fx - sx)
    }
}

/// The two axis plans `(height, width)` of a `cv::resize`.
pub fn axis_plans(interp: CvInterpolation, y: CvAxis, x: CvAxis) -> Result<(AxisPlan, AxisPlan)> {
    if y.in_len == y.out_len && x.in_len == x.out_len {
        // cv::resize copies when dsize == ssize, whatever the factors.
        return Ok((AxisPlan::identity(y.in_len)?, AxisPlan::identity(x.in_len)?));
    }
    match interp {
        CvInterpolation::Nearest => Ok((nearest(y)?, nearest(x)?)),
        CvInterpolation::NearestExact => Ok((nearest_exact(y)?, nearest_exact(x)?)),
        CvInterpolation::Linear | CvInterpolation::LinearExact => Ok((linear(y)?, linear(x)?)),
        CvInterpolation::Cubic => Ok((cubic(y)?, cubic(x)?)),
        CvInterpolation::Lanczos4 => Ok((lanczos4(y)?, lanczos4(x)?)),
        CvInterpolation::Area => {
            let (sy, sx) = (y.scale(), x.scale());
            if sx >= 1.0 && sy >= 1.0 {
                let (iy, ix) = (sy.round_ties_even(), sx.round_ties_even());
                let is_area_fast = (sx - ix).abs() < f64::EPSILON && (sy - iy).abs() < f64::EPSILON;
                if is_area_fast {
                    Ok((area_fast(y, iy as usize)?, area_fast(x, ix as usize)?))
                } else {
                    Ok((area_table(y)?, area_table(x)?))
                }
            } else {
                Ok((area_upscale(y)?, area_upscale(x)?))
            }
        }
    }
}

/// `resizeNN`: `min(floor(dx · (1/inv_scale)), in − 1)` in float64.
pub fn nearest(axis: CvAxis) -> Result<AxisPlan> {
    let ifx = 1.0 / axis.inv_scale;
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        Taps::one(((dx as f64 * ifx).floor() as i64).min(last))
    })
}

/// `INTER_NEAREST_EXACT` as OpenCV 5.0 (opencv-python) computes it: the half-pixel source
/// position stepped in float64 — start at `0.5·s`, add `s` per output pixel — then floored and
/// clamped, with `s = in/out` from the actual sizes (also when `fx`/`fy` were given).
///
/// OpenCV 4's C++ `resizeNN_bitexact` documents 16.16 fixed point
/// (`sx = (ifx·dx + ifx/2 − in % 2) >> 16`), but OpenCV 5.0's outputs differ from it (12 → 5
/// picks rows 1, 3, 6, 8, 10; the fixed point picks 1, 3, 5, 8, 10) and from the closed form
/// `floor((dx + 0.5)·scale_x)` at float64 ties (fx = 1.5 on 6 pixels picks 0, 1, 1, 2, 2, 3, 4, 5, 5).
/// The stepped position reproduces every OpenCV 5.0 output measured; this rule is inferred from
/// those outputs, not read from source.
pub fn nearest_exact(axis: CvAxis) -> Result<AxisPlan> {
    let step = axis.in_len as f64 / axis.out_len as f64;
    let last = axis.in_len as i64 - 1;
    let mut positions = Vec::with_capacity(axis.out_len);
    let mut v = 0.5 * step;
    for _ in 0..axis.out_len {
        positions.push(v);
        v += step;
    }
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        Taps::one((positions[dx].floor() as i64).min(last))
    })
}

/// `INTER_LINEAR`: weights `(1 − fx, fx)` on `sx, sx + 1`, edges replicated (OpenCV clamps the
/// column and zeroes the fraction, and clips the rows: the same values).
pub fn linear(axis: CvAxis) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        let (sx, fx) = axis.half_pixel(dx);
        Taps::from_pairs(vec![(sx, (1.0 - fx) as f64), (sx + 1, fx as f64)])
    })
}

/// `interpolateCubic` (a = −0.75) at fraction `x`, in float32 as OpenCV evaluates it, the fourth
/// weight `1 − c0 − c1 − c2`; for taps `sx − 1 ..= sx + 2`.
pub fn cubic_coeffs(x: f32) -> [f32; 4] {
    const A: f32 = -0.75;
    let c0 = ((A * (x + 1.0) - 5.0 * A) * (x + 1.0) + 8.0 * A) * (x + 1.0) - 4.0 * A;
    let c1 = ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0;
    let c2 = ((A + 2.0) * (1.0 - x) - (A + 3.0)) * (1.0 - x) * (1.0 - x) + 1.0;
    let c3 = 1.0 - c0 - c1 - c2;
    [c0, c1, c2, c3]
}

/// `INTER_CUBIC`: [`cubic_coeffs`] on `sx − 1 ..= sx + 2`, taps clamped to the border.
pub fn cubic(axis: CvAxis) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        let (sx, x) = axis.half_pixel(dx);
        Taps::from_pairs(
            cubic_coeffs(x)
                .iter()
                .enumerate()
                .map(|(k, &c)| (sx - 1 + k as i64, c as f64))
                .collect(),
        )
    })
}

/// `INTER_LANCZOS4`: `interpolateLanczos4` on `sx − 3 ..= sx + 4`, taps clamped to the border.
pub fn lanczos4(axis: CvAxis) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        let (sx, fx) = axis.half_pixel(dx);
        let w = filters::opencv_lanczos4(fx);
        Taps::from_pairs((0..8).map(|k| (sx - 3 + k as i64, w[k] as f64)).collect())
    })
}

/// `resizeAreaFast_`: the mean of each `scale × scale` block; a block cut by the border averages
/// only the pixels inside.
fn area_fast(axis: CvAxis, scale: usize) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Exclude, |dx| {
        let w = 1.0 / scale as f64;
        Taps::from_pairs((0..scale).map(|k| ((dx * scale + k) as i64, w)).collect())
    })
}

/// `computeResizeAreaTab` for output `dx`: `(source index, alpha)` in the order OpenCV emits
/// them, the coverage computed in float64 and each alpha rounded to float32.
pub fn area_taps(axis: CvAxis, dx: usize) -> Vec<(i64, f32)> {
    let scale = axis.scale();
    let ssize = axis.in_len as i64;
    let fsx1 = dx as f64 * scale;
    let fsx2 = fsx1 + scale;
    let cell_width = scale.min(ssize as f64 - fsx1);
    let mut sx1 = fsx1.ceil() as i64;
    let sx2 = (fsx2.floor() as i64).min(ssize - 1);
    sx1 = sx1.min(sx2);
    let mut taps = Vec::new();
    if sx1 as f64 - fsx1 > 1e-3 {
        taps.push((sx1 - 1, ((sx1 as f64 - fsx1) / cell_width) as f32));
    }
    for sx in sx1..sx2 {
        taps.push((sx, (1.0 / cell_width) as f32));
    }
    if fsx2 - sx2 as f64 > 1e-3 {
        let a = (fsx2 - sx2 as f64).min(1.0).min(cell_width) / cell_width;
        taps.push((sx2, a as f32));
    }
    taps
}

/// `computeResizeAreaTab`: fractional coverage in float64, each alpha rounded to float32.
fn area_table(axis: CvAxis) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        Taps::from_pairs(
            area_taps(axis, dx)
                .into_iter()
                .map(|(i, a)| (i, a as f64))
                .collect(),
        )
    })
}

/// The source index and fraction of output `dx` of `INTER_AREA` on an enlarging axis:
/// `sx = floor(dx·scale)`, `fx = (dx + 1) − (sx + 1)·inv_scale` (float64 rounded to float32),
/// `fx = fx ≤ 0 ? 0 : fx − floor(fx)`.
pub fn area_upscale_position(axis: CvAxis, dx: usize) -> (i64, f32) {
    let sx = (dx as f64 * axis.scale()).floor() as i64;
    let fx = ((dx + 1) as f64 - (sx + 1) as f64 * axis.inv_scale) as f32;
    (sx, if fx <= 0.0 { 0.0 } else { fx - fx.floor() })
}

/// `INTER_AREA` when an axis enlarges: bilinear at [`area_upscale_position`].
fn area_upscale(axis: CvAxis) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |dx| {
        let (sx, fx) = area_upscale_position(axis, dx);
        Taps::from_pairs(vec![(sx, (1.0 - fx) as f64), (sx + 1, fx as f64)])
    })
}

/// `cv::resize`'s destination size from a factor: `saturate_cast<int>(in · f)` (round half to even).
pub fn size_from_factor(in_len: usize, factor: f64) -> f64 {
    (in_len as f64 * factor).round_ties_even()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_exact_2x_up() {
        let p = nearest_exact(CvAxis {
            in_len: 4,
            out_len: 8,
            inv_scale: 2.0,
        })
        .unwrap();
        let idx: Vec<_> = p.gather_indices().into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(idx, vec![0, 0, 1, 1, 2, 2, 3, 3]);
    }

    /// OpenCV 5.0's outputs: 12 → 5 picks rows 1, 3, 6, 8, 10 (16.16 fixed point gives 5 for
    /// the third), fx = 1.5 on 6 pixels picks 0, 1, 1, 2, 2, 3, 4, 5, 5.
    #[test]
    fn nearest_exact_steps_in_float64() {
        let p = nearest_exact(CvAxis {
            in_len: 6,
            out_len: 9,
            inv_scale: 1.5,
        })
        .unwrap();
        let idx: Vec<_> = p.gather_indices().into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(idx, vec![0, 1, 1, 2, 2, 3, 4, 5, 5]);
        let p = nearest_exact(CvAxis {
            in_len: 12,
            out_len: 5,
            inv_scale: 5.0 / 12.0,
        })
        .unwrap();
        let idx: Vec<_> = p.gather_indices().into_iter().map(|i| i.unwrap()).collect();
        assert_eq!(idx, vec![1, 3, 6, 8, 10]);
    }

    #[test]
    fn area_table_weights_sum_to_one() {
        let p = area_table(CvAxis {
            in_len: 10,
            out_len: 4,
            inv_scale: 0.4,
        })
        .unwrap();
        for o in 0..4 {
            let s: f32 = p.taps(o).1.iter().sum();
            assert!((s - 1.0).abs() < 1e-5, "output {o}: {s}");
        }
    }
}
