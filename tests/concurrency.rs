//! Concurrency and bounded caches: one `GpuContext`, `Executor` or `Operation` shared by many
//! threads gives every thread the single-threaded answer, and the caches (pipelines, tap tables,
//! prepared CPU kernels) stay within their documented bounds however many calls and input sizes
//! go through them.
//!
//! Tolerances are those of `tests/gpu_vs_cpu.rs`: nearest and pixel shuffles bit-exact, weighted
//! modes within `4 · ε · max|x| · max Σ|wy| · max Σ|wx|`.

mod common;

use halfpixel::gpu::{
    BoundOperation, BoundPreprocess, CacheStats, DType, GpuContext, TAP_CACHE_ENTRIES,
};
use halfpixel::op::KERNEL_CACHE_ENTRIES;
use halfpixel::plan::opencv::CvInterpolation;
use halfpixel::plan::ResizePlan;
use halfpixel::presets::{opencv, tf, torch};
use halfpixel::{
    CoordinateTransform, Error, Executor, InputDesc, Layout, Mode, NearestMode, Operation,
    ResizeOp, ResizeSpec,
};
use ndarray::Array4;

fn assert_send_sync<T: Send + Sync>() {}

/// Everything meant to be shared across threads is `Send + Sync` (checked at compile time).
#[test]
fn shared_types_are_send_and_sync() {
    assert_send_sync::<GpuContext>();
    assert_send_sync::<Executor>();
    assert_send_sync::<Operation>();
    assert_send_sync::<ResizeOp>();
    assert_send_sync::<BoundOperation>();
    assert_send_sync::<BoundPreprocess>();
    assert_send_sync::<CacheStats>();
    assert_send_sync::<Error>();
}

/// A spread of presets, portable specs and pixel shuffles. Every one accepts the inputs of
/// [`input_for`]: channels a multiple of 4, even heights and widths of at least 2.
fn operations() -> Vec<Operation> {
    vec![
        torch::Interpolate::size([7, 9], torch::Mode::Bilinear)
            .build()
            .unwrap(),
        torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Nearest)
            .build()
            .unwrap(),
        torch::Interpolate::scale_factor([1.5, 0.5], torch::Mode::NearestExact)
            .build()
            .unwrap(),
        torch::Interpolate::size([5, 11], torch::Mode::Bicubic)
            .align_corners(true)
            .build()
            .unwrap(),
        torch::Interpolate::size([3, 4], torch::Mode::Area)
            .build()
            .unwrap(),
        tf::Resize::new([3, 5], tf::Method::Lanczos5)
            .antialias(true)
            .build()
            .unwrap(),
        tf::ResizeV1::bilinear([9, 7], false, true).unwrap(),
        opencv::Resize::factors(1.5, 0.5, CvInterpolation::Lanczos4).unwrap(),
        Operation::from(
            ResizeSpec::new(Mode::Cubic, CoordinateTransform::HalfPixel, [6, 5])
                .with_cubic_coeff_a(-0.5)
                .with_exclude_outside(true),
        ),
        Operation::from(
            ResizeSpec::new(Mode::Nearest, CoordinateTransform::Asymmetric, [10, 3])
                .with_nearest_mode(NearestMode::Floor),
        ),
        torch::pixel_shuffle(2).unwrap(),
        torch::pixel_unshuffle(2).unwrap(),
    ]
}

/// A small pseudo-random number from a seed (splitmix64).
fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The `seed`-th input: 1–2 images, 4 or 8 channels, even sides 2–12, NCHW or NHWC.
fn input_for(seed: u64) -> (Array4<f32>, Layout) {
    let r = mix(seed);
    let n = 1 + (r % 2) as usize;
    let c = 4 * (1 + (r >> 8) % 2) as usize;
    let h = 2 * (1 + (r >> 16) % 6) as usize;
    let w = 2 * (1 + (r >> 24) % 6) as usize;
    let layout = if (r >> 32).is_multiple_of(2) {
        Layout::Nchw
    } else {
        Layout::Nhwc
    };
    let nchw = Array4::from_shape_fn((n, c, h, w), |(a, b, y, x)| {
        let v = mix(r ^ ((a * 131 + b * 31 + y * 7 + x) as u64));
        (v % 2001) as f32 / 1000.0 - 1.0
    });
    let x = match layout {
        Layout::Nchw => nchw,
        Layout::Nhwc => nchw
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .to_owned(),
    };
    (x, layout)
}

