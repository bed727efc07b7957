//! Portable stand-ins for Metal Performance Shaders' upsampling kernels and Core ML's resize layers:
//! first-class types whose `encode` takes a source and a destination texture array in the
//! MPSImage layout, like `MPSCNNKernel`'s `encodeToCommandBuffer:sourceImage:destinationImage:`.
//! Their geometry is the matching preset's ([`crate::presets::mps`], [`crate::presets::coreml`]).

use crate::error::Result;
use crate::op::Operation;
use crate::presets::coreml::{self, LinearUpsampleMode, SamplingMode};
use crate::presets::mps::MpsResize;

use super::context::GpuContext;
use super::textures::TextureImage;

macro_rules! encode_via_operation {
    () => {
        /// The operation this kernel performs (for the CPU, buffers, or inspection of its taps).
        pub fn operation(&self) -> &Operation {
            &self.op
        }

        /// Records the kernel: reads `source`, writes `destination` (MPSImage-style texture arrays
        /// of the right sizes).
        pub fn encode(
            &self,
            context: &GpuContext,
            encoder: &mut wgpu::CommandEncoder,
            source: &TextureImage<'_>,
            destination: &TextureImage<'_>,
        ) -> Result<()> {
            context.encode_texture(encoder, &self.op, source, destination)
        }
    };
}

/// `MPSCNNUpsamplingNearest(device:integerScaleFactorX:integerScaleFactorY:)`: output
/// = input · factor, source pixel `floor(i / factor)`.
#[derive(Debug, Clone)]
pub struct MpsCnnUpsamplingNearest {
    /// `scaleFactorX`.
    pub scale_factor_x: usize,
    /// `scaleFactorY`.
    pub scale_factor_y: usize,
    op: Operation,
}

impl MpsCnnUpsamplingNearest {
    /// Integer factors ≥ 1.
    pub fn new(scale_factor_x: usize, scale_factor_y: usize) -> Result<Self> {
        Ok(MpsCnnUpsamplingNearest {
            scale_factor_x,
            scale_factor_y,
            op: MpsResize::upsampling_nearest(scale_factor_x, scale_factor_y)?,
        })
    }
    encode_via_operation!();
}

/// `MPSCNNUpsamplingBilinear(device:integerScaleFactorX:integerScaleFactorY:alignCorners:)`.
/// `alignCorners = NO` uses the asymmetric grid (inferred; Apple does not document it).
#[derive(Debug, Clone)]
pub struct MpsCnnUpsamplingBilinear {
    /// `scaleFactorX`.
    pub scale_factor_x: usize,
    /// `scaleFactorY`.
    pub scale_factor_y: usize,
    /// `alignCorners`.
    pub align_corners: bool,
    op: Operation,
}

impl MpsCnnUpsamplingBilinear {
    /// Integer factors ≥ 1.
    pub fn new(scale_factor_x: usize, scale_factor_y: usize, align_corners: bool) -> Result<Self> {
        Ok(MpsCnnUpsamplingBilinear {
            scale_factor_x,
            scale_factor_y,
            align_corners,
            op: MpsResize::upsampling_bilinear(scale_factor_x, scale_factor_y, align_corners)?,
        })
    }
    encode_via_operation!();
}

/// `MPSNNResizeBilinear(device:resizeWidth:resizeHeight:alignCorners:)`: any output size.
#[derive(Debug, Clone)]
pub struct MpsNnResizeBilinear {
    /// `resizeWidth`.
    pub resize_width: usize,
    /// `resizeHeight`.
    pub resize_height: usize,
    /// `alignCorners`.
    pub align_corners: bool,
    op: Operation,
}

impl MpsNnResizeBilinear {
    /// A kernel resizing to `resize_width × resize_height`.
    pub fn new(resize_width: usize, resize_height: usize, align_corners: bool) -> Result<Self> {
        Ok(MpsNnResizeBilinear {
            resize_width,
            resize_height,
            align_corners,
            op: MpsResize::resize_bilinear(resize_width, resize_height, align_corners)?,
        })
    }
    encode_via_operation!();
}

/// Core ML's NeuralNetwork `Upsample` layer (`UpsampleLayerParams`).
#[derive(Debug, Clone)]
pub struct CoreMlUpsample {
    op: Operation,
}

impl CoreMlUpsample {
    /// `scalingFactor` (or `fractionalScalingFactor`) `[h, w]`, mode NN (`None`) or BILINEAR
    /// with its `linearUpsampleMode`.
    pub fn new(scaling_factor: [f64; 2], bilinear: Option<LinearUpsampleMode>) -> Result<Self> {
        Ok(CoreMlUpsample {
            op: coreml::nn_upsample(scaling_factor, bilinear)?,
        })
    }
    encode_via_operation!();
}

/// Core ML's `ResizeBilinear` layer (NeuralNetwork) / MIL `resize_bilinear`.
#[derive(Debug, Clone)]
pub struct CoreMlResizeBilinear {
    op: Operation,
}

impl CoreMlResizeBilinear {
    /// `targetSize [h, w]` and the sampling mode.
    pub fn new(target_size: [usize; 2], sampling_mode: SamplingMode) -> Result<Self> {
        Ok(CoreMlResizeBilinear {
            op: coreml::resize_bilinear(target_size, sampling_mode)?,
        })
    }
    encode_via_operation!();
}
