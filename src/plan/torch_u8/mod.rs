//! PyTorch's own uint8 arithmetic for `torch.nn.functional.interpolate` on the CPU (PyTorch
//! 2.15, `aten/src/ATen/native/cpu/UpSampleKernel.cpp`, `UpSampleKernelAVXAntialias.h` and
//! `aten/src/ATen/native/UpSample.h`), as [`ExactPlan`]s.
//!
//! The geometry is [`super::torch`]'s ([`TorchAxis`]); what this module adds is the arithmetic:
//!
//! | mode | uint8 computation |
//! |---|---|
//! | `nearest`, `nearest-exact` | a gather; source indices in float32 ([`nearest_source`], [`nearest_exact_source`]), by the channels-last kernel (`upsample_nearest_channels_last`) or the generic one (`upsample_non_separable_Nd_kernel_impl`) as `_use_channels_last_kernel_2d` picks |
//! | `bilinear`, `bicubic` (antialias on or off), `lanczos` | int16 weights from float64 ([`Int16Table`]), horizontal pass then vertical pass, each `clamp((2^(p−1) + Σ v·w) >> p, 0, 255)` with the axis's own precision `p`; the intermediate is uint8 |
//!
//! An axis whose length is unchanged has no pass (PyTorch skips it even when a forwarded
//! `scale_factor` would move the samples); an unchanged size is a copy.
//!
//! Which kernel runs depends on the build. x86 builds with AVX2 or AVX-512
//! ([`CpuCapability::Avx2`], what the pip wheels run on any recent x86 CPU) take
//! `upsample_avx_bilinear_bicubic_uint8` for 1–4 channels and the generic
//! `upsample_separable_Nd_kernel_impl` for 5 or more; a DEFAULT build
//! ([`CpuCapability::Default`], `ATEN_CPU_CAPABILITY=default`) always takes the generic one.
//! Both compute the same values, except for two PyTorch bugs this module reproduces:
//!
//! - the generic kernel's vertical pass (`basic_loop_separable_1d_vertical<uint8_t>`) reads the
//!   taps of output row 0 for every row when the output width is 1 and the tensor is NCHW (or
//!   has one channel): every row of each plane equals row 0 ([`U8Call::repeats_first_row`]);
//! - the AVX2 kernel raises `RuntimeError: num_channels == unpacked_output.size(0) INTERNAL
//!   ASSERT FAILED` for a 3-channel NCHW input with more than one pixel resized to 1×1 with a
//!   vertical pass ([`U8Call::raises_avx_assert`]).
//!
//! Nearest-exact's generic kernel also depends on the build ([`NearestExactRounding`]): the
//! AVX2/AVX-512 builds fuse `scale · (i + 0.5f) − 0.5f` into one rounding, DEFAULT rounds twice.
//!
//! Every rule was checked bit for bit against torch 2.15.0 on the real-data corpus and on
//! randomized sweeps (sizes 1–600, 1–6 channels, NCHW and channels-last, every mode and
//! argument form).

pub mod weights;

pub use weights::{Filter, Int16Table};

use super::separable::{
    Accumulate, ArithmeticPlan, ExactPlan, Pass, PassAxis, PassTable, Rule, SeparablePlan, Store,
};
use super::torch::{
    nchw_is_also_channels_last, nearest_exact_source, nearest_source, KernelPath,
    NearestExactRounding, TorchAxis,
};
use crate::error::{Error, Result};
use crate::spec::Layout;
use crate::tensor::ElementType;

/// `torch.backends.cpu.get_cpu_capability()` of the PyTorch build being reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CpuCapability {
    /// `'AVX2'` or `'AVX512'`: the x86 pip wheels on any CPU with AVX2 (the two compute the
    /// same values).
    Avx2,
    /// `'DEFAULT'`: `ATEN_CPU_CAPABILITY=default`, or an x86 CPU without AVX2.
    Default,
}

impl CpuCapability {
    /// How this build rounds the generic kernel's nearest-exact source coordinate.
    pub fn nearest_exact_rounding(self) -> NearestExactRounding {
        match self {
            CpuCapability::Avx2 => NearestExactRounding::Fused,
            CpuCapability::Default => NearestExactRounding::Separate,
        }
    }

    /// The other capability.
    fn other(self) -> Self {
        match self {
            CpuCapability::Avx2 => CpuCapability::Default,
            CpuCapability::Default => CpuCapability::Avx2,
        }
    }
}

/// PyTorch's uint8 bilinear / bicubic / lanczos kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeparableKernel {
    /// `upsample_avx_bilinear_bicubic_uint8` (the PIL-SIMD port).
    Avx2,
    /// `upsample_separable_Nd_kernel_impl` with `basic_loop_separable_1d_*<uint8_t>`.
    Generic,
}