/// The largest Σ|w| over the outputs of an axis.
fn max_abs_weight_sum(axis: &halfpixel::AxisPlan) -> f32 {
    (0..axis.out_len())
        .map(|o| axis.taps(o).1.iter().map(|w| w.abs()).sum::<f32>())
        .fold(0.0, f32::max)
}

/// `tests/gpu_vs_cpu.rs`'s bound: 0 (bit-exact) for gathers and shuffles.
fn bound(plan: Option<&ResizePlan>, input: &Array4<f32>) -> f32 {
    let max_x = input.iter().fold(0f32, |a, v| a.max(v.abs()));
    match plan {
        None => 0.0,
        Some(p) if p.h.is_gather() && p.w.is_gather() => 0.0,
        Some(p) => {
            4.0 * f32::EPSILON
                * max_x.max(p.extrapolation_value.abs())
                * max_abs_weight_sum(&p.h).max(1.0)
                * max_abs_weight_sum(&p.w).max(1.0)
        }
    }
}

fn check_close(what: &str, got: &Array4<f32>, want: &Array4<f32>, tol: f32) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        let ok = if tol == 0.0 {
            g.to_bits() == w.to_bits()
        } else {
            (g - w).abs() <= tol
        };
        assert!(
            ok || (g.is_nan() && w.is_nan()),
            "{what}: element {i}: got {g}, cpu {w} (bound {tol})"
        );
    }
}

const THREADS: u64 = 8;
const CALLS_PER_THREAD: u64 = 200;

/// 8 threads × 200 resizes of varied operations, sizes and layouts on ONE context (and one set
/// of shared operations), every output checked against the CPU. Every fifth NCHW call goes
/// through MPSImage-style textures instead of buffers.
#[test]
fn threads_share_one_gpu_context() {
    let ops = operations();
    for ctx in common::contexts() {
        let label = ctx.adapter().label();
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let (ops, label) = (&ops, &label);
                s.spawn(move || {
                    for k in 0..CALLS_PER_THREAD {
                        let seed = t * 1_000_003 + k;
                        let op = &ops[(mix(seed ^ 0xA5) % ops.len() as u64) as usize];
                        let (x, layout) = input_for(seed);
                        let want = op.run_cpu(x.view(), layout).unwrap();
                        let textured = layout == Layout::Nchw && k % 5 == 0;
                        let got = if textured {
                            ctx.run_texture(op, x.view(), DType::F32)
                        } else {
                            ctx.run(op, x.view(), layout)
                        };
                        let got = got.unwrap_or_else(|e| panic!("{label} {op:?}: {e}"));
                        let desc = InputDesc {
                            dims: layout.nchw(x.dim().into()),
                            layout,
                        };
                        let plan = op.plan(&desc).unwrap();
                        let what = format!(
                            "{label} thread {t} call {k} {op:?} {:?} {layout:?} texture={textured}",
                            desc.dims
                        );
                        check_close(&what, &got, &want, bound(plan.as_ref(), &x));
                    }
                });
            }
        });
    }
}

/// 8 threads × 200 CPU runs sharing one set of operations (and their kernel caches), each
/// bit-identical to the same call on operations no other thread touches.
#[test]
fn threads_share_one_operation_on_the_cpu() {
    let shared = operations();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let shared = &shared;
            s.spawn(move || {
                let own = operations();
                for k in 0..CALLS_PER_THREAD {
                    let seed = t * 1_000_003 + k;
                    let i = (mix(seed ^ 0xA5) % shared.len() as u64) as usize;
                    let (x, layout) = input_for(seed);
                    let got = shared[i].run_cpu(x.view(), layout).unwrap();
                    let want = own[i].run_cpu(x.view(), layout).unwrap();
                    check_close(
                        &format!("thread {t} call {k} {:?}", shared[i]),
                        &got,
                        &want,
                        0.0,
                    );
                }
            });
        }
    });
    for op in &shared {
        if let Operation::Resize(r) = op {
            assert!(r.cached_kernels() <= KERNEL_CACHE_ENTRIES, "{op:?}");
        }
    }
}

