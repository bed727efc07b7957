//! The portable vocabulary ([`ResizeSpec`]) turned into tap tables.
//!
//! `nearest`, `linear` and `cubic` (with `exclude_outside` and `antialias`) follow the ONNX
//! reference implementation (`onnx/reference/ops/op_resize.py`) operation for operation in
//! float64: the coordinate formulas divide by the scale (never multiply by a precomputed inverse),
//! use the fractional output length `in·scale` where ONNX does, take the `n` nearest neighbours
//! of the source coordinate with ties to the lower index, and give an integral coordinate the
//! fraction 1 (its taps shift left by one, same value). The other filters extend the vocabulary
//! with the same coordinate mappings.

use super::filters;
use super::{AxisPlan, Edge, ResizePlan, Taps};
use crate::error::{Error, Result};
use crate::spec::{CoordinateTransform, Mode, NearestMode, ResizeSpec};

impl ResizeSpec {
    /// Builds the per-axis tap tables for an input of height and width `input_hw`.
    ///
    /// (Defined here, next to the mapping it runs, so that the spec does not depend on the plans.)
    pub fn plan(&self, input_hw: [usize; 2]) -> Result<ResizePlan> {
        plan(self, input_hw)
    }
}

/// The quantities a coordinate mapping needs for one axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AxisGeometry {
    /// Input length.
    pub in_len: usize,
    /// Output length (an integer).
    pub out_len: usize,
    /// The scale the mapping divides by: the user-given scale, or `out/in`.
    pub scale: f64,
    /// `start, end` of the crop box along this axis, normalized (tf_crop_and_resize only).
    pub roi: (f64, f64),
}

impl AxisGeometry {
    /// Geometry with the scale derived from the sizes (`out/in`) and the full-image roi.
    pub fn from_sizes(in_len: usize, out_len: usize) -> Self {
        AxisGeometry {
            in_len,
            out_len,
            scale: out_len as f64 / in_len as f64,
            roi: (0.0, 1.0),
        }
    }

    /// The fractional output length `scale · in` that ONNX's reference uses in `align_corners`,
    /// `pytorch_half_pixel` and `tf_crop_and_resize` (equal to `out` when the scale is out/in,
    /// up to rounding).
    pub fn length_resized(&self) -> f64 {
        self.scale * self.in_len as f64
    }
}

/// The source coordinate of output index `i` under a mapping, in float64, exactly as ONNX's
/// reference computes it; `None` when `tf_crop_and_resize` puts it outside `[0, in − 1]`.
pub fn source_coordinate(ctm: CoordinateTransform, g: &AxisGeometry, i: usize) -> Option<f64> {
    // Far outside the input every rule reads the edge (or excludes everything); clamping keeps
    // the integer arithmetic of the neighbour rules from saturating or overflowing.
    raw_source_coordinate(ctm, g, i).map(|x| x.clamp(-MAX_COORDINATE, MAX_COORDINATE))
}

/// |x| beyond this (2^52, where every f64 is an integer) is as far outside as any other.
const MAX_COORDINATE: f64 = (1u64 << 52) as f64;

