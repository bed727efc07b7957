//! [`GpuContext`]: a wgpu device and queue (its own, or the caller's), their real limits, the
//! compiled pipelines and uploaded tap tables, and what halfpixel knows of the device's health.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use crate::cpu::ResizeKernel;
use crate::error::{Error, Result};

use super::health::Watched;
use super::kernels::{KernelKey, KERNEL_VARIANTS};
use super::tables::SlotTuning;
use super::tables::TapTables;

/// How many resize kernels' tap tables a context keeps uploaded (least recently used dropped
/// first): at most 16 whatever the number of calls, operations and input shapes.
pub const TAP_CACHE_ENTRIES: usize = 16;

/// What a context's caches hold ([`GpuContext::cache_stats`]), with their bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Compiled pipelines: one per kernel variant used so far.
    pub pipelines: usize,
    /// The pipeline cache's bound: the number of kernel variants (entry point × storage type),
    /// independent of sizes, scales and operations.
    pub pipeline_limit: usize,
    /// Resize kernels (one per operation and input shape) whose tap tables are uploaded.
    pub tap_tables: usize,
    /// The tap-table cache's bound, [`TAP_CACHE_ENTRIES`].
    pub tap_table_limit: usize,
    /// Bytes of GPU buffers the cached tap tables occupy.
    pub tap_table_bytes: u64,
}

/// What halfpixel knows about the adapter behind a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdapterDescription {
    /// The adapter's name, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)` or `NVIDIA H100`.
    pub name: String,
    /// `Vulkan`, `Metal`, `Dx12` or `Gl`.
    pub backend: String,
    /// `DiscreteGpu`, `IntegratedGpu`, `Cpu`, …
    pub device_type: String,
    /// The driver and its version, where the backend reports them.
    pub driver: String,
}

impl AdapterDescription {
    /// From wgpu's adapter info.
    pub fn from_info(info: &wgpu::AdapterInfo) -> Self {
        AdapterDescription {
            name: info.name.clone(),
            backend: format!("{:?}", info.backend),
            device_type: format!("{:?}", info.device_type),
            driver: format!("{} {}", info.driver, info.driver_info)
                .trim()
                .to_string(),
        }
    }

    /// Whether the adapter is a software rasteriser running on the CPU: device type `Cpu`
    /// (Mesa's lavapipe and llvmpipe, SwiftShader, Microsoft's WARP), or a name that says so
    /// where a backend reports another type. [`Backend::Auto`](crate::Backend::Auto) takes one
    /// only when asked ([`GpuOptions::allow_software`], [`ALLOW_SOFTWARE_GPU`]).
    pub fn is_software(&self) -> bool {
        const NAMES: [&str; 5] = [
            "llvmpipe",
            "lavapipe",
            "softpipe",
            "swiftshader",
            "microsoft basic render",
        ];
        let name = self.name.to_ascii_lowercase();
        self.device_type.eq_ignore_ascii_case("cpu") || NAMES.iter().any(|n| name.contains(n))
    }

    /// `name (backend)`, the label used in reports.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.backend)
    }

    /// `backend:name` in lower-case backend, e.g. `vulkan:llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub fn backend_label(&self) -> String {
        format!("{}:{}", self.backend.to_lowercase(), self.name)
    }
}

/// The environment variable that lets [`Backend::Auto`](crate::Backend::Auto) (and the command
/// line's `--backend auto`) take a software rasteriser (lavapipe, llvmpipe, SwiftShader, WARP)
/// when no hardware GPU opens: `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` (also `true` or `yes`). Without
/// it `Auto` runs on the CPU there, which is faster than a rasteriser emulating a GPU on the
/// same cores.
pub const ALLOW_SOFTWARE_GPU: &str = "HALFPIXEL_ALLOW_SOFTWARE_GPU";

