//! PyTorch's per-axis int16 weight tables for uint8 `bilinear`, `bicubic` and `lanczos`
//! (`aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `HelperInterpBase`).
//!
//! Both of PyTorch's uint8 separable kernels (the AVX2 one in `UpSampleKernelAVXAntialias.h`
//! and the generic `upsample_separable_Nd_kernel_impl`) read their taps from
//! `HelperInterp{Linear,Cubic,Lanczos}::compute_index_ranges_int16_weights`, which computes float
//! weights in **float64** (`_compute_index_ranges_weights<double>`), picks one fixed-point
//! precision for the whole axis and rounds every weight half away from zero to int16
//! (`_compute_index_ranges_int16_weights`). This module does the same, in the same order of
//! operations, from the geometry of [`TorchAxis`].

use crate::error::{Error, Result};
use crate::plan::separable::PassTable;
use crate::plan::torch::TorchAxis;

/// The filter of a uint8 separable mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Filter {
    /// `mode='bilinear'`: the triangle `1 − |x|` (support 1).
    Bilinear,
    /// `mode='bicubic'`: Keys' cubic with a = −0.75 (`antialias=False`, chosen by
    /// `HelperInterpCubic` "so that this uint8 path is as close as possible to float results") or
    /// a = −0.5 (`antialias=True`), support 2.
    Bicubic,
    /// `mode='lanczos'` (`antialias=True` only): `sinc(x) · sinc(x/3)` for |x| < 3.
    Lanczos3,
}

impl Filter {
    /// `interp_size`: the taps of the unscaled filter (2, 4 or 6).
    fn interp_size(self) -> usize {
        match self {
            Filter::Bilinear => 2,
            Filter::Bicubic => 4,
            Filter::Lanczos3 => 6,
        }
    }

    /// `aa_filter` / `HelperInterpLanczos::aa_filter` at `x`, in float64.
    fn eval(self, x: f64, antialias: bool) -> f64 {
        let x = x.abs();
        match self {
            Filter::Bilinear => {
                if x < 1.0 {
                    1.0 - x
                } else {
                    0.0
                }
            }
            Filter::Bicubic => {
                let a = if antialias { -0.5 } else { -0.75 };
                // UpSample.h::cubic_convolution1 / cubic_convolution2.
                if x < 1.0 {
                    ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
                } else if x < 2.0 {
                    ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
                } else {
                    0.0
                }
            }
            Filter::Lanczos3 => {
                if x < 3.0 {
                    sinc(x) * sinc(x / 3.0)
                } else {
                    0.0
                }
            }
        }
    }
}

/// `sin(πx)/(πx)`, 1 at 0.
fn sinc(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    let x = x * std::f64::consts::PI;
    x.sin() / x
}

/// An axis's float64 weights before the int16 conversion.
#[derive(Debug, Clone, PartialEq)]
struct DoubleWeights {
    /// First source index of each output.
    xmin: Vec<usize>,
    /// The weights of each output (its length is the output's tap count).
    weights: Vec<Vec<f64>>,
    /// The largest weight (and, without antialias, partial sum of merged taps) of the axis.
    wt_max: f64,
}

/// `HelperInterpBase::_compute_indices_min_size_weights` (`antialias=False`): `interp_size` taps
/// around the source coordinate; taps outside the input are added, in float64, onto the border
/// tap they replicate before anything is rounded. Not renormalised.
fn min_size_weights(axis: TorchAxis, filter: Filter) -> DoubleWeights {
    let interp_size = filter.interp_size();
    let support = (interp_size / 2) as i64;
    let cubic = filter != Filter::Bilinear;
    let scale = axis.area_pixel_scale_f64();
    let in_len = axis.in_len as i64;
    let mut out = DoubleWeights {
        xmin: Vec::with_capacity(axis.out_len),
        weights: Vec::with_capacity(axis.out_len),
        wt_max: 0.0,
    };
    for i in 0..axis.out_len {
        // area_pixel_compute_source_index<double>.
        let real = if axis.align_corners {
            scale * i as f64
        } else {
            let r = scale * (i as f64 + 0.5) - 0.5;
            if !cubic && r < 0.0 {
                0.0
            } else {
                r
            }
        };
        // guard_index_and_lambda: floorf takes a float, so `real` is rounded to float32 first.
        let idx = ((real as f32).floor() as i64).min(in_len - 1);
        let lambda = (real - idx as f64).clamp(0.0, 1.0);
        let umin = idx - support + 1;
        let umax = idx + support + 1;
        let xmin = umin.max(0);
        let xsize = (umax.min(in_len) - xmin).clamp(0, interp_size as i64) as usize;
        let mut w = vec![0.0f64; interp_size];
        let mut slot = 0usize;
        for j in 0..interp_size {
            let v = filter.eval((j as i64 + 1 - support) as f64 - lambda, false);
            let at = umin + j as i64;
            if at <= 0 {
                slot = 0;
            } else if at >= in_len - 1 {
                slot = xsize - 1;
            }
            w[slot] += v;
            out.wt_max = out.wt_max.max(w[slot]);
            slot += 1;
        }
        w.truncate(xsize);
        out.xmin.push(xmin as usize);
        out.weights.push(w);
    }
    out
}

