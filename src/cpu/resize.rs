//! The CPU resize kernel: executes a [`ResizePlan`] on NCHW or NHWC float32 tensors.
//!
//! Each output row is computed on its own (so rows run in parallel): first the height taps are
//! combined into one source-width row (`row[x] = Σ_j wy_j · src[iy_j][x]`, accumulated in order),
//! then the width taps gather from it (`out[xo] = Σ_k wx_k · row[ix_k]`). Nearest axes (one tap of
//! weight 1) skip the arithmetic and copy, so nearest is bit-exact. The GPU kernels evaluate the
//! same sums in the same order.

use ndarray::{Array4, ArrayView4, ArrayViewMut4};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::plan::{AxisPlan, ResizePlan};

use super::width::WidthPass;
use crate::spec::Layout;

/// Below this many multiply-adds a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// Resizes `input` (in `layout`) with `plan`, returning a new array in the same layout.
pub fn resize(input: ArrayView4<f32>, layout: Layout, plan: &ResizePlan) -> Result<Array4<f32>> {
    let dims = layout.nchw(input.dim().into());
    let out_dims = plan.output_dims(dims)?;
    let mut out = Array4::<f32>::zeros(layout.shape(out_dims));
    resize_into(input, layout, plan, out.view_mut())?;
    Ok(out)
}

/// Resizes `input` into the caller's `output` (same layout), which must have the planned shape.
pub fn resize_into(
    input: ArrayView4<f32>,
    layout: Layout,
    plan: &ResizePlan,
    mut output: ArrayViewMut4<f32>,
) -> Result<()> {
    let dims = layout.nchw(input.dim().into());
    let out_dims = plan.output_dims(dims)?;
    let expected = layout.shape(out_dims);
    let got: [usize; 4] = output.dim().into();
    if got != expected {
        return Err(Error::ShapeMismatch {
            what: format!("output array ({})", layout.name()),
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    let src = input.as_standard_layout();
    let src = src.as_slice().expect("standard layout is contiguous");
    match output.as_slice_mut() {
        Some(dst) => run(src, dims, layout, plan, dst),
        None => {
            let mut tmp = Array4::<f32>::zeros(expected);
            run(
                src,
                dims,
                layout,
                plan,
                tmp.as_slice_mut().expect("fresh array is contiguous"),
            );
            output.assign(&tmp);
        }
    }
    Ok(())
}

/// How the tensor is cut into images of `[H][W][cs]` contiguous floats.
struct Images {
    /// Number of output images.
    count: usize,
    /// Floats per pixel inside an image (1 for NCHW planes, C for NHWC images).
    cs: usize,
    /// For output image `k`, the offset of its source image.
    src_offset: Box<dyn Fn(usize) -> usize + Sync>,
}

fn images(dims: [usize; 4], layout: Layout, batch_index: Option<usize>) -> Images {
    let [n, c, h, w] = dims;
    let plane = h * w;
    let n_out = if batch_index.is_some() { 1 } else { n };
    let b0 = batch_index.unwrap_or(0);
    match layout {
        Layout::Nchw => Images {
            count: n_out * c,
            cs: 1,
            src_offset: Box::new(move |k| {
                let (b, ch) = (k / c, k % c);
                ((b + b0) * c + ch) * plane
            }),
        },
        Layout::Nhwc => Images {
            count: n_out,
            cs: c,
            src_offset: Box::new(move |k| (k + b0) * plane * c),
        },
    }
}

/// Consecutive output rows whose height taps are identical (same source rows, same weights, or
/// all extrapolated) compute the same values: `(first row, count)` groups. Nearest upsampling by
/// an integer factor computes each output row once and copies it.
fn row_groups(h: &AxisPlan) -> Vec<(usize, usize)> {
    let same = |a: usize, b: usize| {
        let (ia, wa) = h.taps(a);
        let (ib, wb) = h.taps(b);
        h.is_extrapolated(a) == h.is_extrapolated(b)
            && ia == ib
            && wa.iter().zip(wb).all(|(x, y)| x.to_bits() == y.to_bits())
    };
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for yo in 0..h.out_len() {
        match groups.last_mut() {
            Some((start, len)) if same(*start, yo) => *len += 1,
            _ => groups.push((yo, 1)),
        }
    }
    groups
}

fn run(src: &[f32], dims: [usize; 4], layout: Layout, plan: &ResizePlan, dst: &mut [f32]) {
    let [_, _, in_h, in_w] = dims;
    let imgs = images(dims, layout, plan.batch_index);
    let (out_h, out_w) = (plan.h.out_len(), plan.w.out_len());
    let cs = imgs.cs;
    let out_row_len = out_w * cs;
    if out_row_len == 0 || imgs.count == 0 || out_h == 0 {
        return;
    }
    let in_image = in_h * in_w * cs;
    // One float per pixel (NCHW planes): the specialised width pass.
    let width = (cs == 1).then(|| WidthPass::new(&plan.w));
    let groups = row_groups(&plan.h);
    // Work items: a group of identical output rows of one image, as one contiguous slice.
    let mut items: Vec<(usize, usize, &mut [f32])> = Vec::with_capacity(imgs.count * groups.len());
    for (k, image_out) in dst.chunks_mut(out_h * out_row_len).enumerate() {
        let mut rest = image_out;
        for &(yo, len) in &groups {
            let (rows, tail) = rest.split_at_mut(len * out_row_len);
            items.push((k, yo, rows));
            rest = tail;
        }
    }
    let per_row = (out_w * plan.w.width() + in_w * plan.h.width()) * cs;
    let work = items.len() * per_row;
    let job = |(k, yo, rows): (usize, usize, &mut [f32]), scratch: &mut Scratch| {
        let off = (imgs.src_offset)(k);
        let image = &src[off..off + in_image];
        let (first, copies) = rows.split_at_mut(out_row_len);
        let row = Row {
            image,
            in_w,
            cs,
            plan,
            width: width.as_ref(),
            yo,
        };
        row.compute(first, scratch);
        for copy in copies.chunks_exact_mut(out_row_len) {
            copy.copy_from_slice(first);
        }
    };
    if work < PARALLEL_THRESHOLD {
        let mut scratch = Scratch::default();
        for item in items {
            job(item, &mut scratch);
        }
    } else {
        let min_items = (PARALLEL_THRESHOLD / per_row.max(1)).max(1);
        items
            .into_par_iter()
            .with_min_len(min_items)
            .for_each_init(Scratch::default, |scratch, item| job(item, scratch));
    }
}

/// Per-thread scratch rows: the height-combined row and the width pass's phase lanes.
#[derive(Default)]
struct Scratch {
    row: Vec<f32>,
    lanes: Vec<f32>,
}

/// One output row of one image to compute.
struct Row<'a> {
    image: &'a [f32],
    in_w: usize,
    cs: usize,
    plan: &'a ResizePlan,
    width: Option<&'a WidthPass>,
    yo: usize,
}

impl Row<'_> {
    /// Computes the row, with 256-bit vectors where the CPU has AVX2 (the same operations in
    /// the same order: only the vector width of the element-wise loops changes, so results are
    /// identical; Rust never fuses a multiply and an add on its own).
    fn compute(&self, out_row: &mut [f32], scratch: &mut Scratch) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.compute_avx2(out_row, scratch) };
                return;
            }
        }
        self.compute_portable(out_row, scratch);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn compute_avx2(&self, out_row: &mut [f32], scratch: &mut Scratch) {
        self.compute_portable(out_row, scratch);
    }

    #[inline(always)]
    fn compute_portable(&self, out_row: &mut [f32], scratch: &mut Scratch) {
        let Row {
            image,
            in_w,
            cs,
            plan,
            width,
            yo,
        } = *self;
        let Scratch {
            row: scratch,
            lanes,
        } = scratch;
        let ev = plan.extrapolation_value;
        if plan.h.is_extrapolated(yo) {
            out_row.fill(ev);
            return;
        }
        let row_len = in_w * cs;
        let (iy, wy) = plan.h.taps(yo);
        // The height-combined source row: borrowed when the height axis picks a single row.
        let row: &[f32] = if iy.len() == 1 && wy[0] == 1.0 {
            let start = iy[0] as usize * row_len;
            &image[start..start + row_len]
        } else {
            scratch.clear();
            scratch.resize(row_len, 0.0);
            for (j, (&i, &w)) in iy.iter().zip(wy).enumerate() {
                let src_row = &image[i as usize * row_len..(i as usize + 1) * row_len];
                if j == 0 {
                    for (acc, &v) in scratch.iter_mut().zip(src_row) {
                        *acc = w * v;
                    }
                } else {
                    for (acc, &v) in scratch.iter_mut().zip(src_row) {
                        *acc += w * v;
                    }
                }
            }
            scratch.as_slice()
        };
        match width {
            Some(pass) => {
                pass.run(row, out_row, lanes);
                if pass.any_extrapolated {
                    for (xo, o) in out_row.iter_mut().enumerate() {
                        if plan.w.is_extrapolated(xo) {
                            *o = ev;
                        }
                    }
                }
            }
            None => width_pass(row, cs, &plan.w, ev, out_row),
        }
    }
}

