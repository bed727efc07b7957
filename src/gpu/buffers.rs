//! The core GPU API: record a resize or a rearrangement into the caller's command encoder, reading
//! and writing the caller's storage buffers, with no read-back.
//!
//! Work larger than one storage binding (`max_storage_buffer_binding_size`, 128 MiB by default)
//! is split into chunks of consecutive output rows, each bound to the sub-ranges of the buffers it
//! touches, so one correct output comes out of several dispatches. The kernels walk their grid
//! (`shaders/slots.wgsl`), so a chunk of any size fits one dispatch.

use crate::cpu::pixel_shuffle::{deep_channel, output_dims as shuffle_dims, Direction};
use crate::error::{Error, Result};
use crate::op::{InputDesc, Operation};
use crate::plan::ResizePlan;
use crate::spec::{BlockOrder, BlockSpec, Layout};

use super::context::GpuContext;
use super::health::Watched;
use super::kernels::{DType, Entry, KernelKey};
use super::tables::{
    block_shift, gpu_u32, BoundDispatch, ResizeParams, ShuffleParams, SlotGrid, TapTables,
};

/// A 4-D tensor stored in a wgpu buffer: `dims` (`[n, c, h, w]`) elements of `dtype` in `layout`,
/// starting `offset` bytes into `buffer`. The buffer needs `STORAGE` usage.
#[derive(Debug, Clone, Copy)]
pub struct BufferTensor<'a> {
    /// The buffer.
    pub buffer: &'a wgpu::Buffer,
    /// Byte offset of the first element (a multiple of the element size).
    pub offset: u64,
    /// `[n, c, h, w]`.
    pub dims: [usize; 4],
    /// Memory layout.
    pub layout: Layout,
    /// Element type.
    pub dtype: DType,
}

impl BufferTensor<'_> {
    /// Number of elements (`u64::MAX` when the product of `dims` does not fit, which every
    /// check then refuses).
    pub fn elements(&self) -> u64 {
        self.dims
            .iter()
            .fold(1u64, |acc, &d| acc.saturating_mul(d as u64))
    }

    fn check(&self, what: &str, ctx: &GpuContext) -> Result<()> {
        let size = self.dtype.size();
        if !self.offset.is_multiple_of(size) {
            return Err(Error::invalid_argument(
                format!("{what} offset"),
                self.offset,
                format!("must be a multiple of the element size {size}"),
            ));
        }
        let bytes = self
            .elements()
            .checked_mul(size)
            .and_then(|b| b.checked_add(self.offset))
            .ok_or_else(|| Error::SizeTooLarge {
                what: format!("{what} byte size"),
                value: u128::MAX,
                limit: u64::MAX as u128,
            })?;
        if bytes > self.buffer.size() {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "{what} buffer too small: {} bytes from offset {}",
                    self.elements() * size,
                    self.offset
                ),
                expected: vec![bytes as usize],
                got: vec![self.buffer.size() as usize],
            });
        }
        if !self.buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::invalid_argument(
                format!("{what} buffer usage"),
                format!("{:?}", self.buffer.usage()),
                "needs BufferUsages::STORAGE",
            ));
        }
        if self.dtype == DType::F16 && !ctx.supports_f16() {
            return Err(Error::unsupported(format!(
                "f16 tensors on {}: the device lacks SHADER_F16",
                ctx.adapter().label()
            )));
        }
        Ok(())
    }
}

/// An operation bound to an input and an output tensor ([`GpuContext::bind`]): every dispatch
/// it needs (pipelines, uniform blocks, tap tables, bind groups) built once. Encoding it again
/// records the same dispatches and creates nothing, for steady-state inference loops. It keeps
/// the buffers it binds alive until it is dropped; the tensors' contents are read when the
/// recorded commands run, so new data in the same buffers is picked up. It shares its context's
/// view of the device's health: once the device is lost, encoding it is [`Error::DeviceLost`].
#[derive(Debug, Clone)]
pub struct BoundOperation {
    watched: Watched,
    label: &'static str,
    during: &'static str,
    dispatches: Vec<BoundDispatch>,
}

impl BoundOperation {
    fn new(ctx: &GpuContext, label: &'static str, during: &'static str) -> Self {
        BoundOperation {
            watched: ctx.watched().clone(),
            label,
            during,
            dispatches: Vec::new(),
        }
    }

