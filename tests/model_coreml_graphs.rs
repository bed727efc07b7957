//! The Core ML layer step and the pair verdicts on graphs built the way the Core ML reader is
//! to build them (the convention `model::layers::coreml` documents), from the manifest's own
//! Core ML layers: every call comes back as the manifest says, and every ONNX → Core ML pair
//! verdict of the manifest is matched. When the reader lands, `tests/models.rs` checks the same
//! on the real files.

#![cfg(feature = "audit")]

use std::collections::HashMap;
use std::path::PathBuf;

use halfpixel::model::audit::{audit, audit_graph, AuditOptions, ModelAudit};
use halfpixel::model::fold::InputShape;
use halfpixel::model::pair::pair;
use halfpixel::model::{
    Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType, Values,
};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models"))
}

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

fn attr(v: &Value) -> Attr {
    match v {
        Value::String(s) => Attr::Text(s.clone()),
        Value::Bool(b) => Attr::Bool(*b),
        Value::Number(n) if n.is_i64() => Attr::Int(n.as_i64().unwrap()),
        Value::Number(n) => Attr::Float(n.as_f64().unwrap()),
        Value::Array(a) if a.iter().all(|x| x.is_i64()) => {
            Attr::Ints(a.iter().map(|x| x.as_i64().unwrap()).collect())
        }
        Value::Array(a) => Attr::Floats(a.iter().map(|x| x.as_f64().unwrap()).collect()),
        _ => panic!("{v}"),
    }
}

fn constant(v: &Value) -> Constant {
    match v {
        Value::Bool(b) => Constant {
            element: ElementKind::Bool,
            dims: vec![],
            values: Values::Int(vec![*b as i64]),
        },
        Value::Number(n) if n.is_i64() => Constant {
            element: ElementKind::Int(32),
            dims: vec![],
            values: Values::Int(vec![n.as_i64().unwrap()]),
        },
        Value::Number(n) => Constant {
            element: ElementKind::F32,
            dims: vec![],
            values: Values::Float(vec![n.as_f64().unwrap()]),
        },
        Value::String(s) => Constant {
            element: ElementKind::String,
            dims: vec![],
            values: Values::Text(vec![s.clone()]),
        },
        _ => panic!("{v}"),
    }
}

/// A Core ML model's graph as the reader is to produce it: its layers chained.
fn graph(model: &Value) -> Graph {
    let layers = model["layers"].as_array().unwrap();
    let program = layers
        .iter()
        .any(|l| l.get("precision").is_some_and(|p| !p.is_null()));
    let mut g = Graph::new(if program {
        ModelFormat::CoreMlProgram
    } else {
        ModelFormat::CoreMlNeuralNetwork
    });
    let element = if program {
        ElementKind::F16
    } else {
        ElementKind::F32
    };
    let dims = |s: &Value| Some(shape(s).into_iter().map(Dim::Known).collect());
    g.inputs.push((
        "x".into(),
        TensorType {
            element: Some(element),
            shape: dims(&layers[0]["input_shape"]),
        },
    ));
    let mut last = "x".to_string();
    for (k, l) in layers.iter().enumerate() {
        let call = &l["call"];
        let function = call["function"].as_str().unwrap();
        let name = l["name"].as_str().unwrap().to_string();
        let mut node = match function.strip_prefix("NeuralNetwork.") {
            Some(kind) => {
                let op = match kind {
                    "Upsample" => "upsample",
                    "ResizeBilinear" => "resizeBilinear",
                    "ReorganizeData" => "reorganizeData",
                    other => panic!("{other}"),
                };
                let mut n = Node::new(name.clone(), op);
                for (key, v) in call["args"].as_object().unwrap() {
                    n.attrs.insert(key.clone(), attr(v));
                }
                n.inputs = vec![last.clone()];
                n
            }
            None => {
                let mut n = Node::new(name.clone(), function);
                n.inputs = vec![last.clone()];
                n.input_names = vec!["x".into()];
                for (key, v) in call["args"].as_object().unwrap() {
                    let c = format!("{name}_{key}");
                    g.constants.insert(c.clone(), constant(v));
                    n.inputs.push(c);
                    n.input_names.push(key.clone());
                }
                n
            }
        };
        let out = if k + 1 == layers.len() {
            "y".to_string()
        } else {
            name.clone()
        };
        node.outputs = vec![out.clone()];
        g.types.insert(
            out.clone(),
            TensorType {
                element: Some(element),
                shape: dims(&l["output_shape"]),
            },
        );
        g.nodes.push(node);
        last = out;
    }
    g.outputs = vec![last];
    g
}

