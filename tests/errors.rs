//! Every refusal is a typed error with the values involved — never a panic.

use halfpixel::presets::{coreml, onnx, tf, torch, Call};
use halfpixel::{
    BlockOrder, BlockSpec, CoordinateTransform, Error, Layout, Mode, NearestMode, Operation,
    ResizeSpec,
};
use ndarray::Array4;

fn spec(mode: Mode, ctm: CoordinateTransform) -> ResizeSpec {
    ResizeSpec::new(mode, ctm, [4, 4])
}

fn input() -> Array4<f32> {
    Array4::from_shape_fn((1, 2, 3, 5), |(_, c, h, w)| (c * 100 + h * 10 + w) as f32)
}

#[test]
fn zero_output_size_is_refused() {
    let mut s = spec(Mode::Linear, CoordinateTransform::HalfPixel);
    s.output_size = [0, 4];
    assert!(matches!(
        s.validate(),
        Err(Error::ZeroOrNegativeSize { value: 0, .. })
    ));
}

#[test]
fn bad_scales_are_refused() {
    for bad in [f64::NAN, f64::INFINITY, 0.0, -2.0] {
        let s = spec(Mode::Linear, CoordinateTransform::HalfPixel).with_scale([2.0, bad]);
        match s.validate() {
            Err(Error::InvalidScale { value, .. }) => assert!(value.is_nan() || value == bad),
            other => panic!("scale {bad}: {other:?}"),
        }
    }
}

#[test]
fn fields_a_mode_does_not_use_are_refused() {
    let s = spec(Mode::Linear, CoordinateTransform::HalfPixel).with_cubic_coeff_a(-0.5);
    assert!(
        matches!(s.validate(), Err(Error::UnusedField { ref field, .. }) if field == "cubic_coeff_a")
    );
    let s =
        spec(Mode::Linear, CoordinateTransform::HalfPixel).with_nearest_mode(NearestMode::Floor);
    assert!(
        matches!(s.validate(), Err(Error::UnusedField { ref field, .. }) if field == "nearest_mode")
    );
    let s = spec(Mode::Nearest, CoordinateTransform::HalfPixel).with_antialias(true);
    assert!(
        matches!(s.validate(), Err(Error::UnusedField { ref field, .. }) if field == "antialias")
    );
    let s = spec(Mode::Linear, CoordinateTransform::HalfPixel).with_roi([0.0, 0.0, 1.0, 1.0], 0.0);
    assert!(matches!(s.validate(), Err(Error::UnusedField { ref field, .. }) if field == "roi"));
    let s = spec(Mode::AdaptiveAvgPool, CoordinateTransform::HalfPixel).with_exclude_outside(true);
    assert!(
        matches!(s.validate(), Err(Error::UnusedField { ref field, .. }) if field == "exclude_outside")
    );
}

#[test]
fn fields_a_mode_needs_are_required() {
    let mut s = spec(Mode::Nearest, CoordinateTransform::HalfPixel);
    s.nearest_mode = None;
    assert!(
        matches!(s.validate(), Err(Error::MissingField { ref field, .. }) if field == "nearest_mode")
    );
    let mut s = spec(Mode::Cubic, CoordinateTransform::HalfPixel);
    s.cubic_coeff_a = None;
    assert!(
        matches!(s.validate(), Err(Error::MissingField { ref field, .. }) if field == "cubic_coeff_a")
    );
    let mut s = spec(Mode::Linear, CoordinateTransform::TfCropAndResize);
    s.roi = None;
    assert!(matches!(s.validate(), Err(Error::MissingField { ref field, .. }) if field == "roi"));
}

#[test]
fn non_finite_roi_is_refused_and_inverted_roi_flips() {
    let s = spec(Mode::Linear, CoordinateTransform::TfCropAndResize)
        .with_roi([0.0, f64::NAN, 1.0, 1.0], 0.0);
    assert!(matches!(s.validate(), Err(Error::InvalidRoi { .. })));
    // An inverted box is TF crop_and_resize's flip, not an error.
    let x = input();
    let fwd = Operation::from(
        ResizeSpec::new(Mode::Linear, CoordinateTransform::TfCropAndResize, [3, 5])
            .with_roi([0.0, 0.0, 1.0, 1.0], 0.0),
    )
    .run_cpu(x.view(), Layout::Nchw)
    .unwrap();
    let flipped = Operation::from(
        ResizeSpec::new(Mode::Linear, CoordinateTransform::TfCropAndResize, [3, 5])
            .with_roi([0.0, 1.0, 1.0, 0.0], 0.0),
    )
    .run_cpu(x.view(), Layout::Nchw)
    .unwrap();
    for w in 0..5 {
        assert_eq!(fwd[[0, 1, 2, w]], flipped[[0, 1, 2, 4 - w]]);
    }
}

