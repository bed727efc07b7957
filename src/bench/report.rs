//! What a bench run found, as a table and as JSON.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::error::Result;
use crate::gpu::AdapterDescription;
use crate::workloads::Workload;

use super::cpu::{output_dims, CopyStrategy};
use super::gpu::{GpuBench, GpuTimes, TimestampMethod};
use super::stats::{Repetitions, Stats};
use super::Options;

/// The workloads whose CPU bandwidth should reach [`CPU_TARGET`] of the memcpy floor and whose
/// kernel bandwidth on a real GPU should reach [`GPU_TARGET`] of the copy floor.
pub const TARGETED: [&str; 3] = ["W1", "W2", "W5"];
/// The CPU target: a fraction of the memcpy bandwidth.
pub const CPU_TARGET: f64 = 0.5;
/// The real-GPU target: a fraction of the buffer-copy bandwidth.
pub const GPU_TARGET: f64 = 0.7;

/// The outcome of one measurement.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<T> {
    /// Not asked for.
    NotRun,
    /// Does not apply here (e.g. f16 storage on the CPU); why.
    Skipped(String),
    /// Went wrong; the error.
    Failed(String),
    /// Measured.
    Done(T),
}

impl<T> Outcome<T> {
    /// `Done` or `Failed`.
    pub fn from_result(r: Result<T>) -> Self {
        match r {
            Ok(v) => Outcome::Done(v),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }

    /// The measurement, if there is one.
    pub fn done(&self) -> Option<&T> {
        match self {
            Outcome::Done(v) => Some(v),
            _ => None,
        }
    }

    /// `("skipped" | "FAILED", why)` when there is no measurement to show but a reason.
    fn as_note(&self) -> Option<(&'static str, &str)> {
        match self {
            Outcome::Skipped(why) => Some(("skipped", why)),
            Outcome::Failed(e) => Some(("FAILED", e)),
            _ => None,
        }
    }

    /// Whether the measurement failed.
    pub fn failed(&self) -> bool {
        matches!(self, Outcome::Failed(_))
    }

    fn json(&self, f: impl Fn(&T) -> Value) -> Value {
        match self {
            Outcome::NotRun => json!({"status": "not run"}),
            Outcome::Skipped(why) => json!({"status": "skipped", "reason": why}),
            Outcome::Failed(e) => json!({"status": "failed", "error": e}),
            Outcome::Done(v) => {
                let mut value = f(v);
                if let Some(o) = value.as_object_mut() {
                    o.insert("status".into(), json!("ok"));
                }
                value
            }
        }
    }
}

/// The machine the numbers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// `model name` from /proc/cpuinfo (or "unknown").
    pub cpu_model: String,
    /// Logical CPUs listed in /proc/cpuinfo (0 when unreadable).
    pub logical_cpus: usize,
    /// The cores this process may use (`std::thread::available_parallelism`).
    pub available_cores: usize,
    /// Total memory from /proc/meminfo, in bytes (0 when unreadable).
    pub memory_bytes: u64,
    /// `linux-x86_64`, …
    pub os: String,
}

impl Machine {
    /// Reads /proc/cpuinfo and /proc/meminfo where they exist.
    pub fn detect() -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |line: &str, key: &str| {
            let (k, v) = line.split_once(':')?;
            (k.trim() == key).then(|| v.trim().to_string())
        };
        let cpu_model = cpuinfo
            .lines()
            .find_map(|l| field(l, "model name").or_else(|| field(l, "Hardware")))
            .unwrap_or_else(|| "unknown".into());
        let logical_cpus = cpuinfo
            .lines()
            .filter(|l| field(l, "processor").is_some())
            .count();
        let memory_bytes = std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .find_map(|l| field(l, "MemTotal"))
            .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024);
        Machine {
            cpu_model,
            logical_cpus,
            available_cores: super::default_threads(),
            memory_bytes,
            os: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "cpu_model": self.cpu_model,
            "logical_cpus": self.logical_cpus,
            "available_cores": self.available_cores,
            "memory_bytes": self.memory_bytes,
            "os": self.os,
        })
    }
}