/// `out[xo] = Σ_k wx_k · row[ix_k]` per channel slot, or the extrapolation value.
#[inline(always)]
fn width_pass(row: &[f32], cs: usize, w_plan: &AxisPlan, ev: f32, out_row: &mut [f32]) {
    for (xo, out_px) in out_row.chunks_exact_mut(cs).enumerate() {
        if w_plan.is_extrapolated(xo) {
            out_px.fill(ev);
            continue;
        }
        let (ix, wx) = w_plan.taps(xo);
        match ix.len() {
            0 => out_px.fill(0.0),
            1 if wx[0] == 1.0 => {
                let s = ix[0] as usize * cs;
                out_px.copy_from_slice(&row[s..s + cs]);
            }
            _ => {
                if cs == 1 {
                    let mut acc = wx[0] * row[ix[0] as usize];
                    for (&i, &w) in ix[1..].iter().zip(&wx[1..]) {
                        acc += w * row[i as usize];
                    }
                    out_px[0] = acc;
                } else {
                    let s = ix[0] as usize * cs;
                    for (o, &v) in out_px.iter_mut().zip(&row[s..s + cs]) {
                        *o = wx[0] * v;
                    }
                    for (&i, &w) in ix[1..].iter().zip(&wx[1..]) {
                        let s = i as usize * cs;
                        for (o, &v) in out_px.iter_mut().zip(&row[s..s + cs]) {
                            *o += w * v;
                        }
                    }
                }
            }
        }
    }
}
