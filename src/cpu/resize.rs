//! The CPU resize kernel: executes a [`ResizePlan`] on NCHW or NHWC float32 tensors.
//!
//! Each output row is computed on its own (so rows run in parallel): first the height taps are
//! combined into one source-width row (`row[x] = Σ_j wy_j · src[iy_j][x]`, accumulated in order),
//! then the width taps gather from it (`out[xo] = Σ_k wx_k · row[ix_k]`). Nearest axes (one tap of
//! weight 1) skip the arithmetic and copy, so nearest is bit-exact. The GPU kernels evaluate the
//! same sums in the same order.

use std::cell::RefCell;

use ndarray::{Array4, ArrayView4, ArrayViewMut4};

use crate::error::{try_zeros, Error, Result};
use crate::op::InputDesc;
use crate::plan::{AxisPlan, ResizePlan};

use super::interleaved;
use super::width::WidthPass;
use crate::spec::Layout;

/// Below this many multiply-adds a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// Resizes `input` (in `layout`) with `plan`, returning a new array in the same layout.
pub fn resize(input: ArrayView4<f32>, layout: Layout, plan: &ResizePlan) -> Result<Array4<f32>> {
    let desc = InputDesc {
        dims: layout.nchw(input.dim().into()),
        layout,
    };
    ResizeKernel::new(plan.clone(), desc)?.run(input)
}

/// Resizes `input` into the caller's `output` (same layout), which must have the planned shape.
pub fn resize_into(
    input: ArrayView4<f32>,
    layout: Layout,
    plan: &ResizePlan,
    output: ArrayViewMut4<f32>,
) -> Result<()> {
    let desc = InputDesc {
        dims: layout.nchw(input.dim().into()),
        layout,
    };
    ResizeKernel::new(plan.clone(), desc)?.run_into(input, output)
}

/// A resize prepared for one input shape and layout: the plan, and what the CPU kernel derives
/// from it once (the specialised width pass, the groups of identical output rows). Running it
/// allocates nothing but the output of [`run`](Self::run): each thread keeps its scratch rows
/// between calls. [`Operation`](crate::Operation) caches these per input shape, so repeated calls
/// of [`Operation::run_cpu_into`](crate::Operation::run_cpu_into) reuse them.
#[derive(Debug, Clone)]
pub struct ResizeKernel {
    plan: ResizePlan,
    input: InputDesc,
    out_dims: [usize; 4],
    /// The specialised width pass (one float per pixel: NCHW planes).
    width: Option<WidthPass>,
    /// `(first output row, count)` of consecutive output rows that compute the same values.
    groups: Vec<(usize, usize)>,
}

impl ResizeKernel {
    /// Prepares `plan` for inputs described by `input`, or says why they do not fit it.
    pub fn new(plan: ResizePlan, input: InputDesc) -> Result<Self> {
        let out_dims = plan.output_dims(input.dims)?;
        let width = match input.layout {
            Layout::Nchw => Some(WidthPass::new(&plan.w)),
            Layout::Nhwc => None,
        };
        let groups = row_groups(&plan.h);
        Ok(ResizeKernel {
            plan,
            input,
            out_dims,
            width,
            groups,
        })
    }

    /// The plan this kernel runs.
    pub fn plan(&self) -> &ResizePlan {
        &self.plan
    }

    /// The input it was prepared for.
    pub fn input(&self) -> InputDesc {
        self.input
    }

    /// The output `[n, c, h, w]`.
    pub fn output_dims(&self) -> [usize; 4] {
        self.out_dims
    }

    /// Runs on `input`, returning a new array in the input's layout.
    pub fn run(&self, input: ArrayView4<f32>) -> Result<Array4<f32>> {
        let mut out = try_zeros("the output", self.input.layout.shape(self.out_dims))?;
        self.run_into(input, out.view_mut())?;
        Ok(out)
    }

