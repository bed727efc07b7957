//! Property tests of the axis plans, the one source of geometry: for random specs of the whole
//! vocabulary and random framework presets over random sizes, every source index lies in the
//! input, every weight is finite, normalised filters sum to 1, and nearest picks source pixels
//! in order when the mapping is monotone (up to one documented quirk of ONNX's reference).

use halfpixel::plan::portable;
use halfpixel::presets::named::{all, Kind, Request, Target};
use halfpixel::{
    AxisPlan, CoordinateTransform, InputDesc, Layout, Mode, NearestMode, Operation, ResizeSpec,
};
use proptest::prelude::*;

/// Indices in range, counts within the padded width, extrapolated outputs without taps.
fn check_structure(axis: &AxisPlan) -> Result<(), TestCaseError> {
    prop_assert_eq!(axis.counts().len(), axis.out_len());
    for o in 0..axis.out_len() {
        let (indices, weights) = axis.taps(o);
        prop_assert!(indices.len() <= axis.width());
        prop_assert_eq!(indices.len(), weights.len());
        if axis.is_extrapolated(o) {
            prop_assert!(indices.is_empty(), "output {} extrapolates but has taps", o);
        }
        for &i in indices {
            prop_assert!(
                (i as usize) < axis.in_len(),
                "output {}: index {} of {}",
                o,
                i,
                axis.in_len()
            );
        }
    }
    Ok(())
}

/// Weights finite and summing to 1 (within the float32 rounding of the weights) for every output
/// that reads the input.
fn check_normalised(axis: &AxisPlan, what: &str) -> Result<(), TestCaseError> {
    for o in 0..axis.out_len() {
        if axis.is_extrapolated(o) {
            continue;
        }
        let (_, weights) = axis.taps(o);
        prop_assert!(
            weights.iter().all(|w| w.is_finite()),
            "{}: output {}: {:?}",
            what,
            o,
            weights
        );
        let sum: f64 = weights.iter().map(|&w| w as f64).sum();
        let abs: f64 = weights.iter().map(|&w| (w as f64).abs()).sum();
        // Where a framework evaluates its filter polynomial in float32 (ONNX's and PyTorch's
        // cubic), each weight carries the rounding of terms up to |a|·|x|³ ≈ 6: a few tens of
        // ulps of the sum, not a missing or doubled tap (which would be off by 0.01 or more).
        let tolerance = 64.0 * f32::EPSILON as f64 * abs.max(1.0);
        prop_assert!(
            (sum - 1.0).abs() <= tolerance,
            "{}: output {} sums to {} ({:?})",
            what,
            o,
            sum,
            weights
        );
    }
    Ok(())
}

/// Nearest: one tap per output, source indices non-decreasing in the output index.
fn check_monotone_nearest(axis: &AxisPlan, what: &str) -> Result<(), TestCaseError> {
    let mut last = 0u32;
    for o in 0..axis.out_len() {
        if axis.is_extrapolated(o) {
            continue;
        }
        let (indices, _) = axis.taps(o);
        prop_assert_eq!(indices.len(), 1, "{}: output {}", what, o);
        prop_assert!(
            indices[0] >= last,
            "{}: output {} reads {} after {}",
            what,
            o,
            indices[0],
            last
        );
        last = indices[0];
    }
    Ok(())
}

/// Nearest in ONNX's reference semantics: monotone, except that the reference finds the
/// neighbours of `x` from `x + 1` in float64, which rounds an `x` a few ulps above an integer `k`
/// down to `k` and then picks `k − 1` (reproduced on purpose, see `onnx_nearest_index`): a step
/// back of exactly 1, at such an `x` only.
fn check_nearest_onnx(axis: &AxisPlan, spec: &ResizeSpec, what: &str) -> Result<(), TestCaseError> {
    let coordinates = spec.scale.is_none().then(|| {
        portable::source_coordinates(
            spec.coordinate_transformation_mode,
            axis.in_len(),
            axis.out_len(),
        )
    });
    let mut last: Option<u32> = None;
    for o in 0..axis.out_len() {
        if axis.is_extrapolated(o) {
            continue;
        }
        let (indices, _) = axis.taps(o);
        prop_assert_eq!(indices.len(), 1, "{}: output {}", what, o);
        let i = indices[0];
        if let Some(prev) = last.filter(|&p| i < p) {
            prop_assert_eq!(
                prev - i,
                1,
                "{}: output {} steps back from {} to {}",
                what,
                o,
                prev,
                i
            );
            if let Some(x) = coordinates.as_ref().and_then(|c| c[o]) {
                let above = x - x.round();
                prop_assert!(
                    above > 0.0 && above <= 8.0 * f64::EPSILON * x.abs().max(1.0),
                    "{}: output {} (x = {}) steps back from {} to {}",
                    what,
                    o,
                    x,
                    prev,
                    i
                );
            }
        }
        last = Some(i);
    }
    Ok(())
}

fn arb_mode() -> impl Strategy<Value = Mode> {
    proptest::sample::select(Mode::ALL.to_vec())
}

fn arb_mapping() -> impl Strategy<Value = CoordinateTransform> {
    proptest::sample::select(CoordinateTransform::ALL.to_vec())
}