impl SeparableKernel {
    /// The kernel `upsample_bilinear2d_kernel_impl` (and its bicubic, antialias and lanczos
    /// siblings) runs on uint8: the AVX2 one for at most 4 channels on an AVX2 build.
    pub fn select(capability: CpuCapability, channels: usize) -> Self {
        if capability == CpuCapability::Avx2 && channels <= 4 {
            SeparableKernel::Avx2
        } else {
            SeparableKernel::Generic
        }
    }
}

/// A uint8 mode of `F.interpolate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum U8Mode {
    /// `mode='nearest'`.
    Nearest,
    /// `mode='nearest-exact'`.
    NearestExact,
    /// `mode='bilinear' | 'bicubic' | 'lanczos'` with `antialias=`.
    Separable {
        /// The filter.
        filter: Filter,
        /// `antialias=True`.
        antialias: bool,
    },
}

/// One `F.interpolate` call on a uint8 tensor: the mode, the two axes (sizes, forwarded scale
/// factors, `align_corners`) and what the kernel choice depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct U8Call {
    /// The mode.
    pub mode: U8Mode,
    /// The height axis.
    pub height: TorchAxis,
    /// The width axis.
    pub width: TorchAxis,
    /// The input's `[n, c, h, w]`.
    pub dims: [usize; 4],
    /// The input's memory format: [`Layout::Nhwc`] for a `torch.channels_last` tensor.
    pub layout: Layout,
    /// The build reproduced.
    pub capability: CpuCapability,
}

/// The rule of a uint8 pass at precision `p`: `clamp((2^(p−1) + Σ v·w) >> p, 0, 255)`
/// (`basic_loop_separable_1d_*<uint8_t>`, `_mm256_srai_epi32` then the saturating packs).
pub fn shift_rule(p: u32) -> Rule {
    Rule {
        accumulate: Accumulate::Int,
        store: Store::Shift {
            bias: if p == 0 { 0 } else { 1 << (p - 1) },
            shift: p,
            lo: 0,
            hi: 255,
        },
    }
}

impl U8Call {
    fn channels(&self) -> usize {
        self.dims[1]
    }

    fn in_hw(&self) -> [usize; 2] {
        [self.height.in_len, self.width.in_len]
    }

    fn out_hw(&self) -> [usize; 2] {
        [self.height.out_len, self.width.out_len]
    }

    /// The bilinear / bicubic / lanczos kernel this call runs.
    pub fn separable_kernel(&self) -> SeparableKernel {
        SeparableKernel::select(self.capability, self.channels())
    }

    /// The nearest kernel this call runs (`_use_channels_last_kernel_2d`: a channels-last input
    /// with more than 3 channels, or `out_h + out_w ≤ 128`).
    pub fn nearest_kernel(&self) -> KernelPath {
        let channels_last = self.layout == Layout::Nhwc || nchw_is_also_channels_last(self.dims);
        KernelPath::select(channels_last, self.channels(), self.out_hw())
    }

    /// PyTorch's generic-kernel bug: the vertical pass runs (the height changes), the output
    /// width is 1, and the tensor is iterated with the height innermost (NCHW, or one channel),
    /// so every output row of a plane takes row 0's taps. Only where the generic kernel runs:
    /// 5 or more channels on AVX2 builds, any channel count on DEFAULT builds.
    pub fn repeats_first_row(&self) -> bool {
        matches!(self.mode, U8Mode::Separable { .. })
            && self.separable_kernel() == SeparableKernel::Generic
            && self.height.out_len != self.height.in_len
            && self.width.out_len == 1
            && !(self.layout == Layout::Nhwc && self.channels() > 1)
    }

    /// PyTorch's AVX2-kernel bug: 3 channels, an NCHW input of more than one pixel, a 1×1
    /// output and a vertical pass make `upsample_avx_bilinear_bicubic_uint8` skip the repacking
    /// of its 4-byte pixels, and `ImagingResampleVertical`'s internal assertion fails.
    pub fn raises_avx_assert(&self) -> bool {
        let [h, w] = self.in_hw();
        matches!(self.mode, U8Mode::Separable { .. })
            && self.separable_kernel() == SeparableKernel::Avx2
            && self.channels() == 3
            && self.layout != Layout::Nhwc
            && h * w > 1
            && self.out_hw() == [1, 1]
            && h != 1
    }

    /// The exact plan of this call.
    ///
    /// Errors: [`Error::FrameworkRaises`] where PyTorch raises ([`Self::raises_avx_assert`]),
    /// and the table builders' errors.
    pub fn exact_plan(&self) -> Result<ExactPlan> {
        let passes = match self.mode {
            U8Mode::Nearest | U8Mode::NearestExact => self.gather_passes()?,
            U8Mode::Separable { filter, antialias } => self.separable_passes(filter, antialias)?,
        };
        Ok(ExactPlan {
            arithmetic: ArithmeticPlan::Separable(SeparablePlan {
                input_hw: self.in_hw(),
                output_hw: self.out_hw(),
                passes,
            }),
            input: ElementType::U8,
            output: ElementType::U8,
            alpha: None,
        })
    }