/// Whether [`ALLOW_SOFTWARE_GPU`] is set to `1`, `true` or `yes`.
pub fn software_gpu_allowed() -> bool {
    matches!(
        std::env::var(ALLOW_SOFTWARE_GPU).as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}

/// How to choose an adapter when halfpixel creates its own device.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GpuOptions {
    /// Backends to consider; `None` follows `WGPU_BACKEND` (default: all).
    pub backends: Option<wgpu::Backends>,
    /// Pick the adapter whose name contains this (case-insensitive); `None` follows
    /// `WGPU_ADAPTER_NAME`, then the power preference. Naming an adapter takes it even when it
    /// is a software rasteriser.
    pub adapter_name: Option<String>,
    /// Power preference; `None` follows `WGPU_POWER_PREF`. Among hardware adapters a discrete
    /// GPU comes first (an integrated one with `LowPower`).
    pub power_preference: Option<wgpu::PowerPreference>,
    /// Whether a software rasteriser ([`AdapterDescription::is_software`]) may be chosen when
    /// no hardware adapter is found; a hardware adapter always comes first. `Some(false)`:
    /// never; `Some(true)`: yes. `None`: yes for [`GpuContext::new`],
    /// [`GpuContext::with_options`] and [`Backend::Gpu`](crate::Backend::Gpu), which ask for a
    /// GPU; for [`Backend::Auto`](crate::Backend::Auto) only when [`ALLOW_SOFTWARE_GPU`] is set.
    pub allow_software: Option<bool>,
}

/// Why no adapter was chosen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NoChoice {
    /// No adapter at all (or none with the wanted name): the reason.
    None(String),
    /// Only software rasterisers, and they were not allowed: their labels.
    SoftwareOnly(Vec<String>),
}

impl NoChoice {
    /// The error [`GpuContext::with_options`] returns.
    pub(crate) fn into_error(self) -> Error {
        let reason = match self {
            NoChoice::None(reason) => reason,
            NoChoice::SoftwareOnly(labels) => format!(
                "no hardware GPU adapter; software rasterisers not taken: {} (set \
                 {ALLOW_SOFTWARE_GPU}=1 or GpuOptions::allow_software to use one)",
                labels.join(", ")
            ),
        };
        Error::NoAdapter { reason }
    }
}

/// Orders adapters for a power preference: hardware first (discrete, integrated, virtual, other;
/// integrated first for `LowPower`), software rasterisers last.
fn adapter_rank(description: &AdapterDescription, power: wgpu::PowerPreference) -> u8 {
    if description.is_software() {
        return 9;
    }
    let discrete = description.device_type.eq_ignore_ascii_case("discretegpu");
    let integrated = description
        .device_type
        .eq_ignore_ascii_case("integratedgpu");
    match (power, discrete, integrated) {
        (wgpu::PowerPreference::LowPower, _, true) => 0,
        (wgpu::PowerPreference::LowPower, true, _) => 1,
        (_, true, _) => 0,
        (_, _, true) => 1,
        _ if description.device_type.eq_ignore_ascii_case("virtualgpu") => 2,
        _ => 3,
    }
}

/// The adapter `options` choose (see [`GpuOptions`]), or why there is none.
pub(crate) fn choose_adapter(options: &GpuOptions) -> std::result::Result<wgpu::Adapter, NoChoice> {
    let instance = instance();
    let backends = options
        .backends
        .or_else(wgpu::Backends::from_env)
        .unwrap_or(wgpu::Backends::all());
    let wanted = options
        .adapter_name
        .clone()
        .or_else(|| std::env::var("WGPU_ADAPTER_NAME").ok())
        .map(|n| n.to_lowercase());
    let all = pollster::block_on(instance.enumerate_adapters(backends));
    if let Some(name) = &wanted {
        let names: Vec<String> = all.iter().map(|a| a.get_info().name).collect();
        return all
            .into_iter()
            .find(|a| a.get_info().name.to_lowercase().contains(name.as_str()))
            .ok_or_else(|| {
                NoChoice::None(format!(
                    "no adapter name contains '{name}' on backends {backends:?}; adapters found: \
                     {names:?}"
                ))
            });
    }
    if all.is_empty() {
        return Err(NoChoice::None(format!(
            "wgpu found no adapter on backends {backends:?}; install a driver (e.g. \
             mesa-vulkan-drivers for the software Vulkan adapter lavapipe) or choose backends \
             with WGPU_BACKEND"
        )));
    }
    let power = options
        .power_preference
        .or_else(wgpu::PowerPreference::from_env)
        .unwrap_or_default();
    let allow_software = options.allow_software.unwrap_or(true);
    let mut ranked: Vec<(u8, usize, AdapterDescription, wgpu::Adapter)> = all
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            let d = AdapterDescription::from_info(&a.get_info());
            (adapter_rank(&d, power), i, d, a)
        })
        .collect();
    ranked.sort_by_key(|(rank, i, _, _)| (*rank, *i));
    let skipped: Vec<String> = ranked
        .iter()
        .filter(|(_, _, d, _)| d.is_software())
        .map(|(_, _, d, _)| d.backend_label())
        .collect();
    ranked
        .into_iter()
        .find(|(_, _, d, _)| allow_software || !d.is_software())
        .map(|(_, _, _, a)| a)
        .ok_or(NoChoice::SoftwareOnly(skipped))
}