/// The GPU adapter a run used.
#[derive(Debug, Clone, PartialEq)]
pub struct AdapterReport {
    /// Name, backend, device type, driver.
    pub description: AdapterDescription,
    /// A software rasteriser (device type `Cpu`: lavapipe, llvmpipe, WARP, SwiftShader): its
    /// numbers are reported, not targeted.
    pub software: bool,
    /// How kernel times are taken; `None`: timestamps unavailable, wall times only.
    pub timestamps: Option<TimestampMethod>,
    /// Whether the device has `TIMESTAMP_QUERY` (timestamps may still be turned off).
    pub device_timestamps: bool,
    /// Nanoseconds per timestamp tick.
    pub timestamp_period_ns: f64,
    /// Whether the device stores f16 (`SHADER_F16`).
    pub shader_f16: bool,
    /// `max_buffer_size`.
    pub max_buffer_size: u64,
    /// `max_storage_buffer_binding_size`.
    pub max_storage_buffer_binding_size: u64,
}

impl AdapterReport {
    /// What `bench` knows about its device.
    pub fn new(b: &GpuBench<'_>) -> Self {
        let ctx = b.context();
        let description = ctx.adapter().clone();
        let limits = ctx.limits();
        AdapterReport {
            software: description.is_software(),
            description,
            timestamps: b.timestamps(),
            device_timestamps: ctx
                .device()
                .features()
                .contains(wgpu::Features::TIMESTAMP_QUERY),
            timestamp_period_ns: b.timestamp_period_ns(),
            shader_f16: ctx.supports_f16(),
            max_buffer_size: limits.max_buffer_size,
            max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
        }
    }

    fn to_json(&self) -> Value {
        let d = &self.description;
        json!({
            "name": d.name,
            "backend": d.backend,
            "device_type": d.device_type,
            "driver": d.driver,
            "software": self.software,
            "timestamps": self.timestamps.is_some(),
            "timestamp_method": self.timestamps.map(TimestampMethod::describe),
            "device_timestamp_query": self.device_timestamps,
            "timestamp_period_ns": self.timestamp_period_ns,
            "shader_f16": self.shader_f16,
            "max_buffer_size": self.max_buffer_size,
            "max_storage_buffer_binding_size": self.max_storage_buffer_binding_size,
        })
    }
}

/// One workload's measurements.
#[derive(Debug, Clone)]
pub struct Row {
    /// The workload.
    pub workload: Workload,
    /// Output `[n, c, h, w]` (zeros when the operation could not be built).
    pub output_dims: [usize; 4],
    /// Input bytes.
    pub bytes_in: u64,
    /// Output bytes.
    pub bytes_out: u64,
    /// The CPU measurement.
    pub cpu: Outcome<Stats>,
    /// The GPU measurement.
    pub gpu: Outcome<GpuTimes>,
}

impl Row {
    /// A row with nothing measured yet.
    pub fn new(w: &Workload) -> Self {
        let (bytes_in, bytes_out) = w.bytes().unwrap_or((0, 0));
        Row {
            workload: w.clone(),
            output_dims: output_dims(w).unwrap_or([0; 4]),
            bytes_in,
            bytes_out,
            cpu: Outcome::NotRun,
            gpu: Outcome::NotRun,
        }
    }

    /// Bytes in + bytes out: what the memory floor moves.
    pub fn bytes(&self) -> u64 {
        self.bytes_in + self.bytes_out
    }

    /// CPU time / GPU time (above 1: the GPU is faster), by the GPU's wall time and, where
    /// timestamps exist, its kernel time.
    pub fn gpu_speedup(&self) -> Option<(f64, Option<f64>)> {
        let c = self.cpu.done()?;
        let g = self.gpu.done()?;
        Some((
            c.median / g.wall.median,
            g.kernel.map(|k| c.median / k.median),
        ))
    }
}

/// Everything a bench run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// Threads of the CPU pool.
    pub threads: usize,
    /// Warm-up, repetitions and budget.
    pub reps: Repetitions,
    /// The memcpy floor: bytes moved per copy (read + written) and the times of one copy by the
    /// fastest strategy.
    pub memcpy: Outcome<(u64, Stats)>,
    /// Every copy timed for the floor: when (`start`: before the workloads, `end`: after them),
    /// the strategy, the times.
    pub memcpy_strategies: Vec<(&'static str, CopyStrategy, Stats)>,
    /// Which of `memcpy_strategies` is the floor.
    pub memcpy_best: usize,
    /// The adapter, when a GPU ran.
    pub adapter: Option<AdapterReport>,
    /// Why the GPU did not run, when it was asked for.
    pub gpu_unavailable: Option<String>,
    /// The GPU copy floor: bytes moved per copy (read + written) and the times of one copy.
    pub gpu_copy: Outcome<(u64, GpuTimes)>,
    /// The workloads.
    pub rows: Vec<Row>,
    /// The scaling set, when asked for.
    pub scaling: Option<Vec<Row>>,
}

