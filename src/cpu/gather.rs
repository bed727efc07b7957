//! The CPU gather kernel: a [`ResizePlan`] whose every output reads one source pixel with
//! weight 1 (nearest, and any axis a framework copies), on tensors of any element type. No
//! arithmetic: each output element is a copy of the source element the plan names, so the
//! result is exact for 8-bit, 16-bit and float tensors alike.

use ndarray::{Array4, ArrayView4, ArrayViewMut4};
use rayon::prelude::*;

use crate::error::{try_zeros, Error, Result};
use crate::plan::{AxisPlan, ResizePlan};
use crate::spec::Layout;
use crate::tensor::Element;

/// Below this many output elements a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// The source index of every output of a gather axis, or why the axis is not one.
fn source_indices(axis: &AxisPlan, name: &str) -> Result<Vec<usize>> {
    (0..axis.out_len())
        .map(|o| {
            let (idx, w) = axis.taps(o);
            if axis.is_extrapolated(o) || idx.len() != 1 || w[0] != 1.0 {
                Err(Error::unsupported(format!(
                    "the {name} axis is not a gather (output {o} reads {} taps{}); \
                     only plans that copy one source pixel per output run as a gather",
                    idx.len(),
                    if axis.is_extrapolated(o) {
                        ", extrapolated"
                    } else {
                        ""
                    }
                )))
            } else {
                Ok(idx[0] as usize)
            }
        })
        .collect()
}

/// Whether every output of both axes copies one source pixel (no extrapolation).
pub fn is_gather(plan: &ResizePlan) -> bool {
    let axis_ok = |a: &AxisPlan| {
        (0..a.out_len()).all(|o| {
            let (i, w) = a.taps(o);
            !a.is_extrapolated(o) && i.len() == 1 && w[0] == 1.0
        })
    };
    axis_ok(&plan.h) && axis_ok(&plan.w)
}

/// Gathers `input` (in `layout`) with `plan`, returning a new array in the same layout.
pub fn gather<T: Element>(
    input: ArrayView4<T>,
    layout: Layout,
    plan: &ResizePlan,
) -> Result<Array4<T>> {
    let out_dims = plan.output_dims(layout.nchw(input.dim().into()))?;
    let mut out = try_zeros("the output", layout.shape(out_dims))?;
    gather_into(input, layout, plan, out.view_mut())?;
    Ok(out)
}

/// Gathers `input` into the caller's `output` (same layout, the planned shape).
pub fn gather_into<T: Element>(
    input: ArrayView4<T>,
    layout: Layout,
    plan: &ResizePlan,
    output: ArrayViewMut4<T>,
) -> Result<()> {
    let in_dims = layout.nchw(input.dim().into());
    let out_dims = plan.output_dims(in_dims)?;
    let expected = layout.shape(out_dims);
    let got: [usize; 4] = output.dim().into();
    if got != expected {
        return Err(Error::ShapeMismatch {
            what: format!("output array ({})", layout.name()),
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    let ys = source_indices(&plan.h, "height")?;
    let xs = source_indices(&plan.w, "width")?;
    let src = input.as_standard_layout();
    let src = src.as_slice().expect("standard layout is contiguous");
    let [_, c, in_h, in_w] = in_dims;
    let b0 = plan.batch_index.unwrap_or(0);
    let (out_h, out_w) = (ys.len(), xs.len());
    super::write_standard(output, |dst| {
        // One output row: `out_w` elements of one (n, c) plane (NCHW) or `out_w · c` elements
        // of one batch item (NHWC).
        let (row_len, planes_per_batch) = match layout {
            Layout::Nchw => (out_w, c),
            Layout::Nhwc => (out_w * c, 1),
        };
        let row = |r: usize, out: &mut [T]| {
            let (plane, yo) = (r / out_h, r % out_h);
            let (n, ch) = (plane / planes_per_batch, plane % planes_per_batch);
            let n_src = n + b0;
            match layout {
                Layout::Nchw => {
                    let base = ((n_src * c + ch) * in_h + ys[yo]) * in_w;
                    let line = &src[base..base + in_w];
                    for (o, &x) in out.iter_mut().zip(&xs) {
                        *o = line[x];
                    }
                }
                Layout::Nhwc => {
                    let base = (n_src * in_h + ys[yo]) * in_w * c;
                    let line = &src[base..base + in_w * c];
                    for (o, &x) in out.chunks_exact_mut(c).zip(&xs) {
                        o.copy_from_slice(&line[x * c..x * c + c]);
                    }
                }
            }
        };
        if row_len == 0 {
            return;
        }
        if dst.len() < PARALLEL_THRESHOLD {
            dst.chunks_exact_mut(row_len)
                .enumerate()
                .for_each(|(r, out)| row(r, out));
        } else {
            dst.par_chunks_exact_mut(row_len)
                .enumerate()
                .for_each(|(r, out)| row(r, out));
        }
    })
}
