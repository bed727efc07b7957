//! The GPU backend: WGSL compute kernels on wgpu (Vulkan, Metal, DX12, GL) that execute the same
//! tap tables as the CPU kernel.
//!
//! - [`GpuContext`] owns or wraps a device and queue, and caches compiled pipelines.
//! - [`GpuContext::encode`] records an [`Operation`](crate::Operation) into the caller's command
//!   encoder over the caller's storage buffers ([`BufferTensor`], f32 or f16, NCHW or NHWC).
//! - [`GpuContext::encode_texture`] does the same over texture arrays in Metal's MPSImage layout
//!   ([`TextureImage`]).
//! - [`GpuContext::run`] and friends take and return ndarrays for people who just have an array.
//! - [`GpuContext::encode_preprocess`] turns an 8-bit frame (buffer or rgba8unorm texture) into a
//!   normalised, resized tensor in one dispatch ([`crate::preprocess`]).

mod buffers;
mod context;
mod exact;
mod health;
mod kernels;
mod preprocess;
mod tables;

pub use buffers::{BoundOperation, BufferTensor};
pub(crate) use context::{choose_adapter, NoChoice};
pub use context::{
    enumerate_adapters, instance, software_gpu_allowed, AdapterDescription, CacheStats, GpuContext,
    GpuOptions, ALLOW_SOFTWARE_GPU, TAP_CACHE_ENTRIES,
};
pub use exact::IntegerBufferTensor;
pub use kernels::{all_sources, entry_point, DType};
pub use preprocess::{BoundPreprocess, FrameBuffer, FrameSource};
mod arrays;
mod textures;

pub use textures::{allocated_layers, slices_per_image, TextureImage};
mod standins;

pub use standins::{
    CoreMlResizeBilinear, CoreMlUpsample, MpsCnnUpsamplingBilinear, MpsCnnUpsamplingNearest,
    MpsNnResizeBilinear,
};