fn fmt_time(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.1} µs", s * 1e6)
    }
}

/// A ratio with at least three significant digits (0.00450x, 0.125x, 3.40x).
fn fmt_ratio(x: f64) -> String {
    let digits = if x > 0.0 && x.is_finite() {
        (2 - x.log10().floor() as i64).clamp(2, 8) as usize
    } else {
        2
    };
    format!("{x:.digits$}x")
}

/// A fraction as a percentage: whole percent from 10%, one or two decimals below.
fn fmt_pct(f: f64) -> String {
    let p = f * 100.0;
    if p >= 10.0 {
        format!("{p:.0}%")
    } else if p >= 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.2}%")
    }
}

fn fmt_bytes(b: u64) -> String {
    let mib = b as f64 / (1u64 << 20) as f64;
    if mib >= 1.0 {
        format!("{mib:.1} MiB")
    } else {
        format!("{:.1} KiB", b as f64 / 1024.0)
    }
}

/// Left-aligned columns separated by two spaces.
fn write_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            width[i] = width[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let s: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = width[i]))
            .collect();
        s.join("  ").trim_end().to_string()
    };
    writeln!(
        out,
        "{}",
        line(header.iter().map(|h| h.to_string()).collect())
    )?;
    writeln!(
        out,
        "{}",
        width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    )?;
    for r in rows {
        writeln!(out, "{}", line(r.clone()))?;
    }
    Ok(())
}

impl Report {
    /// An empty report for `options` on `machine`.
    pub fn new(machine: Machine, options: &Options) -> Self {
        Report {
            machine,
            threads: options.threads,
            reps: options.reps,
            memcpy: Outcome::NotRun,
            memcpy_strategies: Vec::new(),
            memcpy_best: 0,
            adapter: None,
            gpu_unavailable: None,
            gpu_copy: Outcome::NotRun,
            rows: Vec::new(),
            scaling: None,
        }
    }

    /// The memcpy floor in GB/s.
    pub fn memcpy_gbps(&self) -> Option<f64> {
        self.memcpy.done().map(|(b, s)| s.gbps(*b))
    }

    /// The GPU copy floor in GB/s, by kernel time where timestamps exist, else by wall time.
    pub fn gpu_copy_gbps(&self) -> Option<f64> {
        self.gpu_copy.done().map(|(b, t)| t.best().0.gbps(*b))
    }

    /// Whether some measurement failed.
    pub fn any_failed(&self) -> bool {
        self.rows
            .iter()
            .chain(self.scaling.iter().flatten())
            .any(|r| r.cpu.failed() || r.gpu.failed())
            || self.memcpy.failed()
            || self.gpu_copy.failed()
    }

    fn gpu_name(&self) -> String {
        match &self.adapter {
            Some(a) if a.software => format!("{} [software adapter]", a.description.label()),
            Some(a) => a.description.label(),
            None => "gpu".into(),
        }
    }

