//! [`Operation`]: what a preset or a portable spec describes, ready to run on a tensor.

use std::fmt;
use std::sync::{Arc, Mutex};

use ndarray::{Array4, ArrayView4, ArrayViewMut4};

use crate::cpu;
use crate::cpu::{Direction, ResizeKernel};
use crate::error::{check_dims, Error, Result};
use crate::plan::separable::ExactPlan;
use crate::plan::ResizePlan;
use crate::spec::{BlockSpec, Layout, ResizeSpec};
use crate::tensor::{ElementType, Tensor4, TensorView4};

/// What a planner knows about the input when it builds the tap tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputDesc {
    /// `[n, c, h, w]`.
    pub dims: [usize; 4],
    /// The memory layout (PyTorch picks a different kernel for channels-last tensors).
    pub layout: Layout,
}

impl InputDesc {
    /// Input height and width.
    pub fn hw(&self) -> [usize; 2] {
        [self.dims[2], self.dims[3]]
    }
}

/// How a resize computes on an 8- or 16-bit integer tensor: what the framework itself does with
/// such an input.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum IntegerPath {
    /// The framework converts the input to float32 and resizes in float; the output is float32
    /// (TensorFlow's `tf.image.resize`, Keras).
    FloatOutput,
    /// Every output copies one source pixel (nearest, or an unchanged size): exact for any
    /// element type, and the output keeps the input's type.
    Gather,
    /// The framework's own arithmetic (fixed-point coefficients, pass order, rounding,
    /// saturation), stated as a plan that the CPU and GPU execute exactly.
    Exact(Arc<ExactPlan>),
}

impl IntegerPath {
    /// What the computation is, for labels: e.g. "u8 fixed-point arithmetic as the framework's
    /// (exact)".
    pub fn describe(&self, ty: ElementType) -> String {
        match self {
            IntegerPath::FloatOutput => {
                format!(
                    "float32 arithmetic on the {ty} values and a float32 output, as the framework"
                )
            }
            IntegerPath::Gather => format!("exact: copies {ty} pixels"),
            IntegerPath::Exact(_) => format!("exact: the framework's own {ty} arithmetic"),
        }
    }
}

/// Anything that turns an input description into a [`ResizePlan`]: the portable spec and every
/// framework preset.
pub trait ResizePlanner: Send + Sync + fmt::Debug {
    /// Builds the per-axis tap tables for this input, or says why it cannot.
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan>;

    /// The call this planner mirrors, e.g. `torch.nn.functional.interpolate(size=(18, 20), mode='bilinear')`.
    fn describe(&self) -> String;

    /// Where the framework's default configuration gives other values than the path halfpixel
    /// reproduces, a sentence with the measured difference (OpenCV with IPP on). `None` when
    /// halfpixel's result is the call's.
    fn caveat(&self, input: &InputDesc, ty: ElementType) -> Option<String> {
        let _ = (input, ty);
        None
    }

    /// How this call computes on a float32 tensor, when that is not [`ResizePlanner::plan`]'s
    /// float32 kernel: an exact plan that the CPU runs instead (Pillow's `F` mode accumulates
    /// in float64, [`crate::plan::separable::Accumulate::Double`]), or an error when the call
    /// takes no float32 input at all (Pillow's 8-bit modes).
    ///
    /// The default, `Ok(None)`, runs the float32 kernel, as every framework that computes in
    /// float32 does. [`Operation::run_cpu`] runs a plan offered here; the GPU, which has no
    /// float64, runs [`ResizePlanner::plan`]'s float32 kernel and only takes the errors from
    /// here (the preset documents how far that is from the framework).
    fn exact_f32_plan(&self, input: &InputDesc) -> Result<Option<Arc<ExactPlan>>> {
        let _ = input;
        Ok(None)
    }

