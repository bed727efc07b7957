//! `halfpixel bench`: runs and prints a table, refuses unknown workloads in one line, writes
//! JSON. Kept fast (W5 on the CPU, a few repetitions); timings are never asserted.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

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

/// A file path in the temporary directory, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        TempFile(
            std::env::temp_dir().join(format!("halfpixel-bench-cli-{}-{name}", std::process::id())),
        )
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn cpu_bench_prints_a_table_with_bandwidth() {
    let o = halfpixel(&[
        "bench",
        "--backend",
        "cpu",
        "--workload",
        "W5",
        "--reps",
        "3",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("floor cpu memcpy"), "{out}");
    let header = out
        .lines()
        .find(|l| l.starts_with("workload"))
        .unwrap_or_else(|| panic!("no table header:\n{out}"));
    for column in ["median", "min", "p90", "GB/s", "of floor"] {
        assert!(header.contains(column), "header lacks {column}: {header}");
    }
    let row = out
        .lines()
        .find(|l| l.starts_with("W5 ") && l.contains("cpu"))
        .unwrap_or_else(|| panic!("no W5 cpu row:\n{out}"));
    // The bandwidth cell (a number of GB/s) and its share of the memcpy floor.
    assert!(row.contains("% memcpy"), "{row}");
    let gbps: Vec<f64> = row
        .split_whitespace()
        .filter_map(|c| c.parse::<f64>().ok())
        .collect();
    assert!(
        gbps.iter().any(|&v| v > 0.0),
        "no bandwidth in the W5 row: {row}"
    );
    assert!(
        !out.lines().any(|l| l.starts_with("W1 ")),
        "only W5 was asked for:\n{out}"
    );
}

#[test]
fn an_unknown_workload_is_a_one_line_usage_error() {
    for list in ["W9", "W1,bogus", ""] {
        let o = halfpixel(&["bench", "--backend", "cpu", "--workload", list]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--workload {list:?}: {}",
            stderr(&o)
        );
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
        assert!(err.starts_with("error: "), "{err}");
        for name in halfpixel::workloads::all().iter().map(|w| w.name) {
            assert!(err.contains(name), "{err} should list {name}");
        }
        assert!(stdout(&o).is_empty(), "nothing measured: {}", stdout(&o));
    }
}

#[test]
fn json_has_the_machine_the_floor_and_every_measurement() {
    let file = TempFile::new("report.json");
    let path = file.0.to_str().expect("utf-8 temp path");
    let o = halfpixel(&[
        "bench",
        "--backend",
        "cpu",
        "--workload",
        "w5,W1-f16",
        "--reps",
        "2",
        "--warmup",
        "1",
        "--threads",
        "1",
        "--memcpy-mib",
        "16",
        "--json",
        path,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(path).expect("the JSON file is written");
    let v: Value = serde_json::from_str(&text).expect("valid JSON");
    for key in [
        "halfpixel_version",
        "machine",
        "threads",
        "reps",
        "warmup",
        "memcpy",
        "adapter",
        "gpu_copy",
        "targets",
        "workloads",
        "scaling",
    ] {
        assert!(v.get(key).is_some(), "missing {key}: {text}");
    }
    assert!(v["machine"]["cpu_model"].is_string(), "{text}");
    assert!(
        v["machine"]["available_cores"].as_u64() >= Some(1),
        "{text}"
    );
    assert_eq!(v["threads"], 1);
    assert_eq!(v["reps"], 2);
    assert_eq!(v["memcpy"]["status"], "ok");
    assert_eq!(v["memcpy"]["bytes_moved"], 32u64 << 20);
    assert!(v["memcpy"]["gbps"].as_f64() > Some(0.0), "{text}");
    assert!(v["adapter"].is_null(), "--backend cpu opens no GPU");
    assert_eq!(v["gpu_copy"]["status"], "not run");
    assert!(v["scaling"].is_null());

    let rows = v["workloads"].as_array().expect("workloads array");
    assert_eq!(rows.len(), 2, "{text}");
    let w5 = &rows[0];
    assert_eq!(w5["name"], "W5");
    assert_eq!(w5["layout"], "NCHW");
    assert_eq!(w5["input_dims"], serde_json::json!([1, 256, 64, 64]));
    assert_eq!(w5["output_dims"], serde_json::json!([1, 64, 128, 128]));
    assert_eq!(w5["bytes_in"], 4 << 20);
    assert_eq!(w5["bytes_out"], 4 << 20);
    let cpu = &w5["cpu"];
    assert_eq!(cpu["status"], "ok", "{text}");
    assert_eq!(cpu["samples"], 2);
    for key in ["median_s", "min_s", "p90_s", "gbps", "fraction_of_memcpy"] {
        assert!(cpu[key].as_f64() > Some(0.0), "W5 cpu {key}: {text}");
    }
    assert!(cpu["min_s"].as_f64() <= cpu["median_s"].as_f64());
    assert!(cpu["median_s"].as_f64() <= cpu["p90_s"].as_f64());
    assert_eq!(w5["gpu"]["status"], "not run");

    let f16 = &rows[1];
    assert_eq!(f16["name"], "W1-f16");
    assert_eq!(f16["dtype"], "f16");
    assert_eq!(f16["cpu"]["status"], "skipped", "{text}");
}

#[test]
fn gpu_bench_reports_the_adapter_the_copy_floor_and_both_times() {
    if common::adapters().is_empty() {
        assert!(
            !common::gpu_required(),
            "HALFPIXEL_REQUIRE_GPU is set but wgpu finds no adapter"
        );
        eprintln!("skipped: {}", common::no_adapter_reason());
        return;
    }
    let file = TempFile::new("gpu.json");
    let path = file.0.to_str().expect("utf-8 temp path");
    let o = halfpixel(&[
        "bench",
        "--backend",
        "gpu",
        "--workload",
        "W5",
        "--reps",
        "2",
        "--warmup",
        "1",
        "--json",
        path,
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(out.contains("floor gpu copy_buffer_to_buffer"), "{out}");
    assert!(
        out.contains("kernel times from timestamp queries")
            || out.contains("TIMESTAMPS UNAVAILABLE"),
        "says whether timestamps exist:\n{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("W5 ") && l.contains("gpu wall")),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.starts_with("W5 ") && l.contains("cpu")),
        "--backend gpu runs no CPU workload:\n{out}"
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("JSON written")).expect("JSON");
    let adapter = &v["adapter"];
    for key in [
        "name",
        "backend",
        "driver",
        "device_type",
        "timestamps",
        "shader_f16",
    ] {
        assert!(!adapter[key].is_null(), "adapter.{key}: {adapter}");
    }
    assert_eq!(v["gpu_copy"]["status"], "ok");
    assert!(v["gpu_copy"]["gbps"].as_f64() > Some(0.0));
    assert_eq!(v["memcpy"]["status"], "not run");
    let gpu = &v["workloads"][0]["gpu"];
    assert_eq!(gpu["status"], "ok", "{gpu}");
    assert!(gpu["wall"]["median_s"].as_f64() > Some(0.0), "{gpu}");
    assert_eq!(
        gpu["kernel"].is_null(),
        adapter["timestamps"] == false,
        "kernel times exactly when timestamps exist: {gpu}"
    );
    assert_eq!(v["workloads"][0]["cpu"]["status"], "not run");
}
