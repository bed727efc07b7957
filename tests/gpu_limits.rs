//! Limits: work larger than one storage binding is split, and a grid larger than the device's is
//! walked, still producing one correct output; what cannot be done is refused with a typed error.

mod common;

use halfpixel::gpu::{DType, GpuContext};
use halfpixel::presets::torch;
use halfpixel::{BlockOrder, BlockSpec, Error, Layout, Operation};
use ndarray::Array4;

fn pattern(dims: (usize, usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn(dims, |(n, c, h, w)| {
        (((n * 31 + c * 17 + h * 7 + w * 3) % 101) as f32) * 0.25 - 12.0
    })
}

fn assert_same(what: &str, got: &Array4<f32>, want: &Array4<f32>, tol: f32) {
    assert_eq!(got.dim(), want.dim(), "{what}");
    let worst = got
        .iter()
        .zip(want.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst <= tol, "{what}: max difference {worst} > {tol}");
}

/// Runs every op on `input` (NCHW, and the same values as NHWC) on `ctx` and on the CPU, and
/// asserts the results agree within `tol`.
fn assert_gpu_matches_cpu(ctx: &GpuContext, ops: &[Operation], input: &Array4<f32>, tol: f32) {
    for op in ops {
        for layout in [Layout::Nchw, Layout::Nhwc] {
            let x = match layout {
                Layout::Nchw => input.clone(),
                Layout::Nhwc => input
                    .view()
                    .permuted_axes([0, 2, 3, 1])
                    .as_standard_layout()
                    .to_owned(),
            };
            let cpu = op.run_cpu(x.view(), layout).unwrap();
            let gpu = ctx.run(op, x.view(), layout).unwrap();
            let what = format!("{} {layout:?} {op:?}", ctx.adapter().label());
            assert_same(&what, &gpu, &cpu, tol);
        }
    }
}

/// A context on every adapter, each with the adapter's limits as `lower` changes them.
fn contexts_with(lower: impl Fn(wgpu::Limits) -> wgpu::Limits) -> Vec<GpuContext> {
    if common::contexts().is_empty() {
        return Vec::new();
    }
    common::adapters()
        .iter()
        .filter_map(|a| GpuContext::from_adapter_with_limits(a, lower(a.limits())).ok())
        .collect()
}

/// Contexts whose storage bindings hold only 64 KiB, so that small tensors take many chunks.
fn small_binding_contexts() -> Vec<GpuContext> {
    contexts_with(|limits| wgpu::Limits {
        max_storage_buffer_binding_size: 64 * 1024,
        ..limits
    })
}

#[test]
fn chunks_smaller_than_the_tensor_produce_one_correct_output() {
    let ops = [
        torch::Interpolate::size([70, 90], torch::Mode::Bilinear)
            .build()
            .unwrap(),
        torch::Interpolate::size([23, 31], torch::Mode::Bicubic)
            .antialias(true)
            .build()
            .unwrap(),
        torch::Interpolate::size([61, 77], torch::Mode::Nearest)
            .build()
            .unwrap(),
        Operation::DepthToSpace(BlockSpec::new(2, BlockOrder::Dcr).unwrap()),
        Operation::SpaceToDepth(BlockSpec::new(2, BlockOrder::Crd).unwrap()),
    ];
    let input = pattern((2, 12, 50, 64));
    for ctx in small_binding_contexts() {
        assert_gpu_matches_cpu(&ctx, &ops, &input, 1e-4);
    }
}

/// Contexts that allow only 2 workgroups per dispatch dimension, so every kernel's grid is smaller
/// than its work and the kernels walk it (`shaders/slots.wgsl`).
fn tiny_dispatch_contexts() -> Vec<GpuContext> {
    contexts_with(|limits| wgpu::Limits {
        max_compute_workgroups_per_dimension: 2,
        ..limits
    })
}

#[test]
fn grids_smaller_than_the_work_are_walked() {
    // Every kernel: gather (nearest), direct2 (bilinear), direct4 (bicubic), rows + cols
    // (antialiased shrink), and both rearrangements, on rows longer than 2 workgroups (300
    // elements), more slots than 2 workgroups hold, and more planes than 2 z steps.
    let ops = [
        torch::Interpolate::size([37, 300], torch::Mode::Nearest)
            .build()
            .unwrap(),
        torch::Interpolate::size([37, 300], torch::Mode::Bilinear)
            .build()
            .unwrap(),
        torch::Interpolate::size([37, 300], torch::Mode::Bicubic)
            .align_corners(true)
            .build()
            .unwrap(),
        torch::Interpolate::size([9, 20], torch::Mode::Bilinear)
            .antialias(true)
            .build()
            .unwrap(),
        Operation::DepthToSpace(BlockSpec::new(2, BlockOrder::Crd).unwrap()),
        Operation::SpaceToDepth(BlockSpec::new(2, BlockOrder::Dcr).unwrap()),
    ];
    let input = pattern((3, 8, 30, 160));
    let contexts = tiny_dispatch_contexts();
    assert_eq!(
        contexts.len(),
        common::contexts().len(),
        "a tiny-dispatch context per adapter"
    );
    for ctx in contexts {
        assert_gpu_matches_cpu(&ctx, &ops, &input, 0.0);
        // The MPSImage-style texture kernels walk the same way.
        for op in &ops {
            let cpu = op.run_cpu(input.view(), Layout::Nchw).unwrap();
            let gpu = ctx.run_texture(op, input.view(), DType::F32).unwrap();
            let what = format!("{} texture {op:?}", ctx.adapter().label());
            assert_same(&what, &gpu, &cpu, 0.0);
        }
    }
}

#[test]
fn a_single_row_larger_than_a_binding_is_refused() {
    let op = torch::Interpolate::size([1, 40_000], torch::Mode::Bilinear)
        .build()
        .unwrap();
    let x = pattern((1, 1, 1, 20_000));
    for ctx in small_binding_contexts() {
        match ctx.run(&op, x.view(), Layout::Nchw) {
            Err(Error::DeviceLimit { limit_name, .. }) => {
                assert_eq!(limit_name, "max_storage_buffer_binding_size")
            }
            other => panic!(
                "{}: expected a DeviceLimit error, got {other:?}",
                ctx.adapter().label()
            ),
        }
    }
}

/// A tensor over 128 MiB (the default storage binding limit, and lavapipe's): W6-like bilinear
/// 2× of 34 channels, 512² → 1024² (136 MiB out), NCHW and NHWC, and a space_to_depth of it.
#[test]
fn tensors_past_the_default_binding_limit() {
    let input = pattern((1, 34, 512, 512));
    let op = torch::Interpolate::size([1024, 1024], torch::Mode::Bilinear)
        .build()
        .unwrap();
    let out_bytes = 34u64 * 1024 * 1024 * 4;
    for ctx in common::contexts() {
        let limit = ctx.limits().max_storage_buffer_binding_size;
        if out_bytes <= limit || ctx.limits().max_buffer_size < out_bytes {
            eprintln!(
                "{}: binding limit {limit} holds the tensor (or buffers cannot): nothing to split",
                ctx.adapter().label()
            );
            continue;
        }
        for layout in [Layout::Nchw, Layout::Nhwc] {
            let x = match layout {
                Layout::Nchw => input.clone(),
                Layout::Nhwc => input
                    .view()
                    .permuted_axes([0, 2, 3, 1])
                    .as_standard_layout()
                    .to_owned(),
            };
            let cpu = op.run_cpu(x.view(), layout).unwrap();
            let gpu = ctx.run(&op, x.view(), layout).unwrap();
            assert_same(
                &format!("{} {layout:?} 136 MiB bilinear", ctx.adapter().label()),
                &gpu,
                &cpu,
                1e-4,
            );
            let s2d = Operation::SpaceToDepth(BlockSpec::new(2, BlockOrder::Dcr).unwrap());
            let big = cpu;
            let cpu2 = s2d.run_cpu(big.view(), layout).unwrap();
            let gpu2 = ctx.run(&s2d, big.view(), layout).unwrap();
            assert!(
                gpu2 == cpu2,
                "{} {layout:?} 136 MiB space_to_depth",
                ctx.adapter().label()
            );
        }
    }
}
