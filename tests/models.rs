//! The model corpus (tests/models, format resize-models/1): every layer of every model read
//! from the file equals the manifest's (name, op, layout, shapes, call, pattern, computed
//! inputs, precision), every layer with runtime tensors is reproduced through the conformance
//! runner at its tolerance, and every pair verdict the manifest knows is matched.
//! Every format is covered: ONNX, TFLite, Keras and Core ML (NeuralNetwork `.mlmodel` and ML
//! Program `.mlpackage`).

#![cfg(feature = "audit")]

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use halfpixel::conformance::{Corpus, CpuBackend};
use halfpixel::model::audit::{audit, AuditOptions, ModelAudit};
use halfpixel::model::describe::onnx_runtime_variant;
use halfpixel::model::fold::InputShape;
use halfpixel::model::pair::pair;
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models"))
}

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap()
}

fn models(m: &Value) -> &Vec<Value> {
    m["models"].as_array().unwrap()
}

fn audit_model(model: &Value) -> ModelAudit {
    let dims: Vec<usize> = model["input_shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let options = AuditOptions {
        input_shapes: vec![InputShape { name: None, dims }],
        ..AuditOptions::default()
    };
    let path = root().join(model["file"].as_str().unwrap());
    audit(&path, &options).unwrap_or_else(|e| panic!("{}: {e}", model["id"]))
}

#[test]
fn every_layer_reads_as_the_manifest_says() {
    if common::corpora_absent("every_layer_reads_as_the_manifest_says") {
        return;
    }
    let m = manifest();
    let mut checked = 0;
    for model in models(&m) {
        let id = model["id"].as_str().unwrap();
        let got = audit_model(model);
        let want = model["layers"].as_array().unwrap();
        let names: Vec<&str> = got
            .layers
            .iter()
            .map(|l| l.found.layer.name.as_str())
            .collect();
        assert_eq!(got.layers.len(), want.len(), "{id}: layers {names:?}");
        for (g, w) in got.layers.iter().zip(want) {
            let j = g.to_json();
            let l = &g.found.layer;
            let at = format!("{id} layer {}", w["name"]);
            assert_eq!(j["name"], w["name"], "{at}: name (in execution order)");
            assert_eq!(j["op"], w["op"], "{at}: op");
            assert_eq!(j["layout"], w["layout"], "{at}: layout");
            assert_eq!(j["input_shape"], w["input_shape"], "{at}: input_shape");
            assert_eq!(j["output_shape"], w["output_shape"], "{at}: output_shape");
            match &w["pattern"] {
                Value::Null => {
                    assert!(
                        l.pattern.is_none(),
                        "{at}: unexpected pattern {:?}",
                        l.pattern
                    );
                    assert_eq!(j["call"], w["call"], "{at}: call");
                }
                p => {
                    assert_eq!(&j["pattern"], p, "{at}: pattern");
                    assert!(
                        l.call.is_some(),
                        "{at}: the pattern's call: {:?}",
                        l.unknowns
                    );
                }
            }
            if let Some(ci) = w.get("computed_inputs").filter(|v| v.is_array()) {
                assert_eq!(&json!(l.computed_inputs), ci, "{at}: computed_inputs");
            }
            if let Some(p) = w.get("precision") {
                assert_eq!(&j["precision"], p, "{at}: precision");
            }
            assert!(l.unknowns.is_empty(), "{at}: {:?}", l.unknowns);
            checked += 1;
        }
    }
    assert!(checked >= 56, "only {checked} layers checked");
}

