//! Image preprocessing fused with the resize: an 8-bit frame (RGBA, BGRA, ARGB, ABGR, RGB, BGR or
//! Gray) becomes the normalised float tensor a model reads — channels picked and reordered,
//! normalised per channel (Core ML's scale-then-bias or torchvision's mean/std) and resized with
//! any resize [`Operation`] or [`ResizePlan`] — in one pass on the CPU ([`Preprocess::run_cpu`])
//! and in one dispatch on the GPU (`GpuContext::encode_preprocess`, with the `gpu` feature).
//!
//! # Order of operations
//!
//! For output channel `c` (colour `col`) and output pixel `(yo, xo)`:
//!
//! 1. **Decode**: every source pixel a tap reads gives the byte of `col` ([`PixelFormat`] names
//!    the byte order; a gray output of a colour frame takes PIL's luma, [`Color::Gray`]).
//! 2. **Normalise**: the byte becomes `T_c[byte]`, the convention's float32 formula evaluated
//!    once per byte value ([`Normalization::table`]).
//! 3. **Resize**: the tap tables of the resize, summed exactly as the resize kernel sums them:
//!    `y = Σ_k wx_k · (Σ_j wy_j · T_c[byte(iy_j, ix_k)])`, height taps inside, each sum in tap
//!    order, first product assigned, in float32. Outputs whose sample lies outside the frame
//!    (`tf_crop_and_resize`) take the plan's extrapolation value as is.
//! 4. **Store**: float32, or float16 on the GPU (the float32 result converted).
//!
//! Normalising first, then resizing, is a choice: the result is then **bit for bit** "normalise
//! the frame into a tensor, then run the resize ([`Operation::run_cpu`]) on it" — the order
//! an inference pipeline written in tensors uses — whatever the weights are (an affine map
//! commutes with a filter only when its weights sum to exactly 1, and in float32 only up to
//! rounding; extrapolated samples and `exclude_outside` renormalisation stay the resize's own).
//! The tables also make the GPU's normalisation bit-exact: no division or fused multiply-add of
//! a shader compiler touches it. The cost is a table look-up per tap instead of one affine map per
//! output. Pipelines that resize the 8-bit image first (PIL and OpenCV before `ToTensor`, Vision
//! scaling a pixel buffer to a Core ML model's input size) also round the resized image back to
//! bytes, which this does not.
//!
//! # Resizing the bytes first ([`Preprocess::with_byte_resize`])
//!
//! Pipelines that resize the 8-bit image before they normalise it — `cv2.resize` then
//! `(x/255 − mean)/std`, torchvision's `Resize` on a PIL image then `ToTensor()` and `Normalize`,
//! a PyTorch uint8 `F.interpolate` then `Normalize`, a Core ML image input scaled to the model's
//! size before `image_scale` and the biases — are reproduced as they are written: the frame's
//! channels are decoded into bytes, resized with the call's own 8-bit arithmetic (its
//! [`ExactPlan`]: fixed-point coefficients, rounding and saturation to bytes) and each resized
//! byte is normalised through its channel's table. That is bit for bit the libraries' steps one
//! after the other (tested against them: `tests/preprocess_bytes.rs`, fixtures made by the real
//! libraries with `tools/gen_preprocess_fixtures.py`), on the CPU and in one GPU dispatch (the
//! exact kernel reads the frame's bytes and writes the tables' floats), with no floating-point
//! step on the GPU that a compiler could contract.
//!
//! With [`Preprocess::with_resize`] (normalise, then resize), GPU and CPU differ only where the
//! GPU compiler fuses a multiply and an add of the sums:
//! nearest and copy plans are bit-exact; weighted plans stay within
//! `2·γ(nh+nw)·max|T|·Σ|wy|·Σ|wx|` (`γ(n) = n·u/(1 − n·u)`, `u = 2⁻²⁴`), the classic bound of
//! a dot product of `nh + nw` roundings, which both sides satisfy.

mod bytes;
mod cpu;
mod format;
mod normalize;

use std::sync::Arc;

use ndarray::{Array4, ArrayViewMut4};

