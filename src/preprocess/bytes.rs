//! Preprocessing in the frame's own 8-bit domain on the CPU: decode the frame's channels into
//! bytes, resize them with the call's exact 8-bit arithmetic ([`crate::cpu::separable`]), then
//! normalise each resized byte through its channel's table.

use ndarray::Array4;

use crate::cpu::separable;
use crate::error::{Error, Result};
use crate::plan::separable::ExactPlan;
use crate::spec::Layout;
use crate::tensor::Tensor4;

use super::Prepared;

/// Writes the output (`prepared.layout`, standard order) from `frame`.
pub(crate) fn run(
    prepared: &Prepared,
    plan: &ExactPlan,
    frame: &[u8],
    out: &mut [f32],
) -> Result<()> {
    let g = prepared.frame;
    let channels = prepared.sources.len();
    let mut bytes = Array4::<u8>::zeros((1, g.height, g.width, channels));
    for (y, mut row) in bytes
        .index_axis_mut(ndarray::Axis(0), 0)
        .outer_iter_mut()
        .enumerate()
    {
        for x in 0..g.width {
            let at = y * g.stride + x * g.bpp;
            let pixel = &frame[at..at + g.bpp];
            for (c, source) in prepared.sources.iter().enumerate() {
                row[[x, c]] = source.byte(pixel);
            }
        }
    }
    let resized = match separable::run(plan, bytes.view(), Layout::Nhwc)? {
        Tensor4::U8(r) => r,
        other => {
            return Err(Error::unsupported(format!(
                "a byte resize whose plan gives {} values",
                other.element_type()
            )))
        }
    };
    let [_, _, out_h, out_w] = prepared.out_dims;
    for y in 0..out_h {
        for x in 0..out_w {
            for c in 0..channels {
                let v = resized[[0, y, x, c]] as usize;
                let at = match prepared.layout {
                    Layout::Nchw => (c * out_h + y) * out_w + x,
                    Layout::Nhwc => (y * out_w + x) * channels + c,
                };
                out[at] = prepared.tables[c * 256 + v];
            }
        }
    }
    Ok(())
}
