//! Choosing where operations run: the CPU, a GPU, or whichever is available.

use std::fmt;
use std::str::FromStr;
#[cfg(feature = "gpu")]
use std::sync::{Arc, RwLockWriteGuard};
use std::sync::{Mutex, RwLock, RwLockReadGuard};

use ndarray::{Array4, ArrayView4};

use crate::error::{Error, Result};
#[cfg(feature = "gpu")]
use crate::gpu::{choose_adapter, software_gpu_allowed, GpuContext, GpuOptions, NoChoice};
use crate::op::Operation;
use crate::spec::Layout;
use crate::tensor::{Tensor4, TensorView4};

/// Where to run.
///
/// Without the `gpu` cargo feature there is no GPU: `Gpu` is refused and `Auto` runs on the CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Backend {
    /// The CPU kernel (the reference).
    Cpu,
    /// A GPU through wgpu: a hardware adapter when there is one, else a software rasteriser
    /// (lavapipe, llvmpipe, WARP, …); an error when none can be opened.
    Gpu,
    /// A hardware GPU if one can be opened, otherwise the CPU (and [`Executor::describe`] says
    /// which). Software rasterisers are taken only when asked: `GpuOptions::allow_software`
    /// or `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` (`gpu::ALLOW_SOFTWARE_GPU`); on a machine
    /// with only Mesa's adapters `Auto` runs on the CPU, which is faster there.
    #[default]
    Auto,
}

impl FromStr for Backend {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" => Ok(Backend::Cpu),
            "gpu" => Ok(Backend::Gpu),
            "auto" => Ok(Backend::Auto),
            _ => Err(Error::invalid_argument(
                "backend",
                s,
                "expected cpu, gpu or auto",
            )),
        }
    }
}

/// Runs operations on the backend chosen when it was created.
///
/// With [`Backend::Auto`], device trouble never fails a call: when no GPU opens the executor
/// runs on the CPU from the start, and when the GPU is lost mid-way (a driver reset, an unplugged
/// GPU, `wgpu::Device::destroy`) the call that noticed it is redone on the CPU, the GPU is dropped,
/// every later call runs on the CPU, and a warning is recorded ([`Executor::warnings`];
/// [`Executor::describe`] says it fell back and why). The library never prints: showing the
/// warnings is the caller's choice. With [`Backend::Gpu`] the error ([`Error::DeviceLost`]) is
/// returned instead.
///
/// An executor is `Send + Sync`; threads sharing one share its GPU context.
pub struct Executor {
    backend: Backend,
    /// The GPU, until none opened or it was lost (in `Auto` mode).
    #[cfg(feature = "gpu")]
    gpu: RwLock<Option<Arc<GpuContext>>>,
    /// Why the executor runs on the CPU in `Auto` mode (no adapter, or the device was lost).
    fallback_reason: RwLock<Option<String>>,
    /// Device trouble met while running; at most one per GPU the executor dropped.
    warnings: Mutex<Vec<String>>,
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Reads a lock whose every change is a single assignment, so a poisoned lock is consistent.
fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|e| e.into_inner())
}

#[cfg(feature = "gpu")]
/// Writes a lock whose every change is a single assignment, so a poisoned lock is consistent.
fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|e| e.into_inner())
}

/// Why `Auto` runs on the CPU in a build without a GPU.
#[cfg(not(feature = "gpu"))]
const NO_GPU_FEATURE: &str = "halfpixel was built without its `gpu` feature";

impl Executor {
    #[cfg(feature = "gpu")]
    fn build(backend: Backend, gpu: Option<GpuContext>, fallback_reason: Option<String>) -> Self {
        Executor {
            backend,
            gpu: RwLock::new(gpu.map(Arc::new)),
            fallback_reason: RwLock::new(fallback_reason),
            warnings: Mutex::new(Vec::new()),
        }
    }