    /// The table rows of one workload: a CPU row, then GPU kernel and wall rows.
    fn table_rows(&self, r: &Row, notes: &mut Vec<String>) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let bytes = r.bytes();
        let name = r.workload.name.to_string();
        let targeted = TARGETED.contains(&r.workload.name);
        let mut not_done = |o: &str, what: &str, why: &str| -> Vec<String> {
            notes.push(format!("[{}] {name} {what}: {why}", notes.len() + 1));
            vec![
                name.clone(),
                what.into(),
                format!("{o} [{}]", notes.len()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        };
        match &r.cpu {
            Outcome::NotRun => {}
            Outcome::Skipped(why) => rows.push(not_done("skipped", "cpu", why)),
            Outcome::Failed(e) => rows.push(not_done("FAILED", "cpu", e)),
            Outcome::Done(s) => {
                let gbps = s.gbps(bytes);
                let (pct, target) = match self.memcpy_gbps() {
                    Some(floor) => {
                        let f = gbps / floor;
                        let t = if targeted {
                            format!(
                                ">={:.0}% {}",
                                CPU_TARGET * 100.0,
                                if f >= CPU_TARGET { "met" } else { "MISSED" }
                            )
                        } else {
                            String::new()
                        };
                        (format!("{} memcpy", fmt_pct(f)), t)
                    }
                    None => (String::new(), String::new()),
                };
                rows.push(vec![
                    name.clone(),
                    "cpu".into(),
                    fmt_time(s.median),
                    fmt_time(s.min),
                    fmt_time(s.p90),
                    format!("{gbps:.2}"),
                    pct,
                    target,
                    String::new(),
                ]);
            }
        }
        match &r.gpu {
            Outcome::NotRun => {}
            Outcome::Skipped(why) => rows.push(not_done("skipped", "gpu", why)),
            Outcome::Failed(e) => rows.push(not_done("FAILED", "gpu", e)),
            Outcome::Done(t) => {
                let speedup = r.gpu_speedup();
                let copy = self.gpu_copy.done().map(|(b, c)| (*b, *c));
                let software = self.adapter.as_ref().is_some_and(|a| a.software);
                let mut push = |what: &str, s: &Stats, copy: Option<Stats>, ratio: Option<f64>| {
                    let gbps = s.gbps(bytes);
                    let (pct, target) = match (copy, self.gpu_copy.done()) {
                        (Some(c), Some((cb, _))) => {
                            let f = gbps / c.gbps(*cb);
                            let t = if !targeted {
                                String::new()
                            } else if software {
                                "not targeted (software)".into()
                            } else {
                                format!(
                                    ">={:.0}% {}",
                                    GPU_TARGET * 100.0,
                                    if f >= GPU_TARGET { "met" } else { "MISSED" }
                                )
                            };
                            (format!("{} copy", fmt_pct(f)), t)
                        }
                        _ => (String::new(), String::new()),
                    };
                    rows.push(vec![
                        name.clone(),
                        what.into(),
                        fmt_time(s.median),
                        fmt_time(s.min),
                        fmt_time(s.p90),
                        format!("{gbps:.2}"),
                        pct,
                        target,
                        ratio.map_or(String::new(), fmt_ratio),
                    ]);
                };
                if let Some(k) = &t.kernel {
                    push(
                        "gpu kernel",
                        k,
                        copy.and_then(|(_, c)| c.kernel),
                        speedup.and_then(|s| s.1),
                    );
                }
                // The wall row compares with the copy's wall time; percentages of the copy
                // floor are only given like for like.
                push(
                    "gpu wall",
                    &t.wall,
                    copy.map(|(_, c)| c.wall).filter(|_| t.kernel.is_none()),
                    speedup.map(|s| s.0),
                );
            }
        }
        rows
    }

    /// The report as text: machine, floors, the workload table, the scaling table.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        let m = &self.machine;
        writeln!(
            out,
            "machine: {} ({} logical CPUs, {} available), {:.1} GiB, {}",
            m.cpu_model,
            m.logical_cpus,
            m.available_cores,
            m.memory_bytes as f64 / (1u64 << 30) as f64,
            m.os
        )?;
        writeln!(
            out,
            "cpu: {} threads; each measurement: {} warm-up runs, then the median, min and p90 of up to {} runs (stopping after {:.0} s)",
            self.threads,
            self.reps.warmup,
            self.reps.reps,
            self.reps.budget.as_secs_f64()
        )?;
        match &self.adapter {
            Some(a) => {
                let d = &a.description;
                writeln!(
                    out,
                    "gpu: {} — device type {}, driver {}{}",
                    d.label(),
                    d.device_type,
                    if d.driver.is_empty() {
                        "unknown"
                    } else {
                        &d.driver
                    },
                    if a.software {
                        " — a SOFTWARE adapter (runs on the CPU): reported, not targeted"
                    } else {
                        ""
                    }
                )?;
                match a.timestamps {
                    Some(method) => writeln!(
                        out,
                        "gpu: kernel times from timestamp queries ({}, {} ns per tick); wall = encode + submit + wait",
                        method.describe(),
                        a.timestamp_period_ns
                    )?,
                    None if a.device_timestamps => writeln!(
                        out,
                        "gpu: timestamps turned off (--timestamps off): wall times only (encode + submit + wait)"
                    )?,
                    None => writeln!(
                        out,
                        "gpu: TIMESTAMPS UNAVAILABLE (the device lacks TIMESTAMP_QUERY): wall times only (encode + submit + wait)"
                    )?,
                }
                writeln!(
                    out,
                    "gpu: SHADER_F16 {}",
                    if a.shader_f16 {
                        "yes"
                    } else {
                        "no (f16 workloads skipped)"
                    }
                )?;
            }
            None => {
                if let Some(why) = &self.gpu_unavailable {
                    writeln!(out, "gpu: not run: {why}")?;
                }
            }
        }
        match &self.memcpy {
            Outcome::Done((b, s)) => {
                write!(
                    out,
                    "floor cpu memcpy: {} moved (read + written) in {} (median) = {:.2} GB/s, the fastest",
                    fmt_bytes(*b),
                    fmt_time(s.median),
                    s.gbps(*b)
                )?;
                let all: Vec<String> = self
                    .memcpy_strategies
                    .iter()
                    .map(|(when, k, t)| format!("{when}: {} {:.2}", k.name(), t.gbps(*b)))
                    .collect();
                if all.is_empty() {
                    writeln!(out)?
                } else {
                    writeln!(out, " of (GB/s): {}", all.join("; "))?
                }
            }
            Outcome::Failed(e) => writeln!(out, "floor cpu memcpy: FAILED: {e}")?,
            _ => {}
        }
        match &self.gpu_copy {
            Outcome::Done((b, t)) => {
                let (s, how) = t.best();
                write!(
                    out,
                    "floor gpu copy_buffer_to_buffer: {} moved (read + written) in {} ({how}, median) = {:.2} GB/s",
                    fmt_bytes(*b),
                    fmt_time(s.median),
                    s.gbps(*b),
                )?;
                if t.kernel.is_some() {
                    write!(
                        out,
                        "; wall {} = {:.2} GB/s",
                        fmt_time(t.wall.median),
                        t.wall.gbps(*b)
                    )?;
                }
                writeln!(out)?
            }
            Outcome::Failed(e) => writeln!(out, "floor gpu copy: FAILED: {e}")?,
            _ => {}
        }
        writeln!(out)?;

        let header = [
            "workload",
            "backend",
            "median",
            "min",
            "p90",
            "GB/s",
            "of floor",
            "target",
            "GPU speedup",
        ];
        let mut notes = Vec::new();
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .flat_map(|r| self.table_rows(r, &mut notes))
            .collect();
        write_table(out, &header, &rows)?;
        for n in &notes {
            writeln!(out, "{n}")?;
        }
        writeln!(
            out,
            "GB/s = (bytes in + bytes out) / median; GPU speedup = CPU median / GPU median (above 1: the GPU is faster){}",
            if self.adapter.is_some() {
                format!("; gpu = {}", self.gpu_name())
            } else {
                String::new()
            }
        )?;

        if let Some(scaling) = &self.scaling {
            writeln!(out)?;
            writeln!(out, "scaling: W1 (bilinear 2x, 64 channels) by input size")?;
            let mut rows = Vec::new();
            let mut notes: Vec<String> = Vec::new();
            for r in scaling {
                let bytes = r.bytes();
                let mut row = vec![
                    format!("{}x{}", r.workload.input[2], r.workload.input[3]),
                    fmt_bytes(bytes),
                ];
                let cell = |o: Option<&Stats>| match o {
                    Some(s) => vec![
                        fmt_time(s.median),
                        format!("{:.2}", s.gbps(bytes)),
                        format!(
                            "{:.1}",
                            s.median * 1e6 / (bytes as f64 / (1u64 << 20) as f64)
                        ),
                    ],
                    None => vec!["-".into(), "-".into(), "-".into()],
                };
                row.extend(cell(r.cpu.done()));
                row.extend(cell(r.gpu.done().map(|t| t.best().0).as_ref()));
                for (o, col, what) in [(r.cpu.as_note(), 2, "cpu"), (r.gpu.as_note(), 5, "gpu")] {
                    if let Some((tag, why)) = o {
                        notes.push(format!(
                            "[{}] {} {what}: {why}",
                            notes.len() + 1,
                            r.workload.name
                        ));
                        row[col] = format!("{tag} [{}]", notes.len());
                    }
                }
                rows.push(row);
            }
            let gpu_time = match self.adapter.as_ref().map(|a| a.timestamps.is_some()) {
                Some(true) => "gpu kernel",
                _ => "gpu wall",
            };
            let gpu_gbps = format!("{gpu_time} GB/s");
            let gpu_per = format!("{gpu_time} µs/MiB");
            write_table(
                out,
                &[
                    "input",
                    "bytes moved",
                    "cpu median",
                    "cpu GB/s",
                    "cpu µs/MiB",
                    gpu_time,
                    &gpu_gbps,
                    &gpu_per,
                ],
                &rows,
            )?;
            for n in &notes {
                writeln!(out, "{n}")?;
            }
        }
        Ok(())
    }

