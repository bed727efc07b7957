//! What the README promises a library user of `halfpixel = { default-features = false,
//! features = ["gpu"] }`, checked on whatever machine runs it:
//!
//! 1. `Backend::Auto` takes the CPU when the only adapters are software rasterisers (Mesa's
//!    lavapipe and llvmpipe), and a hardware GPU when there is one.
//! 2. The app's own wgpu device, made through `halfpixel::wgpu`, is handed to halfpixel, and a
//!    resize on it gives the CPU's values.
//!
//! Exits 1 with a message when a promise does not hold; 0 otherwise. `.ci/run` runs it.

use halfpixel::gpu::GpuContext;
use halfpixel::presets::torch;
use halfpixel::{wgpu, Backend, Executor, Layout};
use ndarray::Array4;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapters = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
    let mut hardware = false;
    for a in &adapters {
        let info = a.get_info();
        println!("adapter: {} ({:?}, {:?})", info.name, info.backend, info.device_type);
        hardware |= info.device_type != wgpu::DeviceType::Cpu;
    }

    // 1. What Auto chooses.
    let auto = Executor::new(Backend::Auto)?;
    println!("Backend::Auto: {}", auto.describe());
    if let Some(ctx) = auto.gpu() {
        if !hardware || ctx.adapter().is_software() {
            return Err("Backend::Auto took a software rasteriser without being asked".into());
        }
    }

    // 2. The app's own device, through halfpixel::wgpu.
    let Some(adapter) = adapters.into_iter().next() else {
        if std::env::var_os("HALFPIXEL_REQUIRE_GPU").is_some() {
            return Err("no adapter at all, and HALFPIXEL_REQUIRE_GPU is set".into());
        }
        println!("no adapter: the embedding check is skipped");
        return Ok(());
    };
    let info = adapter.get_info();
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("fresh-app"),
        required_limits: adapter.limits(),
        ..Default::default()
    }))?;
    let ctx = GpuContext::from_device(device, queue, Some(&info));
    let op = torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Bilinear)
        .align_corners(false)
        .build()?;
    let x = Array4::from_shape_fn((1, 3, 7, 9), |(_, c, h, w)| {
        (c * 63 + h * 9 + w) as f32 * 0.37 - 11.0
    });
    let on_device = ctx.run(&op, x.view(), Layout::Nchw)?;
    let on_cpu = op.run_cpu(x.view(), Layout::Nchw)?;
    let max_diff = on_device
        .iter()
        .zip(on_cpu.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    println!(
        "the app's device ({}): bilinear ×2 of 1×3×7×9, max |GPU − CPU| = {max_diff:e}",
        info.name
    );
    if on_device.shape() != on_cpu.shape() || max_diff > 1e-5 {
        return Err(format!("the app's device differs from the CPU by {max_diff}").into());
    }
    Ok(())
}
