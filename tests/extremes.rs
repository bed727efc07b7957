//! Extremes: length-1 axes, zero-length axes, element counts past 2^31 and 2^32, NaN and
//! infinite data, bad scales, rois outside [0, 1], outputs larger than memory — each either
//! computed correctly or refused with a typed error before anything is allocated.
//!
//! The two big tests allocate 8 GiB and 16 GiB outputs for real (the CPU kernels index with
//! 64-bit offsets; a 32-bit index would wrap and write zeros or the wrong pixels) and check every
//! element. They run one at a time (a lock), so the binary's peak stays near 17 GiB — which is
//! why they run only when `HALFPIXEL_HEAVY_TESTS=1` asks (`.ci/run` does): without it they say
//! they were skipped and pass, and `cargo test --release` fits a 16 GB laptop.

mod common;

use std::sync::Mutex;

use halfpixel::presets::{onnx, torch};
use halfpixel::{
    CoordinateTransform, Error, InputDesc, Layout, Mode, NearestMode, Operation, ResizeSpec,
};
use ndarray::{Array4, ArrayView4};
use rayon::prelude::*;

/// The big tests take turns.
static BIG: Mutex<()> = Mutex::new(());

fn sample(dims: (usize, usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn(dims, |(n, c, h, w)| {
        ((n * 7 + c * 13 + h * 5 + w * 3) % 97) as f32 * 0.125 - 3.0
    })
}

fn spec(mode: Mode, mapping: CoordinateTransform, out: [usize; 2]) -> Option<ResizeSpec> {
    let mut s = ResizeSpec::new(mode, mapping, out);
    match mode {
        Mode::Nearest => s = s.with_nearest_mode(NearestMode::RoundPreferFloor),
        Mode::Cubic => s = s.with_cubic_coeff_a(-0.75),
        _ => {}
    }
    if mapping == CoordinateTransform::TfCropAndResize {
        s = s.with_roi([0.0, 0.0, 1.0, 1.0], 0.0);
    }
    s.validate().ok().map(|()| s)
}

/// Every valid (mode, mapping) of the vocabulary.
fn every_spec(out: [usize; 2]) -> Vec<ResizeSpec> {
    let mut all = Vec::new();
    for mode in Mode::ALL {
        for mapping in CoordinateTransform::ALL {
            if let Some(s) = spec(mode, mapping, out) {
                all.push(s);
            }
        }
    }
    all
}

#[test]
fn an_input_of_length_1_is_replicated_by_every_mode() {
    // One source pixel per axis: every normalised filter gives that pixel back.
    let x = sample((2, 3, 1, 1));
    for s in every_spec([5, 4]) {
        let name = format!("{s:?}");
        let y = Operation::from(s)
            .run_cpu(x.view(), Layout::Nchw)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(y.dim(), (2, 3, 5, 4), "{name}");
        for ((n, c, _, _), v) in y.indexed_iter() {
            let want = x[[n, c, 0, 0]];
            assert!(
                (v - want).abs() <= 1e-6 * want.abs().max(1.0),
                "{name}: {v} vs {want}"
            );
        }
    }
}

#[test]
fn an_output_of_length_1_is_finite_and_within_the_input_range_for_positive_filters() {
    let x = sample((1, 2, 9, 7));
    let (lo, hi) = x
        .iter()
        .fold((f32::MAX, f32::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    for s in every_spec([1, 1]) {
        let positive = matches!(
            s.mode,
            Mode::Nearest | Mode::Linear | Mode::Area | Mode::AdaptiveAvgPool | Mode::Gaussian
        );
        let name = format!("{s:?}");
        let y = Operation::from(s).run_cpu(x.view(), Layout::Nchw).unwrap();
        assert_eq!(y.dim(), (1, 2, 1, 1));
        for v in y.iter() {
            assert!(v.is_finite(), "{name}: {v}");
            if positive {
                assert!(
                    *v >= lo - 1e-5 && *v <= hi + 1e-5,
                    "{name}: {v} outside [{lo}, {hi}]"
                );
            }
        }
    }
    // PyTorch samples the centre for an output of length 1 (half-pixel mapping): 9 → 1 reads
    // row 4, 7 → 1 reads column 3.
    let op = torch::Interpolate::size([1, 1], torch::Mode::Bilinear)
        .align_corners(false)
        .build()
        .unwrap();
    let y = op.run_cpu(x.view(), Layout::Nchw).unwrap();
    assert_eq!(y[[0, 1, 0, 0]], x[[0, 1, 4, 3]]);
}

#[test]
fn a_zero_length_axis_is_an_error_naming_it() {
    let op = torch::Interpolate::size([4, 4], torch::Mode::Bilinear)
        .build()
        .unwrap();
    for (dims, axis) in [
        ((0, 3, 2, 2), "batch"),
        ((1, 0, 2, 2), "channels"),
        ((1, 3, 0, 2), "height"),
        ((1, 3, 2, 0), "width"),
    ] {
        let x = Array4::<f32>::zeros(dims);
        let err = op.run_cpu(x.view(), Layout::Nchw).unwrap_err();
        assert!(
            matches!(err, Error::ZeroOrNegativeSize { .. }) && err.to_string().contains(axis),
            "{dims:?}: {err}"
        );
        let mut out = Array4::<f32>::zeros((1, 1, 1, 1));
        assert!(op
            .run_cpu_into(x.view(), Layout::Nchw, out.view_mut())
            .is_err());
        for ctx in common::contexts() {
            let err = ctx.run(&op, x.view(), Layout::Nchw).unwrap_err();
            assert!(matches!(err, Error::ZeroOrNegativeSize { .. }), "{err}");
        }
    }
    // An output size of 0, and a scale that rounds the output to 0.
    assert!(matches!(
        torch::Interpolate::size([0, 4], torch::Mode::Bilinear).build(),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
    let op = torch::Interpolate::scale_factor([0.1, 1.0], torch::Mode::Nearest)
        .build()
        .unwrap();
    let err = op
        .run_cpu(sample((1, 1, 5, 5)).view(), Layout::Nchw)
        .unwrap_err();
    assert!(matches!(err, Error::ZeroOrNegativeSize { .. }), "{err}");
    // Pixel shuffle of an empty tensor.
    let shuffle =
        Operation::DepthToSpace(halfpixel::BlockSpec::new(2, halfpixel::BlockOrder::Crd).unwrap());
    let err = shuffle
        .run_cpu(Array4::<f32>::zeros((1, 0, 3, 3)).view(), Layout::Nchw)
        .unwrap_err();
    assert!(matches!(err, Error::ZeroOrNegativeSize { .. }), "{err}");
}

#[test]
fn nan_zero_and_negative_scales_are_errors() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -2.0] {
        let built = torch::Interpolate::scale_factor([bad, 2.0], torch::Mode::Bilinear).build();
        let run = built.and_then(|op| op.run_cpu(sample((1, 1, 4, 4)).view(), Layout::Nchw));
        assert!(
            matches!(run, Err(Error::InvalidScale { .. })),
            "{bad}: {run:?}"
        );
        let s = ResizeSpec::new(Mode::Linear, CoordinateTransform::HalfPixel, [8, 8])
            .with_scale([2.0, bad]);
        assert!(
            matches!(s.validate(), Err(Error::InvalidScale { .. })),
            "{bad}"
        );
        let run = onnx::Resize::with_scales(
            13,
            onnx::ResizeAttributes::default(),
            vec![1.0, 1.0, 2.0, bad],
        )
        .and_then(|op| op.run_cpu(sample((1, 1, 4, 4)).view(), Layout::Nchw));
        assert!(run.is_err(), "onnx scales with {bad}: {run:?}");
    }
}

#[test]
fn a_roi_outside_the_unit_square_extrapolates() {
    // tf_crop_and_resize with a box twice the image, centred: the outer ring reads outside the
    // input and takes the extrapolation value; the centre reads the image.
    let x = sample((1, 1, 4, 4));
    let s = ResizeSpec::new(Mode::Linear, CoordinateTransform::TfCropAndResize, [9, 9])
        .with_roi([-0.5, -0.5, 1.5, 1.5], 7.5);
    let y = Operation::from(s).run_cpu(x.view(), Layout::Nchw).unwrap();
    assert_eq!(y[[0, 0, 0, 0]], 7.5);
    assert_eq!(y[[0, 0, 8, 8]], 7.5);
    assert_eq!(y[[0, 0, 0, 4]], 7.5);
    // Output 4 samples 0.5·(3·2) − 1.5 = 1.5 on both axes: inside.
    assert_ne!(y[[0, 0, 4, 4]], 7.5);
    assert!(y[[0, 0, 4, 4]].is_finite());
    // NaN is a legitimate fill value.
    let s = ResizeSpec::new(Mode::Nearest, CoordinateTransform::TfCropAndResize, [3, 3])
        .with_nearest_mode(NearestMode::Floor)
        .with_roi([2.0, 2.0, 3.0, 3.0], f64::NAN);
    let y = Operation::from(s).run_cpu(x.view(), Layout::Nchw).unwrap();
    assert!(y.iter().all(|v| v.is_nan()));
}

#[test]
fn nan_and_infinity_in_the_data_propagate_through_every_tap_that_reads_them() {
    let mut x = sample((1, 1, 6, 6));
    x[[0, 0, 2, 2]] = f32::NAN;
    x[[0, 0, 4, 1]] = f32::INFINITY;
    // Nearest copies bit patterns: NaN and inf land exactly where their pixel is picked.
    let nearest = torch::Interpolate::size([12, 12], torch::Mode::Nearest)
        .build()
        .unwrap();
    let y = nearest.run_cpu(x.view(), Layout::Nchw).unwrap();
    for ((_, _, h, w), v) in y.indexed_iter() {
        let src = x[[0, 0, h / 2, w / 2]];
        assert_eq!(v.to_bits(), src.to_bits(), "({h}, {w})");
    }
    // Linear: the kernels evaluate every tap in the table, zero weights included (as PyTorch's
    // CPU kernel does: 0·NaN = NaN, 0·inf = NaN). So an output is NaN when its taps on both axes
    // reach the NaN pixel, +inf when they reach the inf pixel with positive weights on both axes,
    // NaN when they reach it with a zero weight, and finite otherwise.
    let op = torch::Interpolate::size([11, 11], torch::Mode::Bilinear)
        .align_corners(true)
        .build()
        .unwrap();
    let plan = op
        .plan(&InputDesc {
            dims: [1, 1, 6, 6],
            layout: Layout::Nchw,
        })
        .unwrap()
        .unwrap();
    let y = op.run_cpu(x.view(), Layout::Nchw).unwrap();
    let weight_of = |axis: &halfpixel::AxisPlan, o: usize, i: u32| {
        let (idx, w) = axis.taps(o);
        idx.iter().zip(w).find(|(&k, _)| k == i).map(|(_, &wt)| wt)
    };
    let mut zero_weight_seen = false;
    for ((_, _, h, w), v) in y.indexed_iter() {
        let nan = weight_of(&plan.h, h, 2).is_some() && weight_of(&plan.w, w, 2).is_some();
        let inf = weight_of(&plan.h, h, 4).zip(weight_of(&plan.w, w, 1));
        if nan {
            assert!(v.is_nan(), "({h}, {w}) reads NaN: {v}");
        } else if let Some((wh, ww)) = inf {
            if wh > 0.0 && ww > 0.0 {
                assert_eq!(*v, f32::INFINITY, "({h}, {w})");
            } else {
                zero_weight_seen = true;
                assert!(v.is_nan(), "({h}, {w}) reads inf with weight 0: {v}");
            }
        } else {
            assert!(v.is_finite(), "({h}, {w}): {v}");
        }
    }
    assert!(zero_weight_seen, "the sweep reaches a zero-weight tap");
    // The GPU gives the same.
    for ctx in common::contexts() {
        let g = ctx.run(&op, x.view(), Layout::Nchw).unwrap();
        for (a, b) in g.iter().zip(y.iter()) {
            assert!(
                (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-5,
                "{}: {a} vs {b}",
                ctx.adapter().label()
            );
        }
    }
}

#[test]
fn absurd_sizes_are_refused_before_any_allocation() {
    let x = sample((1, 2, 3, 3));
    // An axis past MAX_AXIS_LEN.
    let too_long = halfpixel::error::MAX_AXIS_LEN + 1;
    let built = torch::Interpolate::size([too_long, 4], torch::Mode::Nearest).build();
    let run = built.and_then(|op| op.run_cpu(x.view(), Layout::Nchw));
    assert!(matches!(run, Err(Error::SizeTooLarge { .. })), "{run:?}");
    let s = ResizeSpec::new(
        Mode::Linear,
        CoordinateTransform::HalfPixel,
        [usize::MAX, 2],
    );
    assert!(matches!(s.validate(), Err(Error::SizeTooLarge { .. })));
    // A scale so large that the output length overflows.
    let op = torch::Interpolate::scale_factor([1e300, 1.0], torch::Mode::Nearest)
        .build()
        .unwrap();
    let err = op.run_cpu(x.view(), Layout::Nchw).unwrap_err();
    assert!(matches!(err, Error::SizeTooLarge { .. }), "{err}");
    // Pixel shuffle whose output axes overflow.
    let shuffle =
        Operation::SpaceToDepth(halfpixel::BlockSpec::new(3, halfpixel::BlockOrder::Dcr).unwrap());
    assert!(shuffle
        .output_dims(&InputDesc {
            dims: [usize::MAX / 2, 2, 3, 3],
            layout: Layout::Nchw,
        })
        .is_err());
}

#[test]
fn an_output_larger_than_memory_is_an_error_not_an_abort() {
    // 1 × 64 × 30000 × 30000 f32 = 230 GB: refused when the memory cannot be reserved.
    let x = sample((1, 64, 2, 2));
    let op = torch::Interpolate::size([30_000, 30_000], torch::Mode::Nearest)
        .build()
        .unwrap();
    let dims = op
        .output_dims(&InputDesc {
            dims: [1, 64, 2, 2],
            layout: Layout::Nchw,
        })
        .unwrap();
    assert_eq!(dims, [1, 64, 30_000, 30_000]);
    let err = op.run_cpu(x.view(), Layout::Nchw).unwrap_err();
    assert!(matches!(err, Error::OutOfMemory { .. }), "{err}");
    assert!(err.to_string().contains("230400000000 bytes"), "{err}");
    for ctx in common::contexts() {
        let err = ctx.run(&op, x.view(), Layout::Nchw).unwrap_err();
        assert!(
            matches!(err, Error::DeviceLimit { .. } | Error::OutOfMemory { .. }),
            "{}: {err}",
            ctx.adapter().label()
        );
    }
}

/// Input values that are exact in f32 and differ between neighbouring pixels.
fn index_image(h: usize, w: usize) -> Array4<f32> {
    Array4::from_shape_fn((1, 1, h, w), |(_, _, y, x)| {
        ((y % 4096) * 4096 + x % 4096) as f32
    })
}

/// Checks, row by row in parallel, that `out` is `input` upsampled by `k` with nearest.
fn check_nearest(input: ArrayView4<f32>, out: ArrayView4<f32>, k: usize, layout: Layout) {
    let [_, c, oh, ow] = layout.nchw(out.dim().into());
    (0..oh).into_par_iter().for_each(|y| {
        for x in 0..ow {
            for ch in 0..c {
                let (o, i) = match layout {
                    Layout::Nchw => (out[[0, ch, y, x]], input[[0, ch, y / k, x / k]]),
                    Layout::Nhwc => (out[[0, y, x, ch]], input[[0, y / k, x / k, ch]]),
                };
                assert_eq!(o, i, "at (c {ch}, y {y}, x {x})");
            }
        }
    });
}

#[test]
fn past_2_pow_31_elements_nhwc_every_element_is_right() {
    if !common::heavy(
        "past_2_pow_31_elements_nhwc_every_element_is_right",
        "about 8.5 GiB of memory",
    ) {
        return;
    }
    let _turn = BIG.lock().unwrap_or_else(|e| e.into_inner());
    // 1 × 4097 × 8192 × 1 → ×(8, 8), channels 1 … as NHWC with 4 channels: 1 × 16388 × 32768 × 4
    // = 2,148,007,936 elements (> 2^31).
    let input = Array4::from_shape_fn((1, 4097, 8192, 4), |(_, y, x, c)| {
        ((y % 1024) * 8192 + x * 4 + c) as f32
    });
    let op = torch::Interpolate::size([16_388, 32_768], torch::Mode::Nearest)
        .build()
        .unwrap();
    let out = op.run_cpu(input.view(), Layout::Nhwc).unwrap();
    assert!(out.len() > 1 << 31);
    assert_eq!(out.dim(), (1, 16_388, 32_768, 4));
    check_nearest(input.view(), out.view(), 4, Layout::Nhwc);
}

#[test]
fn past_2_pow_32_elements_every_element_is_right_and_gpus_refuse_cleanly() {
    if !common::heavy(
        "past_2_pow_32_elements_every_element_is_right_and_gpus_refuse_cleanly",
        "about 17 GiB of memory",
    ) {
        return;
    }
    let _turn = BIG.lock().unwrap_or_else(|e| e.into_inner());
    // 1 × 1 × 8193 × 8192 → × 8: 65,544 × 65,536 = 4,295,491,584 elements (> 2^32), 16 GiB.
    let input = index_image(8193, 8192);
    let op = torch::Interpolate::size([65_544, 65_536], torch::Mode::Nearest)
        .build()
        .unwrap();
    // The GPUs first (while memory is free): each either computes it or refuses it with the
    // limit it hits, before allocating.
    for ctx in common::contexts() {
        match ctx.run(&op, input.view(), Layout::Nchw) {
            Ok(out) => check_nearest(input.view(), out.view(), 8, Layout::Nchw),
            Err(Error::DeviceLimit {
                value,
                limit,
                limit_name,
                ..
            }) => {
                assert!(value > limit, "{limit_name}: {value} vs {limit}");
            }
            Err(e) => panic!("{}: {e}", ctx.adapter().label()),
        }
    }
    let out = op.run_cpu(input.view(), Layout::Nchw).unwrap();
    assert!(out.len() > 1 << 32);
    check_nearest(input.view(), out.view(), 8, Layout::Nchw);
}

#[test]
fn every_named_preset_refuses_bad_scales_and_sizes() {
    use halfpixel::presets::named::{all, Accepts, Request, Target};
    let dims = [1, 4, 6, 6];
    for preset in all() {
        let run = |target: Target| {
            preset
                .build(&Request {
                    target,
                    input: dims,
                    attributes: &[],
                })
                .and_then(|op| op.run_cpu(sample((1, 4, 6, 6)).view(), Layout::Nchw))
        };
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -2.0] {
            for scale in [[bad, 2.0], [2.0, bad]] {
                let got = run(Target::Scale(scale));
                assert!(
                    got.is_err(),
                    "{} with scale {scale:?}: {got:?}",
                    preset.name
                );
            }
        }
        for size in [[0, 4], [4, 0], [usize::MAX, 4]] {
            let got = run(Target::Size(size));
            assert!(got.is_err(), "{} with size {size:?}", preset.name);
        }
        let got = run(Target::Block(0));
        assert!(got.is_err(), "{} with block 0", preset.name);
        let _ = Accepts::usage(preset.accepts);
    }
}

/// Regressions found by the fuzz targets (fuzz/fuzz_targets) and the tests written with them, each
/// refused or computed at once.
#[test]
fn fuzz_findings_stay_fixed() {
    use halfpixel::presets::named::{by_name, Request, Target};
    let build = |name: &str, target: Target, input: [usize; 4]| {
        by_name(name).unwrap().build(&Request {
            target,
            input,
            attributes: &[],
        })
    };
    // named_preset: an output size of 1.4e9 × 1.8e9 made OpenCV's INTER_NEAREST_EXACT reserve
    // its positions before any check (an 11 GB allocation).
    let got = build(
        "opencv.inter_nearest_exact",
        Target::Size([1_414_812_756, 1_811_939_328]),
        [1, 1, 255, 128],
    )
    .and_then(|op| {
        op.output_dims(&InputDesc {
            dims: [1, 1, 255, 128],
            layout: Layout::Nchw,
        })
    });
    assert!(matches!(got, Err(Error::SizeTooLarge { .. })), "{got:?}");
    // named_preset: depth_to_space of a tensor with 0 channels passed as an empty result.
    let op = build("torch.pixel_shuffle", Target::Block(3), [2, 0, 5, 5]).unwrap();
    let got = op.output_dims(&InputDesc {
        dims: [2, 0, 5, 5],
        layout: Layout::Nchw,
    });
    assert!(
        matches!(got, Err(Error::ZeroOrNegativeSize { .. })),
        "{got:?}"
    );
    // resize_spec timeouts led to this: merging duplicate taps was quadratic in the window, so an
    // antialiased shrink of a long axis to a few pixels took hours; it is linear now.
    let s =
        ResizeSpec::new(Mode::Linear, CoordinateTransform::HalfPixel, [1, 2]).with_antialias(true);
    let plan = s.plan([1, 1 << 20]).unwrap();
    let (_, weights) = plan.w.taps(0);
    assert!(weights.len() > 500_000);
    let sum: f64 = weights.iter().map(|&w| w as f64).sum();
    assert!((sum - 1.0).abs() < 1e-3, "{sum}");
    // resize_spec: a user scale of 3e-169 with mode area (and likewise antialiased filters)
    // made one output's box span 1e169 source pixels: a loop that never ended. Such a scale is
    // 0 as a float32 and refused by validation now; a float32 scale still far too small for
    // the input is refused by the window check.
    for (mode, aa) in [
        (Mode::Area, false),
        (Mode::Linear, true),
        (Mode::Cubic, true),
        (Mode::Lanczos5, true),
    ] {
        let mut s = ResizeSpec::new(mode, CoordinateTransform::HalfPixel, [4, 4])
            .with_scale([2.999785261464382e-169, 1.0]);
        if mode == Mode::Cubic {
            s = s.with_cubic_coeff_a(-0.5);
        }
        let s = s.with_antialias(aa);
        assert!(s.validate().is_err());
        let s = ResizeSpec {
            scale: Some([1e-30, 1.0]),
            ..s
        };
        let err = s.plan([40, 16]).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name, .. } if name == "scale"),
            "{mode:?}: {err}"
        );
    }
    // resize_spec: nearest at a scale of 4e-302 (0 as the float32 the scale is used as) put the
    // source coordinate at infinity and the neighbour rule indexed an empty window. Such a scale
    // is refused; a tiny float32 scale puts coordinates far outside, where the edge is read.
    let s = ResizeSpec::new(Mode::Nearest, CoordinateTransform::HalfPixel, [3, 3])
        .with_nearest_mode(NearestMode::RoundPreferFloor)
        .with_scale([4.083032667357275e-302, 3.169794810760088e-154]);
    assert!(matches!(s.validate(), Err(Error::InvalidArgument { .. })));
    for mapping in CoordinateTransform::ALL {
        let Some(s) = spec(Mode::Nearest, mapping, [3, 3]) else {
            continue;
        };
        let plan = s.with_scale([1e-37, 3e37]).plan([5, 5]).unwrap();
        for axis in [&plan.h, &plan.w] {
            for o in 0..axis.out_len() {
                assert!(axis.taps(o).0.iter().all(|&i| i < 5), "{mapping:?}");
            }
        }
    }
    // A scale consistent with the sizes (output = input · scale) is never refused.
    let s = ResizeSpec::new(Mode::Lanczos5, CoordinateTransform::HalfPixel, [1, 1])
        .with_antialias(true)
        .with_scale([1.0 / 40.0, 1.0 / 16.0]);
    assert!(s.plan([40, 16]).is_ok());
    // tests/cli_robustness.rs: `--attr cubic_coeff_a=nan` became JSON null and was silently
    // dropped (and a NaN scale given to a named preset likewise).
    let attributes = [
        ("mode".to_string(), "cubic".to_string()),
        ("cubic_coeff_a".to_string(), "nan".to_string()),
    ];
    let got = by_name("onnx").unwrap().build(&Request {
        target: Target::Size([8, 8]),
        input: [1, 1, 4, 4],
        attributes: &attributes,
    });
    assert!(got.is_err(), "{got:?}");
}
