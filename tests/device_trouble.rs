//! Device trouble: a lost device, validation errors and errors reported outside any error scope
//! come back as typed errors, never as panics; `Backend::Auto` redoes a call that met a lost
//! device on the CPU and says so. Devices are lost for real, with `wgpu::Device::destroy`, on
//! fresh contexts (never on the shared ones of `common::contexts`), on every adapter.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use halfpixel::gpu::{BufferTensor, DType, GpuContext};
use halfpixel::preprocess::{FrameDesc, Normalization, PixelFormat, Preprocess};
use halfpixel::presets::torch;
use halfpixel::{Backend, Error, Executor, Layout, Operation};
use ndarray::Array4;

/// A new context per adapter, for tests that break their device. `common::contexts` decides
/// whether a machine without adapters skips (an empty list) or fails (`HALFPIXEL_REQUIRE_GPU=1`).
fn fresh_contexts() -> Vec<GpuContext> {
    if common::contexts().is_empty() {
        return Vec::new();
    }
    common::adapters()
        .iter()
        .filter_map(|a| GpuContext::from_adapter(a).ok())
        .collect()
}

fn sample(dims: (usize, usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn(dims, |(n, c, h, w)| {
        ((n * 7 + c * 5 + h * 3 + w) % 11) as f32 * 0.25 - 1.0
    })
}

fn bilinear() -> Operation {
    torch::Interpolate::size([7, 9], torch::Mode::Bilinear)
        .build()
        .unwrap()
}

fn nearest() -> Operation {
    torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Nearest)
        .build()
        .unwrap()
}

fn storage_buffer(ctx: &GpuContext, bytes: u64) -> wgpu::Buffer {
    ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("test tensor"),
        size: bytes,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    })
}

fn tensor(buffer: &wgpu::Buffer, dims: [usize; 4]) -> BufferTensor<'_> {
    BufferTensor {
        buffer,
        offset: 0,
        dims,
        layout: Layout::Nchw,
        dtype: DType::F32,
    }
}

fn assert_lost<T: std::fmt::Debug>(what: &str, ctx: &GpuContext, result: halfpixel::Result<T>) {
    match result {
        Err(Error::DeviceLost { reason }) => assert!(!reason.is_empty(), "{what}"),
        other => panic!(
            "{} {what}: expected DeviceLost, got {other:?}",
            ctx.adapter().label()
        ),
    }
}