    /// Runs on `input` into the caller's `output` (the input's layout, the output shape).
    pub fn run_into(&self, input: ArrayView4<f32>, output: ArrayViewMut4<f32>) -> Result<()> {
        let layout = self.input.layout;
        let got_in: [usize; 4] = input.dim().into();
        let expected_in = layout.shape(self.input.dims);
        if got_in != expected_in {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "input array ({}; the kernel was prepared for another shape)",
                    layout.name()
                ),
                expected: expected_in.to_vec(),
                got: got_in.to_vec(),
            });
        }
        let expected = layout.shape(self.out_dims);
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
        super::write_standard(output, |dst| self.execute(src, dst))
    }

    fn geometry(&self) -> Geometry {
        let [_, c, in_h, in_w] = self.input.dims;
        let b0 = self.plan.batch_index.unwrap_or(0);
        let n_out = self.out_dims[0];
        let (images, cs, shift) = match self.input.layout {
            Layout::Nchw => (n_out * c, 1, b0 * c),
            Layout::Nhwc => (n_out, c, b0),
        };
        let out_row_len = self.plan.w.out_len() * cs;
        Geometry {
            images,
            cs,
            shift,
            in_w,
            in_image: in_h * in_w * cs,
            out_row_len,
            out_image: self.plan.h.out_len() * out_row_len,
        }
    }

    /// Cuts the work into runs of consecutive row groups (contiguous in the output) and runs
    /// them, in parallel when the work is large enough to pay.
    fn execute(&self, src: &[f32], dst: &mut [f32]) {
        let geo = self.geometry();
        if geo.out_row_len == 0 || geo.images == 0 || self.groups.is_empty() {
            return;
        }
        let units = geo.images * self.groups.len();
        let per_unit =
            (self.plan.w.out_len() * self.plan.w.width() + geo.in_w * self.plan.h.width()) * geo.cs;
        let threads = rayon::current_num_threads();
        let job = Job {
            kernel: self,
            geo: &geo,
            src,
        };
        if threads == 1 || units.saturating_mul(per_unit) < PARALLEL_THRESHOLD {
            job.run_units(0, units, dst);
        } else {
            // A few runs per thread for balance, none below the threshold's worth of work.
            let grain = units
                .div_ceil(threads * 4)
                .max(PARALLEL_THRESHOLD.div_ceil(per_unit.max(1)));
            job.split(0, units, dst, grain.max(1));
        }
    }
}

/// How the tensor is cut into images of `[H][W][cs]` contiguous floats.
struct Geometry {
    /// Number of output images.
    images: usize,
    /// Floats per pixel inside an image (1 for NCHW planes, C for NHWC images).
    cs: usize,
    /// Output image `k` reads source image `k + shift` (a cropped batch item).
    shift: usize,
    in_w: usize,
    /// Floats per source image.
    in_image: usize,
    out_row_len: usize,
    /// Floats per output image.
    out_image: usize,
}

/// One call. Its units of work are `(image, row group)` pairs, numbered in output order, so a
/// range of units is one contiguous slice of the output.
struct Job<'a> {
    kernel: &'a ResizeKernel,
    geo: &'a Geometry,
    src: &'a [f32],
}