/// The layers with runtime tensors, as a conformance corpus whose calls are the ones read from
/// the files (for a pattern: the call it equals), run by the conformance runner.
#[test]
fn every_layer_with_runtime_tensors_is_reproduced_through_the_conformance_runner() {
    if common::corpora_absent(
        "every_layer_with_runtime_tensors_is_reproduced_through_the_conformance_runner",
    ) {
        return;
    }
    let m = manifest();
    let mut cases = Vec::new();
    for model in models(&m) {
        let got = audit_model(model);
        for (k, w) in model["layers"].as_array().unwrap().iter().enumerate() {
            if w["expected"].is_null() {
                continue;
            }
            let l = &got.layers[k].found.layer;
            cases.push(json!({
                "id": format!("{}.{k}", model["id"].as_str().unwrap()),
                "reference": format!("{} ({})", w["runtime"].as_str().unwrap_or(""), model["producer"].as_str().unwrap_or("")),
                "op": w["op"],
                "layout": w["layout"],
                "input": w["input"],
                "expected": w["expected"],
                "tolerance": w["tolerance"],
                "call": l.call,
            }));
        }
    }
    assert!(cases.len() >= 38, "{} cases", cases.len());
    let text = json!({"format": "resize-conformance/1", "generated_by": "tests/models.rs", "cases": cases}).to_string();
    let corpus = Corpus::from_manifest_str(root(), &text).unwrap();
    let report = corpus.run(&CpuBackend);
    let mut out = Vec::new();
    report.print_text(&mut out).unwrap();
    assert!(report.all_passed(), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn every_pair_verdict_the_manifest_knows_is_matched() {
    if common::corpora_absent("every_pair_verdict_the_manifest_knows_is_matched") {
        return;
    }
    let m = manifest();
    let by_id: HashMap<&str, &Value> = models(&m)
        .iter()
        .map(|x| (x["id"].as_str().unwrap(), x))
        .collect();
    let mut audits: HashMap<&str, ModelAudit> = HashMap::new();
    let mut checked = 0;
    for p in m["pairs"].as_array().unwrap() {
        let (s, c) = (
            p["source"].as_str().unwrap(),
            p["converted"].as_str().unwrap(),
        );
        for id in [s, c] {
            audits.entry(id).or_insert_with(|| audit_model(by_id[id]));
        }
        let verdicts = pair(&audits[s], &audits[c]);
        for want in p["layers"].as_array().unwrap() {
            let got = verdicts
                .iter()
                .find(|v| v.source == want["source"].as_str().unwrap())
                .unwrap_or_else(|| {
                    panic!("{s} → {c}: {} is not paired: {verdicts:?}", want["source"])
                });
            assert_eq!(
                got.converted,
                want["converted"].as_str().unwrap(),
                "{s} → {c}"
            );
            assert_eq!(json!(got.same), want["same"], "{s} → {c}: {got:?}");
            if got.same == Some(false) {
                let fix = got
                    .fix
                    .as_ref()
                    .expect("a differing pair says what would fix it");
                // The findings, in words a user understands.
                let change = got.change.clone().unwrap_or_default();
                if s.contains("nearest") {
                    assert!(
                        change.contains("nearest became bilinear"),
                        "{s} → {c}: {change}"
                    );
                    // Core ML's validator takes a fractional factor only with BILINEAR and
                    // ALIGN_CORNERS_TRUE/FALSE: a fractional nearest has no NeuralNetwork fix.
                    let fractional_nn = s.contains("size_frac") && c.contains("neuralnetwork");
                    assert_eq!(
                        fix.possible, !fractional_nn,
                        "{s} → {c}: {}",
                        fix.explanation
                    );
                }
                if s.contains("aa_down") {
                    assert!(
                        change.contains("antialiasing was dropped"),
                        "{s} → {c}: {change}"
                    );
                    assert!(!fix.possible, "{s} → {c}: {}", fix.explanation);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 22, "{checked} pairs checked");
}

#[test]
fn the_json_report_has_the_documented_shape() {
    if common::corpora_absent("the_json_report_has_the_documented_shape") {
        return;
    }
    let m = manifest();
    let model = models(&m)
        .iter()
        .find(|x| x["id"] == "torch2onnx.ts13.seg_head")
        .unwrap();
    let a = audit_model(model);
    let v = halfpixel::model::pair::report_json(&[&a], &[]);
    assert_eq!(v["format"], "halfpixel-audit/1");
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&v), ["format", "models", "pairs"]);
    assert_eq!(keys(&v["models"][0]), ["format", "layers", "path"]);
    assert_eq!(
        keys(&v["models"][0]["layers"][0]),
        [
            "call",
            "equivalents",
            "input_shape",
            "layout",
            "name",
            "op",
            "output_shape",
            "pattern",
            "precision",
            "warnings"
        ]
    );
    assert_eq!(v["models"][0]["format"], "onnx");
}

/// Models halfpixel has never seen (`tools/gen_unseen_models.py --out DIR`, then
/// `HALFPIXEL_UNSEEN_MODELS=DIR cargo test --test models unseen`): every model has the layers
/// its manifest lists (op, layout, shapes; patterns where it says so), and the calls read from
/// the files reproduce the runtimes' tensors through the conformance runner. Without the
/// variable there is nothing to check (the corpus is generated, not shipped).
#[test]
fn unseen_models_from_the_same_converters() {
    let Ok(dir) = std::env::var("HALFPIXEL_UNSEEN_MODELS") else {
        eprintln!(
            "skipped: set HALFPIXEL_UNSEEN_MODELS to a corpus made by tools/gen_unseen_models.py"
        );
        return;
    };
    let root = PathBuf::from(dir);
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap())
            .unwrap();
    let mut cases = Vec::new();
    let mut failures = Vec::new();
    for model in models(&m) {
        let id = model["id"].as_str().unwrap();
        let dims: Vec<usize> = model["input_shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let options = AuditOptions {
            input_shapes: vec![InputShape { name: None, dims }],
            ..AuditOptions::default()
        };
        let got = match audit(&root.join(model["file"].as_str().unwrap()), &options) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{id}: {e}"));
                continue;
            }
        };
        let want = model["layers"].as_array().unwrap();
        if got.layers.len() != want.len() {
            let names: Vec<String> = got.layers.iter().map(|l| l.sentence.clone()).collect();
            failures.push(format!(
                "{id}: {} layers, want {}: {names:?}",
                got.layers.len(),
                want.len()
            ));
            continue;
        }
        for (k, (g, w)) in got.layers.iter().zip(want).enumerate() {
            let j = g.to_json();
            for key in ["op", "layout", "input_shape", "output_shape"] {
                if j[key] != w[key] {
                    failures.push(format!("{id} layer {k}: {key} {} want {}", j[key], w[key]));
                }
            }
            if w["pattern"] == true && j["pattern"].is_null() {
                failures.push(format!("{id} layer {k}: not found as a pattern"));
            }
            // Core ML layers carry no tensors (Core ML runs only on Apple platforms): their
            // name, call and precision, read back by coremltools, are checked instead.
            for key in ["name", "call", "precision"] {
                if let Some(want) = w.get(key).filter(|v| !v.is_null()) {
                    if &j[key] != want {
                        failures.push(format!("{id} layer {k}: {key} {} want {want}", j[key]));
                    }
                }
            }
            if !g.found.layer.unknowns.is_empty() {
                failures.push(format!("{id} layer {k}: {:?}", g.found.layer.unknowns));
            }
            if w["expected"].is_string() {
                // Where the audit warns that ONNX Runtime computes another function than ONNX's
                // reference, the runtime's tensors must match the call it says ONNX Runtime runs.
                let l = &g.found.layer;
                let call = match (&l.call, &l.input_shape, &l.output_shape) {
                    (Some(c), Some(i), Some(o)) => {
                        onnx_runtime_variant(c, i, o).or_else(|| l.call.clone())
                    }
                    _ => l.call.clone(),
                };
                cases.push(json!({
                    "id": format!("{id}.{k}"), "op": w["op"], "layout": w["layout"], "input": w["input"],
                    "expected": w["expected"], "tolerance": w["tolerance"], "call": call,
                }));
            }
        }
    }
    let text = json!({"format": "resize-conformance/1", "cases": cases}).to_string();
    let corpus = Corpus::from_manifest_str(&root, &text).unwrap();
    let report = corpus.run(&CpuBackend);
    let mut out = Vec::new();
    report.print_text(&mut out).unwrap();
    assert!(
        failures.is_empty() && report.all_passed(),
        "{failures:#?}\n{}",
        String::from_utf8_lossy(&out)
    );
}