    /// An operation made of dispatches bound elsewhere in the GPU backend.
    pub(super) fn from_dispatches(
        ctx: &GpuContext,
        label: &'static str,
        during: &'static str,
        dispatches: Vec<BoundDispatch>,
    ) -> Self {
        BoundOperation {
            dispatches,
            ..BoundOperation::new(ctx, label, during)
        }
    }

    /// Records the operation into `encoder` (one compute pass, `CommandEncoder::begin_compute_pass`).
    /// Nothing is submitted, and the device is not polled. A device known to be lost (from any
    /// earlier poll, yours or halfpixel's) is [`Error::DeviceLost`], a pass the device refuses
    /// [`Error::Gpu`].
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder) -> Result<()> {
        self.watched.check_known()?;
        if self.dispatches.is_empty() {
            return Ok(());
        }
        self.watched.scoped(self.during, || {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(self.label),
                timestamp_writes: None,
            });
            for d in &self.dispatches {
                d.record(&mut pass);
            }
            Ok(())
        })
    }

    /// Number of dispatches it records (more than one when the work is split to fit the
    /// device's binding limit, or runs in two passes).
    pub fn dispatches(&self) -> usize {
        self.dispatches.len()
    }
}

/// One dispatch's share of the work: output rows `[r0, r1)` and the element ranges it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chunk {
    r0: u64,
    r1: u64,
    src: (u64, u64),
    dst: (u64, u64),
}

/// Splits `rows` output rows into chunks whose buffer ranges fit one binding (after aligning the
/// start down to the offset alignment). Any chunk fits one dispatch: the kernels walk their grid.
struct Chunker {
    elem: u64,
    align: u64,
    binding_limit: u64,
}

impl Chunker {
    fn new(ctx: &GpuContext, dtype: DType) -> Self {
        let limits = ctx.limits();
        Chunker {
            elem: dtype.size(),
            align: limits.min_storage_buffer_offset_alignment.max(4) as u64,
            binding_limit: limits.max_storage_buffer_binding_size,
        }
    }

    /// Bytes a binding of elements `[start, end)` needs once its start is aligned down.
    fn binding_bytes(&self, base: u64, (start, end): (u64, u64)) -> u64 {
        let s = base + start * self.elem;
        let e = base + end * self.elem;
        (e - (s / self.align) * self.align).div_ceil(4) * 4
    }

    /// `span(r)` gives, for output row r, its source element range (None: reads nothing), its
    /// output element range, and the scratch elements it needs.
    fn split(
        &self,
        rows: u64,
        src_base: u64,
        dst_base: u64,
        scratch_elem: u64,
        mut span: impl FnMut(u64) -> (Option<(u64, u64)>, (u64, u64), u64),
        what: &str,
    ) -> Result<Vec<Chunk>> {
        let mut chunks = Vec::new();
        let mut r = 0;
        while r < rows {
            let mut chunk: Option<Chunk> = None;
            let mut scratch = 0u64;
            while r < rows {
                let (src, dst, scr) = span(r);
                let mut next = chunk.unwrap_or(Chunk {
                    r0: r,
                    r1: r,
                    src: src.unwrap_or((u64::MAX, 0)),
                    dst,
                });
                if let Some((a, b)) = src {
                    next.src = (next.src.0.min(a), next.src.1.max(b));
                }
                next.dst = (next.dst.0.min(dst.0), next.dst.1.max(dst.1));
                next.r1 = r + 1;
                let src_bytes = if next.src.0 < next.src.1 {
                    self.binding_bytes(src_base, next.src)
                } else {
                    0
                };
                let fits = src_bytes <= self.binding_limit
                    && self.binding_bytes(dst_base, next.dst) <= self.binding_limit
                    && (scratch + scr) * scratch_elem <= self.binding_limit;
                if !fits {
                    if chunk.is_none() {
                        return Err(Error::DeviceLimit {
                            what: format!("one output row of {what} (bytes bound at once)"),
                            value: src_bytes.max(self.binding_bytes(dst_base, next.dst)),
                            limit: self.binding_limit,
                            limit_name: "max_storage_buffer_binding_size".into(),
                            hint: "use the CPU backend or a smaller row".into(),
                        });
                    }
                    break;
                }
                scratch += scr;
                chunk = Some(next);
                r += 1;
            }
            if let Some(c) = chunk {
                if c.src.0 > c.src.1 {
                    // A chunk that reads nothing (all extrapolated) still needs a valid binding.
                    chunks.push(Chunk { src: (0, 1), ..c });
                } else {
                    chunks.push(c);
                }
            }
        }
        Ok(chunks)
    }