use crate::cpu::ResizeKernel;
use crate::error::{try_zeros, Error, Result};
use crate::op::{InputDesc, IntegerPath, Operation};
use crate::plan::separable::ExactPlan;
use crate::plan::{AxisPlan, ResizePlan};
use crate::spec::Layout;
use crate::tensor::ElementType;

pub use format::{luma, ChannelOrder, Color, FrameDesc, PixelFormat};
pub(crate) use format::{ChannelSource, FrameGeometry};
pub use normalize::{ColorValues, Normalization};

/// The resize step of a [`Preprocess`].
#[derive(Debug, Clone)]
pub enum ResizeStep {
    /// No resize: the output has the frame's size.
    None,
    /// A resize operation (any preset or [`ResizeSpec`](crate::ResizeSpec)), planned for the
    /// frame's size; its tap tables are cached per size like every operation's.
    Operation(Operation),
    /// Tap tables built for one frame size.
    Plan(Arc<ResizePlan>),
    /// A resize of the frame's **bytes** with the call's own 8-bit arithmetic (OpenCV's,
    /// PyTorch's or Pillow's fixed point, rounded and saturated to bytes), then the
    /// normalisation of the resized bytes: the order of `cv2.resize` or `PIL.Image.resize`
    /// before `ToTensor()`/`Normalize`, or of a Core ML image input scaled to the model's size
    /// before its `image_scale` and biases. See [`Preprocess::with_byte_resize`].
    Bytes(Operation),
}

/// A frame-to-tensor preprocessing: the frame's pixel format, the normalisation, the output's
/// channel order and layout, and the resize. The output is one image, `[1, C, H, W]` in
/// [`Layout::Nchw`] or [`Layout::Nhwc`], C = 3 (RGB or BGR) or 1 (gray).
///
/// It mirrors Core ML's `ImageType` inputs (`scale`, `bias`, `color_layout`, with the image
/// scaled to the model's input size) and torchvision's `Compose([Resize, ToTensor, Normalize])`
/// — see the module documentation for the exact order of operations.
///
/// ```
/// use halfpixel::preprocess::{ChannelOrder, FrameDesc, Normalization, PixelFormat, Preprocess};
/// use halfpixel::presets::torch;
/// use halfpixel::Layout;
///
/// // A 64×48 BGRA camera frame → ImageNet-normalised 1×3×32×32 RGB, NCHW.
/// let frame = vec![128u8; 64 * 48 * 4];
/// let resize = torch::Interpolate::size([32, 32], torch::Mode::Bilinear).antialias(true).build()?;
/// let pre = Preprocess::new(PixelFormat::Bgra, Normalization::imagenet())
///     .with_channel_order(ChannelOrder::Rgb)
///     .with_layout(Layout::Nchw)
///     .with_resize(resize);
/// let x = pre.run_cpu(&frame, FrameDesc::new(64, 48))?;
/// assert_eq!(x.dim(), (1, 3, 32, 32));
/// # Ok::<(), halfpixel::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Preprocess {
    format: PixelFormat,
    normalization: Normalization,
    channel_order: ChannelOrder,
    layout: Layout,
    resize: ResizeStep,
}

/// A preprocessing checked against one frame: everything the CPU and GPU kernels read.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// The tap tables.
    pub resize: PlanRef,
    pub frame: FrameGeometry,
    /// Where each output channel's byte comes from.
    pub sources: Vec<ChannelSource>,
    /// `channels × 256` values: output channel `c`'s value of byte `x` at `c·256 + x`.
    pub tables: Vec<f32>,
    /// `[1, C, H, W]`.
    pub out_dims: [usize; 4],
    pub layout: Layout,
}

/// The tap tables of a preprocessing: an operation's kernel (cached by the operation, and its
/// uploaded tables by a GPU context) or a plan.
#[derive(Debug, Clone)]
pub(crate) enum PlanRef {
    Kernel(Arc<ResizeKernel>),
    Plan(Arc<ResizePlan>),
    /// The bytes are resized with an exact plan, then normalised; the kernel gives the geometry.
    Bytes(Arc<ResizeKernel>, Arc<ExactPlan>),
}

