//! `halfpixel bench`: throughput of the named workloads against the memory floors.

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use halfpixel::bench::{self, GpuInput, Repetitions, TimestampMethod};
use halfpixel::gpu::{GpuContext, GpuOptions};
use halfpixel::workloads;

use crate::common::{panic_message, Fatal};
use crate::progress;

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// Where to run the workloads: cpu, gpu, all (CPU and GPU; fails without an adapter), or
    /// auto (the CPU, and a hardware GPU when one opens; a software rasteriser only with
    /// HALFPIXEL_ALLOW_SOFTWARE_GPU=1)
    #[arg(long, value_enum, default_value_t = BenchBackend::Auto)]
    backend: BenchBackend,

    /// Comma-separated workload names (case-insensitive) [default: all of them]
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    workload: Vec<String>,

    /// Threads of the CPU's rayon pool (the memcpy floor uses the same) [default: all cores]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Timed runs per measurement
    #[arg(long, value_name = "N", default_value_t = 30)]
    reps: usize,

    /// Untimed runs before each measurement
    #[arg(long, value_name = "N", default_value_t = 3)]
    warmup: usize,

    /// Stop a measurement early once its timed runs took this many seconds (keeping at least 3)
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    budget: f64,

    /// Also time W1 at four input sizes (64² to 1024²): time against bytes
    #[arg(long)]
    scaling: bool,

    /// Only the GPU adapter whose name contains NAME (case-insensitive); default: wgpu's choice
    /// (WGPU_ADAPTER_NAME, WGPU_BACKEND, WGPU_POWER_PREF)
    #[arg(long, value_name = "NAME")]
    adapter: Option<String>,

    /// How GPU kernel times are taken: auto (the best the device has), encoder
    /// (write_timestamp, TIMESTAMP_QUERY_INSIDE_ENCODERS), passes (empty compute passes with
    /// timestamp_writes, TIMESTAMP_QUERY) or off (wall times only)
    #[arg(long, value_enum, default_value_t = TimestampsArg::Auto)]
    timestamps: TimestampsArg,

    /// MiB the CPU memcpy floor copies
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    memcpy_mib: usize,

    /// Also write everything (machine, adapter, floors, every measurement) as JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

/// The backends `bench --backend` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchBackend {
    /// The CPU only
    Cpu,
    /// One GPU adapter only (wgpu's choice, or --adapter); fails when none opens
    Gpu,
    /// The CPU and one GPU adapter; fails when none opens
    All,
    /// The CPU, and one GPU adapter when one opens (said when none does)
    Auto,
}

impl BenchBackend {
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
}

/// The timestamp methods `bench --timestamps` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TimestampsArg {
    /// The best the device has, or none
    Auto,
    /// CommandEncoder::write_timestamp around the work
    Encoder,
    /// Empty compute passes with timestamp_writes around the work
    Passes,
    /// No timestamps: wall times only
    Off,
}

impl From<TimestampsArg> for bench::Timestamps {
    fn from(t: TimestampsArg) -> Self {
        match t {
            TimestampsArg::Auto => bench::Timestamps::Auto,
            TimestampsArg::Encoder => bench::Timestamps::Method(TimestampMethod::InsideEncoder),
            TimestampsArg::Passes => bench::Timestamps::Method(TimestampMethod::PassBoundaries),
            TimestampsArg::Off => bench::Timestamps::Off,
        }
    }
}

/// The workloads `--workload` names, or why a name is unknown.
fn bench_workloads(names: &[String]) -> Result<Vec<workloads::Workload>, Fatal> {
    if names.is_empty() {
        return Ok(workloads::all());
    }
    let valid = || {
        let mut names: Vec<&str> = workloads::all().iter().map(|w| w.name).collect();
        names.extend(workloads::GROUPS.iter().map(|g| g.0));
        names.join(", ")
    };
    let mut chosen: Vec<workloads::Workload> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let selected = workloads::select(name);
        if selected.is_empty() {
            return Err(Fatal(format!(
                "unknown workload {name:?}; valid names: {}",
                valid()
            )));
        }
        for w in selected {
            if !chosen.iter().any(|c| c.name == w.name) {
                chosen.push(w);
            }
        }
    }
    if chosen.is_empty() {
        return Err(Fatal(format!(
            "--workload names no workload; valid names: {}",
            valid()
        )));
    }
    Ok(chosen)
}

