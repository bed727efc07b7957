//! The Core ML reader against the model corpus (tests/models): every Core ML layer the manifest
//! lists is found, in order, with the same name, op, call, shapes, layout and precision; the
//! calls run through the presets with the shapes the files declare; malformed, truncated and
//! mislabelled files are `Error::Model`, never a panic.

#![cfg(feature = "audit")]

use std::path::{Path, PathBuf};

use halfpixel::model::coreml::{self, InputShape};
use halfpixel::model::{Layer, ModelFormat};
use halfpixel::op::InputDesc;
use halfpixel::presets::from_call;
use halfpixel::spec::Layout;
use halfpixel::Error;
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest parses")
}

fn coreml_models() -> Vec<Value> {
    let m = manifest();
    m["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter(|m| m["format"] == "coreml")
        .cloned()
        .collect()
}

fn shape(v: &Value) -> Option<Vec<usize>> {
    v.as_array().map(|a| {
        a.iter()
            .map(|d| d.as_u64().expect("dim") as usize)
            .collect()
    })
}

fn read_layers(path: &Path) -> Vec<Layer> {
    let graph = coreml::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    coreml::layers(&graph, &[]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Checks that every layer's call runs through the presets and gives the output shape the file
/// implies for the input shape.
fn check_calls_run(id: &str, layers: &[Layer]) {
    for l in layers {
        let call = l.call.as_ref().unwrap_or_else(|| {
            panic!("{id} {}: no call ({:?})", l.name, l.unknowns);
        });
        let op = from_call(call)
            .unwrap_or_else(|e| panic!("{id} {}: preset refuses {call:?}: {e}", l.name));
        let (Some(i), Some(o)) = (&l.input_shape, &l.output_shape) else {
            panic!("{id} {}: shapes unknown: {:?}", l.name, l.unknowns);
        };
        let dims: [usize; 4] = i.as_slice().try_into().expect("rank 4");
        let out = op
            .output_dims(&InputDesc {
                dims,
                layout: Layout::Nchw,
            })
            .unwrap_or_else(|e| panic!("{id} {}: {e}", l.name));
        assert_eq!(&out[..], &o[..], "{id} {}: preset output vs file", l.name);
    }
}

#[test]
fn every_manifest_layer_is_read_exactly() {
    let models = coreml_models();
    assert_eq!(models.len(), 16, "Core ML models in the corpus");
    let mut checked = 0;
    for m in &models {
        let id = m["id"].as_str().expect("id");
        let path = corpus().join(m["file"].as_str().expect("file"));
        let graph = coreml::read(&path).unwrap_or_else(|e| panic!("{id}: {e}"));
        let expected_format = if id.contains(".mlprogram.") {
            ModelFormat::CoreMlProgram
        } else {
            ModelFormat::CoreMlNeuralNetwork
        };
        assert_eq!(graph.format, expected_format, "{id}");
        assert!(
            graph.producer.starts_with("coremltools 9.0"),
            "{id}: {}",
            graph.producer
        );
        let layers = coreml::layers(&graph, &[]).unwrap_or_else(|e| panic!("{id}: {e}"));
        let want = m["layers"].as_array().expect("layers");
        let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(layers.len(), want.len(), "{id}: layers {names:?}");
        for (got, w) in layers.iter().zip(want) {
            let name = w["name"].as_str().expect("name");
            assert_eq!(got.name, name, "{id}");
            assert_eq!(
                serde_json::to_value(got.op).expect("op"),
                w["op"],
                "{id} {name}: op"
            );
            let call = serde_json::to_value(got.call.as_ref().expect("call")).expect("call json");
            assert_eq!(call, w["call"], "{id} {name}: call");
            assert_eq!(
                got.input_shape,
                shape(&w["input_shape"]),
                "{id} {name}: input"
            );
            assert_eq!(
                got.output_shape,
                shape(&w["output_shape"]),
                "{id} {name}: output"
            );
            assert_eq!(
                serde_json::to_value(got.layout).expect("layout"),
                w["layout"],
                "{id} {name}: layout"
            );
            assert_eq!(
                got.precision.as_deref(),
                w.get("precision").and_then(Value::as_str),
                "{id} {name}: precision"
            );
            assert!(got.unknowns.is_empty(), "{id} {name}: {:?}", got.unknowns);
            checked += 1;
        }
        check_calls_run(id, &layers);
    }
    assert_eq!(checked, 18, "layers checked");
}

#[test]
fn zipped_package_reads_like_the_directory() {
    use std::io::Write;
    for m in coreml_models()
        .iter()
        .filter(|m| m["id"].as_str().unwrap().contains(".mlprogram."))
    {
        let dir = corpus().join(m["file"].as_str().unwrap());
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let mut stack = vec![dir.clone()];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(&d).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        let rel = p
                            .strip_prefix(&dir)
                            .unwrap()
                            .to_str()
                            .unwrap()
                            .replace('\\', "/");
                        zip.start_file(format!("{name}/{rel}"), opts).unwrap();
                        zip.write_all(&std::fs::read(&p).unwrap()).unwrap();
                    }
                }
            }
            zip.finish().unwrap();
        }
        let bytes = buf.into_inner();
        let graph = coreml::read_bytes(&bytes, "zipped").expect("zipped package");
        let from_zip = coreml::layers(&graph, &[]).unwrap();
        assert_eq!(from_zip, read_layers(&dir), "{name}");
        // Written to disk with a .zip name, read through `read`.
        let tmp =
            std::env::temp_dir().join(format!("halfpixel-test-{}-{name}.zip", std::process::id()));
        std::fs::write(&tmp, &bytes).unwrap();
        let via_file = coreml::read(&tmp).map(|g| coreml::layers(&g, &[]).unwrap());
        std::fs::remove_file(&tmp).ok();
        assert_eq!(via_file.unwrap(), from_zip);
    }
}