impl Prepared {
    /// The plan the kernels execute.
    pub fn plan(&self) -> &ResizePlan {
        match &self.resize {
            PlanRef::Kernel(k) | PlanRef::Bytes(k, _) => k.plan(),
            PlanRef::Plan(p) => p,
        }
    }
}

impl Preprocess {
    /// Frames of `format` normalised by `normalization`; output in RGB order (gray for
    /// [`PixelFormat::Gray`] frames), NCHW, not resized.
    pub fn new(format: PixelFormat, normalization: Normalization) -> Self {
        Preprocess {
            format,
            normalization,
            channel_order: if format == PixelFormat::Gray {
                ChannelOrder::Gray
            } else {
                ChannelOrder::Rgb
            },
            layout: Layout::Nchw,
            resize: ResizeStep::None,
        }
    }

    /// The output's channel order (Core ML `ColorLayout`: RGB, BGR or GRAYSCALE).
    pub fn with_channel_order(mut self, order: ChannelOrder) -> Self {
        self.channel_order = order;
        self
    }

    /// The output's layout: NCHW (PyTorch, Core ML) or NHWC (TensorFlow).
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Resizes with `op` (a preset or a spec), planned for each frame size.
    pub fn with_resize(mut self, op: Operation) -> Self {
        self.resize = ResizeStep::Operation(op);
        self
    }

    /// Resizes the frame's bytes with `op`'s own 8-bit arithmetic, then normalises the resized
    /// bytes: bit for bit the library's steps one after the other — e.g. `cv2.resize` of the
    /// 8-bit frame then `(x/255 − mean)/std`, or torchvision's `Resize` on a PIL image then
    /// `ToTensor()` and `Normalize` — on the CPU and in one GPU dispatch.
    ///
    /// `op` must be a call with 8-bit arithmetic of its own ([`crate::IntegerPath::Exact`]:
    /// OpenCV, PyTorch, Pillow) or one that copies pixels (nearest); others are refused when the
    /// preprocessing is prepared. (A copy commutes with the normalisation, so nearest gives the
    /// same values either way.)
    pub fn with_byte_resize(mut self, op: Operation) -> Self {
        self.resize = ResizeStep::Bytes(op);
        self
    }

    /// Resizes with tap tables built for one frame size (frames of other sizes are refused).
    pub fn with_resize_plan(mut self, plan: ResizePlan) -> Self {
        self.resize = ResizeStep::Plan(Arc::new(plan));
        self
    }

    /// The frame's pixel format.
    pub fn format(&self) -> PixelFormat {
        self.format
    }

    /// The normalisation.
    pub fn normalization(&self) -> &Normalization {
        &self.normalization
    }

    /// The output's channel order.
    pub fn channel_order(&self) -> ChannelOrder {
        self.channel_order
    }

    /// The output's layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The resize step.
    pub fn resize(&self) -> &ResizeStep {
        &self.resize
    }

    /// The output `[1, C, H, W]` for a frame.
    pub fn output_dims(&self, frame: &FrameDesc) -> Result<[usize; 4]> {
        Ok(self.prepare(frame)?.out_dims)
    }

    /// The output array's shape for a frame, in the output layout.
    pub fn output_shape(&self, frame: &FrameDesc) -> Result<[usize; 4]> {
        Ok(self.layout.shape(self.output_dims(frame)?))
    }

    /// The tap tables the resize executes for a frame (identity tables without a resize).
    pub fn plan(&self, frame: &FrameDesc) -> Result<ResizePlan> {
        Ok(self.prepare(frame)?.plan().clone())
    }

    /// The normalisation tables of the output channels, in output order: entry `x` of table `c`
    /// is the value byte `x` of channel `c`'s colour becomes.
    pub fn tables(&self) -> Result<Vec<[f32; 256]>> {
        self.channel_order
            .colors()
            .iter()
            .map(|&c| self.normalization.table(c))
            .collect()
    }