/// Opens the GPU `bench` runs on, or says why there is none.
fn bench_gpu(args: &BenchArgs) -> Result<Option<Result<GpuContext, String>>, Fatal> {
    if args.backend == BenchBackend::Cpu {
        if args.adapter.is_some() {
            return Err(Fatal(
                "--adapter selects a GPU adapter; it cannot be used with --backend cpu".into(),
            ));
        }
        return Ok(None);
    }
    // `auto` takes a software rasteriser only when HALFPIXEL_ALLOW_SOFTWARE_GPU asks.
    let auto = args.backend == BenchBackend::Auto && args.adapter.is_none();
    let options = GpuOptions {
        adapter_name: args.adapter.clone(),
        allow_software: auto.then(halfpixel::gpu::software_gpu_allowed),
        ..Default::default()
    };
    let opened = match catch_unwind(AssertUnwindSafe(|| GpuContext::with_options(&options))) {
        Ok(Ok(ctx)) => Ok(ctx),
        Ok(Err(e)) => Err(e.to_string()),
        Err(p) => Err(format!(
            "opening a GPU device panicked: {}",
            panic_message(p)
        )),
    };
    match opened {
        Ok(ctx) => Ok(Some(Ok(ctx))),
        Err(why) if args.backend == BenchBackend::Auto && args.adapter.is_none() => {
            Ok(Some(Err(format!("{why}; running on the CPU only"))))
        }
        Err(why) => Err(Fatal(format!(
            "no GPU for --backend {}: {why}",
            args.backend.name()
        ))),
    }
}

/// Runs `bench`; returns whether every measurement ran.
pub(crate) fn bench_command(args: &BenchArgs) -> Result<bool, Fatal> {
    let chosen = bench_workloads(&args.workload)?;
    let threads = args.threads.unwrap_or_else(bench::default_threads);
    if threads == 0 {
        return Err(Fatal("--threads must be at least 1".into()));
    }
    if args.reps == 0 {
        return Err(Fatal("--reps must be at least 1".into()));
    }
    if !(args.budget.is_finite() && args.budget >= 0.0) {
        return Err(Fatal(format!(
            "--budget must be a number of seconds, got {}",
            args.budget
        )));
    }
    if args.memcpy_mib == 0 {
        return Err(Fatal("--memcpy-mib must be at least 1".into()));
    }
    let gpu = bench_gpu(args)?;
    let options = bench::Options {
        cpu: args.backend != BenchBackend::Gpu,
        workloads: chosen,
        threads,
        reps: Repetitions {
            warmup: args.warmup,
            reps: args.reps,
            budget: std::time::Duration::from_secs_f64(args.budget),
        },
        scaling: args.scaling,
        memcpy_bytes: args.memcpy_mib << 20,
        gpu_copy_bytes: bench::GPU_COPY_BYTES,
        timestamps: args.timestamps.into(),
    };
    let input = match &gpu {
        None => GpuInput::NotRequested,
        Some(Err(why)) => GpuInput::Unavailable(why),
        Some(Ok(ctx)) => GpuInput::Context(ctx),
    };
    // A bar on stderr when it is a terminal: one step per measurement (the floors, then each
    // workload on each backend); quiet otherwise.
    let per_backend = (options.workloads.len() + if options.scaling { 4 } else { 0 }) as u64;
    let gpu_steps = if matches!(input, GpuInput::Context(_)) {
        1 + per_backend
    } else {
        0
    };
    let cpu_steps = if options.cpu { 2 + per_backend } else { 0 };
    let bar = progress::stderr_bar("bench", cpu_steps + gpu_steps);
    let mut progress = |line: &str| {
        bar.set_message(format!("bench: {line}"));
        bar.inc(1);
    };
    let report = catch_unwind(AssertUnwindSafe(|| {
        bench::run(&options, input, &mut progress)
    }))
    .map_err(|p| Fatal(format!("the benchmark panicked: {}", panic_message(p))))??;
    bar.finish_and_clear();

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    report
        .write_text(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report.to_json())?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(!report.any_failed())
}