/// A GPU device and queue with halfpixel's compiled pipelines.
///
/// Create one with [`GpuContext::new`] (its own device, chosen by wgpu's `WGPU_BACKEND` /
/// `WGPU_ADAPTER_NAME` / `WGPU_POWER_PREF` conventions), [`GpuContext::with_options`], or wrap the
/// device and queue your application already has with [`GpuContext::from_device`]. Pipelines are
/// compiled once per kernel variant and cached; sizes, scales and taps are run-time data.
///
/// A context is `Send + Sync`: share one (`Arc<GpuContext>` or `&GpuContext`) across threads.
/// wgpu's error scopes are per thread, so each call's errors come back to the thread that made
/// it.
///
/// **Device trouble.** Every call first checks the device: a lost device (a driver reset, an
/// unplugged GPU, `wgpu::Device::destroy`) is [`Error::DeviceLost`] from then on, before any work
/// is done; validation, out-of-memory and internal errors during a call are [`Error::Gpu`]. On a
/// device halfpixel creates itself, errors reported outside any error scope (by work the
/// application records on [`device`](Self::device)) are recorded, not panicked on, and returned
/// as [`Error::Gpu`] by the next call.
pub struct GpuContext {
    watched: Watched,
    queue: wgpu::Queue,
    adapter: AdapterDescription,
    /// Compiled pipelines, one per kernel variant: at most [`CacheStats::pipeline_limit`] (20).
    pub(crate) pipelines: Mutex<HashMap<KernelKey, wgpu::ComputePipeline>>,
    /// Tap tables uploaded for the resize kernels of operations (most recently used first), at
    /// most [`TAP_CACHE_ENTRIES`]. The kernel is held, so its address identifies it for as long
    /// as the entry lives.
    taps: Mutex<Vec<(Arc<ResizeKernel>, TapTables)>>,
}

impl fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.adapter)
            .finish_non_exhaustive()
    }
}

/// The instance halfpixel uses to find adapters: wgpu's environment conventions
/// (`WGPU_BACKEND`, …), no display handle.
pub fn instance() -> wgpu::Instance {
    wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env())
}

/// Every adapter the instance can see, on every backend built in (Vulkan, Metal, DX12, GL).
pub fn enumerate_adapters() -> Vec<wgpu::Adapter> {
    let instance = instance();
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    pollster::block_on(instance.enumerate_adapters(backends))
}

impl GpuContext {
    /// A context on the adapter wgpu's environment variables choose (`WGPU_ADAPTER_NAME`,
    /// `WGPU_BACKEND`, `WGPU_POWER_PREF`): a hardware GPU when there is one (discrete first),
    /// else a software rasteriser (see [`GpuOptions::allow_software`]).
    pub fn new() -> Result<Self> {
        GpuContext::with_options(&GpuOptions::default())
    }

    /// A context on the adapter `options` choose (`wgpu::Instance::enumerate_adapters`, then
    /// `Adapter::request_device`): the adapter named, else the best hardware adapter for the
    /// power preference, else — where [`GpuOptions::allow_software`] allows — a software
    /// rasteriser. Errors: [`Error::NoAdapter`] saying what was found and how to use it.
    pub fn with_options(options: &GpuOptions) -> Result<Self> {
        let adapter = choose_adapter(options).map_err(NoChoice::into_error)?;
        GpuContext::from_adapter(&adapter)
    }

