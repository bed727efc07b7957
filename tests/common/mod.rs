//! Shared helpers for the tests: the GPU adapters to test on (opened once), and the switch for
//! heavy tests.
//!
//! Which adapters: every hardware adapter; software rasterisers (lavapipe, llvmpipe GL, WARP,
//! SwiftShader) too when `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` asks for them, as it does for
//! `Backend::Auto`, or when `HALFPIXEL_REQUIRE_GPU=1` requires the GPU checks to run (`.ci/run`
//! sets both). Without any such adapter the GPU checks skip, unless `HALFPIXEL_REQUIRE_GPU=1`:
//! then they fail.

#![allow(dead_code)]

use std::sync::{Once, OnceLock};

use halfpixel::gpu::{
    enumerate_adapters, gpu_required, software_gpu_allowed, AdapterDescription, GpuContext,
};

/// Whether this run tests software rasterisers: `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` or
/// `HALFPIXEL_REQUIRE_GPU=1`.
pub fn software_tested() -> bool {
    software_gpu_allowed() || gpu_required()
}

/// The adapters the GPU tests run on, in wgpu's order (see the module docs). Says once on
/// stderr which software rasterisers are left out.
pub fn adapters() -> Vec<wgpu::Adapter> {
    static NOTE: Once = Once::new();
    let (mut keep, mut skipped) = (Vec::new(), Vec::new());
    for adapter in enumerate_adapters() {
        let d = AdapterDescription::from_info(&adapter.get_info());
        if d.is_software() && !software_tested() {
            skipped.push(d.backend_label());
        } else {
            keep.push(adapter);
        }
    }
    if !skipped.is_empty() {
        NOTE.call_once(|| {
            eprintln!(
                "software rasterisers not tested: {} (HALFPIXEL_ALLOW_SOFTWARE_GPU=1 or \
                 HALFPIXEL_REQUIRE_GPU=1 tests them)",
                skipped.join(", ")
            )
        });
    }
    keep
}

/// Whether `Executor::new(Backend::Auto)` takes a GPU here: a hardware adapter, or a software
/// one that `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` lets it take.
pub fn auto_takes_a_gpu() -> bool {
    enumerate_adapters().iter().any(|a| {
        software_gpu_allowed() || !AdapterDescription::from_info(&a.get_info()).is_software()
    })
}

/// Why there is nothing to test on, for messages: the adapters left out, or none found.
pub fn no_adapter_reason() -> String {
    let all: Vec<String> = enumerate_adapters()
        .iter()
        .map(|a| AdapterDescription::from_info(&a.get_info()).backend_label())
        .collect();
    if all.is_empty() {
        "no GPU adapter found (install a driver, e.g. mesa-vulkan-drivers for lavapipe)".into()
    } else {
        format!(
            "no hardware GPU adapter; software rasterisers {} are tested only with \
             HALFPIXEL_ALLOW_SOFTWARE_GPU=1 or HALFPIXEL_REQUIRE_GPU=1",
            all.join(", ")
        )
    }
}

/// One context per adapter tested ([`adapters`]). Without any this panics when
/// `HALFPIXEL_REQUIRE_GPU=1` (CI), and returns an empty list otherwise (the caller skips).
pub fn contexts() -> &'static [GpuContext] {
    static CONTEXTS: OnceLock<Vec<GpuContext>> = OnceLock::new();
    let list = CONTEXTS.get_or_init(|| {
        adapters()
            .iter()
            .filter_map(|a| match GpuContext::from_adapter(a) {
                Ok(ctx) => Some(ctx),
                Err(e) => {
                    eprintln!("cannot open {:?}: {e}", a.get_info().name);
                    None
                }
            })
            .collect()
    });
    if list.is_empty() {
        assert!(
            !gpu_required(),
            "HALFPIXEL_REQUIRE_GPU=1 but no GPU adapter could be opened (install \
             mesa-vulkan-drivers for lavapipe): {}",
            no_adapter_reason()
        );
        eprintln!("skipping GPU checks: {}", no_adapter_reason());
    }
    list
}

/// The variable that turns on the tests that need more than a few GiB of memory or minutes of
/// time (`tests/extremes.rs`'s 8 and 16 GiB tensors): `HALFPIXEL_HEAVY_TESTS=1`, set by
/// `.ci/run`.
pub const HEAVY_TESTS: &str = "HALFPIXEL_HEAVY_TESTS";

/// Whether heavy tests run; when not, says on stderr that `test` was skipped and why.
pub fn heavy(test: &str, needs: &str) -> bool {
    let on = matches!(
        std::env::var(HEAVY_TESTS).as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    );
    if !on {
        eprintln!("SKIPPED {test}: needs {needs}; {HEAVY_TESTS}=1 runs it (.ci/run sets it)");
    }
    on
}

/// Options under which `Executor::with_options(Backend::Auto, …)` takes the adapters this run
/// tests: software rasterisers too when [`software_tested`].
pub fn auto_options() -> halfpixel::gpu::GpuOptions {
    halfpixel::gpu::GpuOptions {
        allow_software: Some(software_tested()),
        ..Default::default()
    }
}