/// `HelperInterpBase::_compute_indices_min_size_weights_aa` (`antialias=True`): the filter
/// stretched by the scale when shrinking, taps outside the input dropped, the rest normalised by
/// their sequential sum.
fn antialias_weights(axis: TorchAxis, filter: Filter) -> DoubleWeights {
    let interp_size = filter.interp_size() as f64;
    let scale = axis.area_pixel_scale_f64();
    let support = if scale >= 1.0 {
        (interp_size * 0.5) * scale
    } else {
        interp_size * 0.5
    };
    let max_taps = support.ceil() as i64 * 2 + 1;
    let invscale = if scale >= 1.0 { 1.0 / scale } else { 1.0 };
    let in_len = axis.in_len as i64;
    let mut out = DoubleWeights {
        xmin: Vec::with_capacity(axis.out_len),
        weights: Vec::with_capacity(axis.out_len),
        wt_max: 0.0,
    };
    for i in 0..axis.out_len {
        let center = scale * (i as f64 + 0.5);
        // C casts to int64_t truncate toward zero.
        let xmin = ((center - support + 0.5) as i64).max(0);
        let xsize = (((center + support + 0.5) as i64).min(in_len) - xmin).clamp(0, max_taps);
        let mut w: Vec<f64> = (0..xsize)
            .map(|j| filter.eval(((j + xmin) as f64 - center + 0.5) * invscale, true))
            .collect();
        let total: f64 = w.iter().fold(0.0, |acc, &v| acc + v);
        if total != 0.0 {
            for v in &mut w {
                *v /= total;
                out.wt_max = out.wt_max.max(*v);
            }
        }
        out.xmin.push(xmin as usize);
        out.weights.push(w);
    }
    out
}

/// The fixed-point precision of an axis (`_compute_index_ranges_int16_weights`): the first
/// `p` in 0..22 with `(int)(0.5 + wt_max · 2^(p+1)) ≥ 2^15`, or 22 when none is (antialias
/// shrinks by more than about 128). Without antialias it is 14 or 15.
pub fn precision(wt_max: f64) -> u32 {
    (0..22)
        .find(|&p| (0.5 + wt_max * (1u64 << (p + 1)) as f64) as i64 >= 1 << 15)
        .unwrap_or(22)
}

/// A weight as int16 at precision `p`: `w · 2^p` rounded half away from zero (negative weights
/// symmetrically: `(int)(v − 0.5)` below 0, `(int)(v + 0.5)` otherwise).
pub fn to_int16(w: f64, p: u32) -> i32 {
    let v = w * (1u64 << p) as f64;
    if v < 0.0 {
        (v - 0.5) as i32
    } else {
        (v + 0.5) as i32
    }
}

/// One axis of a uint8 separable pass: per output its first source index and int16 weights,
/// and the precision `p` they are scaled by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Int16Table {
    /// First source index of each output.
    pub xmin: Vec<usize>,
    /// The int16 weights of each output, for sources `xmin, xmin + 1, …` (weights of 0 kept,
    /// as PyTorch's kernels read them).
    pub weights: Vec<Vec<i32>>,
    /// `weights_precision`: each pass stores `(2^(p−1) + Σ v·w) >> p`.
    pub precision: u32,
}

