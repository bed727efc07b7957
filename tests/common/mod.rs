//! Shared helpers for the tests: the GPU adapters to test on (opened once), and the switch for
//! heavy tests.
//!
//! Which adapters: every adapter wgpu enumerates, software rasterisers (lavapipe, llvmpipe GL,
//! WARP, SwiftShader) included. `Backend::Auto` no longer takes a software rasteriser unless
//! asked, so the tests ask explicitly: they check the kernels, and on a machine without a GPU
//! (CI) lavapipe and llvmpipe are what they run on. Without any adapter the GPU checks skip,
//! unless `HALFPIXEL_REQUIRE_GPU=1` (set by `.ci/run`): then they fail.

#![allow(dead_code)]

use std::sync::OnceLock;

use halfpixel::gpu::{
    enumerate_adapters, software_gpu_allowed, AdapterDescription, GpuContext, GpuOptions,
};

/// The adapters the GPU tests run on: every one found, software rasterisers included, in wgpu's
/// order.
pub fn adapters() -> Vec<wgpu::Adapter> {
    enumerate_adapters()
}

/// Whether `Executor::new(Backend::Auto)` takes a GPU here: a hardware adapter, or a software
/// one that `HALFPIXEL_ALLOW_SOFTWARE_GPU=1` lets it take.
pub fn auto_takes_a_gpu() -> bool {
    enumerate_adapters().iter().any(|a| {
        software_gpu_allowed() || !AdapterDescription::from_info(&a.get_info()).is_software()
    })
}

/// Why there is nothing to test on, for messages.
pub fn no_adapter_reason() -> String {
    "no GPU adapter found (wgpu looks on Vulkan, Metal, DX12 and GL; WGPU_BACKEND narrows the \
     backends); install a driver, e.g. mesa-vulkan-drivers for the software Vulkan adapter \
     lavapipe (.ci/run does)"
        .into()
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
            "HALFPIXEL_REQUIRE_GPU=1 but {}",
            no_adapter_reason()
        );
        eprintln!("skipping GPU checks: {}", no_adapter_reason());
    }
    list
}

/// The variable that turns on the tests that need more than a few GiB of memory or minutes of
/// time (`tests/extremes.rs`'s 8 and 16 GiB tensors; `tests/identify.rs` on every corpus case
/// instead of a sample): `HALFPIXEL_HEAVY_TESTS=1`, set by `.ci/run`.
pub const HEAVY_TESTS: &str = "HALFPIXEL_HEAVY_TESTS";

/// Whether `HALFPIXEL_HEAVY_TESTS` is set to `1`, `true` or `yes`.
pub fn heavy_quiet() -> bool {
    matches!(
        std::env::var(HEAVY_TESTS).as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}

/// Whether heavy tests run; when not, says on stderr that `test` was skipped and why.
pub fn heavy(test: &str, needs: &str) -> bool {
    let on = heavy_quiet();
    if !on {
        eprintln!("SKIPPED {test}: needs {needs}; {HEAVY_TESTS}=1 runs it (.ci/run sets it)");
    }
    on
}

/// Options under which `Executor::with_options(Backend::Auto, …)` takes the adapters the tests
/// run on: a hardware GPU first, else a software rasteriser, asked for explicitly.
pub fn auto_options() -> GpuOptions {
    GpuOptions {
        allow_software: Some(true),
        ..Default::default()
    }
}

/// True when the environment asks GPU checks to fail rather than skip without an adapter
/// (`HALFPIXEL_REQUIRE_GPU=1`, set by `.ci/run`). A run that requires a GPU also covers software
/// rasterisers (lavapipe, llvmpipe) when they are all there is.
pub fn gpu_required() -> bool {
    matches!(
        std::env::var("HALFPIXEL_REQUIRE_GPU").as_deref(),
        Ok("1") | Ok("true") | Ok("yes")
    )
}

/// The data directories the corpus tests read, relative to the crate root. The published crate
/// leaves them out (Cargo.toml's `exclude`); a git checkout has them.
pub const CORPORA: [&str; 4] = [
    "tests/corpus",
    "tests/corpus-images",
    "tests/data",
    "tests/models",
];

/// True when one of the [`CORPORA`] is missing (a copy of the published crate rather than a git
/// checkout); then says on stderr that `test` is skipped and why.
pub fn corpora_absent(test: &str) -> bool {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let missing: Vec<&str> = CORPORA
        .iter()
        .copied()
        .filter(|dir| !root.join(dir).is_dir())
        .collect();
    if missing.is_empty() {
        return false;
    }
    eprintln!(
        "SKIPPED {test}: {} not here (the published crate leaves the corpora out; a git checkout \
         of halfpixel has them)",
        missing.join(", ")
    );
    true
}