    /// How this call computes on an integer tensor of type `ty` (`U8` or `U16`).
    ///
    /// The default serves calls whose framework defines no integer arithmetic of its own: a
    /// plan that only copies pixels runs as a [`IntegerPath::Gather`] (exact whatever the
    /// type); anything that weighs pixels is refused with [`Error::Unsupported`], because
    /// rounding a float result would be halfpixel's arithmetic, not the framework's. Presets of
    /// frameworks with integer kernels (OpenCV, PyTorch, Pillow) or a float-output rule
    /// (TensorFlow) override it.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        let plan = self.plan(input)?;
        if cpu::gather::is_gather(&plan) {
            Ok(IntegerPath::Gather)
        } else {
            Err(Error::unsupported(format!(
                "{} on {ty} data: halfpixel reproduces 8- and 16-bit arithmetic only where a \
                 framework defines its own (OpenCV, PyTorch, Pillow; TensorFlow returns float32); \
                 convert the input to float32",
                self.describe()
            )))
        }
    }
}

impl ResizePlanner for ResizeSpec {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        ResizeSpec::plan(self, input.hw())
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "resize(mode={}, coordinate_transformation_mode={}",
            self.mode.name(),
            self.coordinate_transformation_mode.name()
        );
        if let Some(m) = self.nearest_mode {
            s += &format!(", nearest_mode={}", m.name());
        }
        if let Some(a) = self.cubic_coeff_a {
            s += &format!(", cubic_coeff_a={a}");
        }
        if self.exclude_outside {
            s += ", exclude_outside=1";
        }
        if self.antialias {
            s += ", antialias=1";
        }
        if let Some(roi) = self.roi {
            s += &format!(", roi={roi:?}");
        }
        if let Some(ev) = self.extrapolation_value {
            s += &format!(", extrapolation_value={ev}");
        }
        s += &format!(", output_size={:?}", self.output_size);
        if let Some(sc) = self.scale {
            s += &format!(", scale={sc:?}");
        }
        s + ")"
    }
}

/// How many input shapes a [`ResizeOp`] keeps prepared kernels for (least recently used dropped
/// first): at most 8 whatever the number of calls and shapes.
pub const KERNEL_CACHE_ENTRIES: usize = 8;

/// A resize described by a planner (a preset or a [`ResizeSpec`]), with the kernels prepared for
/// the input shapes it has run on: the tap tables are built once per shape, not once per call.
/// The cache keeps at most [`KERNEL_CACHE_ENTRIES`] shapes ([`ResizeOp::cached_kernels`]).
/// Clones share the cache; a `ResizeOp` is `Send + Sync` and may be shared across threads.
#[derive(Clone)]
pub struct ResizeOp {
    planner: Arc<dyn ResizePlanner>,
    /// Most recently used first; at most [`KERNEL_CACHE_ENTRIES`].
    kernels: Arc<Mutex<Vec<Arc<ResizeKernel>>>>,
    /// The exact arithmetic per input shape and element type, most recently used first; at
    /// most [`KERNEL_CACHE_ENTRIES`].
    exact: Arc<Mutex<Vec<ExactEntry>>>,
}

/// A cached answer of the planner for one input shape and element type: its
/// [`ResizePlanner::integer_path`] (8- and 16-bit) or its [`ResizePlanner::exact_f32_plan`]
/// (float32).
#[derive(Clone)]
struct ExactEntry {
    input: InputDesc,
    ty: ElementType,
    path: CachedPath,
}

#[derive(Clone)]
enum CachedPath {
    Integer(IntegerPath),
    Float(Option<Arc<ExactPlan>>),
}

impl ResizeOp {
    /// Wraps a planner, with an empty cache.
    pub fn new(planner: Arc<dyn ResizePlanner>) -> Self {
        ResizeOp {
            planner,
            kernels: Arc::default(),
            exact: Arc::default(),
        }
    }

