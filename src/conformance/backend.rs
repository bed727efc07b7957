//! Backends: what executes an [`Operation`] during a conformance run.

use std::fmt;

use crate::error::Result;
use crate::gpu::GpuContext;
use crate::op::Operation;
use crate::spec::Layout;
use crate::tensor::{Tensor4, TensorView4};

/// Something that can execute an [`Operation`] on a 4-D tensor: the CPU, or (later) a GPU adapter.
///
/// A backend that cannot run an operation should return [`crate::Error::Unsupported`]; the runner
/// records that as an unsupported (failed) check. Panics are caught and recorded as errors.
pub trait Backend: Send + Sync {
    /// A short name for reports, e.g. `cpu` or `vulkan:llvmpipe`.
    fn name(&self) -> String;

    /// Runs `op` on `input` (in `layout`), returning the output in the same layout and in the
    /// element type the framework gives.
    fn run(&self, op: &Operation, input: TensorView4<'_>, layout: Layout) -> Result<Tensor4>;

    /// Whether cases must run one at a time on this backend. OpenGL adapters say yes: wgpu's GL
    /// backend serialises every call on one context behind a lock that other threads wait on for
    /// a few seconds only, so a long dispatch on a software renderer would fail the waiting
    /// threads' calls.
    fn serial(&self) -> bool {
        false
    }
}

/// The CPU backend: [`Operation::run_cpu`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuBackend;

impl Backend for CpuBackend {
    fn name(&self) -> String {
        "cpu".to_string()
    }

    fn run(&self, op: &Operation, input: TensorView4<'_>, layout: Layout) -> Result<Tensor4> {
        op.run_cpu_tensor(input, layout)
    }
}

/// A backend made of a name and a closure, for adapters and tests.
///
/// ```
/// use halfpixel::conformance::{Backend, FnBackend};
///
/// let cpu_again = FnBackend::new("cpu-closure", |op, input, layout| op.run_cpu_tensor(input, layout));
/// assert_eq!(cpu_again.name(), "cpu-closure");
/// ```
pub struct FnBackend<F> {
    name: String,
    f: F,
}

impl<F> FnBackend<F>
where
    F: Fn(&Operation, TensorView4<'_>, Layout) -> Result<Tensor4> + Send + Sync,
{
    /// Wraps `f` under `name`.
    pub fn new(name: impl Into<String>, f: F) -> Self {
        FnBackend {
            name: name.into(),
            f,
        }
    }
}

impl<F> fmt::Debug for FnBackend<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnBackend")
            .field("name", &self.name)
            .finish()
    }
}

impl<F> Backend for FnBackend<F>
where
    F: Fn(&Operation, TensorView4<'_>, Layout) -> Result<Tensor4> + Send + Sync,
{
    fn name(&self) -> String {
        self.name.clone()
    }

    fn run(&self, op: &Operation, input: TensorView4<'_>, layout: Layout) -> Result<Tensor4> {
        (self.f)(op, input, layout)
    }
}

/// A GPU adapter as a conformance backend (named `backend:adapter`, e.g. `vulkan:llvmpipe`).
impl Backend for GpuContext {
    fn name(&self) -> String {
        format!(
            "{}:{}",
            self.adapter().backend.to_lowercase(),
            self.adapter().name
        )
    }

    fn run(&self, op: &Operation, input: TensorView4<'_>, layout: Layout) -> Result<Tensor4> {
        self.run_tensor(op, input, layout)
    }

    fn serial(&self) -> bool {
        self.is_gl()
    }
}
