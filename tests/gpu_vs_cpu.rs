//! GPU against the CPU reference on random shapes, channel counts, layouts, storage kinds and
//! specs, on every adapter of the machine.
//!
//! Bounds: nearest, depth_to_space and space_to_depth are bit-exact (the GPU copies the element the
//! tap table names). Weighted modes evaluate the same products in the same order as the CPU; the
//! only freedom a GPU compiler has is to fuse `a + w·x` into one FMA, which changes each step by
//! at most half an ulp of its result. The bound used is therefore
//! `|gpu − cpu| ≤ 4 · ε · max|x| · max Σ|wy| · max Σ|wx|` (ε = f32::EPSILON) — a few ulps of the
//! magnitude the sum passes through — and the observed ULP distances are printed.

mod common;

use half::f16;
use halfpixel::gpu::{DType, GpuContext};
use halfpixel::plan::ResizePlan;
use halfpixel::{
    BlockOrder, BlockSpec, CoordinateTransform, InputDesc, Layout, Mode, NearestMode, Operation,
    ResizeSpec,
};
use ndarray::Array4;
use proptest::prelude::*;

fn ulp_distance(a: f32, b: f32) -> u64 {
    if a == b || (a.is_nan() && b.is_nan()) {
        return 0;
    }
    let key = |v: f32| {
        let bits = v.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    (key(a) - key(b)).unsigned_abs()
}

/// The largest Σ|w| over the outputs of an axis.
fn max_abs_weight_sum(axis: &halfpixel::AxisPlan) -> f32 {
    (0..axis.out_len())
        .map(|o| axis.taps(o).1.iter().map(|w| w.abs()).sum::<f32>())
        .fold(0.0, f32::max)
}

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

fn check_close(what: &str, got: &Array4<f32>, want: &Array4<f32>, tol: f32) -> u64 {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    let mut worst_ulp = 0;
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        if tol == 0.0 {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "{what}: element {i}: gpu {g} != cpu {w} (bit-exact expected)"
            );
        } else {
            // NaN where the plan's weights are NaN (ONNX's 0/0 renormalisation): both or neither.
            assert!(
                (g - w).abs() <= tol || (g.is_nan() && w.is_nan()),
                "{what}: element {i}: gpu {g} cpu {w} diff {} > bound {tol}",
                (g - w).abs()
            );
        }
        worst_ulp = worst_ulp.max(ulp_distance(*g, *w));
    }
    worst_ulp
}

fn to_layout(nchw: &Array4<f32>, layout: Layout) -> Array4<f32> {
    match layout {
        Layout::Nchw => nchw.clone(),
        Layout::Nhwc => nchw
            .view()
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .to_owned(),
    }
}

/// Runs `op` on every adapter through f32 buffers, f16 buffers (where supported) and MPSImage
/// textures (NCHW), comparing each with the CPU.
fn compare_everywhere(
    op: &Operation,
    input_nchw: &Array4<f32>,
    layout: Layout,
) -> Result<(), TestCaseError> {
    let input = to_layout(input_nchw, layout);
    let dims: [usize; 4] = input_nchw.dim().into();
    let Ok(cpu) = op.run_cpu(input.view(), layout) else {
        // Invalid for this shape (e.g. a block size that does not divide): the GPU must refuse too.
        for ctx in common::contexts() {
            prop_assert!(ctx.run(op, input.view(), layout).is_err());
        }
        return Ok(());
    };
    let plan = op.plan(&InputDesc { dims, layout }).unwrap();
    let tol = bound(plan.as_ref(), &input);
    for ctx in common::contexts() {
        let label = ctx.adapter().label();
        let gpu = ctx.run(op, input.view(), layout).unwrap();
        check_close(
            &format!("{label} f32 buffer {layout:?} {op:?}"),
            &gpu,
            &cpu,
            tol,
        );
        if ctx.supports_f16() {
            check_f16(ctx, op, &input, layout, tol > 0.0);
        }
        if layout == Layout::Nchw {
            let tex = ctx.run_texture(op, input_nchw.view(), DType::F32).unwrap();
            check_close(
                &format!("{label} rgba32float texture {op:?}"),
                &tex,
                &cpu,
                tol,
            );
        }
    }
    Ok(())
}

/// f16 storage: the GPU reads f16, computes in f32, stores f16. The reference is the CPU on the
/// f16-rounded input, rounded to f16: equal, or one f16 ulp apart where the f32 result sits at a
/// rounding boundary and the two computations differ in the last f32 bit.
fn check_f16(
    ctx: &GpuContext,
    op: &Operation,
    input: &Array4<f32>,
    layout: Layout,
    weighted: bool,
) {
    let input16 = input.mapv(f16::from_f32);
    let reference = op
        .run_cpu(input16.mapv(f16::to_f32).view(), layout)
        .unwrap()
        .mapv(f16::from_f32);
    let gpu = ctx.run_f16(op, input16.view(), layout).unwrap();
    for (i, (g, w)) in gpu.iter().zip(reference.iter()).enumerate() {
        let d = (g.to_bits() as i32 - w.to_bits() as i32).unsigned_abs();
        let ok = g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()) || (weighted && d <= 1);
        assert!(
            ok,
            "{} f16 {op:?}: element {i}: gpu {g} cpu {w}",
            ctx.adapter().label()
        );
    }
}

fn arb_mode() -> impl Strategy<Value = Mode> {
    prop::sample::select(Mode::ALL.to_vec())
}

