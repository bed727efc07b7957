//! What the subcommands share: the fatal error that ends a command with status 2, and finding
//! and opening GPU adapters.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use halfpixel::gpu::{enumerate_adapters, AdapterDescription, GpuContext};
use serde_json::{json, Value};

/// A failure that ends the command with status 2 and one line on stderr.
pub(crate) struct Fatal(pub(crate) String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// A GPU adapter wgpu found.
pub(crate) struct FoundAdapter {
    pub(crate) adapter: wgpu::Adapter,
    pub(crate) description: AdapterDescription,
    /// `backend:name`, the name the GPU backend reports (`vulkan:llvmpipe (LLVM …)`), with ` #2`,
    /// ` #3`, … when several adapters share it.
    pub(crate) label: String,
    /// Whether `--adapter` (if given) selects it.
    pub(crate) selected: bool,
    /// Why a selected adapter does not run anyway (a software rasteriser `--backend auto` was
    /// not asked to take).
    pub(crate) not_run: Option<String>,
}

impl FoundAdapter {
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "label": self.label,
            "name": self.description.name,
            "backend": self.description.backend,
            "device_type": self.description.device_type,
            "driver": self.description.driver,
            "selected": self.selected,
            "software": self.description.is_software(),
            "not_run": self.not_run,
        })
    }
}

pub(crate) fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string())
}

/// The backends wgpu looks at, as a phrase for error messages.
pub(crate) fn backends_looked_at() -> String {
    match std::env::var("WGPU_BACKEND") {
        Ok(v) => format!("the backends WGPU_BACKEND={v:?} names"),
        Err(_) => "Vulkan, Metal, DX12 or GL".to_string(),
    }
}

/// Every adapter wgpu finds, labelled; a panic while enumerating is an error.
pub(crate) fn find_adapters(wanted: Option<&str>) -> Result<Vec<FoundAdapter>, String> {
    let adapters = catch_unwind(enumerate_adapters).map_err(|p| {
        format!(
            "enumerating the GPU adapters panicked: {}",
            panic_message(p)
        )
    })?;
    let wanted = wanted.map(str::to_lowercase);
    let mut seen: HashMap<String, usize> = HashMap::new();
    Ok(adapters
        .into_iter()
        .map(|adapter| {
            let description = AdapterDescription::from_info(&adapter.get_info());
            let base = format!(
                "{}:{}",
                description.backend.to_lowercase(),
                description.name
            );
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let label = if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            };
            let selected = wanted.as_deref().is_none_or(|w| {
                description.name.to_lowercase().contains(w) || label.to_lowercase().contains(w)
            });
            FoundAdapter {
                adapter,
                description,
                label,
                selected,
                not_run: None,
            }
        })
        .collect())
}

/// Opens a device on `adapter`; an error or a panic becomes the reason it is unavailable.
pub(crate) fn open(adapter: &FoundAdapter) -> Result<GpuContext, String> {
    match catch_unwind(AssertUnwindSafe(|| {
        GpuContext::from_adapter(&adapter.adapter)
    })) {
        Ok(Ok(context)) => Ok(context),
        Ok(Err(e)) => Err(e.to_string()),
        Err(p) => Err(format!(
            "opening a device on {} panicked: {}",
            adapter.label,
            panic_message(p)
        )),
    }
}

/// True when the environment asks GPU checks to fail rather than skip without an adapter
/// (`HALFPIXEL_REQUIRE_GPU=1`, set by `.ci/run`). A run that requires a GPU also covers software
/// rasterisers (lavapipe, llvmpipe) when they are all there is.
pub(crate) fn gpu_required() -> bool {
    matches!(
        std::env::var("HALFPIXEL_REQUIRE_GPU").as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}
