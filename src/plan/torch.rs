//! PyTorch's `F.interpolate` rules, in PyTorch's own precision.
//!
//! For float32 tensors PyTorch computes scales and source coordinates in float32 (`opmath_t`):
//! the scale is `(float)(1.0 / scale_factor)` when a scale factor is forwarded, else
//! `(float)in / (float)out` (`UpSample.h::compute_scales_value`). That decides which pixel
//! `nearest` picks at ties, so these tables are built in float32, following
//! `aten/src/ATen/native/UpSample.h` and `cpu/UpSampleKernel.cpp`.

use super::filters;
use super::{AxisPlan, Edge, Taps};
use crate::error::Result;

/// One axis of a PyTorch resize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TorchAxis {
    /// Input length.
    pub in_len: usize,
    /// Output length.
    pub out_len: usize,
    /// The scale factor forwarded to the kernel (None with `size=` or
    /// `recompute_scale_factor=True`).
    pub scale_factor: Option<f64>,
    /// `align_corners=True`.
    pub align_corners: bool,
}

impl TorchAxis {
    /// `compute_scales_value<float>`: `1/scale_factor` rounded to float32, or `in/out` in float32.
    pub fn scales_value(&self) -> f32 {
        match self.scale_factor {
            Some(s) if s > 0.0 => (1.0 / s) as f32,
            _ => self.in_len as f32 / self.out_len as f32,
        }
    }

    /// `area_pixel_compute_scale<float>`.
    pub fn area_pixel_scale(&self) -> f32 {
        if self.align_corners {
            if self.out_len > 1 {
                (self.in_len as f32 - 1.0) / (self.out_len as f32 - 1.0)
            } else {
                0.0
            }
        } else {
            self.scales_value()
        }
    }

    /// `area_pixel_compute_scale<double>`: the scale of PyTorch's uint8 bilinear, bicubic and
    /// antialias tables (`HelperInterpBase::_compute_index_ranges_int16_weights` computes in
    /// double): `(in − 1)/(out − 1)` with `align_corners=True` (0 for one output), else
    /// `1.0 / scale_factor` when one is forwarded, else `in / out`, all in float64.
    pub fn area_pixel_scale_f64(&self) -> f64 {
        if self.align_corners {
            if self.out_len > 1 {
                (self.in_len as f64 - 1.0) / (self.out_len as f64 - 1.0)
            } else {
                0.0
            }
        } else {
            match self.scale_factor {
                Some(s) if s > 0.0 => 1.0 / s,
                _ => self.in_len as f64 / self.out_len as f64,
            }
        }
    }

    /// `area_pixel_compute_source_index<float>`.
    fn source_index(&self, scale: f32, i: usize, cubic: bool) -> f32 {
        if self.align_corners {
            scale * i as f32
        } else {
            let x = scale * (i as f32 + 0.5) - 0.5;
            if !cubic && x < 0.0 {
                0.0
            } else {
                x
            }
        }
    }
}

/// Which of PyTorch's CPU kernels runs: the channels-last one (taken when the input is
/// channels-last with more than 3 channels, or the output is small) or the generic one. They
/// round `nearest` and `nearest-exact` slightly differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelPath {
    /// `cpu_upsample_*_channels_last` with `UpSample.h::nearest_idx` / `nearest_exact_idx`.
    ChannelsLast,
    /// `upsample_generic_Nd_kernel_impl` with `HelperInterpNearest*`.
    Generic,
}

impl KernelPath {
    /// PyTorch's `_use_vectorized_kernel_cond_2d`:
    /// `(input is channels_last && C > 3) || out_h + out_w <= 128`.
    pub fn select(input_channels_last: bool, channels: usize, out_hw: [usize; 2]) -> Self {
        if (input_channels_last && channels > 3) || out_hw[0] + out_hw[1] <= 128 {
            KernelPath::ChannelsLast
        } else {
            KernelPath::Generic
        }
    }
}

/// Whether a contiguous NCHW tensor also counts as channels-last contiguous in PyTorch
/// (`compute_channels_last_contiguous_2d`): true when every non-unit dimension already has the
/// channels-last stride.
pub fn nchw_is_also_channels_last([n, c, h, w]: [usize; 4]) -> bool {
    let strides = [c * h * w, h * w, w, 1];
    let sizes = [n, c, h, w];
    let mut expected = 1;
    for d in [1usize, 3, 2, 0] {
        if sizes[d] != 1 {
            if strides[d] != expected {
                return false;
            }
            expected *= sizes[d];
        }
    }
    true
}