/// Valid portable specs: every mode and mapping, sizes 1..=70 (and input lengths 1..=70),
/// with and without a user scale, antialias and exclude_outside where the mode takes them.
fn arb_spec() -> impl Strategy<Value = (ResizeSpec, [usize; 2])> {
    (
        arb_mode(),
        arb_mapping(),
        proptest::sample::select(NearestMode::ALL.to_vec()),
        -1.0f64..0.0,
        any::<bool>(),
        any::<bool>(),
        [1usize..=70, 1usize..=70],
        [1usize..=70, 1usize..=70],
        proptest::option::of([0.05f64..8.0, 0.05f64..8.0]),
        [-0.5f64..0.5, -0.5f64..0.5, 0.5f64..1.5, 0.5f64..1.5],
    )
        .prop_filter_map(
            "the spec validates",
            |(mode, mapping, nearest, a, aa, exclude, out, input, scale, roi)| {
                let mut s = ResizeSpec::new(mode, mapping, out);
                if mode == Mode::Nearest {
                    s = s.with_nearest_mode(nearest);
                }
                if mode == Mode::Cubic {
                    s = s.with_cubic_coeff_a(a);
                }
                if mode.supports_antialias() {
                    s = s.with_antialias(aa);
                }
                if mode.has_window() && mode != Mode::Nearest {
                    s = s.with_exclude_outside(exclude);
                }
                if mapping == CoordinateTransform::TfCropAndResize {
                    s = s.with_roi(roi, -1.0);
                }
                if let Some(scale) = scale {
                    s = s.with_scale(scale);
                }
                s.validate().ok().map(|()| (s, input))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn portable_plans_keep_their_invariants((spec, input) in arb_spec()) {
        let what = format!("{spec:?} on {input:?}");
        let plan = match spec.plan(input) {
            Ok(plan) => plan,
            // Only a scale inconsistent with the output size may be refused.
            Err(e) => {
                prop_assert!(spec.scale.is_some(), "{}: {}", what, e);
                return Ok(());
            }
        };
        for axis in [&plan.h, &plan.w] {
            check_structure(axis)?;
            // With a user scale the window may lie wholly outside the input (exclude_outside
            // then leaves nothing to normalise: NaN, as ONNX's reference gives).
            let consistent = spec.scale.is_none();
            let normalised = spec.mode != Mode::Nearest && (consistent || !spec.exclude_outside);
            if normalised {
                check_normalised(axis, &what)?;
            }
            let ordered_roi = spec.roi.is_none_or(|r| r[0] <= r[2] && r[1] <= r[3]);
            if spec.mode == Mode::Nearest && ordered_roi {
                check_nearest_onnx(axis, &spec, &what)?;
            }
        }
    }

    #[test]
    fn preset_plans_keep_their_invariants(
        preset in proptest::sample::select(resize_presets()),
        out in [1usize..=60, 1usize..=60],
        scale in [0.1f64..6.0, 0.1f64..6.0],
        use_scale in any::<bool>(),
        input in [1usize..=40, 1usize..=40],
        nhwc in any::<bool>(),
    ) {
        let preset = &all()[preset];
        let target = if use_scale { Target::Scale(scale) } else { Target::Size(out) };
        let dims = [1, 3, input[0], input[1]];
        let request = Request { target, input: dims, attributes: &[] };
        // A preset may refuse a target it does not take, or a scale that rounds to 0.
        let Ok(op) = preset.build(&request) else { return Ok(()); };
        let layout = if nhwc { Layout::Nhwc } else { Layout::Nchw };
        let Ok(Some(plan)) = op.plan(&InputDesc { dims, layout }) else { return Ok(()); };
        let what = format!("{} ({:?}) on {:?}", preset.name, target, dims);
        for axis in [&plan.h, &plan.w] {
            check_structure(axis)?;
            for o in 0..axis.out_len() {
                prop_assert!(axis.taps(o).1.iter().all(|w| w.is_finite()), "{}: output {}", what, o);
            }
            if axis.is_gather() && !plan_has_extrapolation(axis) {
                let name = preset.name;
                if preset.framework == "onnx" {
                    // ONNX's reference: monotone up to its padding quirk (see check_nearest_onnx).
                    check_steps_back_at_most_one(axis, &format!("{name}: {what}"))?;
                } else {
                    // Every other nearest preset of the registry is monotone.
                    check_monotone_nearest(axis, &format!("{name}: {what}"))?;
                }
            }
        }
        let _ = Operation::describe(&op);
    }
}

/// The registry indices of the presets that resize.
fn resize_presets() -> Vec<usize> {
    (0..all().len())
        .filter(|&i| all()[i].kind == Kind::Resize)
        .collect()
}

fn check_steps_back_at_most_one(axis: &AxisPlan, what: &str) -> Result<(), TestCaseError> {
    let mut last: Option<u32> = None;
    for o in 0..axis.out_len() {
        let i = axis.taps(o).0[0];
        if let Some(prev) = last {
            prop_assert!(
                i + 1 >= prev,
                "{}: output {} steps back from {} to {}",
                what,
                o,
                prev,
                i
            );
        }
        last = Some(i);
    }
    Ok(())
}

fn plan_has_extrapolation(axis: &AxisPlan) -> bool {
    axis.extrapolation_flags().iter().any(|&e| e)
}