    #[cfg(not(feature = "gpu"))]
    fn build(backend: Backend, fallback_reason: Option<String>) -> Self {
        Executor {
            backend,
            fallback_reason: RwLock::new(fallback_reason),
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// Opens the backend with the default `GpuOptions`: `Gpu` fails without an adapter,
    /// `Auto` takes a hardware GPU or runs on the CPU (and [`describe`](Self::describe) says
    /// why).
    #[cfg(feature = "gpu")]
    pub fn new(backend: Backend) -> Result<Self> {
        Executor::with_options(backend, &GpuOptions::default())
    }

    /// Opens the backend in a build without the `gpu` feature: `Cpu` and `Auto` run on the CPU
    /// (`Auto`'s [`describe`](Self::describe) says why), `Gpu` is refused.
    #[cfg(not(feature = "gpu"))]
    pub fn new(backend: Backend) -> Result<Self> {
        match backend {
            Backend::Cpu => Ok(Executor::build(backend, None)),
            Backend::Auto => Ok(Executor::build(backend, Some(NO_GPU_FEATURE.into()))),
            Backend::Gpu => Err(Error::unsupported(format!(
                "backend gpu: {NO_GPU_FEATURE}; enable it (features = [\"gpu\"]) or use the CPU"
            ))),
        }
    }

    #[cfg(feature = "gpu")]
    /// Opens the backend, choosing the adapter with `options` ([`GpuContext::with_options`]).
    /// With [`Backend::Auto`], `options.allow_software: None` follows
    /// `HALFPIXEL_ALLOW_SOFTWARE_GPU`; `Some(true)` takes a software rasteriser when no hardware
    /// GPU is found.
    ///
    /// ```no_run
    /// use halfpixel::gpu::GpuOptions;
    /// use halfpixel::{Backend, Executor};
    ///
    /// // Also run on lavapipe / llvmpipe / WARP when they are all there is.
    /// let options = GpuOptions { allow_software: Some(true), ..Default::default() };
    /// let exec = Executor::with_options(Backend::Auto, &options)?;
    /// println!("{}", exec.describe());
    /// # Ok::<(), halfpixel::Error>(())
    /// ```
    pub fn with_options(backend: Backend, options: &GpuOptions) -> Result<Self> {
        match backend {
            Backend::Cpu => Ok(Executor::build(backend, None, None)),
            Backend::Gpu => Ok(Executor::build(
                backend,
                Some(GpuContext::with_options(options)?),
                None,
            )),
            Backend::Auto => {
                let options = GpuOptions {
                    allow_software: Some(
                        options.allow_software.unwrap_or_else(software_gpu_allowed),
                    ),
                    ..options.clone()
                };
                let opened = choose_adapter(&options)
                    .map_err(|why| match why {
                        NoChoice::SoftwareOnly(labels) => format!(
                            "no hardware GPU; software rasteriser{} {} not taken: \
                             HALFPIXEL_ALLOW_SOFTWARE_GPU=1 takes {}",
                            if labels.len() == 1 { "" } else { "s" },
                            labels.join(", "),
                            if labels.len() == 1 { "it" } else { "them" },
                        ),
                        other => format!("fell back: {}", other.into_error()),
                    })
                    .and_then(|adapter| {
                        GpuContext::from_adapter(&adapter).map_err(|e| format!("fell back: {e}"))
                    });
                match opened {
                    Ok(ctx) => Ok(Executor::build(backend, Some(ctx), None)),
                    Err(why) => Ok(Executor::build(backend, None, Some(why))),
                }
            }
        }
    }

    #[cfg(feature = "gpu")]
    /// Runs on the given GPU context, returning its errors ([`Backend::Gpu`]).
    pub fn with_gpu(context: GpuContext) -> Self {
        Executor::build(Backend::Gpu, Some(context), None)
    }

    #[cfg(feature = "gpu")]
    /// Runs on the given GPU context, and on the CPU once its device is lost ([`Backend::Auto`]).
    pub fn with_gpu_or_cpu(context: GpuContext) -> Self {
        Executor::build(Backend::Auto, Some(context), None)
    }

    /// The backend asked for.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    #[cfg(feature = "gpu")]
    /// The GPU context, while running on a GPU.
    pub fn gpu(&self) -> Option<Arc<GpuContext>> {
        read(&self.gpu).clone()
    }

    /// Why an `Auto` executor runs on the CPU: no GPU opened (`fell back: no GPU adapter: …`),
    /// only software rasterisers were found and none was asked for (`no hardware GPU; …`), or
    /// the device was lost (`fell back: the GPU device on … was lost …`).
    pub fn fallback_reason(&self) -> Option<String> {
        read(&self.fallback_reason).clone()
    }

    /// The device trouble met so far, one line each, e.g. `the GPU device on llvmpipe (Vulkan)
    /// was lost (…); running on the CPU from now on`. Empty when nothing went wrong.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Which backend runs, in one line: `gpu: NVIDIA H100 (Vulkan)`, `gpu: llvmpipe (…)
    /// (Vulkan), a software rasteriser`, `cpu`, `cpu (no hardware GPU; software rasteriser
    /// vulkan:llvmpipe (…) not taken: HALFPIXEL_ALLOW_SOFTWARE_GPU=1 takes it)`,
    /// `cpu (fell back: no GPU adapter: …)` or `cpu (fell back: the GPU device on … was lost …)`.
    pub fn describe(&self) -> String {
        #[cfg(feature = "gpu")]
        if let Some(ctx) = read(&self.gpu).as_ref() {
            let adapter = ctx.adapter();
            return if adapter.is_software() {
                format!("gpu: {}, a software rasteriser", adapter.label())
            } else {
                format!("gpu: {}", adapter.label())
            };
        }
        match read(&self.fallback_reason).as_ref() {
            Some(reason) => format!("cpu ({reason})"),
            None => "cpu".into(),
        }
    }

    /// Runs `op` on `input` (in `layout`). In `Auto` mode a lost device makes this call, and every
    /// later one, run on the CPU.
    pub fn run(
        &self,
        op: &Operation,
        input: ArrayView4<f32>,
        layout: Layout,
    ) -> Result<Array4<f32>> {
        #[cfg(feature = "gpu")]
        if let Some(ctx) = self.gpu() {
            return match ctx.run(op, input, layout) {
                Err(Error::DeviceLost { reason }) if self.backend == Backend::Auto => {
                    self.drop_gpu(&ctx, &reason);
                    op.run_cpu(input, layout)
                }
                other => other,
            };
        }
        op.run_cpu(input, layout)
    }

    /// Runs `op` on a tensor of any supported type ([`Operation::run_cpu_tensor`] on the CPU,
    /// `GpuContext::run_tensor` on a GPU), with the same fallback as [`Executor::run`].
    pub fn run_tensor(
        &self,
        op: &Operation,
        input: TensorView4<'_>,
        layout: Layout,
    ) -> Result<Tensor4> {
        #[cfg(feature = "gpu")]
        if let Some(ctx) = self.gpu() {
            return match ctx.run_tensor(op, input, layout) {
                Err(Error::DeviceLost { reason }) if self.backend == Backend::Auto => {
                    self.drop_gpu(&ctx, &reason);
                    op.run_cpu_tensor(input, layout)
                }
                other => other,
            };
        }
        op.run_cpu_tensor(input, layout)
    }

    #[cfg(feature = "gpu")]
    /// Drops `lost` (unless another thread already did) and records why.
    fn drop_gpu(&self, lost: &Arc<GpuContext>, reason: &str) {
        let mut gpu = write(&self.gpu);
        let current = gpu.as_ref().is_some_and(|g| Arc::ptr_eq(g, lost));
        if !current {
            return;
        }
        *gpu = None;
        let why = format!(
            "the GPU device on {} was lost ({reason})",
            lost.adapter().label()
        );
        *write(&self.fallback_reason) = Some(format!("fell back: {why}"));
        self.warnings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(format!("{why}; running on the CPU from now on"));
    }
}