/// 8 threads sharing one `Executor` (on its GPU when one opens) agree with the CPU.
#[test]
fn threads_share_one_executor() {
    let exec = Executor::with_options(halfpixel::Backend::Auto, &common::auto_options()).unwrap();
    let ops = operations();
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (exec, ops) = (&exec, &ops);
            s.spawn(move || {
                for k in 0..CALLS_PER_THREAD / 4 {
                    let seed = 77 + t * 1_000_003 + k;
                    let op = &ops[(mix(seed) % ops.len() as u64) as usize];
                    let (x, layout) = input_for(seed);
                    let got = exec.run(op, x.view(), layout).unwrap();
                    let want = op.run_cpu(x.view(), layout).unwrap();
                    let plan = op
                        .plan(&InputDesc {
                            dims: layout.nchw(x.dim().into()),
                            layout,
                        })
                        .unwrap();
                    check_close(&format!("{op:?}"), &got, &want, bound(plan.as_ref(), &x));
                }
            });
        }
    });
    assert!(exec.warnings().is_empty(), "{:?}", exec.warnings());
}

/// Ops for the cache test: nearest (gather), bilinear (direct), Lanczos downscale (two-pass)
/// and a pixel shuffle, over inputs of 1×4×h×w for h, w in 2..=13.
fn cache_ops() -> Vec<Operation> {
    vec![
        torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Nearest)
            .build()
            .unwrap(),
        torch::Interpolate::size([5, 6], torch::Mode::Bilinear)
            .build()
            .unwrap(),
        tf::Resize::new([3, 2], tf::Method::Lanczos5)
            .antialias(true)
            .build()
            .unwrap(),
        torch::pixel_shuffle(2).unwrap(),
    ]
}

const CACHE_CALLS: usize = 10_000;

/// The `i`-th input of the cache test: 1×4×h×w, h and w cycling through 2..=13 (144 shapes).
fn cache_input(i: usize) -> Array4<f32> {
    let (h, w) = (2 + i % 12, 2 + (i / 12) % 12);
    Array4::from_shape_fn((1, 4, h, w), |(_, c, y, x)| (c + y * 3 + x) as f32 * 0.125)
}

/// GPU memory wgpu's allocator has reserved, where the backend reports it (Vulkan, DX12).
fn reserved_bytes(ctx: &GpuContext) -> Option<u64> {
    ctx.device()
        .generate_allocator_report()
        .map(|r| r.total_reserved_bytes)
}

/// Largest GPU memory reservation accepted after the 10,000 calls. Measured on lavapipe: 64 MiB
/// (one block of wgpu's Vulkan allocator) after the first call, after 1,000 calls and after all
/// 10,000; the bound allows one more block, and growth per call (10,000 calls of even 8 KiB
/// each) would exceed it.
const RESERVED_BYTES_BOUND: u64 = 128 << 20;