fn raw_source_coordinate(ctm: CoordinateTransform, g: &AxisGeometry, i: usize) -> Option<f64> {
    let x = i as f64;
    let input_width = g.in_len as f64;
    let output_width = g.length_resized();
    let s = g.scale;
    Some(match ctm {
        CoordinateTransform::AlignCorners => {
            if output_width == 1.0 {
                0.0
            } else {
                x * (input_width - 1.0) / (output_width - 1.0)
            }
        }
        CoordinateTransform::AlignCornersCentered => {
            if g.out_len == 1 {
                (input_width - 1.0) / 2.0
            } else {
                x * (input_width - 1.0) / (output_width - 1.0)
            }
        }
        CoordinateTransform::Asymmetric => x / s,
        CoordinateTransform::TfCropAndResize => {
            // The roi is a float32 tensor; NumPy keeps `end − start` and `start·(in − 1)` in
            // float32 (NEP 50), the rest in float64 — as ONNX's reference computes it.
            let (start, end) = (g.roi.0 as f32, g.roi.1 as f32);
            let extent = end - start;
            let mut x_ori = if output_width == 1.0 {
                (extent * (g.in_len as f32 - 1.0) / 2.0) as f64
            } else {
                x * extent as f64 * (input_width - 1.0) / (output_width - 1.0)
            };
            x_ori += (start * (g.in_len as f32 - 1.0)) as f64;
            if x_ori < 0.0 || x_ori > input_width - 1.0 || x_ori.is_nan() {
                return None;
            }
            x_ori
        }
        CoordinateTransform::PytorchHalfPixel => {
            if output_width == 1.0 {
                -0.5
            } else {
                (x + 0.5) / s - 0.5
            }
        }
        CoordinateTransform::HalfPixel => (x + 0.5) / s - 0.5,
        CoordinateTransform::HalfPixelSymmetric => {
            let adjustment = g.out_len as f64 / output_width;
            let center = input_width / 2.0;
            let offset = center * (1.0 - adjustment);
            offset + (x + 0.5) / s - 0.5
        }
        CoordinateTransform::TfHalfPixelForNearest => (x + 0.5) / s,
        CoordinateTransform::RoiAlign => {
            let spacing = (input_width - 1.0).max(1.0) / output_width;
            0.5 * spacing + x * spacing
        }
    })
}

/// All source coordinates of an axis whose scale is out/in (for documentation and tests).
pub fn source_coordinates(
    ctm: CoordinateTransform,
    in_len: usize,
    out_len: usize,
) -> Vec<Option<f64>> {
    let g = AxisGeometry::from_sizes(in_len, out_len);
    (0..out_len)
        .map(|i| source_coordinate(ctm, &g, i))
        .collect()
}

/// `floor(x)` and the fraction in (0, 1], the reference's convention: an integral `x` gets
/// fraction 1 so that its left neighbour is `x − 1`.
fn floor_and_ratio(x: f64) -> (i64, f64) {
    if x.fract() == 0.0 {
        (x as i64 - 1, 1.0)
    } else {
        let f = x.floor();
        (f as i64, x - f)
    }
}

/// The `n` integers nearest to `x` (ties to the lower index), sorted: ONNX's neighbour rule
/// (`_interpolate_1d_along_axis` in onnx 1.23). The window is placed from the *padded*
/// coordinate `x + ceil(n/2)` in float64: for even `n` it starts at `floor(xp) − n/2 + 1`, or at
/// `xp − n/2` when `xp` is integral. Adding the pad can round a coordinate just above an integer
/// onto it (10.5/1.4 − 0.5 = 7.000000000000001, + 1 = 8.0), which moves the window one pixel left
/// while the weights keep the unpadded fraction; the reference does exactly that.
/// Returned indices may lie outside the input; the edge rule decides what they read.
pub fn nearest_neighbours(x: f64, n: usize) -> Vec<i64> {
    let n = n as i64;
    let pad = (n + 1) / 2;
    let xp = x + pad as f64;
    let p = xp.floor();
    let frac = xp - p;
    let p = p as i64;
    let start = if n % 2 == 0 {
        if frac == 0.0 {
            p - n / 2
        } else {
            p - n / 2 + 1
        }
    } else {
        let base = -((n - 1) / 2);
        p + if frac <= 0.5 { base } else { base + 1 }
    };
    (start - pad..start - pad + n).collect()
}

/// The rounding of `nearest` under ONNX's reference (`_nearest_coeffs`): one of the two
/// neighbours of `x` ([`nearest_neighbours`] with n = 2), chosen by the fraction (an integral `x`
/// picks the upper one, itself).
pub fn onnx_nearest_index(x: f64, rounding: NearestMode) -> i64 {
    let (_, ratio) = floor_and_ratio(x);
    let take_upper = ratio == 1.0
        || match rounding {
            NearestMode::RoundPreferFloor => ratio > 0.5,
            NearestMode::RoundPreferCeil => ratio >= 0.5,
            NearestMode::Floor => false,
            NearestMode::Ceil => true,
        };
    nearest_neighbours(x, 2)[take_upper as usize]
}