    /// How this resize computes on an integer tensor of type `ty` ([`ResizePlanner::integer_path`]),
    /// planned once per input shape and type and cached (at most [`KERNEL_CACHE_ENTRIES`]
    /// entries, shared with [`exact_f32_plan`](Self::exact_f32_plan)). Errors are returned, not
    /// cached.
    pub fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        match self.cached_exact(input, ty, || {
            self.planner
                .integer_path(input, ty)
                .map(CachedPath::Integer)
        })? {
            CachedPath::Integer(p) => Ok(p),
            CachedPath::Float(_) => unreachable!("float entries are keyed by F32"),
        }
    }

    /// The planner's [`ResizePlanner::exact_f32_plan`] for this input, cached like
    /// [`integer_path`](Self::integer_path).
    pub fn exact_f32_plan(&self, input: &InputDesc) -> Result<Option<Arc<ExactPlan>>> {
        match self.cached_exact(input, ElementType::F32, || {
            self.planner.exact_f32_plan(input).map(CachedPath::Float)
        })? {
            CachedPath::Float(p) => Ok(p),
            CachedPath::Integer(_) => unreachable!("integer entries are keyed by their type"),
        }
    }

    fn cached_exact(
        &self,
        input: &InputDesc,
        ty: ElementType,
        plan: impl FnOnce() -> Result<CachedPath>,
    ) -> Result<CachedPath> {
        let lock = || self.exact.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut entries = lock();
            if let Some(at) = entries.iter().position(|e| e.input == *input && e.ty == ty) {
                let hit = entries.remove(at);
                let path = hit.path.clone();
                entries.insert(0, hit);
                return Ok(path);
            }
        }
        let path = plan()?;
        let mut entries = lock();
        entries.retain(|e| !(e.input == *input && e.ty == ty));
        entries.insert(
            0,
            ExactEntry {
                input: *input,
                ty,
                path: path.clone(),
            },
        );
        entries.truncate(KERNEL_CACHE_ENTRIES);
        Ok(path)
    }

    /// The planner: the preset or spec this resize was made from.
    pub fn planner(&self) -> &dyn ResizePlanner {
        self.planner.as_ref()
    }

    /// Builds the tap tables for this input (uncached: a fresh plan).
    pub fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        self.planner.plan(input)
    }

    /// How many input shapes have a prepared kernel in the cache: at most
    /// [`KERNEL_CACHE_ENTRIES`].
    pub fn cached_kernels(&self) -> usize {
        self.kernels.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The kernel prepared for this input: from the cache, or planned now and cached. Planning
    /// errors are returned, not cached.
    pub fn kernel(&self, input: &InputDesc) -> Result<Arc<ResizeKernel>> {
        // A panic while the lock was held cannot leave the list inconsistent (every change is a
        // single Vec operation), so a poisoned lock is still usable.
        let lookup = |kernels: &mut Vec<Arc<ResizeKernel>>| {
            let at = kernels.iter().position(|k| k.input() == *input)?;
            let hit = kernels.remove(at);
            kernels.insert(0, hit.clone());
            Some(hit)
        };
        if let Some(hit) = lookup(&mut self.kernels.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(hit);
        }
        let kernel = Arc::new(ResizeKernel::new(self.planner.plan(input)?, *input)?);
        let mut kernels = self.kernels.lock().unwrap_or_else(|e| e.into_inner());
        kernels.retain(|k| k.input() != *input);
        kernels.insert(0, kernel.clone());
        kernels.truncate(KERNEL_CACHE_ENTRIES);
        Ok(kernel)
    }
}

impl fmt::Debug for ResizeOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.planner.describe())
    }
}

/// A resize, depth_to_space or space_to_depth, as a framework call or the portable spec describes it.
#[derive(Clone)]
#[non_exhaustive]
pub enum Operation {
    /// A resize described by a planner (a preset or a [`ResizeSpec`]).
    Resize(ResizeOp),
    /// Channels to space (`[N, C·b², H, W] → [N, C, H·b, W·b]`).
    DepthToSpace(BlockSpec),
    /// Space to channels (`[N, C, H·b, W·b] → [N, C·b², H, W]`).
    SpaceToDepth(BlockSpec),
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl From<ResizeSpec> for Operation {
    fn from(spec: ResizeSpec) -> Self {
        Operation::Resize(ResizeOp::new(Arc::new(spec)))
    }
}

impl Operation {
    /// Wraps a planner.
    pub fn resize(planner: impl ResizePlanner + 'static) -> Self {
        Operation::Resize(ResizeOp::new(Arc::new(planner)))
    }