impl Int16Table {
    /// The table of one axis of `F.interpolate(mode=…, antialias=…)` on uint8
    /// (`HelperInterp*::compute_index_ranges_int16_weights`).
    ///
    /// Errors: lanczos without antialias (PyTorch refuses it), and a weight outside int16
    /// (never reached by these filters; a guard, not a PyTorch behaviour).
    pub fn new(axis: TorchAxis, filter: Filter, antialias: bool) -> Result<Self> {
        if filter == Filter::Lanczos3 && !antialias {
            return Err(Error::invalid_argument(
                "antialias",
                false,
                "PyTorch's lanczos mode requires antialias=True",
            ));
        }
        let d = if antialias {
            antialias_weights(axis, filter)
        } else {
            min_size_weights(axis, filter)
        };
        let p = precision(d.wt_max);
        let mut weights = Vec::with_capacity(d.weights.len());
        for w in &d.weights {
            let q: Vec<i32> = w.iter().map(|&v| to_int16(v, p)).collect();
            if let Some(&bad) = q.iter().find(|&&v| i16::try_from(v).is_err()) {
                return Err(Error::unsupported(format!(
                    "a PyTorch uint8 weight of {bad} at precision {p}, outside int16"
                )));
            }
            weights.push(q);
        }
        Ok(Int16Table {
            xmin: d.xmin,
            weights,
            precision: p,
        })
    }

    /// The taps as a [`PassTable`] over an input of `in_len` pixels; `row_of(o)` names the
    /// output whose taps output `o` takes (the identity, except where PyTorch's generic kernel
    /// repeats row 0).
    pub fn pass_table(&self, in_len: usize, row_of: impl Fn(usize) -> usize) -> Result<PassTable> {
        PassTable::int(in_len, self.xmin.len(), |o| {
            let r = row_of(o);
            self.weights[r]
                .iter()
                .enumerate()
                .map(|(k, &w)| (self.xmin[r] + k, w))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(in_len: usize, out_len: usize, align_corners: bool) -> TorchAxis {
        TorchAxis {
            in_len,
            out_len,
            scale_factor: None,
            align_corners,
        }
    }

    #[test]
    fn bicubic_240_to_224_edge_merged_rows() {
        // SPEC.md 4.4: row 0 has the taps left of the image merged onto pixel 0.
        let t = Int16Table::new(axis(240, 224, false), Filter::Bicubic, false).unwrap();
        assert_eq!(t.precision, 15);
        assert_eq!(
            (t.xmin[0], t.weights[0].clone()),
            (0, vec![31860, 939, -30])
        );
        assert_eq!(
            (t.xmin[1], t.weights[1].clone()),
            (0, vec![-2099, 31972, 3147, -252])
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(to_int16(0.5 / 16384.0, 14), 1);
        assert_eq!(to_int16(-0.5 / 16384.0, 14), -1);
        assert_eq!(to_int16(1.5 / 16384.0, 14), 2);
        assert_eq!(to_int16(-1.5 / 16384.0, 14), -2);
        assert_eq!(to_int16(-0.49 / 16384.0, 14), 0);
        assert_eq!(to_int16(-2.5 / 16384.0, 14), -3);
    }

    #[test]
    fn precision_follows_the_largest_weight() {
        // wt_max = 1: (int)(0.5 + 2^(p+1)) ≥ 2^15 first at p = 14.
        assert_eq!(precision(1.0), 14);
        assert_eq!(precision(0.99999), 14);
        // Just below, the rounded 0.5 + wt_max · 2^15 misses 2^15: one more bit.
        assert_eq!(precision(0.9999), 15);
        assert_eq!(precision(0.6), 15);
        // Long antialias windows: tiny weights reach the cap.
        assert_eq!(precision(1e-6), 22);
        assert_eq!(precision(0.0), 22);
    }

    #[test]
    fn lanczos_needs_antialias() {
        assert!(Int16Table::new(axis(10, 5, false), Filter::Lanczos3, false).is_err());
        let t = Int16Table::new(axis(10, 5, false), Filter::Lanczos3, true).unwrap();
        assert_eq!(t.weights.len(), 5);
    }

    #[test]
    fn antialias_align_corners_single_output_takes_the_first_taps() {
        // out = 1, align_corners → scale 0, centre 0: the window [−1.5, 2.5) truncates to
        // taps 0, 1, whose a = −0.5 weights 0.5625 and −0.0625 normalise to 1.125 and −0.125.
        let t = Int16Table::new(axis(9, 1, true), Filter::Bicubic, true).unwrap();
        assert_eq!(t.xmin, vec![0]);
        let p = t.precision;
        assert_eq!(t.weights[0], vec![to_int16(1.125, p), to_int16(-0.125, p)]);
    }

    #[test]
    fn single_pixel_input_gets_one_tap_with_all_weight() {
        let t = Int16Table::new(axis(1, 7, false), Filter::Bicubic, false).unwrap();
        for (x, w) in t.xmin.iter().zip(&t.weights) {
            assert_eq!(*x, 0);
            assert_eq!(w.len(), 1);
            assert_eq!(w[0], 1 << t.precision);
        }
    }
}