/// ONNX `_cubic_coeffs` as the reference evaluates it: `cubic_coeff_a` arrives as a float32
/// scalar, so under NumPy's promotion rules every operation is float32, with the Python-float
/// subexpressions (`ratio + 1`, `1 − ratio`) rounded to float32 where they meet it.
fn onnx_cubic_coeffs(ratio: f64, a: f64) -> [f64; 4] {
    let a = a as f32;
    let far = |t: f64| {
        let t = t as f32;
        ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a
    };
    let near = |t: f64| {
        let t = t as f32;
        ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0
    };
    [
        far(ratio + 1.0) as f64,
        near(ratio) as f64,
        near(1.0 - ratio) as f64,
        far((1.0 - ratio) + 1.0) as f64,
    ]
}

/// ONNX `_linear_coeffs_antialias`: triangle weights widened by 1/scale when shrinking.
fn linear_coeffs_antialias(ratio: f64, scale: f64) -> (i64, Vec<f64>) {
    let scale = scale.min(1.0);
    let start = ((-1.0 / scale).floor() + 1.0) as i64;
    let footprint = 2 - 2 * start;
    let coeffs: Vec<f64> = (start..start + footprint)
        .map(|k| (1.0 - ((k as f64 - ratio) * scale).abs()).clamp(0.0, 1.0))
        .collect();
    let sum: f64 = coeffs.iter().sum();
    (start, coeffs.into_iter().map(|c| c / sum).collect())
}

/// ONNX `_cubic_coeffs_antialias`: Keys weights widened by 1/scale when shrinking. As in the
/// reference, `|x|`, `x²` and `x³` are float64, the polynomial is float32 (`cubic_coeff_a` is a
/// float32 scalar); taps at `|x| ≥ 2` are the Python float 0.0, which makes the array (and the
/// normalisation) float64, otherwise the sum and the division are float32.
fn cubic_coeffs_antialias(ratio: f64, scale: f64, a: f64) -> (i64, Vec<f64>) {
    let scale = scale.min(1.0);
    let a = a as f32;
    let i_start = ((-2.0 / scale).floor() + 1.0) as i64;
    let i_end = 2 - i_start;
    let coeffs: Vec<Option<f32>> = (i_start..i_end)
        .map(|i| {
            let x = (scale * (i as f64 - ratio)).abs();
            let (x2, x3) = (x * x, x * (x * x));
            if x <= 1.0 {
                Some((a + 2.0) * x3 as f32 - (a + 3.0) * x2 as f32 + 1.0)
            } else if x < 2.0 {
                Some(a * x3 as f32 - 5.0 * a * x2 as f32 + 8.0 * a * x as f32 - 4.0 * a)
            } else {
                None
            }
        })
        .collect();
    let weights = if coeffs.iter().any(Option::is_none) {
        let values: Vec<f64> = coeffs.iter().map(|c| c.map_or(0.0, f64::from)).collect();
        let sum: f64 = values.iter().sum();
        values.into_iter().map(|v| v / sum).collect()
    } else {
        let values: Vec<f32> = coeffs.into_iter().flatten().collect();
        let sum: f32 = values.iter().sum();
        values.into_iter().map(|v| (v / sum) as f64).collect()
    };
    (i_start, weights)
}

/// Taps of a windowed kernel of radius `radius` centred on `x`, widened by `kernel_scale`:
/// every integer j with |j − x| ≤ radius·kernel_scale, weight `kernel((j − x)/kernel_scale)`.
/// With `exclude` the out-of-range taps are dropped and the rest renormalised (TF
/// ScaleAndTranslate); otherwise the weights are normalised over the whole window and the
/// indices replicate the edge.
pub fn window_taps(
    x: f64,
    radius: f64,
    kernel_scale: f64,
    in_len: usize,
    exclude: bool,
    kernel: impl Fn(f64) -> f64,
) -> Taps {
    let reach = radius * kernel_scale;
    let first = (x - reach).ceil() as i64;
    let last = (x + reach).floor() as i64;
    let mut taps: Vec<(i64, f64)> = (first..=last)
        .filter(|&j| !exclude || (j >= 0 && j < in_len as i64))
        .map(|j| (j, kernel((j as f64 - x) / kernel_scale)))
        .collect();
    let sum: f64 = taps.iter().map(|t| t.1).sum();
    if sum.abs() >= 1000.0 * f32::MIN_POSITIVE as f64 {
        for t in taps.iter_mut() {
            t.1 /= sum;
        }
    }
    Taps::from_pairs(taps)
}