    /// The call this operation mirrors.
    pub fn describe(&self) -> String {
        match self {
            Operation::Resize(r) => r.planner.describe(),
            Operation::DepthToSpace(b) => {
                format!(
                    "depth_to_space(block_size={}, order={:?})",
                    b.block_size, b.order
                )
            }
            Operation::SpaceToDepth(b) => {
                format!(
                    "space_to_depth(block_size={}, order={:?})",
                    b.block_size, b.order
                )
            }
        }
    }

    /// The resize plan for an input (None for depth_to_space / space_to_depth).
    pub fn plan(&self, input: &InputDesc) -> Result<Option<ResizePlan>> {
        match self {
            Operation::Resize(r) => r.plan(input).map(Some),
            _ => Ok(None),
        }
    }

    /// The output `[n, c, h, w]` for an input.
    ///
    /// Errors: a zero-length axis or an element count past [`MAX_TENSOR_ELEMENTS`] in the input
    /// or the output, and whatever the operation refuses for this input.
    ///
    /// [`MAX_TENSOR_ELEMENTS`]: crate::error::MAX_TENSOR_ELEMENTS
    pub fn output_dims(&self, input: &InputDesc) -> Result<[usize; 4]> {
        check_dims("input", input.dims)?;
        let out = self.output_dims_unchecked(input)?;
        check_dims("output", out)?;
        Ok(out)
    }

    fn output_dims_unchecked(&self, input: &InputDesc) -> Result<[usize; 4]> {
        match self {
            Operation::Resize(r) => Ok(r.kernel(input)?.output_dims()),
            Operation::DepthToSpace(b) => {
                cpu::pixel_shuffle::output_dims(input.dims, *b, Direction::DepthToSpace)
            }
            Operation::SpaceToDepth(b) => {
                cpu::pixel_shuffle::output_dims(input.dims, *b, Direction::SpaceToDepth)
            }
        }
    }

    /// The element type of the output for an input of type `ty`, as the framework gives it:
    /// OpenCV, PyTorch and Pillow keep an 8- or 16-bit type, TensorFlow's `tf.image.resize`
    /// returns float32, a pixel shuffle keeps any type.
    ///
    /// Errors: what [`ResizePlanner::integer_path`] refuses for this input.
    pub fn output_element_type(&self, input: &InputDesc, ty: ElementType) -> Result<ElementType> {
        if !ty.is_integer() {
            return Ok(ty);
        }
        match self {
            Operation::Resize(r) => match r.integer_path(input, ty)? {
                IntegerPath::FloatOutput => Ok(ElementType::F32),
                IntegerPath::Gather => Ok(ty),
                IntegerPath::Exact(plan) => Ok(plan.output),
            },
            Operation::DepthToSpace(_) | Operation::SpaceToDepth(_) => Ok(ty),
        }
    }

    /// Where the framework's default configuration gives other values than halfpixel's result
    /// for this input, a sentence with the measured difference ([`ResizePlanner::caveat`]).
    pub fn caveat(&self, input: &InputDesc, ty: ElementType) -> Option<String> {
        match self {
            Operation::Resize(r) => r.planner.caveat(input, ty),
            _ => None,
        }
    }

    /// How this operation computes on a tensor of type `ty`: `None` for float32 (the float
    /// kernels) and for pixel shuffles (copies); for 8- and 16-bit tensors the resize's
    /// [`IntegerPath`], or why it has none.
    pub fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<Option<IntegerPath>> {
        match self {
            Operation::Resize(r) if ty.is_integer() => r.integer_path(input, ty).map(Some),
            _ => Ok(None),
        }
    }

