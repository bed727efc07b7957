//! `halfpixel audit`: the report on real converted models, the JSON format, and one clear line
//! with a non-zero exit for files it cannot read (malformed, truncated, mislabelled, no resize).

#![cfg(feature = "audit")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::model::onnx::proto::{
    attribute_type, data_type, AttributeProto, Dimension, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto, TypeProtoTensor, ValueInfoProto,
};
use prost::Message;
use serde_json::Value;

fn halfpixel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_halfpixel"))
        .args(args)
        .output()
        .expect("the halfpixel binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn model(name: &str) -> String {
    format!("{}/tests/models/models/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "halfpixel-cli-audit-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// One line on stderr, starting with "error:", exit 2, nothing on stdout, no panic.
fn assert_one_line_error(o: &Output, contains: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains(contains), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn dims(v: &[i64]) -> TypeProto {
    TypeProto {
        tensor_type: Some(TypeProtoTensor {
            elem_type: Some(data_type::FLOAT),
            shape: Some(TensorShapeProto {
                dim: v
                    .iter()
                    .map(|&d| Dimension {
                        dim_value: Some(d),
                        dim_param: None,
                    })
                    .collect(),
            }),
        }),
    }
}

fn text_attr(name: &str, v: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(attribute_type::STRING),
        s: Some(v.as_bytes().to_vec()),
        ..Default::default()
    }
}

/// An ONNX file written with the reader's own message declarations: `x [1,4,10,12]` through
/// `ops` (op_type, attributes) to `y`; a Resize gets `sizes` [1,4,15,17].
fn onnx_file(name: &str, ops: &[(&str, Vec<AttributeProto>)]) -> PathBuf {
    let mut nodes = Vec::new();
    let mut last = "x".to_string();
    for (k, (op, attrs)) in ops.iter().enumerate() {
        let out = if k + 1 == ops.len() {
            "y".to_string()
        } else {
            format!("t{k}")
        };
        let inputs = if *op == "Resize" {
            vec![last.clone(), String::new(), String::new(), "sizes".into()]
        } else {
            vec![last.clone()]
        };
        nodes.push(NodeProto {
            input: inputs,
            output: vec![out.clone()],
            name: Some(format!("node{k}")),
            op_type: Some(op.to_string()),
            domain: None,
            attribute: attrs.clone(),
        });
        last = out;
    }
    let m = ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto {
            domain: Some(String::new()),
            version: Some(13),
        }],
        producer_name: Some("cli_audit test".into()),
        graph: Some(GraphProto {
            node: nodes,
            name: Some("g".into()),
            initializer: vec![TensorProto {
                dims: vec![4],
                data_type: Some(data_type::INT64),
                int64_data: vec![1, 4, 15, 17],
                name: Some("sizes".into()),
                ..Default::default()
            }],
            input: vec![ValueInfoProto {
                name: Some("x".into()),
                r#type: Some(dims(&[1, 4, 10, 12])),
            }],
            output: vec![ValueInfoProto {
                name: Some("y".into()),
                r#type: None,
            }],
            value_info: vec![],
        }),
        ..Default::default()
    };
    let path = scratch(name);
    std::fs::write(&path, m.encode_to_vec()).unwrap();
    path
}