    /// Nearest modes: one tap of weight 1 per output, an identity axis dropped.
    fn gather_passes(&self) -> Result<Vec<Pass>> {
        let path = self.nearest_kernel();
        let rounding = self.capability.nearest_exact_rounding();
        let mut passes = Vec::new();
        for (axis, which) in [
            (self.width, PassAxis::Width),
            (self.height, PassAxis::Height),
        ] {
            let source = |i: usize| match self.mode {
                U8Mode::NearestExact => nearest_exact_source(axis, path, i, rounding),
                _ => nearest_source(axis, path, i),
            };
            if axis.in_len == axis.out_len && (0..axis.out_len).all(|i| source(i) == i) {
                continue;
            }
            let table = PassTable::int(axis.in_len, axis.out_len, |i| vec![(source(i), 1)])?;
            passes.push(Pass {
                axis: which,
                table,
                rule: shift_rule(0),
                tail: None,
            });
        }
        Ok(passes)
    }

    /// Bilinear, bicubic, lanczos: width first, then height, each only if its length changes.
    fn separable_passes(&self, filter: Filter, antialias: bool) -> Result<Vec<Pass>> {
        if self.raises_avx_assert() {
            return Err(avx_assert_error());
        }
        let mut passes = Vec::new();
        if self.width.out_len != self.width.in_len {
            let t = Int16Table::new(self.width, filter, antialias)?;
            passes.push(Pass {
                axis: PassAxis::Width,
                table: t.pass_table(self.width.in_len, |o| o)?,
                rule: shift_rule(t.precision),
                tail: None,
            });
        }
        if self.height.out_len != self.height.in_len {
            let t = Int16Table::new(self.height, filter, antialias)?;
            let repeat = self.repeats_first_row();
            passes.push(Pass {
                axis: PassAxis::Height,
                table: t.pass_table(self.height.in_len, |o| if repeat { 0 } else { o })?,
                rule: shift_rule(t.precision),
                tail: None,
            });
        }
        Ok(passes)
    }

    /// Where a PyTorch build of the other capability gives another result for this call, what
    /// differs (for [`crate::ResizePlanner::caveat`]); `None` where every x86 build agrees.
    pub fn other_builds_differ(&self) -> Option<String> {
        let other = U8Call {
            capability: self.capability.other(),
            ..*self
        };
        let (mine, theirs) = (self.exact_plan().ok(), other.exact_plan().ok());
        if mine == theirs {
            return None;
        }
        let what = match (self.mode, &theirs) {
            (U8Mode::NearestExact, _) => {
                "round nearest-exact's source coordinate with another number of roundings and \
                 pick other source pixels for some outputs of this size"
            }
            (_, None) => "raise the RuntimeError of the AVX2 kernel for this 3-channel 1×1 output",
            (_, Some(_)) if other.repeats_first_row() => {
                "give every output row the value of row 0 (a bug of the generic uint8 kernel at \
                 output width 1)"
            }
            (_, Some(_)) => {
                "compute this output correctly, where this build repeats row 0 (a bug of the \
                 generic uint8 kernel at output width 1)"
            }
        };
        let (this_build, other_build) = match self.capability {
            CpuCapability::Avx2 => (
                "the AVX2/AVX-512 x86 build (torch.backends.cpu.get_cpu_capability() 'AVX2' or \
                 'AVX512')",
                "PyTorch builds with CPU capability DEFAULT (ATEN_CPU_CAPABILITY=default, x86 CPUs \
                 without AVX2; aarch64 builds were not measured)",
            ),
            CpuCapability::Default => (
                "the DEFAULT-capability build (ATEN_CPU_CAPABILITY=default)",
                "PyTorch's AVX2/AVX-512 x86 builds",
            ),
        };
        Some(format!(
            "{other_build} {what}; halfpixel reproduces {this_build}"
        ))
    }
}

/// The error PyTorch's AVX2 uint8 kernel raises for 3-channel NCHW input resized to 1×1.
fn avx_assert_error() -> Error {
    Error::FrameworkRaises {
        framework: "PyTorch 2.15 (AVX2/AVX-512 x86 build)",
        call: "torch.nn.functional.interpolate on a 3-channel uint8 NCHW tensor to a 1×1 output"
            .into(),
        exception: "RuntimeError".into(),
        message: "num_channels == unpacked_output.size(0) INTERNAL ASSERT FAILED at \
                  UpSampleKernelAVXAntialias.h (a PyTorch bug)"
            .into(),
        hint: "PyTorch computes this call for channels-last input \
               (x.contiguous(memory_format=torch.channels_last); NHWC layout in halfpixel), \
               whose result halfpixel reproduces"
            .into(),
    }
}

#[cfg(test)]
mod tests;