fn assert_model_error(result: halfpixel::Result<halfpixel::model::Graph>, what: &str) -> String {
    match result {
        Err(Error::Model { path, reason }) => {
            assert!(!reason.is_empty(), "{what}: empty reason");
            format!("{path}: {reason}")
        }
        Err(other) => panic!("{what}: expected Error::Model, got {other:?}"),
        Ok(g) => panic!(
            "{what}: read as a {} graph with {} nodes",
            g.format,
            g.nodes.len()
        ),
    }
}

#[test]
fn every_truncation_of_every_spec_is_a_model_error() {
    let mut specs = Vec::new();
    for m in coreml_models() {
        let p = corpus().join(m["file"].as_str().unwrap());
        let spec = if p.is_dir() {
            p.join("Data/com.apple.CoreML/model.mlmodel")
        } else {
            p
        };
        specs.push(std::fs::read(&spec).unwrap());
    }
    for bytes in &specs {
        assert!(coreml::read_spec(bytes, "whole").is_ok());
        for cut in 0..bytes.len() {
            assert_model_error(
                coreml::read_spec(&bytes[..cut], "cut"),
                &format!("cut at {cut}"),
            );
        }
    }
}

#[test]
fn mislabelled_and_malformed_files_are_model_errors() {
    let models = corpus().join("models");
    for other in [
        "torch2onnx.dynamo18.bilinear_ac0_x2.onnx",
        "tf2tflite.tf2_bilinear.tflite",
        "keras.resizing_bilinear.keras",
    ] {
        let bytes = std::fs::read(models.join(other)).unwrap();
        let msg = assert_model_error(coreml::read_bytes(&bytes, other), other);
        assert!(msg.starts_with(other), "{msg}");
        eprintln!("{msg}");
    }
    for (bytes, what) in [
        (&b""[..], "empty"),
        (&b"\x08\x05"[..], "version only"),
        (&b"\x08\x0b\xa2\x1f\x00"[..], "version 11"),
        (&b"\x08\x00\xa2\x1f\x00"[..], "version 0"),
        (&b"\x08\x05\xc2\x25\x00"[..], "oneHotEncoder"),
        (&b"\x08\x06\xb2\x1f\x00"[..], "empty ML program"),
        (&b"\xff\xff\xff\xff"[..], "garbage"),
    ] {
        let msg = assert_model_error(coreml::read_bytes(bytes, what), what);
        eprintln!("{msg}");
    }
    // A zip without a manifest; a directory without a manifest; a missing file.
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        zip.start_file("a.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.finish().unwrap();
    }
    assert_model_error(
        coreml::read_bytes(&buf.into_inner(), "nomanifest.zip"),
        "zip",
    );
    let empty_dir =
        std::env::temp_dir().join(format!("halfpixel-empty-{}.mlpackage", std::process::id()));
    std::fs::create_dir_all(&empty_dir).unwrap();
    let r = coreml::read(&empty_dir);
    std::fs::remove_dir_all(&empty_dir).ok();
    assert_model_error(r, "empty package");
    assert_model_error(coreml::read(Path::new("/nonexistent/x.mlmodel")), "missing");
}

