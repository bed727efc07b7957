//! The CPU backend: ndarray in, ndarray out, all cores through rayon when the work is large
//! enough to pay. It is also the reference the GPU kernels are tested against.

pub mod gather;
mod interleaved;
pub mod pixel_shuffle;
pub mod resize;
pub mod separable;
mod width;

pub use pixel_shuffle::{rearrange, rearrange_into, Direction};
pub use resize::{resize, resize_into, ResizeKernel};

use ndarray::ArrayViewMut4;

use crate::error::{try_zeros, Result};

/// Runs `write` (which fills a standard-order slice) on the caller's `output`: on its memory
/// when that is contiguous in standard order, otherwise on a contiguous copy assigned back.
pub(crate) fn write_standard<T: crate::tensor::Element>(
    mut output: ArrayViewMut4<T>,
    write: impl FnOnce(&mut [T]),
) -> Result<()> {
    if let Some(dst) = output.as_slice_mut() {
        write(dst);
        return Ok(());
    }
    let mut tmp = try_zeros("a contiguous copy of the output", output.dim().into())?;
    if let Some(dst) = tmp.as_slice_mut() {
        write(dst);
    }
    output.assign(&tmp);
    Ok(())
}