    /// Checks everything against `frame` and gathers what the kernels read.
    pub(crate) fn prepare(&self, frame: &FrameDesc) -> Result<Prepared> {
        let geometry = frame.geometry(self.format)?;
        let colors = self.channel_order.colors();
        let channels = colors.len();
        let mut tables = Vec::with_capacity(channels * 256);
        for table in self.tables()? {
            tables.extend_from_slice(&table);
        }
        let sources = colors
            .iter()
            .map(|&c| ChannelSource::of(self.format, c))
            .collect();
        let in_dims = [1, channels, geometry.height, geometry.width];
        let resize = match &self.resize {
            ResizeStep::None => PlanRef::Plan(Arc::new(ResizePlan::new(
                AxisPlan::identity(geometry.height)?,
                AxisPlan::identity(geometry.width)?,
            ))),
            ResizeStep::Plan(plan) => PlanRef::Plan(plan.clone()),
            ResizeStep::Operation(Operation::Resize(r)) => {
                PlanRef::Kernel(r.kernel(&InputDesc {
                    dims: in_dims,
                    layout: self.layout,
                })?)
            }
            ResizeStep::Bytes(Operation::Resize(r)) => {
                let desc = InputDesc {
                    dims: in_dims,
                    layout: Layout::Nhwc,
                };
                let kernel = r.kernel(&InputDesc {
                    dims: in_dims,
                    layout: self.layout,
                })?;
                match r.planner().integer_path(&desc, ElementType::U8)? {
                    IntegerPath::Exact(plan) => PlanRef::Bytes(kernel, plan),
                    IntegerPath::Gather => PlanRef::Kernel(kernel),
                    IntegerPath::FloatOutput => {
                        return Err(Error::unsupported(format!(
                            "{} as a byte resize: the framework resizes 8-bit images in float32 \
                             and returns float32 (no 8-bit result to normalise); use with_resize",
                            r.planner().describe()
                        )))
                    }
                }
            }
            ResizeStep::Operation(other) | ResizeStep::Bytes(other) => {
                return Err(Error::unsupported(format!(
                    "{} as the resize of a preprocessing (only resizes apply to frames)",
                    other.describe()
                )))
            }
        };
        let mut prepared = Prepared {
            resize,
            frame: geometry,
            sources,
            tables,
            out_dims: [0; 4],
            layout: self.layout,
        };
        prepared.out_dims = prepared.plan().output_dims(in_dims)?;
        Ok(prepared)
    }

    /// Runs on the CPU: `frame` holds the frame `desc` describes; returns `[1, C, H, W]` in the
    /// output layout.
    pub fn run_cpu(&self, frame: &[u8], desc: FrameDesc) -> Result<Array4<f32>> {
        let prepared = self.prepare(&desc)?;
        prepared.frame.check_len(frame.len(), self.format)?;
        let mut out = try_zeros("the output", self.layout.shape(prepared.out_dims))?;
        run_prepared(
            &prepared,
            frame,
            out.as_slice_mut().expect("fresh array is contiguous"),
        )?;
        Ok(out)
    }

    /// Runs on the CPU into the caller's array (the output layout and shape).
    pub fn run_cpu_into(
        &self,
        frame: &[u8],
        desc: FrameDesc,
        output: ArrayViewMut4<f32>,
    ) -> Result<()> {
        let prepared = self.prepare(&desc)?;
        prepared.frame.check_len(frame.len(), self.format)?;
        let expected = self.layout.shape(prepared.out_dims);
        let got: [usize; 4] = output.dim().into();
        if got != expected {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "preprocessing output array ({}, {} channels)",
                    self.layout.name(),
                    prepared.out_dims[1]
                ),
                expected: expected.to_vec(),
                got: got.to_vec(),
            });
        }
        let mut result = Ok(());
        crate::cpu::write_standard(output, |dst| result = run_prepared(&prepared, frame, dst))?;
        result
    }
}

/// Runs a prepared preprocessing on the CPU into `out` (standard order).
fn run_prepared(prepared: &Prepared, frame: &[u8], out: &mut [f32]) -> Result<()> {
    match &prepared.resize {
        PlanRef::Bytes(_, plan) => bytes::run(prepared, plan, frame, out),
        _ => {
            cpu::run(prepared, frame, out);
            Ok(())
        }
    }
}