impl Job<'_> {
    /// Where unit `u` starts in the output (the unit count maps to the end).
    fn offset(&self, u: usize) -> usize {
        let g = self.kernel.groups.len();
        let (k, group) = (u / g, u % g);
        k * self.geo.out_image + self.kernel.groups[group].0 * self.geo.out_row_len
    }

    /// Halves `u0..u1` until a half is at most `grain` units, running the halves in parallel.
    fn split(&self, u0: usize, u1: usize, out: &mut [f32], grain: usize) {
        if u1 - u0 <= grain {
            self.run_units(u0, u1, out);
            return;
        }
        let mid = u0 + (u1 - u0) / 2;
        let (a, b) = out.split_at_mut(self.offset(mid) - self.offset(u0));
        rayon::join(
            || self.split(u0, mid, a, grain),
            || self.split(mid, u1, b, grain),
        );
    }

    /// Runs units `u0..u1` on this thread, into `out` (exactly their rows).
    fn run_units(&self, u0: usize, u1: usize, out: &mut [f32]) {
        let row_len = self.geo.in_w * self.geo.cs;
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => {
                scratch.fit(row_len);
                self.dispatch(u0, u1, out, &mut scratch)
            }
            Err(_) => {
                let mut scratch = Scratch::default();
                scratch.fit(row_len);
                self.dispatch(u0, u1, out, &mut scratch)
            }
        });
    }

    /// With 256-bit vectors where the CPU has AVX2 (the same operations in the same order: only
    /// the vector width of the element-wise loops changes, so results are identical; Rust never
    /// fuses a multiply and an add on its own).
    fn dispatch(&self, u0: usize, u1: usize, out: &mut [f32], scratch: &mut Scratch) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.units_avx2(u0, u1, out, scratch) };
                return;
            }
        }
        self.units(u0, u1, out, scratch);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn units_avx2(&self, u0: usize, u1: usize, out: &mut [f32], scratch: &mut Scratch) {
        self.units(u0, u1, out, scratch);
    }

    #[inline(always)]
    fn units(&self, u0: usize, u1: usize, out: &mut [f32], scratch: &mut Scratch) {
        let groups = &self.kernel.groups;
        let geo = self.geo;
        let mut rest = out;
        for u in u0..u1 {
            let (k, group) = (u / groups.len(), u % groups.len());
            let (yo, len) = groups[group];
            let (rows, tail) = std::mem::take(&mut rest).split_at_mut(len * geo.out_row_len);
            rest = tail;
            let off = (k + geo.shift) * geo.in_image;
            let image = &self.src[off..off + geo.in_image];
            let (first, copies) = rows.split_at_mut(geo.out_row_len);
            self.row(image, yo, first, scratch);
            for copy in copies.chunks_exact_mut(geo.out_row_len) {
                copy.copy_from_slice(first);
            }
        }
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

thread_local! {
    /// Each thread's scratch, kept between calls so steady-state runs allocate nothing.
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Per-thread scratch: the height-combined source row.
#[derive(Default)]
struct Scratch {
    row: Vec<f32>,
}

impl Scratch {
    /// Makes room for a source row of `len` floats (growing only: steady state allocates
    /// nothing, and every thread that runs a unit of a call has grown it for that call).
    fn fit(&mut self, len: usize) {
        if self.row.len() < len {
            self.row.resize(len, 0.0);
        }
    }
}

impl Job<'_> {
    /// One output row `yo` of one image.
    #[inline(always)]
    fn row(&self, image: &[f32], yo: usize, out_row: &mut [f32], scratch: &mut Scratch) {
        let (in_w, cs) = (self.geo.in_w, self.geo.cs);
        let plan = &self.kernel.plan;
        let width = self.kernel.width.as_ref();
        let scratch = &mut scratch.row[..in_w * cs];
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
            // Every element is written by the first tap before it is read; with no tap at all
            // (every one excluded) the row is zero.
            if iy.is_empty() {
                scratch.fill(0.0);
            }
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
            &*scratch
        };
        match width {
            Some(pass) => {
                pass.run(row, out_row);
                if pass.any_extrapolated {
                    for (xo, o) in out_row.iter_mut().enumerate() {
                        if plan.w.is_extrapolated(xo) {
                            *o = ev;
                        }
                    }
                }
            }
            None => {
                interleaved::width_pass(&plan.w, row, cs, out_row);
                if plan.w.extrapolation_flags().iter().any(|&e| e) {
                    for (xo, px) in out_row.chunks_exact_mut(cs).enumerate() {
                        if plan.w.is_extrapolated(xo) {
                            px.fill(ev);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Edge, Taps};

    /// An output row with no height tap (every tap excluded) is zero, even right after a row
    /// that combined several source rows in the same scratch.
    #[test]
    fn a_row_without_taps_is_zero() {
        let h = AxisPlan::build(3, 3, Edge::Replicate, |o| match o {
            1 => Taps::from_pairs(vec![]),
            _ => Taps::from_pairs(vec![(0, 0.5), (2, 0.5)]),
        })
        .unwrap();
        let w = AxisPlan::identity(4).unwrap();
        let plan = ResizePlan::new(h, w);
        for layout in [Layout::Nchw, Layout::Nhwc] {
            let x = Array4::from_shape_fn(layout.shape([1, 2, 3, 4]), |(_, a, b, c)| {
                1.0 + (a * 12 + b * 4 + c) as f32
            });
            let y = resize(x.view(), layout, &plan).unwrap();
            let y = match layout {
                Layout::Nchw => y,
                Layout::Nhwc => y.permuted_axes([0, 3, 1, 2]),
            };
            for c in 0..2 {
                for xo in 0..4 {
                    assert_eq!(y[[0, c, 1, xo]], 0.0, "{layout:?} channel {c} column {xo}");
                    assert_ne!(y[[0, c, 0, xo]], 0.0);
                }
            }
        }
    }
}