#[test]
fn a_manifest_cannot_point_outside_the_package() {
    let dir =
        std::env::temp_dir().join(format!("halfpixel-escape-{}.mlpackage", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Manifest.json"),
        r#"{"fileFormatVersion": "1.0.0", "itemInfoEntries": {"a": {"path": "../../etc/passwd"}}, "rootModelIdentifier": "a"}"#,
    )
    .unwrap();
    let r = coreml::read(&dir);
    std::fs::remove_dir_all(&dir).ok();
    let msg = assert_model_error(r, "escape");
    assert!(msg.contains("inside the package"), "{msg}");
}

#[test]
fn input_shapes_must_fit_the_model() {
    let path = corpus().join("models/torch2coreml.neuralnetwork.seg_head.mlmodel");
    let graph = coreml::read(&path).unwrap();
    let same = coreml::layers(
        &graph,
        &[InputShape {
            name: None,
            dims: vec![1, 3, 16, 20],
        }],
    )
    .unwrap();
    assert_eq!(same, read_layers(&path));
    for bad in [
        InputShape {
            name: Some("y".into()),
            dims: vec![1, 3, 16, 20],
        },
        InputShape {
            name: None,
            dims: vec![1, 3, 16],
        },
        InputShape {
            name: Some("x".into()),
            dims: vec![1, 3, 17, 20],
        },
    ] {
        assert!(
            matches!(
                coreml::layers(&graph, std::slice::from_ref(&bad)),
                Err(Error::InvalidArgument { .. })
            ),
            "{bad:?}"
        );
    }
}

/// Models made by tests/data/coreml/make_models.py (coremltools 9.0), unlike the corpus's: other
/// factors and sizes, conv/pool/concat before the resizes, a classifier, a pipeline, an image
/// input, flexible shapes, iOS16/iOS17 and float32 ML Programs, MIL ops built one by one.
#[test]
fn unseen_models_read_correctly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/coreml");
    let text = std::fs::read_to_string(dir.join("expected.json")).unwrap();
    let expected: Value = serde_json::from_str(&text).unwrap();
    let mut checked = 0;
    for m in expected["models"].as_array().unwrap() {
        let file = m["file"].as_str().unwrap();
        let path = dir.join("models").join(file);
        let graph = coreml::read(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let inputs: Vec<InputShape> = m
            .get("input_shapes")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .map(|(k, v)| InputShape {
                        name: Some(k.clone()),
                        dims: shape(v).unwrap(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        if !inputs.is_empty() {
            // Without the shape, the flexible axes are reported, not guessed.
            let open = coreml::layers(&graph, &[]).unwrap();
            assert!(open.iter().all(|l| l.input_shape.is_none()), "{file}");
            assert!(
                open.iter()
                    .all(|l| l.unknowns.iter().any(|u| u.contains("--input-shape"))),
                "{file}: {:?}",
                open.iter().map(|l| &l.unknowns).collect::<Vec<_>>()
            );
        }
        let layers = coreml::layers(&graph, &inputs).unwrap_or_else(|e| panic!("{file}: {e}"));
        let want = m["layers"].as_array().unwrap();
        assert_eq!(
            layers.len(),
            want.len(),
            "{file}: {:?}",
            layers.iter().map(|l| &l.name).collect::<Vec<_>>()
        );
        for (got, w) in layers.iter().zip(want) {
            let name = w["name"].as_str().unwrap();
            assert_eq!(got.name, name, "{file}");
            assert_eq!(
                serde_json::to_value(got.op).unwrap(),
                w["op"],
                "{file} {name}"
            );
            let call = serde_json::to_value(got.call.as_ref().expect("call")).unwrap();
            assert_eq!(call, w["call"], "{file} {name}: call");
            assert_eq!(
                got.input_shape,
                shape(&w["input_shape"]),
                "{file} {name}: input"
            );
            assert_eq!(
                got.output_shape,
                shape(&w["output_shape"]),
                "{file} {name}: output"
            );
            assert_eq!(
                got.precision.as_deref(),
                w["precision"].as_str(),
                "{file} {name}: precision"
            );
            assert!(got.unknowns.is_empty(), "{file} {name}: {:?}", got.unknowns);
            checked += 1;
        }
        check_calls_run(file, &layers);
    }
    assert_eq!(checked, 52, "layers checked");
}

/// NeuralNetwork `CropResize` is the iOS15 MIL `crop_resize` field by field (coremltools'
/// NeuralNetwork backend writes one for the other): same outputs for every mode and box form.
#[test]
fn nn_crop_resize_runs_like_the_mil_op() {
    use halfpixel::presets::Call;
    use serde_json::json;
    let input = ndarray::Array4::from_shape_fn((2, 3, 7, 9), |(n, c, h, w)| {
        (n * 1000 + c * 100 + h * 10 + w) as f32 * 0.37 - 20.0
    });
    let modes = [
        ("STRICT_ALIGN_ENDPOINTS_MODE", "STRICT_ALIGN_CORNERS"),
        ("ALIGN_ENDPOINTS_MODE", "ALIGN_CORNERS"),
        ("UPSAMPLE_MODE", "DEFAULT"),
        ("ROI_ALIGN_MODE", "OFFSET_CORNERS"),
    ];
    let boxes = [
        json!([[[[[0.1]], [[0.2]], [[0.7]], [[0.9]]]]]),
        json!([[[[[1.0]], [[0.1]], [[0.2]], [[0.7]], [[0.9]]]]]),
    ];
    for (nn_mode, mil_mode) in modes {
        for roi in &boxes {
            for box_mode in ["CORNERS_HEIGHT_FIRST", "CENTER_SIZE_WIDTH_FIRST"] {
                let nn = Call {
                    framework: "coreml".into(),
                    function: "NeuralNetwork.CropResize".into(),
                    args: json!({"targetSize": [3, 5], "normalizedCoordinates": true,
                        "mode": nn_mode, "boxIndicesMode": box_mode, "spatialScale": 1.0,
                        "roi": roi}),
                };
                let mil = Call {
                    framework: "coreml".into(),
                    function: "crop_resize".into(),
                    args: json!({"target_height": 3, "target_width": 5,
                        "normalized_coordinates": true, "sampling_mode": mil_mode,
                        "box_coordinate_mode": box_mode, "spatial_scale": 1.0, "roi": roi}),
                };
                let a = from_call(&nn)
                    .unwrap()
                    .run_cpu(input.view(), Layout::Nchw)
                    .unwrap();
                let b = from_call(&mil)
                    .unwrap()
                    .run_cpu(input.view(), Layout::Nchw)
                    .unwrap();
                assert_eq!(a, b, "{nn_mode} {box_mode} {roi}");
            }
        }
    }
}

#[test]
fn located_layers_point_at_their_nodes() {
    for m in coreml_models() {
        let path = corpus().join(m["file"].as_str().unwrap());
        let graph = coreml::read(&path).unwrap();
        let shapes = coreml::tensor_shapes(&graph, &[]).unwrap();
        for l in coreml::located_layers(&graph, &[]).unwrap() {
            let node = &graph.nodes[l.node];
            assert_eq!(node.name, l.layer.name);
            assert_eq!(node.outputs[0], l.output_tensor);
            assert!(node.inputs.contains(&l.input_tensor));
            assert_eq!(shapes.known.get(&l.input_tensor).map(|s| s.len()), Some(4));
            let args = &l.layer.call.as_ref().unwrap().args;
            let stated = args
                .get("fractionalScalingFactor")
                .or(args.get("scalingFactor"))
                .map(|v| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()])
                .or_else(|| {
                    args.get("scale_factor_height").map(|h| {
                        [
                            h.as_f64().unwrap(),
                            args["scale_factor_width"].as_f64().unwrap(),
                        ]
                    })
                });
            assert_eq!(l.scale_hint, stated, "{}", l.layer.name);
        }
    }
}
