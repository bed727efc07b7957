//! Image preprocessing on the GPU: one dispatch reads an 8-bit frame (a storage buffer of bytes,
//! or an rgba8unorm texture) and writes the normalised, resized tensor into the caller's buffer,
//! with the CPU kernel's tap tables, normalisation tables and order of operations
//! ([`crate::preprocess`]).
//!
//! Work larger than one storage binding or one dispatch is split into dispatches over ranges of
//! output rows (and, for NCHW outputs whose planes do not fit one binding together, one channel
//! at a time), each bound to the frame rows and output elements it touches; only an output row
//! or a frame band that cannot fit one binding is refused, with [`Error::DeviceLimit`].

use bytemuck::{Pod, Zeroable};
use half::f16;
use ndarray::Array4;

use crate::error::{Error, Result};
use crate::plan::separable::ExactPlan;
use crate::preprocess::{ChannelSource, FrameDesc, PixelFormat, PlanRef, Prepared, Preprocess};
use crate::spec::Layout;

use super::buffers::BufferTensor;
use super::context::GpuContext;
use super::exact::{FrameInput, TableOutput};
use super::health::Watched;
use super::kernels::{DType, Entry, KernelKey};
use super::tables::{dispatch_grid, gpu_u32, BoundDispatch, TapTables};

/// An 8-bit frame stored in a wgpu buffer (`STORAGE` usage), starting `offset` bytes in: rows of
/// `desc.width` pixels of the preprocessing's [`PixelFormat`], `row_stride` bytes apart. The
/// kernel reads the buffer as u32 words, so the buffer must extend to the 4-byte boundary after
/// the frame's last byte.
#[derive(Debug, Clone, Copy)]
pub struct FrameBuffer<'a> {
    /// The buffer.
    pub buffer: &'a wgpu::Buffer,
    /// Byte offset of the first pixel (any offset).
    pub offset: u64,
    /// Size and row stride.
    pub desc: FrameDesc,
}

/// How [`GpuContext::preprocess_with`] hands the frame to the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameSource {
    /// A storage buffer of the frame's bytes.
    Buffer,
    /// An `rgba8unorm` texture (four-byte pixel formats only).
    Texture,
}

/// A preprocessing bound to a frame and an output tensor ([`GpuContext::bind_preprocess`]): its
/// pipelines, uniform blocks, tap and normalisation tables and bind groups built once. Encoding
/// it again creates nothing; the frame's contents are read when the recorded commands run, so
/// an inference loop writes each new frame into the same buffer or texture and records it again.
/// Once its context's device is lost, encoding it is [`Error::DeviceLost`].
#[derive(Debug, Clone)]
pub struct BoundPreprocess {
    watched: Watched,
    dispatches: Vec<BoundDispatch>,
}

impl BoundPreprocess {
    /// Records the preprocessing into `encoder` (one compute pass,
    /// `CommandEncoder::begin_compute_pass`). Nothing is submitted.
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder) -> Result<()> {
        self.watched.check_known()?;
        self.watched.scoped("recording a preprocessing", || {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("halfpixel preprocess"),
                timestamp_writes: None,
            });
            for d in &self.dispatches {
                d.record(&mut pass);
            }
            Ok(())
        })
    }

    /// Number of dispatches it records: one, unless the work was split to fit the device's
    /// binding or dispatch limits.
    pub fn dispatches(&self) -> usize {
        self.dispatches.len()
    }
}

/// `PreParams` of `shaders/preprocess.wgsl`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, Pod, Zeroable)]
struct PreParams {
    sel: [u32; 4],
    rgb: [u32; 4],
    out_w: u32,
    out_h: u32,
    channels: u32,
    c0: u32,
    bpp: u32,
    row_stride: u32,
    src_base: u32,
    dst_rel: u32,
    d_row: u32,
    d_px: u32,
    d_ch: u32,
    row0: u32,
    h_base: u32,
    h_width: u32,
    w_base: u32,
    w_width: u32,
    groups_x: u32,
    total: u32,
    ev: f32,
    pad: u32,
}

/// `sel` value of a channel that takes PIL's luma (`LUMA` in the shader).
const LUMA: u32 = 4;