    /// Runs on the CPU on a tensor of any supported type, returning the output in the type the
    /// framework gives ([`Operation::output_element_type`]) and the input's layout.
    pub fn run_cpu_tensor(&self, input: TensorView4<'_>, layout: Layout) -> Result<Tensor4> {
        match input {
            TensorView4::F32(x) => self.run_cpu(x, layout).map(Tensor4::F32),
            TensorView4::U8(x) => self.run_cpu_integer(x, layout),
            TensorView4::U16(x) => self.run_cpu_integer(x, layout),
        }
    }

    /// Runs on an 8-bit tensor, for calls whose output stays 8-bit (OpenCV, PyTorch, Pillow,
    /// any gather, pixel shuffles). A call that returns float32 for 8-bit input (TensorFlow) is
    /// refused here with [`Error::Unsupported`]; use [`Operation::run_cpu_tensor`].
    pub fn run_cpu_u8(&self, input: ArrayView4<u8>, layout: Layout) -> Result<Array4<u8>> {
        match self.run_cpu_integer(input, layout)? {
            Tensor4::U8(y) => Ok(y),
            other => Err(self.output_type_error(ElementType::U8, other.element_type())),
        }
    }

    /// Runs on a 16-bit tensor, for calls whose output stays 16-bit; see
    /// [`Operation::run_cpu_u8`].
    pub fn run_cpu_u16(&self, input: ArrayView4<u16>, layout: Layout) -> Result<Array4<u16>> {
        match self.run_cpu_integer(input, layout)? {
            Tensor4::U16(y) => Ok(y),
            other => Err(self.output_type_error(ElementType::U16, other.element_type())),
        }
    }

    /// Runs on an 8-bit tensor into the caller's array (the input's layout, the output shape),
    /// for calls whose output stays 8-bit; see [`Operation::run_cpu_u8`]. The steady state of
    /// the exact path allocates nothing: the plan is cached per input shape and the scratch
    /// rows are kept per thread.
    pub fn run_cpu_u8_into(
        &self,
        input: ArrayView4<u8>,
        layout: Layout,
        output: ArrayViewMut4<u8>,
    ) -> Result<()> {
        self.run_cpu_integer_into(input, layout, output)
    }

    /// Runs on a 16-bit tensor into the caller's array; see [`Operation::run_cpu_u8_into`].
    pub fn run_cpu_u16_into(
        &self,
        input: ArrayView4<u16>,
        layout: Layout,
        output: ArrayViewMut4<u16>,
    ) -> Result<()> {
        self.run_cpu_integer_into(input, layout, output)
    }

    fn run_cpu_integer_into<T: cpu::separable::ExactElement>(
        &self,
        input: ArrayView4<T>,
        layout: Layout,
        output: ArrayViewMut4<T>,
    ) -> Result<()> {
        let desc = InputDesc {
            dims: layout.nchw(input.dim().into()),
            layout,
        };
        check_dims("input", desc.dims)?;
        match self {
            Operation::Resize(r) => match r.integer_path(&desc, T::TYPE)? {
                IntegerPath::FloatOutput => Err(self.output_type_error(T::TYPE, ElementType::F32)),
                IntegerPath::Gather => {
                    let kernel = r.kernel(&desc)?;
                    cpu::gather::gather_into(input, layout, kernel.plan(), output)
                }
                IntegerPath::Exact(plan) => cpu::separable::run_into(&plan, input, layout, output),
            },
            Operation::DepthToSpace(b) => {
                cpu::rearrange_into(input, layout, *b, Direction::DepthToSpace, output)
            }
            Operation::SpaceToDepth(b) => {
                cpu::rearrange_into(input, layout, *b, Direction::SpaceToDepth, output)
            }
        }
    }

    fn output_type_error(&self, input: ElementType, output: ElementType) -> Error {
        Error::unsupported(format!(
            "{} gives {output} for {input} input; call run_cpu_tensor to get it",
            self.describe()
        ))
    }