/// After `Device::destroy`, every entry point returns `Error::DeviceLost` (no panic, no
/// half-done work), including operations bound before the loss.
#[test]
fn every_call_on_a_destroyed_device_is_device_lost() {
    let op = bilinear();
    let x = sample((1, 2, 4, 5));
    let pre = Preprocess::new(PixelFormat::Rgba, Normalization::unit())
        .with_resize(nearest())
        .with_layout(Layout::Nchw);
    let frame = vec![7u8; 4 * 4 * 4];
    for ctx in fresh_contexts() {
        assert!(!ctx.is_lost(), "{}", ctx.adapter().label());
        // Work bound before the loss.
        let input = storage_buffer(&ctx, 2 * 4 * 5 * 4);
        let output = storage_buffer(&ctx, 2 * 7 * 9 * 4);
        let (in_t, out_t) = (tensor(&input, [1, 2, 4, 5]), tensor(&output, [1, 2, 7, 9]));
        let bound = ctx.bind(&op, &in_t, &out_t).unwrap();
        let frame_buffer = storage_buffer(&ctx, frame.len() as u64);
        let pre_out = storage_buffer(&ctx, 3 * 8 * 8 * 4);
        let frame_t = halfpixel::gpu::FrameBuffer {
            buffer: &frame_buffer,
            offset: 0,
            desc: FrameDesc::new(4, 4),
        };
        let pre_t = tensor(&pre_out, [1, 3, 8, 8]);
        let bound_pre = ctx.bind_preprocess(&pre, &frame_t, &pre_t).unwrap();
        let texture = ctx.upload_texture_image(x.view(), DType::F32).unwrap();
        let image = halfpixel::gpu::TextureImage {
            texture: &texture,
            batch: 1,
            channels: 2,
        };
        assert!(ctx.run(&op, x.view(), Layout::Nchw).is_ok());

        ctx.device().destroy();
        assert!(
            ctx.is_lost(),
            "{}: is_lost after destroy",
            ctx.adapter().label()
        );

        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        assert_lost("run", &ctx, ctx.run(&op, x.view(), Layout::Nhwc));
        assert_lost(
            "run_texture",
            &ctx,
            ctx.run_texture(&op, x.view(), DType::F32),
        );
        assert_lost("encode", &ctx, ctx.encode(&mut encoder, &op, &in_t, &out_t));
        assert_lost("bind", &ctx, ctx.bind(&op, &in_t, &out_t));
        let shuffle = torch::pixel_shuffle(2).unwrap();
        let shuffled = tensor(&output, [1, 1, 4, 4]);
        let deep = tensor(&input, [1, 4, 2, 2]);
        assert_lost("bind shuffle", &ctx, ctx.bind(&shuffle, &deep, &shuffled));
        if ctx.supports_f16() {
            let half = x.mapv(half::f16::from_f32);
            assert_lost("run_f16", &ctx, ctx.run_f16(&op, half.view(), Layout::Nchw));
        }
        assert_lost(
            "upload_frame_texture",
            &ctx,
            ctx.upload_frame_texture(PixelFormat::Rgba, &frame, FrameDesc::new(4, 4)),
        );
        assert_lost("bound encode", &ctx, bound.encode(&mut encoder));
        assert_lost("bound preprocess", &ctx, bound_pre.encode(&mut encoder));
        assert_lost(
            "preprocess",
            &ctx,
            ctx.preprocess(&pre, &frame, FrameDesc::new(4, 4)),
        );
        assert_lost("read_texture_image", &ctx, ctx.read_texture_image(&image));
        assert_lost(
            "create_texture_image",
            &ctx,
            ctx.create_texture_image(4, 4, 4, 1, DType::F32, wgpu::TextureUsages::COPY_SRC),
        );
        let message = ctx
            .run(&op, x.view(), Layout::Nchw)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("create a new GpuContext") && message.contains("CPU"),
            "{message}"
        );
        eprintln!("{}: {message}", ctx.adapter().label());
    }
}

/// `Backend::Gpu` returns `DeviceLost`; `Backend::Auto` redoes the call on the CPU (the CPU's
/// exact result), drops the GPU, records one warning and says so in `describe`.
#[test]
fn auto_mode_redoes_a_lost_call_on_the_cpu() {
    let op = bilinear();
    let x = sample((2, 3, 4, 5));
    let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
    for (gpu_ctx, auto_ctx) in fresh_contexts().into_iter().zip(fresh_contexts()) {
        let label = auto_ctx.adapter().label();
        let gpu_mode = Executor::with_gpu(gpu_ctx);
        gpu_mode.gpu().unwrap().device().destroy();
        let e = gpu_mode.run(&op, x.view(), Layout::Nchw);
        assert!(matches!(e, Err(Error::DeviceLost { .. })), "{label}: {e:?}");
        assert!(gpu_mode.warnings().is_empty(), "{label}");
        assert!(gpu_mode.describe().starts_with("gpu: "), "{label}");

        let auto = Executor::with_gpu_or_cpu(auto_ctx);
        assert_eq!(auto.backend(), Backend::Auto);
        assert!(auto.run(&op, x.view(), Layout::Nchw).is_ok(), "{label}");
        assert!(auto.warnings().is_empty(), "{label}");
        auto.gpu().unwrap().device().destroy();
        for _ in 0..3 {
            let got = auto.run(&op, x.view(), Layout::Nchw).unwrap();
            assert_eq!(got, want, "{label}: the CPU's result");
        }
        assert!(auto.gpu().is_none(), "{label}: the lost GPU is dropped");
        let warnings = auto.warnings();
        assert_eq!(warnings.len(), 1, "{label}: {warnings:?}");
        assert!(
            warnings[0].contains("was lost") && warnings[0].contains("CPU"),
            "{}",
            warnings[0]
        );
        let described = auto.describe();
        assert!(
            described.starts_with("cpu (fell back: the GPU device on")
                && described.contains("lost"),
            "{described}"
        );
        assert!(auto.fallback_reason().is_some());
        eprintln!("{label}: warning: {}", warnings[0]);
    }
}