/// How the generic kernel rounds `nearest-exact`'s `scale · (i + 0.5f) − 0.5f` (float32).
///
/// PyTorch's x86 builds compile `UpSampleKernel.cpp` once per CPU capability; the AVX2 and
/// AVX-512 builds contract the expression into one fused multiply-add (a single rounding), the
/// DEFAULT build rounds the product and the difference separately. The two pick another source
/// pixel for a few outputs of rare sizes (64 of the 160,000 size pairs up to 400, e.g. 2 → 41,
/// output 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearestExactRounding {
    /// One rounding (`fmaf`), as the AVX2 and AVX-512 builds compute.
    Fused,
    /// Two roundings, as the DEFAULT build computes.
    Separate,
}

/// `mode='nearest'`: the source index of output `i`, `min(floor(f32(i · scale)), in − 1)` in
/// float32 (`HelperInterpNearest::compute_indices_weights`); the channels-last kernel
/// (`UpSample.h::nearest_idx`) first copies an unchanged axis and takes `i >> 1` when the output
/// is exactly twice the input.
pub fn nearest_source(axis: TorchAxis, path: KernelPath, i: usize) -> usize {
    if path == KernelPath::ChannelsLast {
        if axis.out_len == axis.in_len {
            return i;
        }
        if axis.out_len == 2 * axis.in_len {
            return i >> 1;
        }
    }
    let src = (i as f32 * axis.scales_value()).floor() as usize;
    src.min(axis.in_len - 1)
}

/// `mode='nearest-exact'`: the source index of output `i`, `floor((i + 0.5) · scale)` clamped to
/// the input, with each kernel's own rounding of the intermediate: the channels-last kernel
/// (`UpSample.h::nearest_exact_idx`) narrows the double product to float once; the generic
/// kernel (`HelperInterpNearestExact::compute_indices_weights`) computes
/// `max(scale · (i + 0.5f) − 0.5f, 0)` in float32, rounded as `rounding` says, then
/// `floorf(real + 0.5)`.
pub fn nearest_exact_source(
    axis: TorchAxis,
    path: KernelPath,
    i: usize,
    rounding: NearestExactRounding,
) -> usize {
    let scale = axis.scales_value();
    let src = match path {
        // floorf((dst_index + 0.5) * scale): double product narrowed to float.
        KernelPath::ChannelsLast => (((i as f64 + 0.5) * scale as f64) as f32).floor(),
        KernelPath::Generic => {
            let mut real = match rounding {
                NearestExactRounding::Separate => scale * (i as f32 + 0.5) - 0.5,
                NearestExactRounding::Fused => scale.mul_add(i as f32 + 0.5, -0.5),
            };
            if real < 0.0 {
                real = 0.0;
            }
            ((real as f64 + 0.5) as f32).floor()
        }
    } as usize;
    src.min(axis.in_len - 1)
}

/// `mode='nearest'`: [`nearest_source`] for every output.
pub fn nearest(axis: TorchAxis, path: KernelPath) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        Taps::one(nearest_source(axis, path, i) as i64)
    })
}

/// `mode='nearest-exact'` on float32 tensors: [`nearest_exact_source`] for every output, with
/// two roundings in the generic kernel.
pub fn nearest_exact(axis: TorchAxis, path: KernelPath) -> Result<AxisPlan> {
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        Taps::one(nearest_exact_source(axis, path, i, NearestExactRounding::Separate) as i64)
    })
}

/// `mode='bilinear'` (one axis of it): PyTorch copies an unchanged axis, clamps negative source
/// coordinates to 0, and duplicates the last pixel at the right edge.
pub fn linear(axis: TorchAxis) -> Result<AxisPlan> {
    if axis.in_len == axis.out_len {
        return AxisPlan::identity(axis.in_len);
    }
    let scale = axis.area_pixel_scale();
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let x = axis.source_index(scale, i, false);
        let i0 = (x.floor() as i64).min(last);
        let l1 = (x - i0 as f32).clamp(0.0, 1.0);
        let l0 = 1.0 - l1;
        let i1 = i0 + (i0 < last) as i64;
        Taps::from_pairs(vec![(i0, l0 as f64), (i1, l1 as f64)])
    })
}

/// `mode='bicubic'` (one axis): Keys a = −0.75 in float32, taps clamped to the border; no
/// shortcut for an unchanged axis.
pub fn cubic(axis: TorchAxis) -> Result<AxisPlan> {
    let scale = axis.area_pixel_scale();
    let last = axis.in_len as i64 - 1;
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let x = axis.source_index(scale, i, true);
        let i0 = (x.floor() as i64).min(last);
        let t = (x - i0 as f32).clamp(0.0, 1.0);
        let w = filters::cubic_coeffs_f32(t, -0.75);
        Taps::from_pairs((0..4).map(|k| (i0 + k as i64 - 1, w[k] as f64)).collect())
    })
}