/// Taps of the exact fractional box `[start, end)` (in source pixel units): each pixel weighted by
/// its overlap with the box, divided by the box length; indices outside the input replicate the edge.
pub fn box_taps(start: f64, end: f64) -> Taps {
    let len = end - start;
    let first = start.floor() as i64;
    let last = end.ceil() as i64 - 1;
    let taps = (first..=last.max(first))
        .map(|j| {
            let lo = (j as f64).max(start);
            let hi = ((j + 1) as f64).min(end);
            (j, (hi - lo).max(0.0) / len)
        })
        .filter(|t| t.1 > 0.0)
        .collect();
    Taps::from_pairs(taps)
}

/// Taps of PyTorch's adaptive average pooling bin `i`: equal weights over
/// `floor(i·in/out) .. ceil((i+1)·in/out)` (integer arithmetic).
pub fn adaptive_pool_taps(i: usize, in_len: usize, out_len: usize) -> Taps {
    let (i, n_in, n_out) = (i as u128, in_len as u128, out_len as u128);
    let start = (i * n_in) / n_out;
    let end = ((i + 1) * n_in).div_ceil(n_out);
    let count = (end - start) as f64;
    Taps::from_pairs((start..end).map(|j| (j as i64, 1.0 / count)).collect())
}

/// Taps of OpenCV's Lanczos-4 at source coordinate `x` (rounded to float32 as OpenCV does).
pub fn lanczos4_taps(x: f64) -> Taps {
    let fx = x as f32;
    let sx = fx.floor();
    let t = fx - sx;
    let w = filters::opencv_lanczos4(t);
    let sx = sx as i64;
    Taps::from_pairs((0..8).map(|k| (sx - 3 + k as i64, w[k] as f64)).collect())
}

/// A filter kernel evaluated at a distance in source pixels.
type Kernel = fn(f64) -> f64;

/// The radius and kernel of TF's ScaleAndTranslate filters.
fn tf_kernel(mode: Mode) -> Option<(f64, Kernel)> {
    match mode {
        Mode::Lanczos3 => Some((3.0, |x| filters::lanczos(x, 3.0))),
        Mode::Lanczos5 => Some((5.0, |x| filters::lanczos(x, 5.0))),
        Mode::Gaussian => Some((1.5, filters::gaussian)),
        Mode::MitchellCubic => Some((2.0, filters::mitchell_cubic)),
        _ => None,
    }
}