fn arb_spec(in_hw: [usize; 2]) -> impl Strategy<Value = ResizeSpec> {
    let _ = in_hw;
    (
        arb_mode(),
        prop::sample::select(CoordinateTransform::ALL.to_vec()),
        prop::sample::select(NearestMode::ALL.to_vec()),
        -1.0f64..-0.3,
        any::<bool>(),
        any::<bool>(),
        (1usize..20, 1usize..20),
        prop::option::of((0.3f64..3.0, 0.3f64..3.0)),
        (
            (-0.2f64..1.2),
            (-0.2f64..1.2),
            (-0.2f64..1.2),
            (-0.2f64..1.2),
        ),
    )
        .prop_map(|(mode, ctm, nm, a, exclude, aa, (oh, ow), scale, roi)| {
            let ctm = if matches!(mode, Mode::Area | Mode::AdaptiveAvgPool) {
                CoordinateTransform::HalfPixel
            } else {
                ctm
            };
            let mut s = ResizeSpec::new(mode, ctm, [oh, ow]);
            if mode == Mode::Nearest {
                s.nearest_mode = Some(nm);
            }
            if mode == Mode::Cubic {
                s.cubic_coeff_a = Some(a);
            }
            s.exclude_outside = exclude && mode.has_window();
            s.antialias = aa && mode.supports_antialias();
            if ctm == CoordinateTransform::TfCropAndResize {
                s.roi = Some([roi.0, roi.1, roi.2, roi.3]);
                s.extrapolation_value = Some(-3.5);
            }
            s.scale = scale.map(|(a, b)| [a, b]);
            s
        })
}

fn arb_input() -> impl Strategy<Value = Array4<f32>> {
    (1usize..3, 1usize..10, 1usize..16, 1usize..16, any::<u64>()).prop_map(|(n, c, h, w, seed)| {
        let mut state = seed | 1;
        Array4::from_shape_fn((n, c, h, w), |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ((state % 20001) as f32 - 10000.0) / 2500.0
        })
    })
}

fn arb_layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(vec![Layout::Nchw, Layout::Nhwc])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn portable_resizes_match_the_cpu(input in arb_input(), spec in arb_spec([0, 0]), layout in arb_layout()) {
        compare_everywhere(&Operation::from(spec), &input, layout)?;
    }

    #[test]
    fn pixel_shuffles_match_the_cpu_bit_for_bit(
        input in arb_input(),
        block in 1usize..4,
        crd in any::<bool>(),
        to_space in any::<bool>(),
        layout in arb_layout(),
    ) {
        let spec = BlockSpec::new(block, if crd { BlockOrder::Crd } else { BlockOrder::Dcr }).unwrap();
        let op = if to_space { Operation::DepthToSpace(spec) } else { Operation::SpaceToDepth(spec) };
        compare_everywhere(&op, &input, layout)?;
    }
}

/// Every framework preset family once, through all storage kinds.
#[test]
fn presets_match_the_cpu() {
    use halfpixel::presets::{coreml, mps, opencv, tf, torch};
    let input = Array4::from_shape_fn((2, 6, 9, 11), |(n, c, h, w)| {
        ((n * 7 + c * 5 + h * 3 + w) % 17) as f32 * 0.37 - 2.0
    });
    let ops = vec![
        torch::Interpolate::size([17, 5], torch::Mode::Nearest)
            .build()
            .unwrap(),
        torch::Interpolate::scale_factor([2.3, 0.7], torch::Mode::NearestExact)
            .build()
            .unwrap(),
        torch::Interpolate::size([4, 3], torch::Mode::Bicubic)
            .antialias(true)
            .build()
            .unwrap(),
        torch::Interpolate::size([20, 24], torch::Mode::Bilinear)
            .align_corners(true)
            .build()
            .unwrap(),
        torch::Interpolate::size([5, 6], torch::Mode::Area)
            .build()
            .unwrap(),
        tf::ResizeV1::bicubic([13, 7], false, true).unwrap(),
        tf::Resize::new([3, 4], tf::Method::Lanczos5)
            .antialias(true)
            .build()
            .unwrap(),
        tf::Resize::new([12, 30], tf::Method::Gaussian)
            .build()
            .unwrap(),
        opencv::Resize::factors(1.5, 0.5, halfpixel::plan::opencv::CvInterpolation::Lanczos4)
            .unwrap(),
        opencv::Resize::dsize(7, 4, halfpixel::plan::opencv::CvInterpolation::Area).unwrap(),
        coreml::resize_bilinear([5, 17], coreml::SamplingMode::OffsetCorners).unwrap(),
        mps::MpsResize::upsampling_bilinear(3, 2, true).unwrap(),
    ];
    for op in &ops {
        for layout in [Layout::Nchw, Layout::Nhwc] {
            compare_everywhere(op, &input, layout).unwrap();
        }
    }
}

/// A crop box with a batch index reads one image of the batch.
#[test]
fn crop_resize_box_index_selects_the_batch_item() {
    use halfpixel::presets::coreml::{BoxCoordinateMode, CropResize, SamplingMode};
    let input = Array4::from_shape_fn((3, 5, 6, 7), |(n, c, h, w)| {
        (n * 1000 + c * 100 + h * 10 + w) as f32
    });
    let op = CropResize {
        target_size: [4, 5],
        bbox: [0.1, -0.2, 0.9, 1.1],
        batch_index: Some(2),
        normalized: true,
        spatial_scale: 1.0,
        box_coordinate_mode: BoxCoordinateMode::CornersHeightFirst,
        sampling_mode: SamplingMode::AlignCorners,
        pad_value: 9.5,
    }
    .build()
    .unwrap();
    for layout in [Layout::Nchw, Layout::Nhwc] {
        compare_everywhere(&op, &input, layout).unwrap();
    }
}
