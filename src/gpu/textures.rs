//! Texture arrays in Metal's MPSImage layout: feature channel `c` of image `n` lives in array layer
//! `n·S + c/4`, component `c % 4`, with `S = ceil(C/4)` layers per image (rgba32float or
//! rgba16float). The padding components of each image's last layer are written as zero.

use half::f16;
use ndarray::{Array4, ArrayView4};

use crate::cpu::pixel_shuffle::{output_dims as shuffle_dims, Direction};
use crate::error::{Error, Result};
use crate::op::{InputDesc, Operation};
use crate::plan::ResizePlan;
use crate::spec::{BlockOrder, BlockSpec, Layout};

use super::context::GpuContext;
use super::kernels::{DType, Entry, KernelKey};
use super::tables::{block_shift, dispatch, pack, SlotGrid, TexParams};

/// A batch of feature maps stored as an MPSImage-style texture array.
#[derive(Debug, Clone, Copy)]
pub struct TextureImage<'a> {
    /// A 2-D array texture, `Rgba32Float` or `Rgba16Float`, with `batch · ceil(channels/4)` layers.
    pub texture: &'a wgpu::Texture,
    /// Images in the batch (MPSImage `numberOfImages`).
    pub batch: usize,
    /// Feature channels per image (MPSImage `featureChannels`).
    pub channels: usize,
}

/// Layers per image: `ceil(channels / 4)`.
pub fn slices_per_image(channels: usize) -> usize {
    channels.div_ceil(4)
}

/// Layers halfpixel allocates for `layers` used ones. wgpu's GL backend picks the GL texture
/// target from the size: one layer makes a plain 2-D texture and a square texture with a multiple
/// of 6 layers a cube map, and neither can be viewed as a 2-D array. The extra layers are unused.
pub fn allocated_layers(width: usize, height: usize, layers: usize) -> usize {
    let mut n = layers.max(2);
    if width == height && n.is_multiple_of(6) {
        n += 1;
    }
    n
}

impl TextureImage<'_> {
    /// `[n, c, h, w]` of the tensor the texture holds.
    pub fn dims(&self) -> [usize; 4] {
        let size = self.texture.size();
        [
            self.batch,
            self.channels,
            size.height as usize,
            size.width as usize,
        ]
    }

    fn dtype(&self) -> Result<DType> {
        match self.texture.format() {
            wgpu::TextureFormat::Rgba32Float => Ok(DType::F32),
            wgpu::TextureFormat::Rgba16Float => Ok(DType::F16),
            other => Err(Error::invalid_argument(
                "texture format",
                format!("{other:?}"),
                "MPSImage-style textures are Rgba32Float or Rgba16Float",
            )),
        }
    }

    fn check(&self, what: &str, usage: wgpu::TextureUsages, gl_backend: bool) -> Result<DType> {
        let dtype = self.dtype()?;
        let layers = self.texture.size().depth_or_array_layers as usize;
        let wanted = self.batch * slices_per_image(self.channels);
        // Extra layers are ignored: wgpu's GL backend cannot view a one-layer texture as an
        // array, so single-layer images are allocated with two.
        if self.texture.dimension() != wgpu::TextureDimension::D2 || layers < wanted || wanted == 0
        {
            return Err(Error::ShapeMismatch {
                what: format!("{what} texture array layers (at least batch · ceil(channels/4))"),
                expected: vec![wanted],
                got: vec![layers],
            });
        }
        let size = self.texture.size();
        if gl_backend
            && allocated_layers(size.width as usize, size.height as usize, layers) != layers
        {
            // wgpu's GL backend cannot view such a texture as an array.
            return Err(Error::invalid_argument(
                format!("{what} texture layers"),
                layers,
                format!(
                    "a 2-D array texture needs at least 2 layers and, when square, a layer count that is not a multiple of 6 (wgpu's GL backend makes those plain or cube textures); allocate {} layers (gpu::allocated_layers)",
                    allocated_layers(size.width as usize, size.height as usize, layers)
                ),
            ));
        }
        if !self.texture.usage().contains(usage) {
            return Err(Error::invalid_argument(
                format!("{what} texture usage"),
                format!("{:?}", self.texture.usage()),
                format!("needs {usage:?}"),
            ));
        }
        Ok(dtype)
    }

    fn view(&self) -> wgpu::TextureView {
        self.texture.create_view(&wgpu::TextureViewDescriptor {
            dimension: Some(wgpu::TextureViewDimension::D2Array),
            ..Default::default()
        })
    }
}