/// Where the kernel reads the frame.
enum Source<'a> {
    Buffer {
        buffer: &'a wgpu::Buffer,
        offset: u64,
    },
    Texture(wgpu::TextureView),
}

/// One dispatch: output channels `[c0, c0 + cn)`, output rows `[y0, y1)`, the frame rows it
/// reads (buffer frames) and the output elements it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chunk {
    c0: usize,
    cn: usize,
    y0: usize,
    y1: usize,
    src_rows: Option<(usize, usize)>,
    dst: (u64, u64),
}

/// The device limits a split must respect.
#[derive(Debug, Clone, Copy)]
struct Limits {
    binding: u64,
    align: u64,
    max_invocations: u64,
}

impl Limits {
    fn of(ctx: &GpuContext) -> Self {
        let limits = ctx.limits();
        let per_dim = limits.max_compute_workgroups_per_dimension.max(1) as u64;
        Limits {
            // Byte addresses in the kernel are u32.
            binding: limits
                .max_storage_buffer_binding_size
                .min(u32::MAX as u64 - 3),
            align: limits.min_storage_buffer_offset_alignment.max(4) as u64,
            max_invocations: per_dim * per_dim * 64,
        }
    }

    /// The aligned start and the size of a binding of bytes `[start, end)`.
    fn range(&self, start: u64, end: u64) -> (u64, u64) {
        let aligned = start / self.align * self.align;
        (aligned, (end.div_ceil(4) * 4 - aligned).max(4))
    }
}

/// The frame as the split sees it (buffer frames): byte offset, row stride, bytes of a row.
#[derive(Debug, Clone, Copy)]
struct FrameBytes {
    offset: u64,
    stride: u64,
    row: u64,
}

impl FrameBytes {
    fn span(&self, (lo, hi): (usize, usize)) -> (u64, u64) {
        (
            self.offset + lo as u64 * self.stride,
            self.offset + (hi as u64 - 1) * self.stride + self.row,
        )
    }
}

