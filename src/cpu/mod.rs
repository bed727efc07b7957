//! The CPU backend: ndarray in, ndarray out, all cores through rayon when the work is large
//! enough to pay. It is also the reference the GPU kernels are tested against.

mod interleaved;
pub mod pixel_shuffle;
pub mod resize;
mod width;

pub use pixel_shuffle::{rearrange, rearrange_into, Direction};
pub use resize::{resize, resize_into, ResizeKernel};
