//! The `halfpixel` binary: exit codes, the closing line, one-line errors, no panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

fn halfpixel(args: &[&str]) -> Output {
    halfpixel_env(args, &[], &[])
}

/// Runs the binary with `set` variables set and `unset` ones removed.
fn halfpixel_env(args: &[&str], set: &[(&str, &str)], unset: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_halfpixel"));
    command.args(args);
    for (k, v) in set {
        command.env(k, v);
    }
    for k in unset {
        command.env_remove(k);
    }
    command.output().expect("the halfpixel binary runs")
}

/// Adapter labels (`backend:name`) as the binary prints them, from the library's own enumeration.
fn adapter_labels() -> Vec<String> {
    halfpixel::gpu::enumerate_adapters()
        .iter()
        .map(|a| {
            let info = a.get_info();
            format!(
                "{}:{}",
                format!("{:?}", info.backend).to_lowercase(),
                info.name
            )
        })
        .collect()
}

/// A wgpu backend this platform does not have: `WGPU_BACKEND` set to it leaves no adapter.
fn absent_backend() -> &'static str {
    if cfg!(target_os = "macos") {
        "dx12"
    } else {
        "metal"
    }
}

/// The checks of one backend on the shipped corpus: every case's call, plus its portable spec.
/// The checks of a default conformance run: every shipped corpus (tests/corpus and
/// tests/corpus-images), each case's call and, where it has one, its portable spec.
fn shipped_checks() -> usize {
    halfpixel::conformance::default_corpus_dirs()
        .into_iter()
        .map(|dir| {
            let corpus = halfpixel::conformance::Corpus::load(dir).expect("shipped corpus");
            corpus
                .cases()
                .iter()
                .map(|c| 1 + usize::from(c.has_portable()))
                .sum::<usize>()
        })
        .sum()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr without what graphics drivers print while wgpu enumerates adapters (Mesa's EGL says
/// `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` when that is unset).
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR"))
        .map(|l| format!("{l}\n"))
        .collect()
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
        "--adapter",
        "cpu",
        "gpu",
        "all",
        "auto",
        "HALFPIXEL_REQUIRE_GPU",
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
    let o = halfpixel(&[
        "conformance",
        "--backend",
        "cpu",
        "--json",
        json_path.to_str().expect("utf-8"),
    ]);
    let last = last_line(&o);
    let (passed, failed) = counts(&last).unwrap_or_else(|| panic!("bad last line {last:?}"));
    assert_eq!(passed + failed, shipped_checks(), "{last}");
    assert!(passed + failed > 800, "{last}");
    assert_eq!(
        o.status.code(),
        Some(if failed == 0 { 0 } else { 1 }),
        "{last}"
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("backend cpu: the CPU only"), "{out}");
    assert!(!out.contains("GPU adapters found"), "{out}");
    assert!(out.contains("matrix") && out.contains("torch") && out.contains("onnx"));
    assert!(
        out.contains(&format!("cpu: {passed} passed, {failed} failed (call ")),
        "{out}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
            .expect("valid JSON");
    assert_eq!(report["format"], "halfpixel-conformance-run/1");
    assert_eq!(report["passed"], passed);
    assert_eq!(report["failed"], failed);
    assert_eq!(report["backend_choice"], "cpu");
    assert!(report["adapters"].is_null());
    let backends = report["backends"].as_array().expect("backends");
    assert_eq!(backends.len(), 1);
    assert_eq!(backends[0]["backend"], "cpu");
    assert_eq!(
        backends[0]["results"].as_array().map(Vec::len),
        Some(passed + failed)
    );
    let rows = report["matrix"]["rows"].as_array().expect("matrix rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["total"]["passed"], passed);
    assert_eq!(
        report["matrix"]["frameworks"],
        json!(["coreml", "keras", "onnx", "opencv", "pillow", "tf", "torch"])
    );
}

/// `--backend all` and the default (`auto`): the CPU and every adapter, a matrix row each, and a
/// closing line over everything. Without an adapter, `all` is an error and `auto` runs the CPU.
#[test]
fn every_backend_on_the_shipped_corpus() {
    let labels = adapter_labels();
    let per_backend = shipped_checks();
    if labels.is_empty() {
        if halfpixel::gpu::gpu_required() {
            assert_fatal(
                &halfpixel(&["conformance", "--backend", "all"]),
                "no GPU adapter found",
            );
            return;
        }
        eprintln!("no GPU adapter: --backend all must refuse, auto must run the CPU only");
        assert_fatal(
            &halfpixel(&["conformance", "--backend", "all"]),
            "no GPU adapter found",
        );
        let o = halfpixel(&["conformance"]);
        assert_eq!(last_line(&o), format!("{per_backend} passed, 0 failed"));
        assert!(stdout(&o).contains("running on the CPU only"));
        return;
    }
    let json_dir = TempDir::new();
    let json_path = json_dir.path().join("all.json");
    for args in [vec!["conformance", "--backend", "all"], vec!["conformance"]] {
        let mut args = args.clone();
        args.extend(["--json", json_path.to_str().expect("utf-8")]);
        let o = halfpixel(&args);
        let out = stdout(&o);
        let last = last_line(&o);
        let all = (1 + labels.len()) * per_backend;
        assert_eq!(last, format!("{all} passed, 0 failed"), "{args:?}:\n{out}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(
            out.starts_with(&format!("GPU adapters found: {}\n", labels.len())),
            "{out}"
        );
        for label in &labels {
            assert!(
                out.contains(&format!("\n  {label} ")),
                "adapter {label} listed: {out}"
            );
            assert!(
                out.contains(&format!("\n{label}: {per_backend} passed, 0 failed (call ")),
                "summary line of {label}: {out}"
            );
        }
        assert!(out.contains("the CPU and every GPU adapter found"), "{out}");
        assert!(out.contains("\ncpu: "), "{out}");
        assert!(
            out.contains("max ULP distance from the cpu output"),
            "{out}"
        );
        let matrix_rows = out
            .lines()
            .skip_while(|l| !l.starts_with("matrix"))
            .skip(3)
            .take_while(|l| !l.is_empty())
            .count();
        assert_eq!(matrix_rows, 1 + labels.len(), "{out}");

        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
                .expect("valid JSON");
        assert_eq!(report["passed"], all);
        assert_eq!(report["failed"], 0);
        let backends = report["backends"].as_array().expect("backends");
        assert_eq!(backends.len(), 1 + labels.len());
        assert_eq!(backends[0]["backend"], "cpu");
        assert!(backends[0]["reference"].is_null());
        for (b, label) in backends[1..].iter().zip(&labels) {
            assert!(b["backend"]
                .as_str()
                .is_some_and(|n| n.starts_with(label.as_str())));
            assert_eq!(b["reference"], "cpu");
            assert!(
                b["max_reference_ulp"].is_u64(),
                "{}",
                b["max_reference_ulp"]
            );
            assert!(b["unavailable"].is_null());
        }
        assert_eq!(
            report["adapters"].as_array().map(Vec::len),
            Some(labels.len())
        );
        let rows = report["matrix"]["rows"].as_array().expect("rows");
        assert!(rows[1..]
            .iter()
            .all(|r| r["cells"]["torch"]["max_reference_ulp"].is_u64()));
    }
}

/// `--backend gpu` runs the adapters and not the CPU; `--adapter` narrows them by name or
/// `backend:name` label.
#[test]
fn gpu_only_and_adapter_selection() {
    let labels = adapter_labels();
    if labels.is_empty() {
        eprintln!("no GPU adapter: skipping --backend gpu / --adapter selection");
        return;
    }
    let per_backend = shipped_checks();
    let o = halfpixel(&["conformance", "--backend", "gpu", "--paths", "call"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(!out.contains("\ncpu: "), "the CPU does not run: {out}");
    assert!(
        out.contains("backend gpu: every GPU adapter found"),
        "{out}"
    );
    let (passed, failed) = counts(&last_line(&o)).expect("count line");
    assert_eq!(failed, 0);
    assert!(
        passed > 0 && passed < labels.len() * per_backend,
        "{passed}"
    );

    // Select the first adapter's backend by its label prefix (`vulkan:`), case-insensitively.
    let prefix = labels[0].split(':').next().expect("label").to_string();
    let chosen: Vec<&String> = labels
        .iter()
        .filter(|l| l.starts_with(&format!("{prefix}:")))
        .collect();
    let wanted = format!("{}:", prefix.to_uppercase());
    let json_dir = TempDir::new();
    let json_path = json_dir.path().join("one.json");
    let o = halfpixel(&[
        "conformance",
        "--backend",
        "gpu",
        "--adapter",
        &wanted,
        "--filter",
        "torch.",
        "--json",
        json_path.to_str().expect("utf-8"),
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("selected by --adapter"), "{out}");
    for label in &labels {
        let runs = out.contains(&format!("\n{label}: "));
        assert_eq!(
            runs,
            chosen.contains(&label),
            "{label} with --adapter {wanted}: {out}"
        );
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
            .expect("valid JSON");
    assert_eq!(
        report["backends"].as_array().map(Vec::len),
        Some(chosen.len())
    );
    assert_eq!(report["adapter_filter"], wanted.as_str());
    assert_eq!(report["matrix"]["frameworks"], json!(["torch"]));
}

#[test]
fn an_unknown_adapter_is_a_one_line_error() {
    for backend in ["auto", "gpu", "all"] {
        let o = halfpixel(&[
            "conformance",
            "--backend",
            backend,
            "--adapter",
            "no-such-adapter-anywhere",
        ]);
        assert_fatal(
            &o,
            "no GPU adapter matches --adapter \"no-such-adapter-anywhere\"",
        );
        for label in adapter_labels() {
            assert!(stderr(&o).contains(&label), "lists {label}: {}", stderr(&o));
        }
    }
    assert_fatal(
        &halfpixel(&["conformance", "--backend", "cpu", "--adapter", "llvmpipe"]),
        "cannot be used with --backend cpu",
    );
}

/// With `WGPU_BACKEND` naming a backend this platform lacks, wgpu finds no adapter: `gpu` and
/// `all` refuse, `auto` runs the CPU and says so, unless `HALFPIXEL_REQUIRE_GPU=1`.
#[test]
fn without_an_adapter() {
    let none = [("WGPU_BACKEND", absent_backend())];
    for backend in ["gpu", "all"] {
        let o = halfpixel_env(
            &["conformance", "--backend", backend],
            &none,
            &["HALFPIXEL_REQUIRE_GPU"],
        );
        assert_fatal(&o, "no GPU adapter found");
        assert!(stderr(&o).contains("--backend cpu"), "{}", stderr(&o));
    }
    let o = halfpixel_env(
        &["conformance", "--filter", GOOD],
        &none,
        &["HALFPIXEL_REQUIRE_GPU"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("GPU adapters found: none\nbackend auto: no GPU adapter"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("running on the CPU only"));
    assert_eq!(last_line(&o), "2 passed, 0 failed");
    let o = halfpixel_env(
        &["conformance", "--filter", GOOD],
        &[none[0], ("HALFPIXEL_REQUIRE_GPU", "1")],
        &[],
    );
    assert_fatal(&o, "HALFPIXEL_REQUIRE_GPU");
    let o = halfpixel_env(
        &["conformance", "--backend", "cpu", "--filter", GOOD],
        &[none[0], ("HALFPIXEL_REQUIRE_GPU", "1")],
        &[],
    );
    assert_eq!(
        last_line(&o),
        "2 passed, 0 failed",
        "the CPU needs no adapter"
    );
}

#[test]
fn one_good_case_passes_both_paths() {
    let (dir, case) = copy_case(GOOD);
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--backend", "cpu", "--corpus", dir.arg()]);
    assert_eq!(
        last_line(&o),
        "2 passed, 0 failed",
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert_eq!(o.status.code(), Some(0));
    let o = halfpixel(&[
        "conformance",
        "--backend",
        "cpu",
        "--corpus",
        dir.arg(),
        "--verbose",
    ]);
    assert!(
        stdout(&o).contains(&format!("PASS        {GOOD} [call]")),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains(&format!("PASS        {GOOD} [portable]")));
    let o = halfpixel(&[
        "conformance",
        "--backend",
        "cpu",
        "--corpus",
        dir.arg(),
        "--paths",
        "portable",
    ]);
    assert_eq!(last_line(&o), "1 passed, 0 failed");
}

#[test]
fn an_unsupported_call_fails_the_run() {
    let (dir, mut case) = copy_case(GOOD);
    case["call"]["framework"] = json!("not-a-framework");
    write_manifest(&dir, vec![case]);
    let o = halfpixel(&["conformance", "--backend", "cpu", "--corpus", dir.arg()]);
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
    let o = halfpixel(&["conformance", "--backend", "cpu", "--corpus", dir.arg()]);
    assert_eq!(last_line(&o), "0 passed, 2 failed");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("at [0, 2, 8, 11]"), "{}", stdout(&o));

    // The default backend (auto) fails it on the CPU and on every adapter, each listed.
    let labels = adapter_labels();
    if labels.is_empty() && halfpixel::gpu::gpu_required() {
        return;
    }
    let o = halfpixel(&["conformance", "--corpus", dir.arg()]);
    let backends = 1 + labels.len();
    assert_eq!(
        last_line(&o),
        format!("0 passed, {} failed", 2 * backends),
        "{}",
        stdout(&o)
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o).matches("at [0, 2, 8, 11]").count(),
        2 * backends,
        "{}",
        stdout(&o)
    );
    for label in &labels {
        assert!(
            stdout(&o).contains(&format!("\n{label}: 0 passed, 2 failed")),
            "{}",
            stdout(&o)
        );
    }
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
    let o = halfpixel(&["conformance", "--backend", "cpu", "--corpus", dir.arg()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(last_line(&o), "0 passed, 2 failed");
    assert!(stdout(&o).contains("malformed .npy"), "{}", stdout(&o));

    std::fs::write(&input, b"not numpy at all").expect("write");
    let o = halfpixel(&["conformance", "--backend", "cpu", "--corpus", dir.arg()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn an_unknown_backend_is_a_usage_error() {
    let o = halfpixel(&["conformance", "--backend", "tpu"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("possible values"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
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

/// The progress bar goes to stderr only when it is a terminal (here it is a pipe, so nothing), or
/// when `HALFPIXEL_PROGRESS=1` asks for it; stdout never carries it.
#[test]
fn the_progress_bar_is_drawn_only_when_asked_or_on_a_terminal() {
    let args = [
        "conformance",
        "--backend",
        "cpu",
        "--filter",
        "torch.bilinear",
    ];
    let quiet = halfpixel_env(&args, &[], &["HALFPIXEL_PROGRESS"]);
    assert_eq!(quiet.status.code(), Some(0));
    let err = String::from_utf8_lossy(&quiet.stderr);
    assert!(!err.contains('\r'), "a pipe got a progress bar: {err:?}");
    let drawn = halfpixel_env(&args, &[("HALFPIXEL_PROGRESS", "1")], &[]);
    assert_eq!(drawn.status.code(), Some(0));
    let err = String::from_utf8_lossy(&drawn.stderr);
    assert!(err.contains("cpu [") && err.contains("100%"), "{err:?}");
    assert!(err.ends_with("\r\x1b[2K"), "the bar is not erased: {err:?}");
    let out = String::from_utf8_lossy(&drawn.stdout);
    assert!(!out.contains('\r') && out.contains("passed"), "{out}");
}