/// Splits the output into dispatches that fit the limits.
fn split(
    prepared: &Prepared,
    frame: Option<FrameBytes>,
    out_offset: u64,
    elem: u64,
    limits: Limits,
) -> Result<Vec<Chunk>> {
    let plan = prepared.plan();
    let [_, channels, out_h, out_w] = prepared.out_dims;
    let plane = (out_h * out_w) as u64;
    let nchw = prepared.layout == Layout::Nchw;
    // NCHW planes share a dispatch when the whole output fits one binding, else one channel each.
    let whole = limits
        .range(out_offset, out_offset + channels as u64 * plane * elem)
        .1;
    let groups: Vec<(usize, usize)> = if !nchw || whole <= limits.binding {
        vec![(0, channels)]
    } else {
        (0..channels).map(|c| (c, 1)).collect()
    };
    let dst_of = |c0: usize, cn: usize, y0: usize, y1: usize| -> (u64, u64) {
        if nchw {
            (
                c0 as u64 * plane + (y0 * out_w) as u64,
                (c0 + cn - 1) as u64 * plane + (y1 * out_w) as u64,
            )
        } else {
            (
                (y0 * out_w * channels) as u64,
                (y1 * out_w * channels) as u64,
            )
        }
    };
    let rows_of = |yo: usize| -> Option<(usize, usize)> {
        if plan.h.is_extrapolated(yo) {
            return None;
        }
        let (iy, _) = plan.h.taps(yo);
        let lo = *iy.iter().min()? as usize;
        let hi = *iy.iter().max()? as usize + 1;
        Some((lo, hi))
    };
    let mut chunks = Vec::new();
    for (c0, cn) in groups {
        let mut y = 0;
        while y < out_h {
            let y0 = y;
            let mut src: Option<(usize, usize)> = None;
            while y < out_h {
                let next = match (src, rows_of(y)) {
                    (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                    (s, r) => s.or(r),
                };
                let src_bytes = match (frame, next) {
                    (Some(f), Some(rows)) => {
                        let (s, e) = f.span(rows);
                        limits.range(s, e).1
                    }
                    _ => 0,
                };
                let (d0, d1) = dst_of(c0, cn, y0, y + 1);
                let dst_bytes = limits
                    .range(out_offset + d0 * elem, out_offset + d1 * elem)
                    .1;
                let invocations = ((y + 1 - y0) * out_w) as u64;
                let fits = src_bytes <= limits.binding
                    && dst_bytes <= limits.binding
                    && invocations <= limits.max_invocations;
                if !fits {
                    if y == y0 {
                        return Err(Error::DeviceLimit {
                            what: "one output row of the preprocessing (bytes bound at once: the frame rows its taps read, or the output row)".into(),
                            value: src_bytes.max(dst_bytes),
                            limit: limits.binding,
                            limit_name: "max_storage_buffer_binding_size".into(),
                            hint: "use the CPU (Preprocess::run_cpu), a texture frame, or a smaller frame".into(),
                        });
                    }
                    break;
                }
                src = next;
                y += 1;
            }
            chunks.push(Chunk {
                c0,
                cn,
                y0,
                y1: y,
                src_rows: src,
                dst: dst_of(c0, cn, y0, y),
            });
        }
    }
    Ok(chunks)
}

impl GpuContext {
    /// Records `pre` reading the 8-bit `frame` and writing `output` (`[1, C, H, W]` in the
    /// preprocessing's layout, f32 or f16) into `encoder`: decode, normalisation and resize in one
    /// dispatch. Nothing is submitted. To record the same call every frame without creating
    /// anything, [`bind_preprocess`](Self::bind_preprocess) it once.
    pub fn encode_preprocess(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        pre: &Preprocess,
        frame: &FrameBuffer<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<()> {
        self.bind_preprocess(pre, frame, output)?.encode(encoder)
    }

    /// Checks `frame` and `output` against `pre` and builds the dispatches once.
    pub fn bind_preprocess(
        &self,
        pre: &Preprocess,
        frame: &FrameBuffer<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundPreprocess> {
        self.check()?;
        let prepared = pre.prepare(&frame.desc)?;
        let bytes = prepared.frame.bytes as u64;
        let needed = frame
            .offset
            .checked_add(bytes)
            .ok_or_else(|| Error::SizeTooLarge {
                what: "frame offset + bytes".into(),
                value: u128::MAX,
                limit: u64::MAX as u128,
            })?;
        let size = frame.buffer.size();
        // The bytes from the offset to the buffer's end must hold the frame.
        let available = usize::try_from(size.saturating_sub(frame.offset)).unwrap_or(usize::MAX);
        prepared.frame.check_len(available, pre.format())?;
        if needed.div_ceil(4) * 4 > size {
            return Err(Error::invalid_argument(
                "frame buffer size",
                size,
                format!(
                    "the kernel reads the frame as u32 words: the buffer must extend to byte {} (the 4-byte boundary after the frame's last byte)",
                    needed.div_ceil(4) * 4
                ),
            ));
        }
        if !frame.buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::invalid_argument(
                "frame buffer usage",
                format!("{:?}", frame.buffer.usage()),
                "needs BufferUsages::STORAGE",
            ));
        }
        self.bind_prepared(
            &prepared,
            Source::Buffer {
                buffer: frame.buffer,
                offset: frame.offset,
            },
            output,
        )
    }

    /// Records `pre` reading an `rgba8unorm` texture (one layer; its size is the frame's) and
    /// writing `output` into `encoder`. The texel's four components are the pixel's four bytes in
    /// memory order, interpreted by the preprocessing's [`PixelFormat`] (so a BGRA frame copied
    /// as is into an rgba8unorm texture is [`PixelFormat::Bgra`]).
    pub fn encode_preprocess_texture(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        pre: &Preprocess,
        texture: &wgpu::Texture,
        output: &BufferTensor<'_>,
    ) -> Result<()> {
        self.bind_preprocess_texture(pre, texture, output)?
            .encode(encoder)
    }

    /// Checks `texture` and `output` against `pre` and builds the dispatches once.
    pub fn bind_preprocess_texture(
        &self,
        pre: &Preprocess,
        texture: &wgpu::Texture,
        output: &BufferTensor<'_>,
    ) -> Result<BoundPreprocess> {
        self.check()?;
        if texture.format() != wgpu::TextureFormat::Rgba8Unorm {
            return Err(Error::invalid_argument(
                "frame texture format",
                format!("{:?}", texture.format()),
                "frames are read from Rgba8Unorm textures (their bytes in memory order)",
            ));
        }
        if pre.format().bytes_per_pixel() != 4 {
            return Err(Error::invalid_argument(
                "pixel format",
                pre.format(),
                "an rgba8unorm texture holds four bytes per pixel: RGBA, BGRA, ARGB or ABGR",
            ));
        }
        let size = texture.size();
        if texture.dimension() != wgpu::TextureDimension::D2 || size.depth_or_array_layers != 1 {
            return Err(Error::invalid_argument(
                "frame texture",
                format!(
                    "{:?} with {} layers",
                    texture.dimension(),
                    size.depth_or_array_layers
                ),
                "a frame is a 2-D texture of one layer",
            ));
        }
        if !texture
            .usage()
            .contains(wgpu::TextureUsages::TEXTURE_BINDING)
        {
            return Err(Error::invalid_argument(
                "frame texture usage",
                format!("{:?}", texture.usage()),
                "needs TextureUsages::TEXTURE_BINDING",
            ));
        }
        let desc = FrameDesc::new(size.width as usize, size.height as usize);
        let prepared = pre.prepare(&desc)?;
        let view = texture.create_view(&wgpu::TextureViewDescriptor {
            dimension: Some(wgpu::TextureViewDimension::D2),
            ..Default::default()
        });
        self.bind_prepared(&prepared, Source::Texture(view), output)
    }

    fn check_output(&self, prepared: &Prepared, output: &BufferTensor<'_>) -> Result<()> {
        if output.dims != prepared.out_dims || output.layout != prepared.layout {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "preprocessing output tensor dims [n, c, h, w] in {} (the preprocessing's layout; got {})",
                    prepared.layout.name(),
                    output.layout.name()
                ),
                expected: prepared.out_dims.to_vec(),
                got: output.dims.to_vec(),
            });
        }
        let elem = output.dtype.size();
        if !output.offset.is_multiple_of(elem) {
            return Err(Error::invalid_argument(
                "output offset",
                output.offset,
                format!("must be a multiple of the element size {elem}"),
            ));
        }
        let end = output.elements() * elem + output.offset;
        if end > output.buffer.size() {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "output buffer too small: {} bytes from offset {}",
                    output.elements() * elem,
                    output.offset
                ),
                expected: vec![end as usize],
                got: vec![output.buffer.size() as usize],
            });
        }
        if !output.buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::invalid_argument(
                "output buffer usage",
                format!("{:?}", output.buffer.usage()),
                "needs BufferUsages::STORAGE",
            ));
        }
        if output.dtype == DType::F16 && !self.supports_f16() {
            return Err(Error::unsupported(format!(
                "f16 tensors on {}: the device lacks SHADER_F16",
                self.adapter().label()
            )));
        }
        Ok(())
    }

    fn bind_prepared(
        &self,
        prepared: &Prepared,
        source: Source<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundPreprocess> {
        self.check_output(prepared, output)?;
        if let Source::Buffer { buffer, .. } = &source {
            if *buffer == output.buffer {
                return Err(Error::invalid_argument(
                    "output buffer",
                    "the frame buffer",
                    "the frame and the output must be different buffers",
                ));
            }
        }
        if let PlanRef::Bytes(_, plan) = &prepared.resize {
            return self.bind_bytes(prepared, plan, source, output);
        }
        let plan = prepared.plan();
        let g = prepared.frame;
        let [_, channels, out_h, out_w] = prepared.out_dims;
        let elem = output.dtype.size();
        let limits = Limits::of(self);
        let frame_bytes = match &source {
            Source::Buffer { offset, .. } => Some(FrameBytes {
                offset: *offset,
                stride: g.stride as u64,
                row: (g.width * g.bpp) as u64,
            }),
            Source::Texture(_) => None,
        };
        let chunks = split(prepared, frame_bytes, output.offset, elem, limits)?;
        let mut sel = [0u32; 4];
        let mut rgb = [0u32; 4];
        for (c, s) in prepared.sources.iter().enumerate() {
            sel[c] = match *s {
                ChannelSource::Byte(o) => o as u32,
                ChannelSource::Luma(offsets) => {
                    for (slot, o) in rgb.iter_mut().zip(offsets) {
                        *slot = o as u32;
                    }
                    LUMA
                }
            };
        }
        let (d_row, d_px, d_ch) = match prepared.layout {
            Layout::Nchw => (out_w, 1, out_h * out_w),
            Layout::Nhwc => (out_w * channels, channels, 1),
        };
        let base = PreParams {
            sel,
            rgb,
            out_w: gpu_u32(out_w as u64, "output width")?,
            out_h: gpu_u32(out_h as u64, "output height")?,
            bpp: g.bpp as u32,
            row_stride: gpu_u32(g.stride as u64, "frame row stride")?,
            d_row: gpu_u32(d_row as u64, "output row length")?,
            d_px: d_px as u32,
            d_ch: gpu_u32(d_ch as u64, "output plane")?,
            h_width: plan.h.width() as u32,
            w_width: plan.w.width() as u32,
            ev: plan.extrapolation_value,
            ..Default::default()
        };
        let entry = match source {
            Source::Buffer { .. } => Entry::PreBuffer,
            Source::Texture(_) => Entry::PreTexture,
        };
        let dispatches = self.scoped("binding a preprocessing", || {
            let pipeline = self.pipeline(KernelKey {
                entry,
                dtype: output.dtype,
            })?;
            let taps = match &prepared.resize {
                PlanRef::Kernel(k) | PlanRef::Bytes(k, _) => self.kernel_taps(k)?,
                PlanRef::Plan(p) => TapTables::upload(self.watched(), p)?,
            };
            let lut = self.watched().buffer_init(
                "halfpixel normalisation tables",
                bytemuck::cast_slice(&prepared.tables),
                wgpu::BufferUsages::STORAGE,
            )?;
            let max_dim = self.limits().max_compute_workgroups_per_dimension;
            let mut dispatches = Vec::with_capacity(chunks.len());
            for chunk in &chunks {
                let total = ((chunk.y1 - chunk.y0) * out_w) as u64;
                let (gx, gy) = dispatch_grid(total, max_dim)?;
                let (d_start, d_size) = limits.range(
                    output.offset + chunk.dst.0 * elem,
                    output.offset + chunk.dst.1 * elem,
                );
                let d_size = d_size.min(output.buffer.size() - d_start);
                if !d_size.is_multiple_of(4) {
                    return Err(Error::invalid_argument(
                        "output buffer size",
                        output.buffer.size(),
                        "storage bindings are whole u32 words: pad the buffer to a multiple of 4 bytes",
                    ));
                }
                let dst_rel = (output.offset + chunk.dst.0 * elem - d_start) / elem;
                let mut params = PreParams {
                    channels: chunk.cn as u32,
                    c0: chunk.c0 as u32,
                    dst_rel: gpu_u32(dst_rel, "output binding offset")?,
                    row0: chunk.y0 as u32,
                    h_base: taps.h_base,
                    w_base: taps.w_base,
                    groups_x: gx,
                    total: gpu_u32(total, "invocations in one dispatch")?,
                    ..base
                };
                let dst = wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: output.buffer,
                    offset: d_start,
                    size: wgpu::BufferSize::new(d_size),
                });
                let mut entries = vec![
                    (1, taps.buffer.as_entire_binding()),
                    (3, dst),
                    (4, lut.as_entire_binding()),
                ];
                match &source {
                    Source::Buffer { buffer, offset } => {
                        let f = frame_bytes.expect("buffer frames have bytes");
                        // A chunk whose rows are all extrapolated reads nothing: bind row 0.
                        let (s, e) = f.span(chunk.src_rows.unwrap_or((0, 1)));
                        let (start, size) = limits.range(s, e);
                        // shader address = src_base + iy·stride + ix·bpp, relative to `start`
                        // (u32 arithmetic wraps, so src_base may be "negative").
                        params.src_base = (*offset as i64 - start as i64) as u32;
                        entries.push((
                            2,
                            wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                                buffer,
                                offset: start,
                                size: wgpu::BufferSize::new(size),
                            }),
                        ));
                    }
                    Source::Texture(view) => {
                        entries.push((5, wgpu::BindingResource::TextureView(view)));
                    }
                }
                dispatches.push(BoundDispatch::new(
                    self.watched(),
                    &pipeline,
                    bytemuck::bytes_of(&params),
                    &entries,
                    (gx, gy, 1),
                )?);
            }
            Ok(dispatches)
        })?;
        Ok(BoundPreprocess {
            watched: self.watched().clone(),
            dispatches,
        })
    }

    /// A byte resize ([`Preprocess::with_byte_resize`]): the exact kernel reads the frame's
    /// bytes, resizes them with the call's 8-bit arithmetic and writes each resized byte's
    /// normalised value, in one dispatch. Buffer frames and f32 outputs; the frame and the
    /// output must each fit one storage binding.
    fn bind_bytes(
        &self,
        prepared: &Prepared,
        plan: &ExactPlan,
        source: Source<'_>,
        output: &BufferTensor<'_>,
    ) -> Result<BoundPreprocess> {
        let Source::Buffer { buffer, offset } = source else {
            return Err(Error::unsupported(
                "a texture frame for a byte resize: upload the frame as a storage buffer",
            ));
        };
        if output.dtype != DType::F32 {
            return Err(Error::unsupported(
                "a byte resize storing f16: the byte-resize kernel writes f32",
            ));
        }
        let g = prepared.frame;
        let align = self.limits().min_storage_buffer_offset_alignment as u64;
        let binding = self.limits().max_storage_buffer_binding_size;
        let too_large = |what: &str, bytes: u64| Error::DeviceLimit {
            what: format!("{what} bytes of a byte resize"),
            value: bytes,
            limit: binding,
            limit_name: "max_storage_buffer_binding_size".into(),
            hint: "use the CPU (Preprocess::run_cpu) or a smaller frame".into(),
        };
        let src_start = offset - offset % align;
        let src_end = (offset + g.bytes as u64).div_ceil(4) * 4;
        if src_end - src_start > binding {
            return Err(too_large("frame", src_end - src_start));
        }
        let elements = output.elements();
        let dst_start = output.offset - output.offset % align;
        let dst_end = output.offset + elements * 4;
        if dst_end - dst_start > binding {
            return Err(too_large("output", dst_end - dst_start));
        }
        let mut sel = [None; 4];
        let mut rgb = [0u32; 3];
        for (c, s) in prepared.sources.iter().enumerate() {
            sel[c] = match *s {
                ChannelSource::Byte(o) => Some(o as u32),
                ChannelSource::Luma(offsets) => {
                    for (slot, o) in rgb.iter_mut().zip(offsets) {
                        *slot = o as u32;
                    }
                    None
                }
            };
        }
        let frame = FrameInput {
            bpp: g.bpp as u32,
            stride: gpu_u32(g.stride as u64, "frame row stride")?,
            base: (offset - src_start) as u32,
            sel,
            rgb,
        };
        let dims = [1, prepared.sources.len(), g.height, g.width];
        let bound = self.scoped("binding a byte resize", || {
            self.bind_exact_frame(
                plan,
                dims,
                prepared.layout,
                frame,
                wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer,
                    offset: src_start,
                    size: wgpu::BufferSize::new(src_end - src_start),
                }),
                TableOutput {
                    tables: &prepared.tables,
                    base: ((output.offset - dst_start) / 4) as u32,
                },
                wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: output.buffer,
                    offset: dst_start,
                    size: wgpu::BufferSize::new((dst_end - dst_start).div_ceil(4) * 4),
                }),
            )
        })?;
        Ok(BoundPreprocess {
            watched: self.watched().clone(),
            dispatches: bound,
        })
    }

    /// Convenience: uploads `frame` (described by `desc`) into a storage buffer, runs `pre` with
    /// f32 output, waits, and returns `[1, C, H, W]` in the preprocessing's layout.
    pub fn preprocess(
        &self,
        pre: &Preprocess,
        frame: &[u8],
        desc: FrameDesc,
    ) -> Result<Array4<f32>> {
        self.preprocess_with(pre, frame, desc, FrameSource::Buffer, DType::F32)
    }

    /// Convenience: uploads `frame` as a storage buffer or an rgba8unorm texture, runs `pre`
    /// storing `dtype` (f16 needs `SHADER_F16`), waits, and returns the output widened to f32
    /// (exactly: every f16 is an f32).
    pub fn preprocess_with(
        &self,
        pre: &Preprocess,
        frame: &[u8],
        desc: FrameDesc,
        source: FrameSource,
        dtype: DType,
    ) -> Result<Array4<f32>> {
        self.check()?;
        let prepared = pre.prepare(&desc)?;
        prepared.frame.check_len(frame.len(), pre.format())?;
        let out_dims = prepared.out_dims;
        let elements: u64 = out_dims.iter().map(|&d| d as u64).product();
        let out_bytes = (elements * dtype.size()).div_ceil(4) * 4;
        self.check_size("output buffer bytes", out_bytes)?;
        let device = self.device();
        let g = prepared.frame;
        let readback = self.scoped("running a preprocessing", || {
            let output = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel preprocessed"),
                size: out_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let tensor = BufferTensor {
                buffer: &output,
                offset: 0,
                dims: out_dims,
                layout: pre.layout(),
                dtype,
            };
            let bound = match source {
                FrameSource::Buffer => {
                    let mut contents = frame[..g.bytes].to_vec();
                    contents.resize(g.bytes.div_ceil(4) * 4, 0);
                    self.check_size("frame buffer bytes", contents.len() as u64)?;
                    let buffer = self.watched().buffer_init(
                        "halfpixel frame",
                        &contents,
                        wgpu::BufferUsages::STORAGE,
                    )?;
                    self.bind_preprocess(
                        pre,
                        &FrameBuffer {
                            buffer: &buffer,
                            offset: 0,
                            desc,
                        },
                        &tensor,
                    )?
                }
                FrameSource::Texture => {
                    let texture =
                        self.upload_frame_texture(pre.format(), &frame[..g.bytes], desc)?;
                    self.bind_preprocess_texture(pre, &texture, &tensor)?
                }
            };
            let readback = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel readback"),
                size: out_bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("halfpixel preprocess"),
            });
            bound.encode(&mut encoder)?;
            encoder.copy_buffer_to_buffer(&output, 0, &readback, 0, out_bytes);
            self.queue().submit([encoder.finish()]);
            Ok(readback)
        })?;
        let n = elements as usize;
        let values: Vec<f32> = self.read_mapped(
            &readback,
            "reading the preprocessed tensor back",
            |view| match dtype {
                DType::F32 => bytemuck::pod_collect_to_vec(&view[..n * 4]),
                DType::F16 => view[..n * 2]
                    .chunks_exact(2)
                    .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                    .collect(),
            },
        )?;
        Array4::from_shape_vec(pre.layout().shape(out_dims), values).map_err(|e| Error::Gpu {
            during: "shaping the preprocessed tensor".into(),
            reason: e.to_string(),
        })
    }

    /// Uploads a four-byte-per-pixel frame into a new rgba8unorm texture, bytes as they are
    /// (`TEXTURE_BINDING | COPY_DST`).
    pub fn upload_frame_texture(
        &self,
        format: PixelFormat,
        frame: &[u8],
        desc: FrameDesc,
    ) -> Result<wgpu::Texture> {
        self.check()?;
        if format.bytes_per_pixel() != 4 {
            return Err(Error::invalid_argument(
                "pixel format",
                format,
                "an rgba8unorm texture holds four bytes per pixel: RGBA, BGRA, ARGB or ABGR",
            ));
        }
        let g = desc.geometry(format)?;
        g.check_len(frame.len(), format)?;
        let max = self.limits().max_texture_dimension_2d;
        for (what, value) in [
            ("frame texture width", g.width),
            ("frame texture height", g.height),
        ] {
            if value as u64 > max as u64 {
                return Err(Error::DeviceLimit {
                    what: what.into(),
                    value: value as u64,
                    limit: max as u64,
                    limit_name: "max_texture_dimension_2d".into(),
                    hint: "use a buffer frame (FrameSource::Buffer) or the CPU".into(),
                });
            }
        }
        let stride = gpu_u32(g.stride as u64, "frame row stride")?;
        self.scoped("uploading a frame texture", || {
            let size = wgpu::Extent3d {
                width: g.width as u32,
                height: g.height as u32,
                depth_or_array_layers: 1,
            };
            let texture = self.device().create_texture(&wgpu::TextureDescriptor {
                label: Some("halfpixel frame"),
                size,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
                view_formats: &[],
            });
            self.queue().write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                &frame[..g.bytes],
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(stride),
                    rows_per_image: Some(g.height as u32),
                },
                size,
            );
            Ok(texture)
        })
    }

    fn check_size(&self, what: &str, bytes: u64) -> Result<()> {
        let max = self.limits().max_buffer_size;
        if bytes > max {
            return Err(Error::DeviceLimit {
                what: what.into(),
                value: bytes,
                limit: max,
                limit_name: "max_buffer_size".into(),
                hint: "use the CPU (Preprocess::run_cpu) or a smaller frame".into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::Normalization;
    use crate::spec::{CoordinateTransform, Mode, ResizeSpec};

    fn prepared(layout: Layout, out: [usize; 2]) -> Prepared {
        Preprocess::new(PixelFormat::Rgb, Normalization::unit())
            .with_layout(layout)
            .with_resize(ResizeSpec::new(Mode::Linear, CoordinateTransform::HalfPixel, out).into())
            .prepare(&FrameDesc::new(40, 30))
            .unwrap()
    }

    fn limits(binding: u64) -> Limits {
        Limits {
            binding,
            align: 256,
            max_invocations: u64::MAX,
        }
    }

    /// Every output row of every channel is covered exactly once, and every chunk fits.
    fn check_cover(p: &Prepared, chunks: &[Chunk], binding: u64, frame: Option<FrameBytes>) {
        let [_, c, h, _] = p.out_dims;
        let mut seen = vec![0; c * h];
        for ch in chunks {
            for cc in ch.c0..ch.c0 + ch.cn {
                for y in ch.y0..ch.y1 {
                    seen[cc * h + y] += 1;
                }
            }
            if let (Some(f), Some(rows)) = (frame, ch.src_rows) {
                let (s, e) = f.span(rows);
                assert!(limits(binding).range(s, e).1 <= binding);
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "{seen:?}");
    }

    #[test]
    fn params_are_uniform_sized() {
        // WGSL: two vec4<u32> then 20 scalars, 112 bytes (a multiple of 16).
        assert_eq!(std::mem::size_of::<PreParams>(), 112);
    }

    #[test]
    fn one_dispatch_when_everything_fits() {
        let p = prepared(Layout::Nchw, [20, 25]);
        let chunks = split(&p, None, 0, 4, limits(1 << 27)).unwrap();
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].cn, 3);
    }

    #[test]
    fn large_outputs_split_by_channel_and_rows() {
        let frame = FrameBytes {
            offset: 3,
            stride: 123,
            row: 120,
        };
        for layout in [Layout::Nchw, Layout::Nhwc] {
            let p = prepared(layout, [50, 60]);
            let chunks = split(&p, Some(frame), 8, 4, limits(4096)).unwrap();
            assert!(chunks.len() > 3, "{layout:?}");
            if layout == Layout::Nchw {
                assert!(chunks.iter().all(|c| c.cn == 1));
            }
            check_cover(&p, &chunks, 4096, Some(frame));
        }
    }

    #[test]
    fn a_row_that_cannot_fit_is_a_device_limit() {
        let p = prepared(Layout::Nhwc, [50, 60]);
        assert!(matches!(
            split(&p, None, 0, 4, limits(256)),
            Err(Error::DeviceLimit { .. })
        ));
    }
}