    /// Everything as JSON.
    pub fn to_json(&self) -> Value {
        let row_json = |r: &Row| {
            let bytes = r.bytes();
            let memcpy = self.memcpy_gbps();
            let copy = self.gpu_copy.done();
            let speedup = r.gpu_speedup();
            json!({
                "name": r.workload.name,
                "description": r.workload.description,
                "layout": r.workload.layout.name(),
                "dtype": r.workload.element.name(),
                "input_dims": r.workload.input,
                "output_dims": r.output_dims,
                "bytes_in": r.bytes_in,
                "bytes_out": r.bytes_out,
                "cpu": r.cpu.json(|s| {
                    let mut v = s.to_json();
                    let gbps = s.gbps(bytes);
                    v["gbps"] = json!(gbps);
                    v["fraction_of_memcpy"] = json!(memcpy.map(|m| gbps / m));
                    v
                }),
                "gpu": r.gpu.json(|t| {
                    let mut v = t.to_json();
                    v["wall"]["gbps"] = json!(t.wall.gbps(bytes));
                    if let Some(k) = t.kernel {
                        v["kernel"]["gbps"] = json!(k.gbps(bytes));
                    }
                    let (best, how) = t.best();
                    v["fraction_of_copy"] = json!(copy.map(|(cb, c)| {
                        best.gbps(bytes) / c.best().0.gbps(*cb)
                    }));
                    v["fraction_of_copy_by"] = json!(how);
                    v
                }),
                "gpu_speedup_wall": speedup.map(|s| s.0),
                "gpu_speedup_kernel": speedup.and_then(|s| s.1),
            })
        };
        json!({
            "halfpixel_version": env!("CARGO_PKG_VERSION"),
            "machine": self.machine.to_json(),
            "threads": self.threads,
            "warmup": self.reps.warmup,
            "reps": self.reps.reps,
            "budget_s": self.reps.budget.as_secs_f64(),
            "memcpy": self.memcpy.json(|(b, s)| {
                let mut v = s.to_json();
                v["bytes_moved"] = json!(b);
                v["gbps"] = json!(s.gbps(*b));
                v["strategy"] = json!(self.memcpy_strategies.get(self.memcpy_best).map(|(_, k, _)| k.name()));
                v["when"] = json!(self.memcpy_strategies.get(self.memcpy_best).map(|(w, _, _)| w));
                v["strategies"] = Value::Array(self.memcpy_strategies.iter().map(|(w, k, t)| {
                    let mut x = t.to_json();
                    x["when"] = json!(w);
                    x["strategy"] = json!(k.name());
                    x["gbps"] = json!(t.gbps(*b));
                    x
                }).collect());
                v
            }),
            "adapter": self.adapter.as_ref().map(AdapterReport::to_json),
            "gpu_unavailable": self.gpu_unavailable,
            "gpu_copy": self.gpu_copy.json(|(b, t)| {
                let mut v = t.to_json();
                v["bytes_moved"] = json!(b);
                v["wall"]["gbps"] = json!(t.wall.gbps(*b));
                if let Some(k) = t.kernel {
                    v["kernel"]["gbps"] = json!(k.gbps(*b));
                }
                v["gbps"] = json!(t.best().0.gbps(*b));
                v["gbps_by"] = json!(t.best().1);
                v
            }),
            "targets": {
                "workloads": TARGETED,
                "cpu_fraction_of_memcpy": CPU_TARGET,
                "gpu_fraction_of_copy": GPU_TARGET,
            },
            "workloads": self.rows.iter().map(row_json).collect::<Vec<_>>(),
            "scaling": self.scaling.as_ref().map(|rows| rows.iter().map(row_json).collect::<Vec<_>>()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_percentages_keep_their_digits() {
        assert_eq!(fmt_ratio(3.4), "3.40x");
        assert_eq!(fmt_ratio(0.125), "0.125x");
        assert_eq!(fmt_ratio(0.0045), "0.00450x");
        assert_eq!(fmt_ratio(12.0), "12.00x");
        assert_eq!(fmt_pct(0.634), "63%");
        assert_eq!(fmt_pct(0.052), "5.2%");
        assert_eq!(fmt_pct(0.0009), "0.09%");
    }
}
