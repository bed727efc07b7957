//! The shipped conformance corpus on the CPU, and the runner's own behaviour: pluggable backends,
//! NaN handling, shape mismatches, panics, and typed errors for malformed corpora.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::conformance::{
    default_corpus_dir, CheckPath, Corpus, CpuBackend, FnBackend, PathSelection, Report,
    RunOptions, Status,
};
use halfpixel::npy::write_npy_f32;
use halfpixel::tensor::Tensor4;
use halfpixel::Error;
use ndarray::Array4;
use serde_json::{json, Value};

fn shipped() -> Corpus {
    match Corpus::load(default_corpus_dir()) {
        Ok(c) => c,
        Err(e) => panic!("the shipped corpus does not load: {e}"),
    }
}

fn text(report: &Report) -> String {
    let mut out = Vec::new();
    report
        .print_text(&mut out)
        .expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

#[test]
fn shipped_corpus_passes_on_cpu_through_both_paths() {
    if common::corpora_absent("shipped_corpus_passes_on_cpu_through_both_paths") {
        return;
    }
    let corpus = shipped();
    let report = corpus.run(&CpuBackend);
    let cases = corpus.cases().len();
    let portable = corpus.cases().iter().filter(|c| c.has_portable()).count();
    assert!(cases >= 400, "the shipped corpus has only {cases} cases");
    assert_eq!(
        report.results.len(),
        cases + portable,
        "one check per case and path"
    );
    let out = text(&report);
    let last = out.lines().last().unwrap_or_default();
    assert_eq!(last, report.summary_line());
    if !report.all_passed() {
        println!("{out}");
    }
    assert!(report.all_passed(), "{last}");
}

#[test]
fn shipped_corpus_portable_path_passes_on_cpu() {
    if common::corpora_absent("shipped_corpus_portable_path_passes_on_cpu") {
        return;
    }
    let corpus = shipped();
    let options = RunOptions {
        paths: PathSelection::Portable,
        ..RunOptions::default()
    };
    let report = corpus.run_with(&CpuBackend, &options);
    assert!(report.results.iter().all(|r| r.path == CheckPath::Portable));
    assert!(report.results.len() > 300);
    if !report.all_passed() {
        println!("{}", text(&report));
    }
    assert!(report.all_passed(), "{}", report.summary_line());
}

#[test]
fn cpu_as_its_own_reference_is_zero_ulp() {
    if common::corpora_absent("cpu_as_its_own_reference_is_zero_ulp") {
        return;
    }
    let corpus = shipped();
    let options = RunOptions {
        filter: Some(".bilinear."),
        reference: Some(&CpuBackend),
        ..RunOptions::default()
    };
    let report = corpus.run_with(&CpuBackend, &options);
    assert!(!report.results.is_empty());
    for r in &report.results {
        assert!(r.case_id.contains(".bilinear."));
        if r.passed() {
            assert_eq!(r.reference_max_ulp, Some(0), "{}", r.case_id);
            assert!(r.max_ulp.is_some());
        }
    }
}

// --- pluggable backends: the runner catches wrong outputs ------------------------------------------

const D2S: &str = "onnx.suite.depthtospace_example";

fn only(corpus: &Corpus, backend: &dyn halfpixel::conformance::Backend) -> Report {
    let options = RunOptions {
        filter: Some(D2S),
        ..RunOptions::default()
    };
    let report = corpus.run_with(backend, &options);
    assert_eq!(
        report.results.len(),
        2,
        "{D2S} has a call and a portable path"
    );
    report
}

#[test]
fn a_wrong_value_is_reported_with_its_index() {
    if common::corpora_absent("a_wrong_value_is_reported_with_its_index") {
        return;
    }
    let corpus = shipped();
    let backend = FnBackend::new("off-by-one", |op, input, layout| {
        let mut out = op.run_cpu_tensor(input, layout)?.to_f32();
        out[[0, 1, 2, 3]] += 0.5;
        Ok(Tensor4::F32(out))
    });
    let report = only(&corpus, &backend);
    assert_eq!(report.backend, "off-by-one");
    assert_eq!((report.passed(), report.failed()), (0, 2));
    for r in &report.results {
        match &r.status {
            Status::Failed {
                max_abs_error,
                worst_index,
                expected_value,
                got_value,
            } => {
                assert_eq!(*max_abs_error, 0.5);
                assert_eq!(worst_index, &vec![0, 1, 2, 3]);
                assert_eq!(*got_value - *expected_value, 0.5);
            }
            other => panic!("expected Failed, got {other:?}"),
        }
    }
    let out = text(&report);
    assert!(
        out.contains("FAIL") && out.contains("[0, 1, 2, 3]"),
        "{out}"
    );
    assert_eq!(out.lines().last(), Some("0 passed, 2 failed"));
    let json = report.to_json();
    assert_eq!(json["failed"], 2);
    assert_eq!(json["results"][0]["status"], "failed");
    assert_eq!(json["results"][0]["worst_index"], json!([0, 1, 2, 3]));
}

#[test]
fn shape_mismatch_unsupported_and_panics_are_failures() {
    if common::corpora_absent("shape_mismatch_unsupported_and_panics_are_failures") {
        return;
    }
    let corpus = shipped();
    let shape = FnBackend::new("shape", |op, input, layout| {
        let out = op.run_cpu_tensor(input, layout)?.to_f32();
        Ok(Tensor4::F32(out.slice_move(ndarray::s![.., .., .., 1..])))
    });
    let report = only(&corpus, &shape);
    assert!(report
        .results
        .iter()
        .all(|r| matches!(r.status, Status::ShapeMismatch { .. })));

    let unsupported = FnBackend::new("none", |_, _, _| {
        Err(Error::Unsupported {
            what: "nothing runs here".into(),
        })
    });
    let report = only(&corpus, &unsupported);
    assert!(report
        .results
        .iter()
        .all(|r| matches!(&r.status, Status::Unsupported { reason } if reason.contains("nothing runs here"))));
    assert!(!report.all_passed());

    let panics = FnBackend::new("panics", |_, _, _| -> halfpixel::Result<Tensor4> {
        panic!("backend exploded")
    });
    let report = only(&corpus, &panics);
    assert!(report.results.iter().all(
        |r| matches!(&r.status, Status::Error { reason } if reason.contains("backend exploded"))
    ));
}

// --- hand-made corpora ----------------------------------------------------------------------------

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty folder under the system temp dir (removed on drop).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("halfpixel-conf-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join("data")).expect("create temp corpus");
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn write_manifest(&self, manifest: &Value) {
        std::fs::write(self.0.join("manifest.json"), manifest.to_string()).expect("write manifest");
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An identity resize (nearest, asymmetric, same size): expected = input, computed by hand.
fn identity_case(id: &str, input: &str, expected: &str) -> Value {
    json!({
        "id": id,
        "reference": "hand-made",
        "op": "resize",
        "layout": "NCHW",
        "input": input,
        "expected": expected,
        "tolerance": {"max_abs": 0.0},
        "call": {"framework": "none", "function": "identity", "args": {}},
        "resize": {
            "mode": "nearest",
            "coordinate_transformation_mode": "asymmetric",
            "nearest_mode": "floor",
            "output_size": [2, 3],
        },
    })
}

fn manifest(cases: Vec<Value>) -> Value {
    json!({"format": "resize-conformance/1", "generated_by": "tests/conformance_cpu.rs", "cases": cases})
}

fn write(dir: &TempDir, name: &str, a: &Array4<f32>) {
    write_npy_f32(&dir.path().join("data").join(name), a.view()).expect("write npy");
}

#[test]
fn nan_must_meet_nan() {
    let dir = TempDir::new();
    let x = Array4::from_shape_vec(
        (1, 1, 2, 3),
        vec![1.0, f32::NAN, 3.0, -0.0, f32::INFINITY, 6.0],
    )
    .expect("shape");
    let mut wrong = x.clone();
    wrong[[0, 0, 0, 1]] = 2.0;
    write(&dir, "x.npy", &x);
    write(&dir, "wrong.npy", &wrong);
    dir.write_manifest(&manifest(vec![
        identity_case("same", "data/x.npy", "data/x.npy"),
        identity_case("number_for_nan", "data/x.npy", "data/wrong.npy"),
        identity_case("nan_for_number", "data/wrong.npy", "data/x.npy"),
    ]));
    let corpus = Corpus::load(dir.path()).expect("valid corpus");
    let report = corpus.run(&CpuBackend);
    let status = |id: &str, path: CheckPath| {
        report
            .results
            .iter()
            .find(|r| r.case_id == id && r.path == path)
            .map(|r| r.status.clone())
            .expect("check present")
    };
    assert!(
        matches!(status("same", CheckPath::Portable), Status::Passed { max_abs_error } if max_abs_error == 0.0)
    );
    for id in ["number_for_nan", "nan_for_number"] {
        match status(id, CheckPath::Portable) {
            Status::Failed {
                max_abs_error,
                worst_index,
                ..
            } => {
                assert_eq!(max_abs_error, f64::INFINITY, "{id}");
                assert_eq!(worst_index, vec![0, 0, 0, 1], "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
        // The made-up framework is not supported: the call path fails, it is not skipped.
        assert!(matches!(
            status(id, CheckPath::Call),
            Status::Unsupported { .. }
        ));
    }
    assert_eq!(report.summary_line(), "1 passed, 5 failed");
    let json = report.to_json();
    assert!(
        json["results"][2]["max_abs_error"].is_null(),
        "infinity serializes as null"
    );
}

#[test]
fn a_malformed_npy_fails_its_case_only() {
    let dir = TempDir::new();
    let x = Array4::from_shape_fn((1, 1, 2, 3), |(_, _, h, w)| (h * 3 + w) as f32);
    write(&dir, "x.npy", &x);
    std::fs::write(
        dir.path().join("data/bad.npy"),
        b"\x93NUMPY\x01\x00\xff\xff{'descr'",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("data/rank2.npy"),
        halfpixel::npy::to_npy_bytes(ndarray::arr2(&[[1.0f32]]).view()),
    )
    .expect("write");
    dir.write_manifest(&manifest(vec![
        identity_case("good", "data/x.npy", "data/x.npy"),
        identity_case("bad_expected", "data/x.npy", "data/bad.npy"),
        identity_case("rank2_input", "data/rank2.npy", "data/x.npy"),
    ]));
    let report = Corpus::load(dir.path())
        .expect("valid manifest")
        .run(&CpuBackend);
    let portable: Vec<_> = report.of_path(CheckPath::Portable).collect();
    assert!(portable[0].passed());
    assert!(
        matches!(&portable[1].status, Status::Error { reason } if reason.contains("malformed .npy"))
    );
    assert!(matches!(&portable[2].status, Status::Error { reason } if reason.contains("4-D")));
}

fn corpus_error(dir: &TempDir, manifest: &Value) -> String {
    dir.write_manifest(manifest);
    match Corpus::load(dir.path()) {
        Err(Error::Corpus { location, reason }) => format!("{location}: {reason}"),
        other => panic!("expected Error::Corpus for {manifest}, got {other:?}"),
    }
}

#[test]
fn malformed_manifests_are_typed_errors() {
    let dir = TempDir::new();
    let x = Array4::<f32>::zeros((1, 1, 2, 3));
    write(&dir, "x.npy", &x);
    let good = identity_case("good", "data/x.npy", "data/x.npy");
    dir.write_manifest(&manifest(vec![good.clone()]));
    assert!(Corpus::load(dir.path()).is_ok());

    let with = |key: &str, value: Value| {
        let mut c = good.clone();
        c[key] = value;
        manifest(vec![c])
    };
    let without = |key: &str| {
        let mut c = good.clone();
        c.as_object_mut().expect("object").remove(key);
        manifest(vec![c])
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({"cases": []}), "format"),
        (
            json!({"format": "resize-conformance/2", "cases": [good]}),
            "resize-conformance/1",
        ),
        (manifest(vec![]), "no cases"),
        (json!([1, 2]), "not a valid manifest"),
        (without("tolerance"), "tolerance"),
        (without("call"), "call"),
        (without("layout"), "layout"),
        (without("id"), "id"),
        (with("op", json!("rotate")), "rotate"),
        (with("layout", json!("NWHC")), "NWHC"),
        (with("input", json!("data/missing.npy")), "does not exist"),
        (with("input", json!("../x.npy")), ".."),
        (with("expected", json!("data/../../etc/passwd")), ".."),
        (with("input", json!("/etc/passwd")), "absolute"),
        (with("input", json!("")), "empty"),
        (with("tolerance", json!({"max_abs": -1.0})), "tolerance"),
        (
            with("tolerance", json!({"max_abs": "0"})),
            "field `tolerance`",
        ),
        (with("resize", json!([1, 2])), "object"),
        (with("block_size", json!(2)), "block_size"),
        (with("surprise", json!(1)), "surprise"),
        (with("id", json!("")), "empty id"),
        (manifest(vec![good.clone(), good.clone()]), "duplicate"),
    ];
    for (m, want) in cases {
        let e = corpus_error(&dir, &m);
        assert!(e.contains(want), "{m}\n  -> {e}\n  (wanted {want:?})");
    }

    let mut d2s = good.clone();
    d2s["op"] = json!("depth_to_space");
    d2s.as_object_mut().expect("object").remove("resize");
    d2s["block_size"] = json!(2);
    assert!(corpus_error(&dir, &manifest(vec![d2s.clone()])).contains("together"));
    d2s["order"] = json!("XYZ");
    assert!(corpus_error(&dir, &manifest(vec![d2s.clone()])).contains("XYZ"));
    d2s["order"] = json!("DCR");
    d2s["block_size"] = json!(0);
    assert!(corpus_error(&dir, &manifest(vec![d2s])).contains("at least 1"));

    std::fs::write(dir.path().join("manifest.json"), "").expect("write");
    assert!(matches!(
        Corpus::load(dir.path()),
        Err(Error::Corpus { .. })
    ));
    std::fs::write(dir.path().join("manifest.json"), "{\"format\": ").expect("write");
    assert!(matches!(
        Corpus::load(dir.path()),
        Err(Error::Corpus { .. })
    ));
    std::fs::remove_file(dir.path().join("manifest.json")).expect("remove");
    assert!(matches!(Corpus::load(dir.path()), Err(Error::Io { .. })));
}

#[test]
fn a_bad_portable_spec_fails_its_check() {
    let dir = TempDir::new();
    write(&dir, "x.npy", &Array4::<f32>::zeros((1, 1, 2, 3)));
    let mut c = identity_case("bad_spec", "data/x.npy", "data/x.npy");
    c["resize"]["mode"] = json!("bilinear-ish");
    let mut d = identity_case("cubic_without_a", "data/x.npy", "data/x.npy");
    d["resize"]["mode"] = json!("cubic");
    d["resize"]
        .as_object_mut()
        .expect("object")
        .remove("nearest_mode");
    dir.write_manifest(&manifest(vec![c, d]));
    let options = RunOptions {
        paths: PathSelection::Portable,
        ..RunOptions::default()
    };
    let report = Corpus::load(dir.path())
        .expect("valid")
        .run_with(&CpuBackend, &options);
    assert_eq!(report.summary_line(), "0 passed, 2 failed");
    assert!(report
        .results
        .iter()
        .all(|r| matches!(r.status, Status::Error { .. } | Status::Unsupported { .. })));
}
