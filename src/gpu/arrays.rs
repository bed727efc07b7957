//! The convenience layer: ndarray in, ndarray out. Uploads the input, records the operation,
//! submits, waits and reads the result back.

use half::f16;
use ndarray::{Array4, ArrayView4};

use crate::error::{Error, Result};
use crate::op::{InputDesc, IntegerPath, Operation};
use crate::spec::Layout;
use crate::tensor::{ElementType, Tensor4, TensorView4};

use super::buffers::BufferTensor;
use super::context::GpuContext;
use super::kernels::DType;

/// Bytes of `elements` elements of `dtype`, rounded up to wgpu's 4-byte copy alignment.
fn padded_bytes(elements: u64, dtype: DType) -> u64 {
    (elements * dtype.size()).div_ceil(4) * 4
}

impl GpuContext {
    fn check_buffer_size(&self, what: &str, bytes: u64) -> Result<()> {
        let max = self.limits().max_buffer_size;
        if bytes > max {
            return Err(Error::DeviceLimit {
                what: format!("{what} bytes"),
                value: bytes,
                limit: max,
                limit_name: "max_buffer_size".into(),
                hint: "use the CPU backend or split the tensor along the batch".into(),
            });
        }
        Ok(())
    }

    /// Runs `op` on the GPU over a raw element buffer and returns the output elements.
    fn run_raw(
        &self,
        op: &Operation,
        dims: [usize; 4],
        layout: Layout,
        dtype: DType,
        bytes: &[u8],
        float_data: bool,
    ) -> Result<(Vec<u8>, [usize; 4])> {
        self.check()?;
        let out_dims = op.output_dims(&InputDesc { dims, layout })?;
        let in_elems: u64 = dims.iter().map(|&d| d as u64).product();
        let out_elems: u64 = out_dims.iter().map(|&d| d as u64).product();
        let in_bytes = padded_bytes(in_elems, dtype);
        let out_bytes = padded_bytes(out_elems, dtype);
        self.check_buffer_size("input", in_bytes)?;
        self.check_buffer_size("output", out_bytes)?;
        if out_elems == 0 {
            return Ok((Vec::new(), out_dims));
        }
        let device = self.device();
        let mut contents = bytes.to_vec();
        contents.resize(in_bytes as usize, 0);
        let result = self.scoped("running on the GPU", || {
            let input = self.watched().buffer_init(
                "halfpixel input",
                &contents,
                wgpu::BufferUsages::STORAGE,
            )?;
            let output = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel output"),
                size: out_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let readback = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel readback"),
                size: out_bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("halfpixel"),
            });
            self.bind_data(
                op,
                &BufferTensor {
                    buffer: &input,
                    offset: 0,
                    dims,
                    layout,
                    dtype,
                },
                &BufferTensor {
                    buffer: &output,
                    offset: 0,
                    dims: out_dims,
                    layout,
                    dtype,
                },
                float_data,
            )?
            .encode(&mut encoder)?;
            encoder.copy_buffer_to_buffer(&output, 0, &readback, 0, out_bytes);
            self.queue().submit([encoder.finish()]);
            Ok(readback)
        })?;
        let n = (out_elems * dtype.size()) as usize;
        let out = self.read_mapped(&result, "reading the result back", |view| {
            view[..n].to_vec()
        })?;
        Ok((out, out_dims))
    }

    /// Runs `op` on the GPU with f32 storage: uploads `input` (in `layout`), waits, returns the
    /// output in the same layout. On a lost device this is [`Error::DeviceLost`], before any work.
    pub fn run(
        &self,
        op: &Operation,
        input: ArrayView4<f32>,
        layout: Layout,
    ) -> Result<Array4<f32>> {
        self.run_f32(op, input, layout, true)
    }

    /// [`GpuContext::run`]; `float_data` false: the values are converted 8- or 16-bit data.
    fn run_f32(
        &self,
        op: &Operation,
        input: ArrayView4<f32>,
        layout: Layout,
        float_data: bool,
    ) -> Result<Array4<f32>> {
        let dims = layout.nchw(input.dim().into());
        let data = input.as_standard_layout();
        let bytes: &[u8] = bytemuck::cast_slice(data.as_slice().expect("standard layout"));
        let (out, out_dims) = self.run_raw(op, dims, layout, DType::F32, bytes, float_data)?;
        let values: Vec<f32> = bytemuck::pod_collect_to_vec(&out);
        Array4::from_shape_vec(layout.shape(out_dims), values).map_err(|e| Error::Gpu {
            during: "shaping the result".into(),
            reason: e.to_string(),
        })
    }

    /// Runs `op` on the GPU with f16 storage (compute in f32, store f16). Needs `SHADER_F16`.
    pub fn run_f16(
        &self,
        op: &Operation,
        input: ArrayView4<f16>,
        layout: Layout,
    ) -> Result<Array4<f16>> {
        if !self.supports_f16() {
            return Err(Error::unsupported(format!(
                "f16 storage on {}: the device lacks SHADER_F16",
                self.adapter().label()
            )));
        }
        let dims = layout.nchw(input.dim().into());
        let data = input.as_standard_layout();
        let bits: Vec<u16> = data.iter().map(|v| v.to_bits()).collect();
        let (out, out_dims) = self.run_raw(
            op,
            dims,
            layout,
            DType::F16,
            bytemuck::cast_slice(&bits),
            true,
        )?;
        let values: Vec<f16> = out
            .chunks_exact(2)
            .map(|b| f16::from_bits(u16::from_le_bytes([b[0], b[1]])))
            .collect();
        Array4::from_shape_vec(layout.shape(out_dims), values).map_err(|e| Error::Gpu {
            during: "shaping the result".into(),
            reason: e.to_string(),
        })
    }

    /// Runs `op` on a tensor of any supported type, returning the output in the type the
    /// framework gives ([`Operation::output_element_type`]).
    ///
    /// 8- and 16-bit tensors run on the GPU where the result is exact through the float kernels:
    /// gathers and pixel shuffles (values are copied, and every u8/u16 value is an exact f32),
    /// and calls whose framework computes in float32 on the converted values (TensorFlow).
    /// Calls with a framework's own fixed-point arithmetic run its exact plan in the `exact`
    /// kernel on packed 8- and 16-bit storage ([`GpuContext::run_exact`]).
    pub fn run_tensor(
        &self,
        op: &Operation,
        input: TensorView4<'_>,
        layout: Layout,
    ) -> Result<Tensor4> {
        let ty = input.element_type();
        if let TensorView4::F32(x) = input {
            return self.run(op, x, layout).map(Tensor4::F32);
        }
        let desc = InputDesc {
            dims: layout.nchw(input.dim()),
            layout,
        };
        let keeps_type = match op {
            Operation::Resize(r) => match r.planner().integer_path(&desc, ty)? {
                IntegerPath::Gather => true,
                IntegerPath::FloatOutput => false,
                IntegerPath::Exact(plan) => return self.run_exact(&plan, input, layout),
            },
            Operation::DepthToSpace(_) | Operation::SpaceToDepth(_) => true,
        };
        let out = self.run_f32(op, input.to_f32().view(), layout, false)?;
        if !keeps_type {
            return Ok(Tensor4::F32(out));
        }
        // Copied values: every one is an input value, exactly representable in the input type.
        Ok(match ty {
            ElementType::U16 => Tensor4::U16(out.mapv(|v| v as u16)),
            _ => Tensor4::U8(out.mapv(|v| v as u8)),
        })
    }
}