/// Threads sharing one `Auto` executor while its device is destroyed under them: every call
/// returns the CPU-identical result (nearest is bit-exact on the GPU too), and exactly one
/// warning is recorded.
#[test]
fn auto_mode_survives_a_loss_in_the_middle_of_concurrent_work() {
    let op = nearest();
    let x = sample((1, 4, 6, 5));
    let want = op.run_cpu(x.view(), Layout::Nhwc).unwrap();
    for ctx in fresh_contexts() {
        let label = ctx.adapter().label();
        let auto = Executor::with_gpu_or_cpu(ctx);
        let done = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..40 {
                        let got = auto.run(&op, x.view(), Layout::Nhwc).unwrap();
                        assert_eq!(got, want, "{label}");
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            while done.load(Ordering::Relaxed) < 30 {
                std::thread::yield_now();
            }
            if let Some(gpu) = auto.gpu() {
                gpu.device().destroy();
            }
        });
        assert_eq!(auto.warnings().len(), 1, "{label}: {:?}", auto.warnings());
        assert!(auto.gpu().is_none(), "{label}");
    }
}

/// `Executor::new(Backend::Auto)` on its own adapter falls back the same way.
#[test]
fn a_default_auto_executor_falls_back_too() {
    if common::contexts().is_empty() {
        return;
    }
    let auto = Executor::with_options(Backend::Auto, &common::auto_options()).unwrap();
    let op = nearest();
    let x = sample((1, 2, 3, 3));
    let gpu = auto.gpu().expect("an adapter opened");
    gpu.device().destroy();
    drop(gpu);
    assert_eq!(
        auto.run(&op, x.view(), Layout::Nchw).unwrap(),
        op.run_cpu(x.view(), Layout::Nchw).unwrap()
    );
    assert_eq!(auto.warnings().len(), 1);
}

/// Tensors that pass every check halfpixel can make but that the device refuses (a destroyed
/// buffer) come back as `Error::Gpu` from the error scopes, not as a panic, and the context
/// keeps working.
#[test]
fn a_buffer_the_device_refuses_is_a_gpu_error() {
    let op = bilinear();
    let x = sample((1, 1, 4, 4));
    for ctx in common::contexts() {
        let label = ctx.adapter().label();
        let input = storage_buffer(ctx, 4 * 4 * 4);
        let output = storage_buffer(ctx, 7 * 9 * 4);
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        input.destroy();
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&input, [1, 1, 4, 4]),
            &tensor(&output, [1, 1, 7, 9]),
        );
        match e {
            Err(Error::Gpu { during, reason }) => {
                assert!(!during.is_empty() && !reason.is_empty(), "{label}")
            }
            other => panic!("{label}: expected Error::Gpu, got {other:?}"),
        }
        // The same call on a live buffer works, and the context is not lost.
        let live = storage_buffer(ctx, 4 * 4 * 4);
        let mut encoder = ctx.device().create_command_encoder(&Default::default());
        ctx.encode(
            &mut encoder,
            &op,
            &tensor(&live, [1, 1, 4, 4]),
            &tensor(&output, [1, 1, 7, 9]),
        )
        .unwrap();
        assert!(!ctx.is_lost(), "{label}");
        assert!(ctx.run(&op, x.view(), Layout::Nchw).is_ok(), "{label}");
    }
}

/// Creates a buffer wgpu refuses (`MAP_READ` with `STORAGE`), outside any error scope.
fn invalid_buffer(device: &wgpu::Device) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("invalid on purpose"),
        size: 16,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    })
}

/// On a device halfpixel created, an error outside any scope (wgpu's default handler would
/// panic) is recorded and returned by the next call as `Error::Gpu`; the call after works.
#[test]
fn an_uncaptured_error_is_returned_by_the_next_call() {
    let op = nearest();
    let x = sample((1, 1, 3, 3));
    for ctx in fresh_contexts() {
        let label = ctx.adapter().label();
        let _bad = invalid_buffer(ctx.device());
        let _worse = invalid_buffer(ctx.device());
        match ctx.run(&op, x.view(), Layout::Nchw) {
            Err(Error::Gpu { during, reason }) => {
                assert!(
                    during.contains("outside an error scope"),
                    "{label}: {during}"
                );
                assert!(during.contains("2 errors"), "{label}: {during}");
                assert!(!reason.is_empty(), "{label}");
            }
            other => panic!("{label}: expected Error::Gpu, got {other:?}"),
        }
        assert_eq!(
            ctx.run(&op, x.view(), Layout::Nchw).unwrap(),
            op.run_cpu(x.view(), Layout::Nchw).unwrap(),
            "{label}"
        );
    }
}