#[test]
fn area_modes_take_half_pixel_only() {
    let s = spec(Mode::Area, CoordinateTransform::AlignCorners);
    assert!(matches!(s.validate(), Err(Error::InvalidArgument { .. })));
}

#[test]
fn block_sizes_must_divide() {
    let x = input();
    let d2s = Operation::DepthToSpace(BlockSpec::new(2, BlockOrder::Dcr).unwrap());
    assert!(matches!(
        d2s.run_cpu(x.view(), Layout::Nchw),
        Err(Error::BlockSizeMismatch {
            block: 2,
            value: 2,
            ..
        })
    ));
    let s2d = Operation::SpaceToDepth(BlockSpec::new(2, BlockOrder::Crd).unwrap());
    assert!(matches!(
        s2d.run_cpu(x.view(), Layout::Nchw),
        Err(Error::BlockSizeMismatch {
            block: 2,
            value: 3,
            ..
        })
    ));
    assert!(matches!(
        BlockSpec::new(0, BlockOrder::Dcr),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
}

#[test]
fn output_array_of_the_wrong_shape_is_refused() {
    let x = input();
    let op = Operation::from(spec(Mode::Linear, CoordinateTransform::HalfPixel));
    let mut out = Array4::<f32>::zeros((1, 2, 4, 5));
    assert!(matches!(
        op.run_cpu_into(x.view(), Layout::Nchw, out.view_mut()),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn a_plan_refuses_an_input_of_another_size() {
    let plan = spec(Mode::Linear, CoordinateTransform::HalfPixel)
        .plan([3, 5])
        .unwrap();
    let other = Array4::<f32>::zeros((1, 1, 4, 5));
    assert!(matches!(
        halfpixel::cpu::resize(other.view(), Layout::Nchw, &plan),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn torch_argument_errors() {
    let both = torch::Interpolate {
        size: Some([4, 4]),
        scale_factor: Some([2.0, 2.0]),
        mode: torch::Mode::Bilinear,
        align_corners: None,
        recompute_scale_factor: None,
        antialias: false,
    };
    assert!(matches!(both.build(), Err(Error::InvalidArgument { .. })));
    let ac_nearest = torch::Interpolate::size([4, 4], torch::Mode::Nearest).align_corners(true);
    assert!(matches!(
        ac_nearest.build(),
        Err(Error::InvalidArgument { .. })
    ));
    let aa_area = torch::Interpolate::size([4, 4], torch::Mode::Area).antialias(true);
    assert!(matches!(
        aa_area.build(),
        Err(Error::InvalidArgument { .. })
    ));
    let recompute =
        torch::Interpolate::size([4, 4], torch::Mode::Bilinear).recompute_scale_factor(true);
    assert!(matches!(
        recompute.build(),
        Err(Error::InvalidArgument { .. })
    ));
    let nan = torch::Interpolate::scale_factor([f64::NAN, 2.0], torch::Mode::Bilinear);
    assert!(matches!(nan.build(), Err(Error::InvalidScale { .. })));
    // A scale factor that floors the output to 0 is refused when the input is known.
    let tiny = torch::Interpolate::scale_factor([0.1, 0.1], torch::Mode::Bilinear)
        .build()
        .unwrap();
    assert!(matches!(
        tiny.run_cpu(input().view(), Layout::Nchw),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
}

#[test]
fn tf_argument_errors() {
    assert!(matches!(
        tf::ResizeV1::bilinear([4, 4], true, true),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        tf::ResizeV1::bilinear([0, 4], false, false),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
}

#[test]
fn onnx_attributes_are_checked_against_the_opset() {
    let aa = onnx::ResizeAttributes {
        mode: Mode::Linear,
        antialias: true,
        ..Default::default()
    };
    assert!(matches!(
        onnx::Resize::with_scales(13, aa.clone(), vec![1.0, 1.0, 0.5, 0.5]),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(onnx::Resize::with_scales(18, aa, vec![1.0, 1.0, 0.5, 0.5]).is_ok());
    let nn = onnx::ResizeAttributes {
        coordinate_transformation_mode: CoordinateTransform::TfHalfPixelForNearest,
        ..Default::default()
    };
    assert!(matches!(
        onnx::Resize::with_sizes(13, nn, vec![1, 1, 4, 4]),
        Err(Error::InvalidArgument { .. })
    ));
    let channels =
        onnx::Resize::with_scales(19, Default::default(), vec![1.0, 2.0, 2.0, 2.0]).unwrap();
    assert!(matches!(
        channels.run_cpu(input().view(), Layout::Nchw),
        Err(Error::Unsupported { .. })
    ));
    let both = onnx::Resize {
        opset: 19,
        attributes: Default::default(),
        roi: None,
        scales: Some(vec![1.0, 1.0, 2.0, 2.0]),
        sizes: Some(vec![1, 2, 6, 10]),
    };
    assert!(matches!(both.build(), Err(Error::InvalidArgument { .. })));
}

/// `scales`, `sizes` and `roi` of the wrong rank (or length against `axes`), repeated or
/// out-of-range axes, and sizes below 1 are refused when the node is built, not when it first
/// meets a tensor.
#[test]
fn onnx_vectors_are_checked_against_the_rank_when_built() {
    let linear = onnx::ResizeAttributes {
        mode: Mode::Linear,
        ..Default::default()
    };
    let e = onnx::Resize::with_sizes(19, linear.clone(), vec![8, 8]).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("sizes") && text.contains("[8, 8]") && text.contains("expected 4 values"),
        "{text}"
    );
    assert!(
        text.contains("axes"),
        "the message names the way out: {text}"
    );
    for bad in [vec![1, 3, 8], vec![1, 3, 8, 8, 1]] {
        assert!(
            matches!(
                onnx::Resize::with_sizes(19, linear.clone(), bad.clone()),
                Err(Error::InvalidArgument { .. })
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        onnx::Resize::with_scales(19, linear.clone(), vec![2.0, 2.0]),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        onnx::Resize::with_sizes(19, linear.clone(), vec![1, 3, 0, 8]),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
    assert!(matches!(
        onnx::Resize::with_sizes(19, linear.clone(), vec![1, 3, -8, 8]),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
    // With axes, one value per listed axis.
    let hw = onnx::ResizeAttributes {
        axes: Some(vec![2, -1]),
        ..linear.clone()
    };
    let op = onnx::Resize::with_sizes(19, hw.clone(), vec![8, 10]).unwrap();
    let out = op.run_cpu(input().view(), Layout::Nchw).unwrap();
    assert_eq!(out.dim().2, 8);
    let e = onnx::Resize::with_sizes(19, hw.clone(), vec![1, 2, 8, 10]).unwrap_err();
    assert!(e.to_string().contains("one per entry of axes"), "{e}");
    for axes in [vec![2, 2], vec![2, 4], vec![-5, 3]] {
        let attrs = onnx::ResizeAttributes {
            axes: Some(axes.clone()),
            ..linear.clone()
        };
        assert!(
            matches!(
                onnx::Resize::with_sizes(19, attrs, vec![8, 10]),
                Err(Error::InvalidArgument { .. })
            ),
            "{axes:?}"
        );
    }
    // A roi must hold starts and ends of every axis.
    let crop = onnx::Resize {
        opset: 19,
        attributes: onnx::ResizeAttributes {
            coordinate_transformation_mode: CoordinateTransform::TfCropAndResize,
            ..linear
        },
        roi: Some(vec![0.0, 0.0, 1.0, 1.0]),
        scales: None,
        sizes: Some(vec![1, 2, 6, 10]),
    };
    assert!(matches!(crop.build(), Err(Error::InvalidRoi { .. })));
}

#[test]
fn coreml_argument_errors() {
    assert!(matches!(
        coreml::upsample_bilinear([2.0, 2.0], true, Some(true)),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        coreml::resize_bilinear([0, 3], coreml::SamplingMode::Default),
        Err(Error::ZeroOrNegativeSize { .. })
    ));
}

#[test]
fn recorded_calls_with_unknown_names_are_refused() {
    let call = |framework: &str, function: &str, args: serde_json::Value| Call {
        framework: framework.into(),
        function: function.into(),
        args,
    };
    assert!(matches!(
        halfpixel::presets::from_call(&call("caffe", "Interp", serde_json::json!({}))),
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        halfpixel::presets::from_call(&call(
            "torch",
            "interpolate",
            serde_json::json!({"size": [4, 4], "mode": "bilinear", "alignn_corners": true})
        )),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        halfpixel::presets::from_call(&call(
            "torch",
            "interpolate",
            serde_json::json!({"size": [4, 4], "mode": "trilinear"})
        )),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        halfpixel::presets::from_call(&call(
            "tf",
            "image.resize",
            serde_json::json!({"size": "big"})
        )),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        halfpixel::presets::from_call(&call(
            "onnx",
            "Resize",
            serde_json::json!({"opset": 19, "attributes": {"mode": "linear"}, "inputs": {}})
        )),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn errors_name_the_values_involved() {
    let e = BlockSpec::new(0, BlockOrder::Crd).unwrap_err();
    assert!(e.to_string().contains("block size"), "{e}");
    let s = spec(Mode::Linear, CoordinateTransform::HalfPixel).with_scale([f64::NAN, 1.0]);
    let msg = s.validate().unwrap_err().to_string();
    assert!(msg.contains("scale") && msg.contains("NaN"), "{msg}");
}
