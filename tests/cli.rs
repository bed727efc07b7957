//! The `halfpixel` binary: exit codes, the closing line, one-line errors, no panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

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

/// Parses a closing line of the form `N passed, M failed`.
fn counts(line: &str) -> Option<(usize, usize)> {
    let (p, rest) = line.split_once(" passed, ")?;
    let f = rest.strip_suffix(" failed")?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(p) || !all_digits(f) {
        return None;
    }
    Some((p.parse().ok()?, f.parse().ok()?))
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

/// Checks a run that could not happen: exit 2, one `error:` line, nothing on stdout, no panic.
fn assert_fatal(o: &Output, mentions: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(mentions),
        "{err:?} should mention {mentions:?}"
    );
    assert!(stdout(o).is_empty(), "{}", stdout(o));
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("halfpixel-cli-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.join("data")).expect("create temp corpus");
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn arg(&self) -> &str {
        self.0.to_str().expect("temp path is UTF-8")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn shipped_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// A one-case corpus copied from the shipped one (manifest entry and both data files).
fn copy_case(id: &str) -> (TempDir, Value) {
    let text = std::fs::read_to_string(shipped_dir().join("manifest.json")).expect("manifest");
    let manifest: Value = serde_json::from_str(&text).expect("manifest is JSON");
    let case = manifest["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == id))
        .cloned()
        .unwrap_or_else(|| panic!("{id} is not in the shipped corpus"));
    let dir = TempDir::new();
    for key in ["input", "expected"] {
        let rel = case[key].as_str().expect("path");
        std::fs::copy(shipped_dir().join(rel), dir.path().join(rel)).expect("copy data file");
    }
    (dir, case)
}

fn write_manifest(dir: &TempDir, cases: Vec<Value>) {
    let m =
        json!({"format": "resize-conformance/1", "generated_by": "tests/cli.rs", "cases": cases});
    std::fs::write(dir.path().join("manifest.json"), m.to_string()).expect("write manifest");
}

const GOOD: &str = "torch.bilinear.ac0.size9x12.n1c3h5w7";

#[test]
fn help_is_helpful() {
    let o = halfpixel(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("conformance"), "{}", stdout(&o));
    let o = halfpixel(&["conformance", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for flag in [
        "--corpus",
        "--backend",
        "--json",
        "--verbose",
        "--filter",
        "cpu",
        "gpu",
        "Exit status",
    ] {
        assert!(
            help.contains(flag),
            "conformance --help lacks {flag}:\n{help}"
        );
    }
    let o = halfpixel(&[]);
    assert_eq!(o.status.code(), Some(2), "no subcommand is a usage error");
}

#[test]
fn shipped_corpus_ends_with_the_count_line() {
    let json_dir = TempDir::new();
    let json_path = json_dir.path().join("report.json");
    let o = halfpixel(&["conformance", "--json", json_path.to_str().expect("utf-8")]);
    let last = last_line(&o);
    let (passed, failed) = counts(&last).unwrap_or_else(|| panic!("bad last line {last:?}"));
    assert!(passed + failed > 800, "{last}");
    assert_eq!(
        o.status.code(),
        Some(if failed == 0 { 0 } else { 1 }),
        "{last}"
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("framework") && out.contains("torch") && out.contains("onnx"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
            .expect("valid JSON");
    assert_eq!(report["passed"], passed);
    assert_eq!(report["failed"], failed);
    assert_eq!(
        report["results"].as_array().map(Vec::len),
        Some(passed + failed)
    );
}

#[test]
fn one_good_case_passes_both_paths() {
    let (dir, case) = copy_case(GOOD);
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    assert_eq!(
        last_line(&o),
        "2 passed, 0 failed",
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(0));
    let o = halfpixel(&["conformance", "--corpus", dir.arg(), "--verbose"]);
    assert!(
        stdout(&o).contains(&format!("PASS        {GOOD} [call]")),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(&format!("PASS        {GOOD} [portable]")));
    let o = halfpixel(&["conformance", "--corpus", dir.arg(), "--paths", "portable"]);
    assert_eq!(last_line(&o), "1 passed, 0 failed");
}

#[test]
fn an_unsupported_call_fails_the_run() {
    let (dir, mut case) = copy_case(GOOD);
    case["call"]["framework"] = json!("not-a-framework");
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    assert_eq!(last_line(&o), "1 passed, 1 failed", "{}", stdout(&o));
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(&format!("UNSUPPORTED {GOOD} [call]")),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_wrong_expected_value_fails_the_run() {
    let (dir, case) = copy_case(GOOD);
    let expected = dir.path().join(case["expected"].as_str().expect("path"));
    let mut a = halfpixel::npy::read_npy(&expected)
        .expect("read")
        .into_arrayd()
        .expect("array");
    a[[0, 2, 8, 11]] += 1.0;
    halfpixel::npy::write_npy_f32(&expected, a.view()).expect("write");
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    assert_eq!(last_line(&o), "0 passed, 2 failed");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("at [0, 2, 8, 11]"), "{}", stdout(&o));
}

#[test]
fn missing_or_empty_manifest_is_a_one_line_error() {
    let dir = TempDir::new();
    assert_fatal(
        &halfpixel(&["conformance", "--corpus", dir.arg()]),
        "manifest.json",
    );
    std::fs::write(dir.path().join("manifest.json"), "").expect("write");
    assert_fatal(
        &halfpixel(&["conformance", "--corpus", dir.arg()]),
        "malformed corpus",
    );
    std::fs::write(
        dir.path().join("manifest.json"),
        "{\"format\": \"resize-conformance/1\",\n \"cases\": [{}]}",
    )
    .expect("write");
    assert_fatal(
        &halfpixel(&["conformance", "--corpus", dir.arg()]),
        "missing field",
    );
    assert_fatal(
        &halfpixel(&["conformance", "--corpus", "/nonexistent/halfpixel/corpus"]),
        "cannot read",
    );
}

#[test]
fn unsafe_paths_are_refused() {
    let (dir, mut case) = copy_case(GOOD);
    case["input"] = json!("../../etc/passwd");
    write_manifest(&dir, vec![case]);
    assert_fatal(&halfpixel(&["conformance", "--corpus", dir.arg()]), "..");
}

#[test]
fn a_malformed_npy_fails_without_panicking() {
    let (dir, case) = copy_case(GOOD);
    let input = dir.path().join(case["input"].as_str().expect("path"));
    let bytes = std::fs::read(&input).expect("read");
    std::fs::write(&input, &bytes[..bytes.len() / 2]).expect("truncate");
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(last_line(&o), "0 passed, 2 failed");
    assert!(stdout(&o).contains("malformed .npy"), "{}", stdout(&o));

    std::fs::write(&input, b"not numpy at all").expect("write");
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn gpu_backends_are_not_built_yet() {
    for b in ["gpu", "all", "auto"] {
        assert_fatal(
            &halfpixel(&["conformance", "--backend", b]),
            "GPU backend not built yet",
        );
    }
    let o = halfpixel(&["conformance", "--backend", "tpu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("possible values"), "{}", stderr(&o));
}

#[test]
fn other_fatal_errors() {
    assert_fatal(
        &halfpixel(&["conformance", "--filter", "no.such.case.id"]),
        "no case id contains",
    );
    let (dir, case) = copy_case(GOOD);
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&[
        "conformance",
        "--corpus",
        dir.arg(),
        "--json",
        "/nonexistent/dir/report.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cannot write"),
        "{}",
        stderr(&o)
    );
}
