//! Choosing where operations run: the CPU, a GPU, or whichever is available.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array4, ArrayView4};

use crate::error::{Error, Result};
use crate::gpu::GpuContext;
use crate::op::Operation;
use crate::spec::Layout;

/// Where to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// The CPU kernel (the reference).
    Cpu,
    /// A GPU through wgpu; an error when none can be opened.
    Gpu,
    /// A GPU if one can be opened, otherwise the CPU (and [`Executor::describe`] says which).
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
pub struct Executor {
    gpu: Option<GpuContext>,
    fallback_reason: Option<String>,
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Executor {
    /// Opens the backend: `Gpu` fails without an adapter, `Auto` falls back to the CPU.
    pub fn new(backend: Backend) -> Result<Self> {
        match backend {
            Backend::Cpu => Ok(Executor {
                gpu: None,
                fallback_reason: None,
            }),
            Backend::Gpu => Ok(Executor {
                gpu: Some(GpuContext::new()?),
                fallback_reason: None,
            }),
            Backend::Auto => match GpuContext::new() {
                Ok(ctx) => Ok(Executor {
                    gpu: Some(ctx),
                    fallback_reason: None,
                }),
                Err(e) => Ok(Executor {
                    gpu: None,
                    fallback_reason: Some(e.to_string()),
                }),
            },
        }
    }

    /// Runs on the given GPU context.
    pub fn with_gpu(context: GpuContext) -> Self {
        Executor {
            gpu: Some(context),
            fallback_reason: None,
        }
    }

    /// The GPU context, when running on a GPU.
    pub fn gpu(&self) -> Option<&GpuContext> {
        self.gpu.as_ref()
    }

    /// Which backend runs, e.g. `gpu: NVIDIA H100 (Vulkan)` or `cpu (no GPU adapter: …)`.
    pub fn describe(&self) -> String {
        match (&self.gpu, &self.fallback_reason) {
            (Some(ctx), _) => format!("gpu: {}", ctx.adapter().label()),
            (None, Some(reason)) => format!("cpu (fell back: {reason})"),
            (None, None) => "cpu".into(),
        }
    }

    /// Runs `op` on `input` (in `layout`).
    pub fn run(
        &self,
        op: &Operation,
        input: ArrayView4<f32>,
        layout: Layout,
    ) -> Result<Array4<f32>> {
        match &self.gpu {
            Some(ctx) => ctx.run(op, input, layout),
            None => op.run_cpu(input, layout),
        }
    }
}