/// Opens a device on every adapter the way an application would.
fn caller_devices() -> Vec<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo)> {
    if common::contexts().is_empty() {
        return Vec::new();
    }
    common::adapters()
        .iter()
        .filter_map(|a| {
            let (device, queue) =
                pollster::block_on(a.request_device(&wgpu::DeviceDescriptor::default())).ok()?;
            Some((device, queue, a.get_info()))
        })
        .collect()
}

/// On a caller's device halfpixel leaves the caller's uncaptured-error handler in place, still
/// catches its own calls' errors in scopes, and learns of a loss through the callback the
/// caller installs.
#[test]
fn a_callers_device_keeps_its_handlers() {
    let op = nearest();
    let x = sample((1, 1, 3, 3));
    for (device, queue, info) in caller_devices() {
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&seen);
        device.on_uncaptured_error(Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        let ctx = GpuContext::from_device(device.clone(), queue, Some(&info));
        let _bad = invalid_buffer(&device);
        assert_eq!(
            seen.load(Ordering::SeqCst),
            1,
            "{}: the caller's handler ran",
            info.name
        );
        assert!(
            ctx.run(&op, x.view(), Layout::Nchw).is_ok(),
            "{}",
            info.name
        );
        // halfpixel's own error goes to its scope, not to the caller's handler.
        let input = storage_buffer(&ctx, 9 * 4);
        let output = storage_buffer(&ctx, 36 * 4);
        input.destroy();
        let mut encoder = device.create_command_encoder(&Default::default());
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&input, [1, 1, 3, 3]),
            &tensor(&output, [1, 1, 6, 6]),
        );
        assert!(matches!(e, Err(Error::Gpu { .. })), "{}: {e:?}", info.name);
        assert_eq!(seen.load(Ordering::SeqCst), 1, "{}", info.name);
        // With halfpixel's device-lost callback installed, a destroyed device is DeviceLost.
        device.set_device_lost_callback(ctx.device_lost_callback());
        device.destroy();
        let e = ctx.run(&op, x.view(), Layout::Nchw);
        assert!(
            matches!(e, Err(Error::DeviceLost { .. })),
            "{}: {e:?}",
            info.name
        );
    }
}

/// On a caller's device without halfpixel's device-lost callback, the loss is still noticed:
/// wgpu hands out invalid buffers on a lost device without reporting an error, which no other
/// trouble does. A call is `DeviceLost`, and an `Auto` executor falls back to the CPU.
#[test]
fn a_lost_callers_device_is_noticed_without_the_callback() {
    let op = nearest();
    let x = sample((1, 1, 3, 3));
    let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
    for (device, queue, info) in caller_devices() {
        let ctx = GpuContext::from_device(device.clone(), queue, Some(&info));
        assert!(
            ctx.run(&op, x.view(), Layout::Nchw).is_ok(),
            "{}",
            info.name
        );
        device.destroy();
        let e = ctx.run(&op, x.view(), Layout::Nchw);
        assert!(
            matches!(e, Err(Error::DeviceLost { .. })),
            "{}: {e:?}",
            info.name
        );
        assert!(ctx.is_lost(), "{}", info.name);
    }
    for (device, queue, info) in caller_devices() {
        let auto = Executor::with_gpu_or_cpu(GpuContext::from_device(device.clone(), queue, None));
        device.destroy();
        assert_eq!(
            auto.run(&op, x.view(), Layout::Nchw).unwrap(),
            want,
            "{}",
            info.name
        );
        assert_eq!(auto.warnings().len(), 1, "{}", info.name);
        eprintln!("{} ({:?}): {}", info.name, info.backend, auto.warnings()[0]);
    }
}