fn coreml_audit(model: &Value) -> ModelAudit {
    let dims = shape(&model["layers"][0]["input_shape"]);
    let options = AuditOptions {
        input_shapes: vec![InputShape { name: None, dims }],
        ..AuditOptions::default()
    };
    audit_graph(
        &graph(model),
        model["file"].as_str().unwrap(),
        None,
        &options,
    )
    .unwrap()
}

#[test]
fn core_ml_layers_read_as_the_manifest_says() {
    let m = manifest();
    let mut checked = 0;
    for model in m["models"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["format"] == "coreml")
    {
        let a = coreml_audit(model);
        let want = model["layers"].as_array().unwrap();
        assert_eq!(a.layers.len(), want.len(), "{}", model["id"]);
        for (g, w) in a.layers.iter().zip(want) {
            let j = g.to_json();
            for key in [
                "name",
                "op",
                "layout",
                "input_shape",
                "output_shape",
                "call",
            ] {
                assert_eq!(j[key], w[key], "{} {key}", model["id"]);
            }
            if let Some(p) = w.get("precision").filter(|p| !p.is_null()) {
                assert_eq!(&j["precision"], p, "{}", model["id"]);
                assert!(
                    g.warnings.iter().any(|x| x.contains("float16")),
                    "{:?}",
                    g.warnings
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 16, "{checked}");
}

#[test]
fn onnx_to_core_ml_pair_verdicts_are_matched() {
    let m = manifest();
    let by_id: HashMap<&str, &Value> = m["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap(), x))
        .collect();
    let mut checked = 0;
    for p in m["pairs"].as_array().unwrap() {
        let (s, c) = (
            by_id[p["source"].as_str().unwrap()],
            by_id[p["converted"].as_str().unwrap()],
        );
        if c["format"] != "coreml" {
            continue;
        }
        let options = AuditOptions {
            input_shapes: vec![InputShape {
                name: None,
                dims: shape(&s["input_shape"]),
            }],
            ..AuditOptions::default()
        };
        let source = audit(&root().join(s["file"].as_str().unwrap()), &options).unwrap();
        let converted = coreml_audit(c);
        let verdicts = pair(&source, &converted);
        for want in p["layers"].as_array().unwrap() {
            let got = verdicts
                .iter()
                .find(|v| v.source == want["source"].as_str().unwrap())
                .unwrap_or_else(|| panic!("{} → {}: {verdicts:?}", s["id"], c["id"]));
            assert_eq!(got.converted, want["converted"].as_str().unwrap());
            assert_eq!(
                json!(got.same),
                want["same"],
                "{} → {}: {got:?}",
                s["id"],
                c["id"]
            );
            if got.same == Some(false) {
                let fix = got.fix.as_ref().unwrap();
                let change = got.change.clone().unwrap_or_default();
                println!("{} → {}: {change}; {}", s["id"], c["id"], fix.explanation);
                // The findings, in words.
                if s["id"].as_str().unwrap().contains("nearest") {
                    assert!(change.contains("nearest became bilinear"), "{change}");
                }
                if s["id"].as_str().unwrap().contains("aa_down") {
                    assert!(change.contains("antialiasing was dropped"), "{change}");
                    assert!(!fix.possible);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 18, "{checked}");
}