/// Python's `math.isclose` with its default relative tolerance 1e-9 (and no absolute tolerance).
fn isclose(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// ONNX's reference leaves an axis untouched when its scale is close to 1, its length does not
/// change and its roi (if any) is the whole axis.
fn onnx_skips_axis(spec: &ResizeSpec, g: &AxisGeometry) -> bool {
    let roi_is_whole = spec.roi.is_none() || (isclose(g.roi.0, 0.0) && isclose(g.roi.1, 1.0));
    isclose(g.scale, 1.0) && g.out_len == g.in_len && roi_is_whole
}

/// The plan of one axis under the portable semantics.
pub fn axis_plan(spec: &ResizeSpec, g: AxisGeometry) -> Result<AxisPlan> {
    let ctm = spec.coordinate_transformation_mode;
    if matches!(spec.mode, Mode::Nearest | Mode::Linear | Mode::Cubic) && onnx_skips_axis(spec, &g)
    {
        return AxisPlan::identity(g.in_len);
    }
    let edge = if spec.exclude_outside {
        Edge::Exclude
    } else {
        Edge::Replicate
    };
    let s = g.scale;
    check_window(spec, &g)?;
    match spec.mode {
        Mode::Nearest => {
            let rounding = spec.nearest_mode.unwrap_or(NearestMode::RoundPreferFloor);
            AxisPlan::build(g.in_len, g.out_len, edge, |i| {
                match source_coordinate(ctm, &g, i) {
                    None => Taps::extrapolated(),
                    Some(x) => Taps::one(onnx_nearest_index(x, rounding)),
                }
            })
        }
        Mode::Linear | Mode::Cubic => {
            let a = spec.cubic_coeff_a.unwrap_or(-0.75);
            let cubic = spec.mode == Mode::Cubic;
            AxisPlan::build(g.in_len, g.out_len, edge, |i| {
                let Some(x) = source_coordinate(ctm, &g, i) else {
                    return Taps::extrapolated();
                };
                let (_, ratio) = floor_and_ratio(x);
                let coeffs: Vec<f64> = match (cubic, spec.antialias) {
                    (false, false) => vec![1.0 - ratio, ratio],
                    (true, false) => onnx_cubic_coeffs(ratio, a).to_vec(),
                    (false, true) => linear_coeffs_antialias(ratio, s).1,
                    (true, true) => cubic_coeffs_antialias(ratio, s, a).1,
                };
                let idx = nearest_neighbours(x, coeffs.len());
                Taps::from_pairs(idx.into_iter().zip(coeffs).collect())
            })
        }
        Mode::Area => AxisPlan::build(g.in_len, g.out_len, Edge::Replicate, |i| {
            box_taps(i as f64 / s, (i + 1) as f64 / s)
        }),
        Mode::AdaptiveAvgPool => AxisPlan::build(g.in_len, g.out_len, Edge::Replicate, |i| {
            adaptive_pool_taps(i, g.in_len, g.out_len)
        }),
        Mode::Lanczos3 | Mode::Lanczos5 | Mode::Gaussian | Mode::MitchellCubic => {
            let (radius, kernel) = tf_kernel(spec.mode).expect("windowed mode");
            let kernel_scale = if spec.antialias {
                (1.0 / s).max(1.0)
            } else {
                1.0
            };
            AxisPlan::build(g.in_len, g.out_len, edge, |i| {
                match source_coordinate(ctm, &g, i) {
                    None => Taps::extrapolated(),
                    Some(x) => window_taps(
                        x,
                        radius,
                        kernel_scale,
                        g.in_len,
                        spec.exclude_outside,
                        kernel,
                    ),
                }
            })
        }
        Mode::Lanczos4 => AxisPlan::build(g.in_len, g.out_len, edge, |i| {
            match source_coordinate(ctm, &g, i) {
                None => Taps::extrapolated(),
                Some(x) => lanczos4_taps(x),
            }
        }),
    }
}

/// How many source pixels one output's filter window may span, per input pixel: scales
/// consistent with the sizes (at least about 1/in) keep every window within about 10 input
/// lengths (lanczos5 antialiased: 2·5/scale).
const WINDOW_PER_INPUT: f64 = 32.0;

/// Refuses a user scale so small for the input that one output's window (which grows as 1/scale
/// for area and antialiased filters) would span far more than the input: enumerating it would
/// take hours or exhaust memory, and every pixel of it past the edge reads the edge anyway.
fn check_window(spec: &ResizeSpec, g: &AxisGeometry) -> Result<()> {
    let shrink = (1.0 / g.scale).max(1.0);
    let window = match spec.mode {
        Mode::Area => shrink + 2.0,
        Mode::Linear if spec.antialias => 2.0 * shrink + 2.0,
        Mode::Cubic if spec.antialias => 4.0 * shrink + 2.0,
        Mode::Lanczos3 | Mode::Lanczos5 | Mode::Gaussian | Mode::MitchellCubic => {
            let radius = tf_kernel(spec.mode).map_or(5.0, |(r, _)| r);
            let widen = if spec.antialias { shrink } else { 1.0 };
            2.0 * radius * widen + 2.0
        }
        _ => return Ok(()),
    };
    let limit = WINDOW_PER_INPUT * g.in_len as f64 + 64.0;
    if window.is_finite() && window <= limit {
        return Ok(());
    }
    Err(Error::invalid_argument(
        "scale",
        format!("{:e}", g.scale),
        format!(
            "mode {} at this scale needs a filter window of {window:.3e} source pixels per output, \
             more than {WINDOW_PER_INPUT} times the input length {}; give a scale consistent with \
             the sizes (at least about 1/{}) or none",
            spec.mode.name(),
            g.in_len,
            g.in_len
        ),
    ))
}

/// Plans a portable spec for an input of height and width `[in_h, in_w]`.
pub fn plan(spec: &ResizeSpec, [in_h, in_w]: [usize; 2]) -> Result<ResizePlan> {
    spec.validate()?;
    check_input(in_h, in_w)?;
    let [out_h, out_w] = spec.output_size;
    // A user-given scale is a float32 value (ONNX's `scales` input is a float tensor).
    let scale = match spec.scale {
        Some([sh, sw]) => [sh as f32 as f64, sw as f32 as f64],
        None => [out_h as f64 / in_h as f64, out_w as f64 / in_w as f64],
    };
    plan_with_scale(spec, [in_h, in_w], scale)
}

fn check_input(in_h: usize, in_w: usize) -> Result<()> {
    if in_h == 0 || in_w == 0 {
        return Err(Error::ZeroOrNegativeSize {
            what: "input height and width".into(),
            value: 0,
        });
    }
    Ok(())
}

/// Plans a portable spec with the scales the mapping divides by given exactly (float64), as
/// ONNX's reference computes them for `sizes` and `keep_aspect_ratio_policy`.
pub fn plan_with_scale(
    spec: &ResizeSpec,
    [in_h, in_w]: [usize; 2],
    scale: [f64; 2],
) -> Result<ResizePlan> {
    spec.validate()?;
    check_input(in_h, in_w)?;
    let [out_h, out_w] = spec.output_size;
    let roi = spec.roi.unwrap_or([0.0, 0.0, 1.0, 1.0]);
    let gh = AxisGeometry {
        in_len: in_h,
        out_len: out_h,
        scale: scale[0],
        roi: (roi[0], roi[2]),
    };
    let gw = AxisGeometry {
        in_len: in_w,
        out_len: out_w,
        scale: scale[1],
        roi: (roi[1], roi[3]),
    };
    let mut plan = ResizePlan::new(axis_plan(spec, gh)?, axis_plan(spec, gw)?);
    plan.extrapolation_value = spec.extrapolation_value.unwrap_or(0.0) as f32;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coords(ctm: CoordinateTransform, n_in: usize, n_out: usize) -> Vec<f64> {
        source_coordinates(ctm, n_in, n_out)
            .into_iter()
            .map(|x| x.unwrap())
            .collect()
    }

    fn assert_close(got: &[f64], want: &[f64], tol: f64) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!((g - w).abs() <= tol, "index {i}: got {g}, want {w}");
        }
    }

    /// The seed article's align_corners coordinates for width 10 → 20.
    #[test]
    fn article_align_corners_10_to_20() {
        let want = [
            0.0, 0.47368421, 0.94736842, 1.42105263, 1.89473684, 2.36842105, 2.84210526,
            3.31578947, 3.78947368, 4.26315789, 4.73684211, 5.21052632, 5.68421053, 6.15789474,
            6.63157895, 7.10526316, 7.57894737, 8.05263158, 8.52631579, 9.0,
        ];
        assert_close(
            &coords(CoordinateTransform::AlignCorners, 10, 20),
            &want,
            1e-8,
        );
    }

    /// Width 20 → 40 with align_corners: step 19/39 = 0.48717949, first and last values as printed.
    #[test]
    fn article_align_corners_20_to_40() {
        let c = coords(CoordinateTransform::AlignCorners, 20, 40);
        let head = [
            0.0, 0.48717949, 0.97435897, 1.46153846, 1.94871795, 2.43589744, 2.92307692,
            3.41025641, 3.89743590, 4.38461538, 4.87179487, 5.35897436, 5.84615385, 6.33333333,
            6.82051282, 7.30769231, 7.79487179, 8.28205128, 8.76923077, 9.25641026,
        ];
        assert_close(&c[..20], &head, 1e-8);
        let tail = [17.05128205, 17.53846154, 18.02564103, 18.51282051, 19.0];
        assert_close(&c[35..], &tail, 1e-8);
        for k in 1..40 {
            assert!((c[k] - c[k - 1] - 0.48717949).abs() < 1e-8);
        }
    }

    /// TF1's asymmetric grid: 0, 0.5, …, 9.0, then 9.0 again once clamped to the last pixel.
    #[test]
    fn article_asymmetric_10_to_20() {
        let c = coords(CoordinateTransform::Asymmetric, 10, 20);
        let want: Vec<f64> = (0..20).map(|i| i as f64 * 0.5).collect();
        assert_close(&c, &want, 0.0);
        // Clamped to the input as the bilinear taps do: the last two samples read pixel 9.
        let spec = ResizeSpec::new(Mode::Linear, CoordinateTransform::Asymmetric, [1, 20]);
        let plan = spec.plan([1, 10]).unwrap();
        for o in [18, 19] {
            let (idx, w) = plan.w.taps(o);
            for (&i, &wt) in idx.iter().zip(w) {
                assert_eq!(wt, if i == 9 { 1.0 } else { 0.0 }, "output {o}, tap {i}");
            }
        }
    }

    /// The half-pixel grid: −0.25, 0.25, …, 9.25.
    #[test]
    fn article_half_pixel_10_to_20() {
        let c = coords(CoordinateTransform::HalfPixel, 10, 20);
        let want: Vec<f64> = (0..20).map(|i| -0.25 + 0.5 * i as f64).collect();
        assert_close(&c, &want, 1e-12);
        let c40 = coords(CoordinateTransform::HalfPixel, 20, 40);
        assert_close(&c40[..20], &want, 1e-12);
        assert!((c40[39] - 19.25).abs() < 1e-12);
    }

    #[test]
    fn neighbours_match_reference_rule() {
        assert_eq!(nearest_neighbours(2.3, 2), vec![2, 3]);
        assert_eq!(nearest_neighbours(3.0, 2), vec![2, 3]);
        assert_eq!(nearest_neighbours(2.3, 4), vec![1, 2, 3, 4]);
        assert_eq!(nearest_neighbours(3.0, 4), vec![1, 2, 3, 4]);
        assert_eq!(nearest_neighbours(-0.25, 2), vec![-1, 0]);
        assert_eq!(nearest_neighbours(-0.5, 4), vec![-2, -1, 0, 1]);
        assert_eq!(nearest_neighbours(4.5, 3), vec![3, 4, 5]);
        assert_eq!(nearest_neighbours(4.6, 3), vec![4, 5, 6]);
        // 10.5/1.4 − 0.5 is just above 7; padded by 1 it rounds to exactly 8.0, so the reference
        // takes the window [6, 7] (with the tiny fraction as the weight of 7).
        let x = 10.5 / 1.4 - 0.5;
        assert!(x > 7.0);
        assert_eq!(nearest_neighbours(x, 2), vec![6, 7]);
    }

    #[test]
    fn nearest_roundings() {
        use NearestMode::*;
        assert_eq!(onnx_nearest_index(2.5, RoundPreferFloor), 2);
        assert_eq!(onnx_nearest_index(2.5, RoundPreferCeil), 3);
        assert_eq!(onnx_nearest_index(2.7, Floor), 2);
        assert_eq!(onnx_nearest_index(2.2, Ceil), 3);
        assert_eq!(onnx_nearest_index(3.0, Ceil), 3);
        assert_eq!(onnx_nearest_index(-0.5, RoundPreferFloor), -1);
    }

    #[test]
    fn adaptive_pool_bins_overlap() {
        let t = adaptive_pool_taps(1, 5, 3);
        assert_eq!(
            t.taps.iter().map(|t| t.0).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn box_taps_cover_fraction() {
        let t = box_taps(0.0, 1.5);
        assert_eq!(t.taps.len(), 2);
        assert!((t.taps[0].1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((t.taps[1].1 - 1.0 / 3.0).abs() < 1e-12);
    }
}