/// The filter of `antialias=True`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AntialiasFilter {
    /// `mode='bilinear'`: triangle, support 1.
    Bilinear,
    /// `mode='bicubic'`: Keys with a = −0.5, support 2.
    Bicubic,
}

/// `antialias=True` (PIL-style separable filter): the window of support `interp/2 · scale` around
/// `scale · (i + 0.5)`, weights evaluated in float32 and normalised, out-of-range taps dropped.
/// An unchanged axis is copied.
pub fn antialias(axis: TorchAxis, filter: AntialiasFilter) -> Result<AxisPlan> {
    if axis.in_len == axis.out_len {
        return AxisPlan::identity(axis.in_len);
    }
    let scale = axis.area_pixel_scale();
    let interp_size: f32 = match filter {
        AntialiasFilter::Bilinear => 2.0,
        AntialiasFilter::Bicubic => 4.0,
    };
    let support: f32 = if scale >= 1.0 {
        (interp_size * 0.5) * scale
    } else {
        interp_size * 0.5
    };
    let max_taps = (support.ceil() as i64) * 2 + 1;
    let invscale: f32 = if scale >= 1.0 { 1.0 / scale } else { 1.0 };
    let n_in = axis.in_len as i64;
    let kernel = |x: f32| -> f32 {
        match filter {
            AntialiasFilter::Bilinear => {
                let x = x.abs();
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            AntialiasFilter::Bicubic => {
                const A: f32 = -0.5;
                let x = x.abs();
                if x < 1.0 {
                    ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    ((A * x - 5.0 * A) * x + 8.0 * A) * x - 4.0 * A
                } else {
                    0.0
                }
            }
        }
    };
    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
        let center = scale * (i as f32 + 0.5);
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xsize = (((center + support + 0.5) as i64).min(n_in) - xmin).clamp(0, max_taps);
        let mut w: Vec<f32> = (0..xsize)
            .map(|j| kernel((j as f32 + xmin as f32 - center + 0.5) * invscale))
            .collect();
        let total: f32 = w.iter().sum();
        if total != 0.0 {
            for v in w.iter_mut() {
                *v /= total;
            }
        }
        Taps::from_pairs(
            w.into_iter()
                .enumerate()
                .map(|(j, v)| (xmin + j as i64, v as f64))
                .collect(),
        )
    })
}

/// PyTorch 2.x's antialias kernel with an output width of 1 (and a height that changes, to more
/// than one row): every output row comes out equal to output row 0. Measured on torch 2.15 for
/// bilinear and bicubic, every align_corners, batch and channel count; this reproduces it by giving
/// every output row the taps of row 0.
pub fn antialias_single_column_rows(h: &AxisPlan) -> Result<AxisPlan> {
    let (idx, w) = h.taps(0);
    let row0: Vec<(i64, f64)> = idx
        .iter()
        .zip(w)
        .map(|(&i, &w)| (i as i64, w as f64))
        .collect();
    AxisPlan::build(h.in_len(), h.out_len(), Edge::Replicate, |_| {
        Taps::from_pairs(row0.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_2x_special_case_only_on_channels_last_path() {
        // in 3, out 6, scale_factor 2.3: floor(i / 2.3) vs i >> 1
        let axis = TorchAxis {
            in_len: 3,
            out_len: 6,
            scale_factor: Some(2.3),
            align_corners: false,
        };
        let cl = nearest(axis, KernelPath::ChannelsLast).unwrap();
        let gen = nearest(axis, KernelPath::Generic).unwrap();
        let idx = |p: &AxisPlan| {
            p.gather_indices()
                .into_iter()
                .map(|i| i.unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(idx(&cl), vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(idx(&gen), vec![0, 0, 0, 1, 1, 2]);
    }

    #[test]
    fn bilinear_output_length_one_samples_centre() {
        let axis = TorchAxis {
            in_len: 6,
            out_len: 1,
            scale_factor: None,
            align_corners: false,
        };
        let p = linear(axis).unwrap();
        let (i, w) = p.taps(0);
        assert_eq!(i, &[2, 3]);
        assert_eq!(w, &[0.5, 0.5]);
    }

    #[test]
    fn channels_last_contiguity() {
        assert!(!nchw_is_also_channels_last([1, 3, 4, 5]));
        assert!(nchw_is_also_channels_last([1, 8, 1, 1]));
        assert!(nchw_is_also_channels_last([1, 1, 4, 5]));
    }
}