    /// The binding of elements `[start, end)` of a tensor starting at byte `base`: the aligned
    /// buffer range and the element offset of `start` inside it.
    fn binding<'b>(
        &self,
        buffer: &'b wgpu::Buffer,
        base: u64,
        (start, end): (u64, u64),
    ) -> (wgpu::BufferBinding<'b>, u32) {
        let s = base + start * self.elem;
        let aligned = (s / self.align) * self.align;
        let size = self
            .binding_bytes(base, (start, end))
            .min(buffer.size() - aligned);
        let rel = (s - aligned) / self.elem;
        (
            wgpu::BufferBinding {
                buffer,
                offset: aligned,
                size: wgpu::BufferSize::new(size.max(4)),
            },
            rel as u32,
        )
    }
}

/// The most taps per axis the one-pass kernels hold in registers (`direct2` and `direct4` in
/// `shaders/resize.wgsl`, `MAX_HOISTED` there); wider windows run in two passes (rows, then
/// columns), which is also the faster way for them.
const DIRECT_MAX_WIDTH: usize = 4;

impl GpuContext {
    /// Records `op` reading `input` and writing `output` into `encoder`. Nothing is submitted; the
    /// caller's buffers stay where they are. Input and output must be different buffers.
    ///
    /// Each call binds anew (a uniform block and a bind group per dispatch; a resize's tap tables
    /// are uploaded once per operation and input shape and kept in the context). To record the
    /// same call again and again without creating anything, [`bind`](Self::bind) it once.
    ///
    /// Tensors that do not fit are refused before anything is created ([`Error::ShapeMismatch`],
    /// [`Error::InvalidArgument`], …); what only the device can judge (a destroyed buffer, a
    /// buffer of another device) comes back from wgpu's error scopes as [`Error::Gpu`]; a lost
    /// device is [`Error::DeviceLost`].
    pub fn encode(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        op: &Operation,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<()> {
        self.bind(op, input, output)?.encode(encoder)
    }

    /// Binds `op` to these two tensors: checks them, and builds every dispatch the call needs
    /// (pipelines, uniform blocks, tap tables, bind groups) once. [`BoundOperation::encode`] then
    /// records it as often as needed, creating nothing. The bound operation keeps the buffers it
    /// binds alive until it is dropped.
    pub fn bind(
        &self,
        op: &Operation,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundOperation> {
        self.bind_data(op, input, output, true)
    }

    /// [`GpuContext::bind`]; `float_data` is false where the values are 8- or 16-bit data
    /// converted to float for a gather or a float-output call (which
    /// [`ResizePlanner::integer_path`](crate::ResizePlanner::integer_path) has accepted), true
    /// where the caller's data is float.
    pub(crate) fn bind_data(
        &self,
        op: &Operation,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
        float_data: bool,
    ) -> Result<BoundOperation> {
        match op {
            Operation::Resize(r) => {
                let desc = InputDesc {
                    dims: input.dims,
                    layout: input.layout,
                };
                if float_data {
                    // A call that takes no float input (Pillow's 8-bit modes) refuses it here
                    // too. One whose float arithmetic is float64 (Pillow's F mode) runs its
                    // float32 plan: WGSL has no float64, and the preset states the difference.
                    r.planner().exact_f32_plan(&desc)?;
                }
                let kernel = r.kernel(&desc)?;
                self.bind_resize(kernel.plan(), || self.kernel_taps(&kernel), input, output)
            }
            Operation::DepthToSpace(b) => {
                self.bind_rearrange(*b, Direction::DepthToSpace, input, output)
            }
            Operation::SpaceToDepth(b) => {
                self.bind_rearrange(*b, Direction::SpaceToDepth, input, output)
            }
        }
    }

    fn check_pair(
        &self,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
        expected: [usize; 4],
    ) -> Result<()> {
        input.check("input", self)?;
        output.check("output", self)?;
        if output.dims != expected {
            return Err(Error::ShapeMismatch {
                what: "output tensor dims [n, c, h, w]".into(),
                expected: expected.to_vec(),
                got: output.dims.to_vec(),
            });
        }
        if input.layout != output.layout || input.dtype != output.dtype {
            return Err(Error::invalid_argument(
                "output tensor",
                format!("{:?} {:?}", output.layout, output.dtype),
                format!(
                    "must have the input's layout and type ({:?} {:?})",
                    input.layout, input.dtype
                ),
            ));
        }
        if input.buffer == output.buffer {
            return Err(Error::invalid_argument(
                "output buffer",
                "the input buffer",
                "input and output must be different buffers (a storage buffer cannot be read and written in one dispatch)",
            ));
        }
        Ok(())
    }

    /// Records a resize by `plan` (built for `input`'s size) into `encoder`.
    pub fn encode_resize(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        plan: &ResizePlan,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<()> {
        self.bind_resize(
            plan,
            || TapTables::upload(self.watched(), plan),
            input,
            output,
        )?
        .encode(encoder)
    }

    /// Checks the tensors against `plan` and builds the resize's dispatches, with the tap tables
    /// `taps` gives (called once the tensors are known to fit).
    fn bind_resize(
        &self,
        plan: &ResizePlan,
        taps: impl FnOnce() -> Result<TapTables>,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundOperation> {
        self.check()?;
        let out_dims = plan.output_dims(input.dims)?;
        self.check_pair(input, output, out_dims)?;
        let mut bound = BoundOperation::new(self, "halfpixel resize", "recording a resize");
        if output.elements() == 0 {
            return Ok(bound);
        }
        let [_, c, in_h, in_w] = input.dims;
        let (out_h, out_w) = (plan.h.out_len(), plan.w.out_len());
        let (images, cs, shift) = match input.layout {
            Layout::Nchw => (out_dims[0] * c, 1, plan.batch_index.unwrap_or(0) * c),
            Layout::Nhwc => (out_dims[0], c, plan.batch_index.unwrap_or(0)),
        };
        let (cs, image_len) = (cs as u64, (in_h * in_w) as u64 * cs as u64);
        let (in_row, out_row) = (in_w as u64 * cs, out_w as u64 * cs);
        let gather = plan.h.is_gather() && plan.w.is_gather();
        let separable =
            !gather && (plan.h.width() > DIRECT_MAX_WIDTH || plan.w.width() > DIRECT_MAX_WIDTH);
        // The rows each output row reads.
        let row_span: Vec<Option<(u64, u64)>> = (0..out_h)
            .map(|yo| {
                if plan.h.is_extrapolated(yo) {
                    return None;
                }
                let (iy, _) = plan.h.taps(yo);
                let lo = iy.iter().min().copied()? as u64;
                let hi = iy.iter().max().copied()? as u64;
                Some((lo, hi + 1))
            })
            .collect();
        let chunker = Chunker::new(self, input.dtype);
        let total_rows = images as u64 * out_h as u64;
        let chunks = chunker.split(
            total_rows,
            input.offset,
            output.offset,
            4,
            |r| {
                let (k, yo) = (r / out_h as u64, (r % out_h as u64) as usize);
                let img = (k + shift as u64) * image_len;
                let src = row_span[yo].map(|(a, b)| (img + a * in_row, img + b * in_row));
                let scratch = if separable { in_row } else { 0 };
                (src, (r * out_row, (r + 1) * out_row), scratch)
            },
            "the resize",
        )?;
        let device = self.device();
        self.scoped("binding a resize", || {
            let tables = taps()?;
            let taps = &tables.buffer;
            let entry = if gather {
                Entry::Gather
            } else if separable {
                Entry::Rows
            } else if plan.h.width().max(plan.w.width()) <= 2 {
                Entry::Direct2
            } else {
                Entry::Direct4
            };
            let key = |entry| KernelKey {
                entry,
                dtype: input.dtype,
            };
            let main = self.pipeline(key(entry))?;
            let cols = if separable {
                Some(self.pipeline(key(Entry::Cols))?)
            } else {
                None
            };
            let max_dim = self.limits().max_compute_workgroups_per_dimension;
            let tuning = self.slot_tuning();
            for chunk in chunks {
                let k0 = chunk.r0 / out_h as u64;
                let img0 = (k0 + shift as u64) * image_len;
                let (src_binding, src_lead) =
                    chunker.binding(input.buffer, input.offset, chunk.src);
                let (dst_binding, dst_rel) =
                    chunker.binding(output.buffer, output.offset, chunk.dst);
                // image_base() in resize.wgsl is relative to image k0; the binding starts at
                // element chunk.src.0 − src_lead of the tensor. Indices are u32 and wrap, so the
                // offset may be "negative".
                let src_rel = (chunk.src.0 as i64 - src_lead as i64 - img0 as i64) as u32;
                let params = |row_len: u64| -> Result<(ResizeParams, (u32, u32, u32))> {
                    let grid = SlotGrid::new(
                        (chunk.r0, chunk.r1),
                        out_h as u64,
                        row_len,
                        max_dim,
                        tuning,
                    )?;
                    Ok((
                        ResizeParams {
                            out_w: out_w as u32,
                            out_h: out_h as u32,
                            cs: cs as u32,
                            in_w: in_w as u32,
                            image_len: gpu_u32(image_len, "elements per image")?,
                            src_rel,
                            dst_rel,
                            h_base: tables.h_base,
                            h_width: plan.h.width() as u32,
                            w_base: tables.w_base,
                            w_width: plan.w.width() as u32,
                            ev: plan.extrapolation_value,
                            walk: grid.params(),
                        },
                        grid.groups,
                    ))
                };
                let src = || wgpu::BindingResource::Buffer(src_binding.clone());
                let dst = || wgpu::BindingResource::Buffer(dst_binding.clone());
                match &cols {
                    None => {
                        let (p, groups) = params(out_row)?;
                        let entries = [(1, taps.as_entire_binding()), (2, src()), (3, dst())];
                        bound.dispatches.push(BoundDispatch::new(
                            self.watched(),
                            &main,
                            bytemuck::bytes_of(&p),
                            &entries,
                            groups,
                        )?);
                    }
                    Some(cols) => {
                        let scratch = device.create_buffer(&wgpu::BufferDescriptor {
                            label: Some("halfpixel rows"),
                            size: ((chunk.r1 - chunk.r0) * in_row * 4).max(4),
                            usage: wgpu::BufferUsages::STORAGE,
                            mapped_at_creation: false,
                        });
                        let (p1, groups1) = params(in_row)?;
                        let entries1 = [
                            (1, taps.as_entire_binding()),
                            (2, src()),
                            (5, scratch.as_entire_binding()),
                        ];
                        bound.dispatches.push(BoundDispatch::new(
                            self.watched(),
                            &main,
                            bytemuck::bytes_of(&p1),
                            &entries1,
                            groups1,
                        )?);
                        let (p2, groups2) = params(out_row)?;
                        let entries2 = [
                            (1, taps.as_entire_binding()),
                            (3, dst()),
                            (4, scratch.as_entire_binding()),
                        ];
                        bound.dispatches.push(BoundDispatch::new(
                            self.watched(),
                            cols,
                            bytemuck::bytes_of(&p2),
                            &entries2,
                            groups2,
                        )?);
                    }
                }
            }
            Ok(())
        })?;
        Ok(bound)
    }

    /// Records depth_to_space or space_to_depth into `encoder`.
    pub fn encode_rearrange(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        spec: BlockSpec,
        dir: Direction,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<()> {
        self.bind_rearrange(spec, dir, input, output)?
            .encode(encoder)
    }

    /// Checks the tensors and builds the rearrangement's dispatches.
    fn bind_rearrange(
        &self,
        spec: BlockSpec,
        dir: Direction,
        input: &BufferTensor<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundOperation> {
        self.check()?;
        let out_dims = shuffle_dims(input.dims, spec, dir)?;
        self.check_pair(input, output, out_dims)?;
        let mut bound = BoundOperation::new(
            self,
            "halfpixel shuffle",
            "recording a depth_to_space / space_to_depth",
        );
        if output.elements() == 0 {
            return Ok(bound);
        }
        let [_, c_in, h_in, w_in] = input.dims;
        let [_, c_out, h_out, w_out] = out_dims;
        let b = spec.block_size;
        let nchw = input.layout == Layout::Nchw;
        let row_len = if nchw { w_out } else { c_out } as u64;
        let rows = output.elements() / row_len;
        let item = (c_in * h_in * w_in) as u64;
        let idx = |n: usize, c: usize, h: usize, w: usize| -> u64 {
            let within = if nchw {
                ((c * h_in + h) * w_in + w) as u64
            } else {
                ((h * w_in + w) * c_in + c) as u64
            };
            n as u64 * item + within
        };
        // The source elements of output row r.
        let src_of_row = |r: u64| -> (u64, u64) {
            let mut lo = u64::MAX;
            let mut hi = 0;
            let mut note = |s: u64| {
                lo = lo.min(s);
                hi = hi.max(s + 1);
            };
            let r = r as usize;
            if nchw {
                let (n, c, h) = (r / (c_out * h_out), (r / h_out) % c_out, r % h_out);
                for w in [0, w_out - 1]
                    .into_iter()
                    .chain((0..b.min(w_out)).collect::<Vec<_>>())
                {
                    let (sc, sh, sw) = source(dir, spec.order, b, c, h, w, c_in, c_out);
                    note(idx(n, sc, sh, sw));
                }
            } else {
                let (n, h, w) = (r / (h_out * w_out), (r / w_out) % h_out, r % w_out);
                for c in 0..c_out {
                    let (sc, sh, sw) = source(dir, spec.order, b, c, h, w, c_in, c_out);
                    note(idx(n, sc, sh, sw));
                }
            }
            (lo, hi)
        };
        let chunker = Chunker::new(self, input.dtype);
        let chunks = chunker.split(
            rows,
            input.offset,
            output.offset,
            4,
            |r| (Some(src_of_row(r)), (r * row_len, (r + 1) * row_len), 0),
            "the rearrangement",
        )?;
        self.scoped("binding a depth_to_space / space_to_depth", || {
            let pipeline = self.pipeline(KernelKey {
                entry: Entry::Shuffle,
                dtype: input.dtype,
            })?;
            let max_dim = self.limits().max_compute_workgroups_per_dimension;
            let tuning = self.slot_tuning();
            // Planes of the slot walk (pixel_shuffle.wgsl): NCHW (n, c) planes of h_out rows,
            // NHWC (n, h) rows of w_out pixels.
            let (plane_rows, q_count) = if nchw {
                (h_out as u64, c_out as u64)
            } else {
                (w_out as u64, h_out as u64)
            };
            for chunk in chunks {
                let grid =
                    SlotGrid::new((chunk.r0, chunk.r1), plane_rows, row_len, max_dim, tuning)?;
                let n0 = grid.k0 / q_count;
                let (src_binding, src_lead) =
                    chunker.binding(input.buffer, input.offset, chunk.src);
                let (dst_binding, dst_rel) =
                    chunker.binding(output.buffer, output.offset, chunk.dst);
                // shuffle() reads src[n·item + within − src_rel] for batch item n0 + n; the
                // binding starts at element chunk.src.0 − src_lead of the tensor (u32 indices
                // wrap).
                let src_rel = (chunk.src.0 as i64 - src_lead as i64 - (n0 * item) as i64) as u32;
                let params = ShuffleParams {
                    c_out: c_out as u32,
                    h_out: h_out as u32,
                    w_out: w_out as u32,
                    c_in: c_in as u32,
                    h_in: h_in as u32,
                    w_in: w_in as u32,
                    block: b as u32,
                    block_shift: block_shift(b),
                    nchw: nchw as u32,
                    to_space: (dir == Direction::DepthToSpace) as u32,
                    crd: (spec.order == BlockOrder::Crd) as u32,
                    plane_rows: plane_rows as u32,
                    q_count: q_count as u32,
                    q0: (grid.k0 % q_count) as u32,
                    src_rel,
                    dst_rel,
                    walk: grid.params(),
                };
                let entries = [
                    (1, wgpu::BindingResource::Buffer(src_binding)),
                    (2, wgpu::BindingResource::Buffer(dst_binding)),
                ];
                bound.dispatches.push(BoundDispatch::new(
                    self.watched(),
                    &pipeline,
                    bytemuck::bytes_of(&params),
                    &entries,
                    grid.groups,
                )?);
            }
            Ok(())
        })?;
        Ok(bound)
    }
}

/// The source (channel, row, column) of output (c, h, w) of a rearrangement.
#[allow(clippy::too_many_arguments)]
fn source(
    dir: Direction,
    order: BlockOrder,
    b: usize,
    c: usize,
    h: usize,
    w: usize,
    c_in: usize,
    c_out: usize,
) -> (usize, usize, usize) {
    match dir {
        Direction::DepthToSpace => (deep_channel(order, c, h % b, w % b, b, c_out), h / b, w / b),
        Direction::SpaceToDepth => {
            let (sc, i, j) = match order {
                BlockOrder::Dcr => {
                    let ij = c / c_in;
                    (c % c_in, ij / b, ij % b)
                }
                BlockOrder::Crd => {
                    let rem = c % (b * b);
                    (c / (b * b), rem / b, rem % b)
                }
            };
            (sc, h * b + i, w * b + j)
        }
    }
}