/// 10,000 calls of varying input sizes and operations on one context: the pipeline cache never
/// holds more than one pipeline per kernel variant, the tap-table cache never more than
/// `TAP_CACHE_ENTRIES`, each operation's CPU kernel cache never more than
/// `KERNEL_CACHE_ENTRIES`, and (where wgpu reports it) reserved GPU memory stays bounded.
#[test]
fn gpu_caches_stay_bounded_over_10000_calls() {
    if common::contexts().is_empty() {
        return;
    }
    for adapter in common::adapters() {
        let ctx = GpuContext::from_adapter(&adapter).unwrap();
        let label = ctx.adapter().label();
        let ops = cache_ops();
        let started = std::time::Instant::now();
        let (mut first, mut warm, mut most) = (None, None, ctx.cache_stats());
        for i in 0..CACHE_CALLS {
            let op = &ops[i % ops.len()];
            let x = cache_input(i / ops.len());
            let got = if i % 97 == 0 {
                ctx.run_texture(op, x.view(), DType::F32)
            } else {
                ctx.run(op, x.view(), Layout::Nchw)
            };
            let got = got.unwrap_or_else(|e| panic!("{label} call {i} {op:?}: {e}"));
            let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
            let plan = op
                .plan(&InputDesc {
                    dims: x.dim().into(),
                    layout: Layout::Nchw,
                })
                .unwrap();
            let what = format!("{label} call {i} {op:?}");
            check_close(&what, &got, &want, bound(plan.as_ref(), &x));
            let stats = ctx.cache_stats();
            assert!(
                stats.pipelines <= stats.pipeline_limit,
                "{label}: {stats:?}"
            );
            assert!(stats.tap_tables <= TAP_CACHE_ENTRIES, "{label}: {stats:?}");
            most.pipelines = most.pipelines.max(stats.pipelines);
            most.tap_tables = most.tap_tables.max(stats.tap_tables);
            most.tap_table_bytes = most.tap_table_bytes.max(stats.tap_table_bytes);
            for op in &ops {
                if let Operation::Resize(r) = op {
                    assert!(r.cached_kernels() <= KERNEL_CACHE_ENTRIES, "{label}");
                }
            }
            if i == 0 {
                first = reserved_bytes(&ctx);
            }
            if i == 1_000 {
                warm = reserved_bytes(&ctx);
            }
        }
        let end = reserved_bytes(&ctx);
        eprintln!(
            "{label}: {CACHE_CALLS} calls in {:.1}s; most cached: {} pipelines (limit {}), {} tap tables (limit {TAP_CACHE_ENTRIES}, {} bytes); GPU memory reserved after 1 call {first:?}, after 1,000 {warm:?}, after {CACHE_CALLS} {end:?}",
            started.elapsed().as_secs_f64(),
            most.pipelines,
            most.pipeline_limit,
            most.tap_tables,
            most.tap_table_bytes,
        );
        assert_eq!(
            most.tap_tables, TAP_CACHE_ENTRIES,
            "{label}: the cache filled"
        );
        assert_eq!(most.pipeline_limit, 22, "11 entry points × 2 storage types");
        if let (Some(warm), Some(end)) = (warm, end) {
            assert!(end <= RESERVED_BYTES_BOUND, "{label}: {end} bytes reserved");
            assert!(
                end <= warm + (64 << 20),
                "{label}: {warm} → {end} bytes reserved"
            );
        }
    }
}

/// 10,000 CPU runs of varying input sizes through one operation: its kernel cache never holds
/// more than `KERNEL_CACHE_ENTRIES` shapes, and the most recent shapes are the ones kept.
#[test]
fn resize_op_kernel_cache_stays_bounded_over_10000_calls() {
    let op = torch::Interpolate::size([5, 6], torch::Mode::Bicubic)
        .build()
        .unwrap();
    let Operation::Resize(resize) = &op else {
        unreachable!("a torch interpolate is a resize")
    };
    let mut most = 0;
    for i in 0..CACHE_CALLS {
        let x = cache_input(i);
        op.run_cpu(x.view(), Layout::Nchw).unwrap();
        most = most.max(resize.cached_kernels());
        assert!(resize.cached_kernels() <= KERNEL_CACHE_ENTRIES);
    }
    assert_eq!(most, KERNEL_CACHE_ENTRIES, "the cache filled");
    // Shared by threads, the bound holds too.
    std::thread::scope(|s| {
        for t in 0..THREADS as usize {
            let op = &op;
            s.spawn(move || {
                for i in 0..CACHE_CALLS / THREADS as usize {
                    let x = cache_input(i * 7 + t);
                    op.run_cpu(x.view(), Layout::Nchw).unwrap();
                }
            });
        }
    });
    assert!(resize.cached_kernels() <= KERNEL_CACHE_ENTRIES);
}