impl GpuContext {
    /// Creates an MPSImage-style texture array for `batch` images of `channels` feature channels.
    pub fn create_texture_image(
        &self,
        width: usize,
        height: usize,
        channels: usize,
        batch: usize,
        dtype: DType,
        usage: wgpu::TextureUsages,
    ) -> Result<wgpu::Texture> {
        self.check()?;
        let limits = self.limits();
        let layers = batch * slices_per_image(channels);
        for (what, value, limit, name) in [
            (
                "texture width",
                width,
                limits.max_texture_dimension_2d,
                "max_texture_dimension_2d",
            ),
            (
                "texture height",
                height,
                limits.max_texture_dimension_2d,
                "max_texture_dimension_2d",
            ),
            (
                "texture array layers (batch · ceil(channels/4))",
                layers,
                limits.max_texture_array_layers,
                "max_texture_array_layers",
            ),
        ] {
            if value == 0 {
                return Err(Error::ZeroOrNegativeSize {
                    what: what.into(),
                    value: 0,
                });
            }
            if value as u64 > limit as u64 {
                return Err(Error::DeviceLimit {
                    what: what.into(),
                    value: value as u64,
                    limit: limit as u64,
                    limit_name: name.into(),
                    hint: "use storage buffers (GpuContext::encode) instead of textures".into(),
                });
            }
        }
        self.scoped("creating a texture array", || {
            Ok(self.device().create_texture(&wgpu::TextureDescriptor {
                label: Some("halfpixel image"),
                size: wgpu::Extent3d {
                    width: width as u32,
                    height: height as u32,
                    depth_or_array_layers: allocated_layers(width, height, layers) as u32,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: dtype.texture_format(),
                usage,
                view_formats: &[],
            }))
        })
    }

    /// Uploads an NCHW tensor into a new MPSImage-style texture array (padding components zero).
    pub fn upload_texture_image(
        &self,
        input: ArrayView4<f32>,
        dtype: DType,
    ) -> Result<wgpu::Texture> {
        let (n, c, h, w) = input.dim();
        let texture = self.create_texture_image(
            w,
            h,
            c,
            n,
            dtype,
            wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::STORAGE_BINDING
                | wgpu::TextureUsages::COPY_DST
                | wgpu::TextureUsages::COPY_SRC,
        )?;
        let s = slices_per_image(c);
        let mut texels = vec![0f32; n * s * h * w * 4];
        for ((b, ch, y, x), &v) in input.indexed_iter() {
            let layer = b * s + ch / 4;
            texels[((layer * h + y) * w + x) * 4 + ch % 4] = v;
        }
        let bytes: Vec<u8> = match dtype {
            DType::F32 => bytemuck::cast_slice(&texels).to_vec(),
            DType::F16 => texels
                .iter()
                .flat_map(|v| f16::from_f32(*v).to_le_bytes())
                .collect(),
        };
        let texel_bytes = 4 * dtype.size() as u32;
        self.scoped("uploading a texture array", || {
            self.queue().write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: 0,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                &bytes,
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(w as u32 * texel_bytes),
                    rows_per_image: Some(h as u32),
                },
                wgpu::Extent3d {
                    width: w as u32,
                    height: h as u32,
                    depth_or_array_layers: (n * s) as u32,
                },
            );
            Ok(())
        })?;
        Ok(texture)
    }

    /// Reads an MPSImage-style texture array back as an NCHW tensor (padding components dropped):
    /// `CommandEncoder::copy_texture_to_buffer`, then `Buffer::map_async`.
    pub fn read_texture_image(&self, image: &TextureImage<'_>) -> Result<Array4<f32>> {
        self.check()?;
        let dtype = image.check(
            "texture to read",
            wgpu::TextureUsages::COPY_SRC,
            self.is_gl(),
        )?;
        let [n, c, h, w] = image.dims();
        let s = slices_per_image(c);
        let texel_bytes = 4 * dtype.size();
        let row = (w as u64 * texel_bytes).div_ceil(256) * 256;
        let buffer = self.scoped("copying a texture array for read-back", || {
            Ok(self.copy_texture_out(image.texture, row, [w, h, n * s]))
        })?;
        self.read_mapped(&buffer, "reading a texture back", |view| {
            let texel = |layer: usize, y: usize, x: usize, comp: usize| -> f32 {
                let at = layer * h * row as usize
                    + y * row as usize
                    + (x * 4 + comp) * dtype.size() as usize;
                match dtype {
                    DType::F32 => {
                        f32::from_le_bytes([view[at], view[at + 1], view[at + 2], view[at + 3]])
                    }
                    DType::F16 => f16::from_le_bytes([view[at], view[at + 1]]).to_f32(),
                }
            };
            Array4::from_shape_fn((n, c, h, w), |(b, ch, y, x)| {
                texel(b * s + ch / 4, y, x, ch % 4)
            })
        })
    }

    /// Copies `[width, height, layers]` of `texture` into a new read-back buffer with rows
    /// `row` bytes apart, and submits the copy.
    fn copy_texture_out(
        &self,
        texture: &wgpu::Texture,
        row: u64,
        [w, h, layers]: [usize; 3],
    ) -> wgpu::Buffer {
        let buffer = self.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some("halfpixel texture readback"),
            size: row * h as u64 * layers as u64,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self.device().create_command_encoder(&Default::default());
        encoder.copy_texture_to_buffer(
            wgpu::TexelCopyTextureInfo {
                texture,
                mip_level: 0,
                origin: wgpu::Origin3d::ZERO,
                aspect: wgpu::TextureAspect::All,
            },
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(row as u32),
                    rows_per_image: Some(h as u32),
                },
            },
            wgpu::Extent3d {
                width: w as u32,
                height: h as u32,
                depth_or_array_layers: layers as u32,
            },
        );
        self.queue().submit([encoder.finish()]);
        buffer
    }

    /// Reads the padding components of an MPSImage-style texture (for tests: they must be zero).
    pub fn texture_padding_is_zero(&self, image: &TextureImage<'_>) -> Result<bool> {
        if image.channels.is_multiple_of(4) {
            return Ok(true);
        }
        let padded = TextureImage {
            channels: slices_per_image(image.channels) * 4,
            ..*image
        };
        let all = self.read_texture_image(&padded)?;
        let s = slices_per_image(image.channels);
        Ok(all.indexed_iter().all(|((_, ch, _, _), &v)| {
            let slot_in_image = ch % (s * 4);
            slot_in_image < image.channels || v == 0.0
        }))
    }

    /// Records `op` from `source` into `destination` (MPSImage-style texture arrays), like
    /// `MPSCNNKernel`'s `encodeToCommandBuffer:sourceImage:destinationImage:`.
    pub fn encode_texture(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        op: &Operation,
        source: &TextureImage<'_>,
        destination: &TextureImage<'_>,
    ) -> Result<()> {
        self.check()?;
        let src_type =
            source.check("source", wgpu::TextureUsages::TEXTURE_BINDING, self.is_gl())?;
        let dst_type = destination.check(
            "destination",
            wgpu::TextureUsages::STORAGE_BINDING,
            self.is_gl(),
        )?;
        if src_type != dst_type && dst_type == DType::F16 && !self.supports_f16() {
            return Err(Error::unsupported("rgba16float destination on this device"));
        }
        let dims = source.dims();
        let expected = op.output_dims(&InputDesc {
            dims,
            layout: Layout::Nchw,
        })?;
        if destination.dims() != expected {
            return Err(Error::ShapeMismatch {
                what: "destination image [n, c, h, w]".into(),
                expected: expected.to_vec(),
                got: destination.dims().to_vec(),
            });
        }
        match op {
            Operation::Resize(r) => {
                let kernel = r.kernel(&InputDesc {
                    dims,
                    layout: Layout::Nchw,
                })?;
                self.encode_texture_resize(encoder, kernel.plan(), source, destination, dst_type)
            }
            Operation::DepthToSpace(b) => self.encode_texture_shuffle(
                encoder,
                *b,
                Direction::DepthToSpace,
                source,
                destination,
                dst_type,
            ),
            Operation::SpaceToDepth(b) => self.encode_texture_shuffle(
                encoder,
                *b,
                Direction::SpaceToDepth,
                source,
                destination,
                dst_type,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn texture_dispatch(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        entry: Entry,
        dtype: DType,
        mut params: TexParams,
        taps: &[u32],
        source: &TextureImage<'_>,
        destination: &TextureImage<'_>,
    ) -> Result<()> {
        // The output layers are the planes of the walk, their texel rows its rows; the whole
        // texture is one chunk.
        let [n_out, _, out_h, out_w] = destination.dims();
        let layers = n_out as u64 * params.out_slices as u64;
        let grid = SlotGrid::new(
            (0, layers * out_h as u64),
            out_h as u64,
            out_w as u64,
            self.limits().max_compute_workgroups_per_dimension,
            self.slot_tuning(),
        )?;
        params.walk = grid.params();
        self.scoped("recording a texture kernel", || {
            let pipeline = self.pipeline(KernelKey { entry, dtype })?;
            let (src_view, dst_view) = (source.view(), destination.view());
            let tap_buffer = if taps.is_empty() {
                None
            } else {
                Some(self.watched().buffer_init(
                    "halfpixel taps",
                    bytemuck::cast_slice(taps),
                    wgpu::BufferUsages::STORAGE,
                )?)
            };
            let mut entries = vec![
                (2, wgpu::BindingResource::TextureView(&src_view)),
                (3, wgpu::BindingResource::TextureView(&dst_view)),
            ];
            // Only the resize kernel reads tap tables (auto layouts drop unused bindings).
            if let Some(buffer) = &tap_buffer {
                entries.push((1, buffer.as_entire_binding()));
            }
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("halfpixel texture"),
                timestamp_writes: None,
            });
            dispatch(
                self.watched(),
                &mut pass,
                &pipeline,
                bytemuck::bytes_of(&params),
                &entries,
                grid.groups,
            )
        })
    }

    fn encode_texture_resize(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        plan: &ResizePlan,
        source: &TextureImage<'_>,
        destination: &TextureImage<'_>,
        dtype: DType,
    ) -> Result<()> {
        let [_, c, in_h, in_w] = source.dims();
        let [_, _, out_h, out_w] = destination.dims();
        let s = slices_per_image(c);
        let tables = pack(plan);
        let params = TexParams {
            out_w: out_w as u32,
            out_h: out_h as u32,
            in_w: in_w as u32,
            in_h: in_h as u32,
            out_slices: s as u32,
            in_slices: s as u32,
            out_channels: c as u32,
            in_channels: c as u32,
            src_layer0: (plan.batch_index.unwrap_or(0) * s) as u32,
            h_base: tables.h_base,
            h_width: plan.h.width() as u32,
            w_base: tables.w_base,
            w_width: plan.w.width() as u32,
            ev: plan.extrapolation_value,
            ..Default::default()
        };
        self.texture_dispatch(
            encoder,
            Entry::TexResize,
            dtype,
            params,
            &tables.words,
            source,
            destination,
        )
    }

    fn encode_texture_shuffle(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        spec: BlockSpec,
        dir: Direction,
        source: &TextureImage<'_>,
        destination: &TextureImage<'_>,
        dtype: DType,
    ) -> Result<()> {
        let dims = source.dims();
        let [_, c_out, out_h, out_w] = shuffle_dims(dims, spec, dir)?;
        let params = TexParams {
            out_w: out_w as u32,
            out_h: out_h as u32,
            in_w: dims[3] as u32,
            in_h: dims[2] as u32,
            out_slices: slices_per_image(c_out) as u32,
            in_slices: slices_per_image(dims[1]) as u32,
            out_channels: c_out as u32,
            in_channels: dims[1] as u32,
            block: spec.block_size as u32,
            block_shift: block_shift(spec.block_size),
            to_space: (dir == Direction::DepthToSpace) as u32,
            crd: (spec.order == BlockOrder::Crd) as u32,
            ..Default::default()
        };
        self.texture_dispatch(
            encoder,
            Entry::TexShuffle,
            dtype,
            params,
            &[],
            source,
            destination,
        )
    }

    /// Convenience: runs `op` over MPSImage-style textures of `dtype` and returns NCHW f32.
    pub fn run_texture(
        &self,
        op: &Operation,
        input: ArrayView4<f32>,
        dtype: DType,
    ) -> Result<Array4<f32>> {
        let dims: [usize; 4] = input.dim().into();
        let [n, c, h, w] = op.output_dims(&InputDesc {
            dims,
            layout: Layout::Nchw,
        })?;
        let source = self.upload_texture_image(input, dtype)?;
        let output = self.create_texture_image(
            w,
            h,
            c,
            n,
            dtype,
            wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_SRC,
        )?;
        let src = TextureImage {
            texture: &source,
            batch: dims[0],
            channels: dims[1],
        };
        let dst = TextureImage {
            texture: &output,
            batch: n,
            channels: c,
        };
        let mut encoder = self.device().create_command_encoder(&Default::default());
        self.encode_texture(&mut encoder, op, &src, &dst)?;
        self.scoped("submitting a texture kernel", || {
            self.queue().submit([encoder.finish()]);
            Ok(())
        })?;
        self.read_texture_image(&dst)
    }
}