    /// A context with its own device on `adapter` (`Adapter::request_device`), asking for the
    /// adapter's real limits and, where available, `SHADER_F16` and timestamp queries. halfpixel
    /// installs its own uncaptured-error handler and device-lost callback on the device.
    pub fn from_adapter(adapter: &wgpu::Adapter) -> Result<Self> {
        GpuContext::from_adapter_with_limits(adapter, adapter.limits())
    }

    /// Like [`GpuContext::from_adapter`], with the limits the device is created with (at most the
    /// adapter's). Smaller limits make halfpixel split work into more dispatches.
    pub fn from_adapter_with_limits(adapter: &wgpu::Adapter, limits: wgpu::Limits) -> Result<Self> {
        let info = adapter.get_info();
        let wanted = wgpu::Features::SHADER_F16
            | wgpu::Features::TIMESTAMP_QUERY
            | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS;
        let features = adapter.features() & wanted;
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("halfpixel"),
            required_features: features,
            required_limits: limits,
            ..Default::default()
        };
        let (device, queue) =
            pollster::block_on(adapter.request_device(&descriptor)).map_err(|e| {
                Error::NoAdapter {
                    reason: format!(
                        "cannot open a device on {} ({:?}): {e}",
                        info.name, info.backend
                    ),
                }
            })?;
        let context = GpuContext::wrap(device, queue, AdapterDescription::from_info(&info));
        context.watched.install_handlers();
        Ok(context)
    }

    /// Wraps the device and queue an application already owns. halfpixel uses only the features
    /// and limits the device was created with (`device.features()`, `device.limits()`).
    ///
    /// halfpixel leaves the device's handlers alone: it does not replace the application's
    /// uncaptured-error handler (`Device::on_uncaptured_error`; wgpu's default panics) or
    /// device-lost callback (`Device::set_device_lost_callback`). Errors of halfpixel's own calls
    /// are caught in error scopes either way. To have halfpixel notice a lost device before
    /// anything is created, install [`device_lost_callback`](Self::device_lost_callback) (or call
    /// it from your own). Without it, halfpixel notices the loss when it next creates a buffer
    /// (every `run`, `encode` and `bind` does): wgpu hands out an invalid buffer without
    /// reporting an error, which only a lost device does. Encoding an already bound operation
    /// creates nothing, so on a lost caller's device it records nothing and says nothing, like
    /// any other wgpu call there.
    pub fn from_device(
        device: wgpu::Device,
        queue: wgpu::Queue,
        adapter: Option<&wgpu::AdapterInfo>,
    ) -> Self {
        let description = adapter
            .map(AdapterDescription::from_info)
            .unwrap_or_else(|| AdapterDescription {
                name: "caller's device".into(),
                backend: "unknown".into(),
                device_type: "unknown".into(),
                driver: String::new(),
            });
        GpuContext::wrap(device, queue, description)
    }

    fn wrap(device: wgpu::Device, queue: wgpu::Queue, adapter: AdapterDescription) -> Self {
        GpuContext {
            watched: Watched::new(device),
            queue,
            adapter,
            pipelines: Mutex::new(HashMap::new()),
            taps: Mutex::new(Vec::new()),
        }
    }

    /// The device.
    pub fn device(&self) -> &wgpu::Device {
        self.watched.device()
    }

    /// The device and its health, for bound operations that outlive a borrow of the context.
    pub(crate) fn watched(&self) -> &Watched {
        &self.watched
    }

    /// Whether the device is lost: halfpixel's device-lost callback fired
    /// ([`device_lost_callback`](Self::device_lost_callback)), `Device::poll` panicked (which
    /// wgpu does when the driver reports the loss), or wgpu handed halfpixel an invalid buffer
    /// without reporting an error (which only a lost device does). Polls the device once without blocking
    /// (`Device::poll` with `PollType::Poll`), which is when wgpu delivers the notice of a
    /// destroyed device. A lost device stays lost: create a new context, or use the CPU.
    pub fn is_lost(&self) -> bool {
        self.watched.is_lost()
    }

    /// A callback for `Device::set_device_lost_callback` that tells this context its device is
    /// lost. Contexts on their own device install it themselves; on a caller's device
    /// ([`from_device`](Self::from_device)) install it, or call it from your own callback
    /// (wgpu keeps one callback per device).
    pub fn device_lost_callback(&self) -> impl Fn(wgpu::DeviceLostReason, String) + Send + 'static {
        self.watched.device_lost_callback()
    }

    /// A handler for `Device::on_uncaptured_error` that records the error and has the context's
    /// next call return it as [`Error::Gpu`] (instead of wgpu's default handler, which panics).
    /// Contexts on their own device install it themselves.
    pub fn uncaptured_error_handler(&self) -> impl Fn(wgpu::Error) + Send + Sync + 'static {
        self.watched.uncaptured_error_handler()
    }

    /// What the context's caches hold, and their bounds: pipelines (one per kernel variant,
    /// [`CacheStats::pipeline_limit`]) and uploaded tap tables ([`TAP_CACHE_ENTRIES`]). Neither
    /// grows with the number of calls, sizes or operations past its bound.
    pub fn cache_stats(&self) -> CacheStats {
        let pipelines = self.pipeline_cache().len();
        let taps = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        CacheStats {
            pipelines,
            pipeline_limit: KERNEL_VARIANTS,
            tap_tables: taps.len(),
            tap_table_limit: TAP_CACHE_ENTRIES,
            tap_table_bytes: taps.iter().map(|(_, t)| t.buffer.size()).sum(),
        }
    }

    /// The queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// The adapter behind the device.
    pub fn adapter(&self) -> &AdapterDescription {
        &self.adapter
    }

    /// The device's limits (the adapter's real limits when halfpixel created the device).
    pub fn limits(&self) -> wgpu::Limits {
        self.device().limits()
    }

    /// How much work one invocation of the slot kernels takes on, for this adapter.
    pub(crate) fn slot_tuning(&self) -> SlotTuning {
        if self.adapter.is_software() {
            SlotTuning::SOFTWARE
        } else {
            SlotTuning::GPU
        }
    }

    /// Whether the device runs on wgpu's GL backend.
    pub(crate) fn is_gl(&self) -> bool {
        self.adapter.backend.eq_ignore_ascii_case("gl")
    }

    /// Whether the device can store f16 tensors (`SHADER_F16`).
    pub fn supports_f16(&self) -> bool {
        self.device()
            .features()
            .contains(wgpu::Features::SHADER_F16)
    }

    /// Runs `f` inside error scopes and returns the first error the device reported meanwhile as
    /// [`Error::Gpu`] ([`Error::DeviceLost`] on a lost device).
    pub(crate) fn scoped<T>(&self, during: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        self.watched.scoped(during, f)
    }

    /// The check every public entry point makes before any work ([`Watched::check`]).
    pub(crate) fn check(&self) -> Result<()> {
        self.watched.check()
    }

    /// The tap tables of an operation's resize kernel, uploaded on first use and kept (at most
    /// [`TAP_CACHE_ENTRIES`], least recently used dropped). An upload the device refuses is
    /// returned as an error and not cached.
    pub(crate) fn kernel_taps(&self, kernel: &Arc<ResizeKernel>) -> Result<TapTables> {
        // Every change is one Vec operation: a poisoned lock still holds a consistent list.
        let mut cache = self.taps.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = cache.iter().position(|(k, _)| Arc::ptr_eq(k, kernel)) {
            let hit = cache.remove(at);
            let taps = hit.1.clone();
            cache.insert(0, hit);
            return Ok(taps);
        }
        let taps = self.scoped("uploading tap tables", || {
            TapTables::upload(&self.watched, kernel.plan())
        })?;
        cache.insert(0, (kernel.clone(), taps.clone()));
        cache.truncate(TAP_CACHE_ENTRIES);
        Ok(taps)
    }

    /// Maps a read-back buffer (its copy submitted), waits, and hands its bytes to `read`.
    pub(crate) fn read_mapped<T>(
        &self,
        buffer: &wgpu::Buffer,
        during: &str,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T> {
        self.watched.read_mapped(buffer, during, read)
    }
}