#[test]
fn a_converted_model_pairs_with_its_source() {
    if common::corpora_absent("a_converted_model_pairs_with_its_source") {
        return;
    }
    let o = halfpixel(&[
        "audit",
        &model("keras.upsampling2d_nearest.keras"),
        &model("keras2tflite.upsampling2d_nearest.tflite"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("RESHAPE→TILE→RESHAPE→TILE→RESHAPE"), "{out}");
    assert!(out.contains("nearest, each pixel repeated 2×2"), "{out}");
    assert!(
        out.contains("up_sampling2d → PartitionedCall_1:0: same function"),
        "{out}"
    );
    assert!(out.contains("no resize op"), "{out}");
}

#[test]
fn a_changed_grid_is_found_with_its_fix() {
    if common::corpora_absent("a_changed_grid_is_found_with_its_fix") {
        return;
    }
    let attrs = vec![
        text_attr("mode", "linear"),
        text_attr("coordinate_transformation_mode", "asymmetric"),
    ];
    let converted = onnx_file("asym.onnx", &[("Resize", attrs)]);
    let json = scratch("report.json");
    let o = halfpixel(&[
        "audit",
        &model("torch2onnx.ts17.bilinear_ac0_size_frac.onnx"),
        converted.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("/Resize → node0: DIFFERENT"), "{out}");
    assert!(out.contains("sample grid moves by up to"), "{out}");
    assert!(out.contains("asymmetric grid"), "{out}");
    assert!(out.contains("helper.make_attribute"), "{out}");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["format"], "halfpixel-audit/1");
    assert_eq!(v["models"].as_array().unwrap().len(), 2);
    let p = &v["pairs"][0];
    let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["converted", "fix", "max_abs", "mean_abs", "same", "source"]
    );
    assert_eq!(p["same"], false);
    assert!(p["max_abs"].as_f64().unwrap() > 0.01);
    assert_eq!(p["fix"]["possible"], true);
    assert_eq!(
        p["fix"]["call"]["args"]["attributes"]["coordinate_transformation_mode"],
        "half_pixel"
    );
}

#[test]
fn a_model_without_resize_says_so_and_exits_1() {
    let f = onnx_file("relu.onnx", &[("Relu", vec![]), ("Sigmoid", vec![])]);
    let o = halfpixel(&["audit", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.contains("no resize, upsample or pixel-shuffle layer"),
        "{out}"
    );
}

#[test]
fn malformed_and_truncated_files_are_one_line_errors() {
    if common::corpora_absent("malformed_and_truncated_files_are_one_line_errors") {
        return;
    }
    let garbage = scratch("garbage.onnx");
    std::fs::write(&garbage, b"\x08\x07\x3a\xff\xff\xff\x0fnot really").unwrap();
    assert_one_line_error(
        &halfpixel(&["audit", garbage.to_str().unwrap()]),
        "garbage.onnx",
    );
    for name in [
        "torch2onnx.ts13.seg_head.onnx",
        "tf2tflite.tf1_bilinear_ff.tflite",
        "keras.resizing_bilinear.keras",
    ] {
        let bytes = std::fs::read(model(name)).unwrap();
        for cut in [bytes.len() / 2, bytes.len() - 7, 40] {
            let f = scratch(name);
            std::fs::write(&f, &bytes[..cut]).unwrap();
            let o = halfpixel(&["audit", f.to_str().unwrap()]);
            assert_one_line_error(&o, "cannot read model");
        }
    }
    let empty = scratch("empty.tflite");
    std::fs::write(&empty, b"").unwrap();
    assert_one_line_error(
        &halfpixel(&["audit", empty.to_str().unwrap()]),
        "empty file",
    );
    let missing = scratch("missing.onnx");
    assert_one_line_error(
        &halfpixel(&["audit", missing.to_str().unwrap()]),
        "missing.onnx",
    );
}

#[test]
fn mislabelled_files_are_read_by_content_or_refused_by_what_they_hold() {
    if common::corpora_absent("mislabelled_files_are_read_by_content_or_refused_by_what_they_hold")
    {
        return;
    }
    let f = scratch("really_tflite.onnx");
    std::fs::copy(model("tf2tflite.depth_to_space_2.tflite"), &f).unwrap();
    let o = halfpixel(&["audit", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("named .onnx but holds a TFLite model"),
        "{out}"
    );
    let png = scratch("image.onnx");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    assert_one_line_error(&halfpixel(&["audit", png.to_str().unwrap()]), "PNG image");
    let npy = scratch("array.keras");
    std::fs::write(&npy, b"\x93NUMPY\x01\x00").unwrap();
    assert_one_line_error(&halfpixel(&["audit", npy.to_str().unwrap()]), ".npy array");
}

#[test]
fn symbolic_dims_are_reported_until_an_input_shape_is_given() {
    if common::corpora_absent("symbolic_dims_are_reported_until_an_input_shape_is_given") {
        return;
    }
    let m = model("torch2onnx.ts11.bilinear_ac0_x2.dynamic_hw.onnx");
    let o = halfpixel(&["audit", &m]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("[1, 8, h, w]"), "{out}");
    assert!(out.contains("--input-shape"), "{out}");
    let o = halfpixel(&["audit", &m, "--input-shape", "x=1,8,10,12"]);
    let out = stdout(&o);
    assert!(out.contains("[1, 8, 10, 12] → [1, 8, 20, 24]"), "{out}");
    assert!(!out.contains("not folded"), "{out}");
    assert_one_line_error(
        &halfpixel(&["audit", &m, "--input-shape", "y=1,8,10,12"]),
        "no such input",
    );
    assert_one_line_error(
        &halfpixel(&["audit", &m, "--input-shape", "1,3,10,12"]),
        "declared 8",
    );
    let o = halfpixel(&["audit", &m, "--input-shape", "1,8,ten,12"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn every_model_of_the_corpus_audits_without_error() {
    if common::corpora_absent("every_model_of_the_corpus_audits_without_error") {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models/models");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let o = halfpixel(&["audit", path.to_str().unwrap(), "--no-equivalents"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(stderr(&o).is_empty(), "{name}: {}", stderr(&o));
    }
}

#[test]
fn nearest_that_became_fractional_bilinear_has_no_neural_network_fix() {
    if common::corpora_absent("nearest_that_became_fractional_bilinear_has_no_neural_network_fix") {
        return;
    }
    // coremltools turned `F.interpolate(size=(15, 19), mode='nearest')` into a BILINEAR Upsample
    // with fractional factors. Core ML's validator accepts fractionalScalingFactor only with
    // BILINEAR and ALIGN_CORNERS_TRUE/FALSE, so no NeuralNetwork layer can give it back.
    let o = halfpixel(&[
        "audit",
        &model("torch2onnx.ts13.nearest_size_frac.onnx"),
        &model("torch2coreml.neuralnetwork.nearest_size_frac.mlmodel"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("nearest became bilinear"), "{out}");
    assert!(
        out.contains("fix: no Core ML NeuralNetwork layer reproduces"),
        "{out}"
    );
    assert!(!out.contains("mode=NN"), "{out}");
    // An ML Program keeps nearest with fractional factors (by halfpixel's inferred rule).
    assert!(
        out.contains("an ML Program can (coremltools `convert_to=\"mlprogram\"`): coreml upsample_nearest_neighbor"),
        "{out}"
    );
}

#[test]
fn a_neural_network_nearest_fix_resets_the_linear_mode() {
    if common::corpora_absent("a_neural_network_nearest_fix_resets_the_linear_mode") {
        return;
    }
    // A half-pixel bilinear x2 layer where the source was nearest x2: the fix is an NN
    // Upsample, whose linearUpsampleMode must be DEFAULT for Core ML's validator.
    let o = halfpixel(&[
        "audit",
        &model("torch2onnx.ts11.nearest_x2.onnx"),
        &model("torch2coreml.neuralnetwork.bilinear_ac0_x2.mlmodel"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(
        out.contains("p.mode = nn.UpsampleLayerParams.InterpolationMode.Value(\"NN\")"),
        "{out}"
    );
    assert!(
        out.contains("LinearUpsampleMode.Value(\"DEFAULT\")"),
        "{out}"
    );
    assert!(out.contains("p.scalingFactor.extend([2, 2])"), "{out}");
}