    fn run_cpu_integer<T: cpu::separable::ExactElement>(
        &self,
        input: ArrayView4<T>,
        layout: Layout,
    ) -> Result<Tensor4>
    where
        Tensor4: From<Array4<T>>,
        for<'a> TensorView4<'a>: From<ArrayView4<'a, T>>,
    {
        let desc = InputDesc {
            dims: layout.nchw(input.dim().into()),
            layout,
        };
        check_dims("input", desc.dims)?;
        match self {
            Operation::Resize(r) => match r.integer_path(&desc, T::TYPE)? {
                IntegerPath::FloatOutput => {
                    let x = TensorView4::from(input).to_f32();
                    self.run_cpu(x.view(), layout).map(Tensor4::F32)
                }
                IntegerPath::Gather => {
                    let plan = r.kernel(&desc)?;
                    cpu::gather::gather(input, layout, plan.plan()).map(Tensor4::from)
                }
                IntegerPath::Exact(plan) => cpu::separable::run(&plan, input, layout),
            },
            Operation::DepthToSpace(b) => {
                cpu::rearrange(input, layout, *b, Direction::DepthToSpace).map(Tensor4::from)
            }
            Operation::SpaceToDepth(b) => {
                cpu::rearrange(input, layout, *b, Direction::SpaceToDepth).map(Tensor4::from)
            }
        }
    }

    /// Runs on the CPU, returning a new array in the input's layout.
    pub fn run_cpu(&self, input: ArrayView4<f32>, layout: Layout) -> Result<Array4<f32>> {
        let desc = InputDesc {
            dims: layout.nchw(input.dim().into()),
            layout,
        };
        // The output's dims are checked where they are computed (the plan, the pixel-shuffle
        // shape): only the input's here, without a second kernel lookup on this per-call path.
        check_dims("input", desc.dims)?;
        match self {
            Operation::Resize(r) => match r.exact_f32_plan(&desc)? {
                Some(plan) => run_exact_f32(&plan, input, layout),
                None => r.kernel(&desc)?.run(input),
            },
            Operation::DepthToSpace(b) => {
                cpu::rearrange(input, layout, *b, Direction::DepthToSpace)
            }
            Operation::SpaceToDepth(b) => {
                cpu::rearrange(input, layout, *b, Direction::SpaceToDepth)
            }
        }
    }

    /// Runs on the CPU into the caller's array (same layout, the output shape).
    pub fn run_cpu_into(
        &self,
        input: ArrayView4<f32>,
        layout: Layout,
        output: ArrayViewMut4<f32>,
    ) -> Result<()> {
        let desc = InputDesc {
            dims: layout.nchw(input.dim().into()),
            layout,
        };
        // The output's dims are checked where they are computed (the plan, the pixel-shuffle
        // shape): only the input's here, without a second kernel lookup on this per-call path.
        check_dims("input", desc.dims)?;
        match self {
            Operation::Resize(r) => match r.exact_f32_plan(&desc)? {
                Some(plan) => cpu::separable::run_into(&plan, input, layout, output),
                None => r.kernel(&desc)?.run_into(input, output),
            },
            Operation::DepthToSpace(b) => {
                cpu::rearrange_into(input, layout, *b, Direction::DepthToSpace, output)
            }
            Operation::SpaceToDepth(b) => {
                cpu::rearrange_into(input, layout, *b, Direction::SpaceToDepth, output)
            }
        }
    }
}

/// Runs a float32 exact plan ([`ResizePlanner::exact_f32_plan`]) on the CPU.
fn run_exact_f32(plan: &ExactPlan, input: ArrayView4<f32>, layout: Layout) -> Result<Array4<f32>> {
    match cpu::separable::run(plan, input, layout)? {
        Tensor4::F32(y) => Ok(y),
        other => Err(Error::unsupported(format!(
            "an exact plan for float32 input that gives {} (float32 plans must give float32)",
            other.element_type()
        ))),
    }
}
