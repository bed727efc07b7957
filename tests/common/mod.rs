//! Shared helpers for the GPU tests: every adapter on the machine, opened once.

#![allow(dead_code)]

use std::sync::OnceLock;

use halfpixel::gpu::{enumerate_adapters, gpu_required, GpuContext};

/// One context per adapter found (Vulkan, Metal, DX12, GL). Without any adapter this panics when
/// `HALFPIXEL_REQUIRE_GPU=1` (CI), and returns an empty list otherwise (the caller skips).
pub fn contexts() -> &'static [GpuContext] {
    static CONTEXTS: OnceLock<Vec<GpuContext>> = OnceLock::new();
    let list = CONTEXTS.get_or_init(|| {
        enumerate_adapters()
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
            "HALFPIXEL_REQUIRE_GPU=1 but no GPU adapter could be opened (install mesa-vulkan-drivers for lavapipe)"
        );
        eprintln!("no GPU adapter: skipping GPU checks");
    }
    list
}
