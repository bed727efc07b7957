//! The `halfpixel` command line: runs conformance corpora on the CPU and on every GPU adapter
//! (`conformance`), and measures throughput against the memory floors (`bench`).
//!
//! Exit status: 0 when every check passed (every measurement ran), 1 when some failed, 2 on a
//! usage error or when the run could not happen at all (unreadable or malformed corpus, no GPU
//! adapter where one is required, unknown workload, unwritable JSON).

use std::any::Any;
use std::collections::HashMap;
use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use halfpixel::bench::{self, GpuInput, Repetitions, TimestampMethod};
use halfpixel::conformance::{
    default_corpus_dir, BackendRun, Corpus, CpuBackend, MultiReport, PathSelection, RunOptions,
};
use halfpixel::gpu::{
    enumerate_adapters, gpu_required, AdapterDescription, GpuContext, GpuOptions,
};
use halfpixel::workloads;
use serde_json::{json, Value};

/// Every framework's resize, exactly: PyTorch, TensorFlow, Keras, ONNX, Core ML and OpenCV resize
/// and pixel-shuffle semantics, checked against golden outputs of the frameworks themselves.
#[derive(Debug, Parser)]
#[command(name = "halfpixel", version, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a conformance corpus (manifest.json + data/*.npy, format resize-conformance/1) on the
    /// CPU and every GPU adapter, and report every check that fails, a matrix of backends by
    /// framework, a summary line per backend, and `N passed, M failed` over everything.
    ///
    /// Each case is checked through the recorded framework call (the preset API) and, where the
    /// case has one, through the portable spec. GPU outputs are also compared with the CPU's, in
    /// ULPs. An adapter whose device cannot be opened counts all its checks as failed. Exit
    /// status: 0 when all checks pass, 1 when some fail, 2 when the corpus cannot be loaded or no
    /// GPU adapter is found where one is needed (--backend gpu or all, --adapter, or
    /// HALFPIXEL_REQUIRE_GPU=1 with --backend auto).
    #[command(after_help = "Examples:\n  \
        halfpixel conformance\n  \
        halfpixel conformance --backend cpu --filter torch.bilinear --verbose\n  \
        halfpixel conformance --backend gpu --adapter vulkan:\n  \
        halfpixel conformance --corpus ../shared/conformance --json report.json")]
    Conformance(ConformanceArgs),

    /// Measure throughput: each named workload (W1..W6, W1-nhwc, W2-nhwc, W1-f16) on the CPU and
    /// on a GPU — median, min and p90 over repeated runs after warm-up, the effective bandwidth
    /// ((bytes in + bytes out) / median) as a share of the memory floor (a 256 MiB memcpy on the
    /// CPU, copy_buffer_to_buffer on the GPU), and the GPU/CPU speedup.
    ///
    /// CPU: run_cpu_into a preallocated output inside a rayon pool of --threads threads. GPU:
    /// buffers resident; the kernel time from timestamp queries where the device has them (said
    /// when it does not), and the wall time of a whole call (encode, submit, wait). f16 workloads
    /// run only on GPUs with SHADER_F16. Exit status: 0 when every measurement ran, 1 when some
    /// failed, 2 on a usage error (an unknown workload, no GPU for --backend gpu or all).
    #[command(after_help = "Examples:\n  \
        halfpixel bench --backend cpu --threads 2\n  \
        halfpixel bench --backend all --workload W1,W2,W5 --json bench.json\n  \
        halfpixel bench --backend cpu --workload W1 --scaling")]
    Bench(BenchArgs),
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Where to run the workloads: cpu, gpu, all (CPU and GPU; fails without an adapter), or
    /// auto (the CPU, and the GPU when one opens)
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

#[derive(Debug, Args)]
struct ConformanceArgs {
    /// Corpus folder holding manifest.json and data/ [default: the corpus shipped with the
    /// sources, tests/corpus]
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// Where to run the operations
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    backend: BackendChoice,

    /// Only the GPU adapters whose name, or `backend:name` label (e.g. `vulkan:llvmpipe`),
    /// contains NAME (case-insensitive)
    #[arg(long, value_name = "NAME")]
    adapter: Option<String>,

    /// Also write the full report (the adapters, every check of every backend, the matrix) as
    /// JSON to FILE
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// List every check, passes included (by default only failures are listed)
    #[arg(long, short)]
    verbose: bool,

    /// Only run cases whose id contains TEXT
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,

    /// Which paths to check
    #[arg(long, value_enum, default_value_t = PathsArg::Both)]
    paths: PathsArg,
}

/// The backends `--backend` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendChoice {
    /// The CPU kernels only
    Cpu,
    /// Every GPU adapter found (Vulkan, Metal, DX12, GL), without the CPU; fails when there is none
    Gpu,
    /// The CPU and every GPU adapter found; fails when there is no adapter
    All,
    /// The CPU and every GPU adapter found, or the CPU alone when there is no adapter
    Auto,
}

impl BackendChoice {
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }
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

/// The paths `--paths` can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PathsArg {
    /// The framework call and, where present, the portable spec
    Both,
    /// The framework call only
    Call,
    /// The portable spec only
    Portable,
}

impl From<PathsArg> for PathSelection {
    fn from(p: PathsArg) -> Self {
        match p {
            PathsArg::Both => PathSelection::Both,
            PathsArg::Call => PathSelection::Call,
            PathsArg::Portable => PathSelection::Portable,
        }
    }
}

/// A failure that ends the command with status 2 and one line on stderr.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(e: E) -> Self {
        Fatal(e.to_string())
    }
}

/// A GPU adapter wgpu found.
struct FoundAdapter {
    adapter: wgpu::Adapter,
    description: AdapterDescription,
    /// `backend:name`, the name the GPU backend reports (`vulkan:llvmpipe (LLVM …)`), with ` #2`,
    /// ` #3`, … when several adapters share it.
    label: String,
    /// Whether `--adapter` (if given) selects it.
    selected: bool,
}

impl FoundAdapter {
    fn to_json(&self) -> Value {
        json!({
            "label": self.label,
            "name": self.description.name,
            "backend": self.description.backend,
            "device_type": self.description.device_type,
            "driver": self.description.driver,
            "selected": self.selected,
        })
    }
}

/// What a run covers: the CPU or not, the adapters found, and the line saying so.
struct Plan {
    cpu: bool,
    /// Every adapter found (`selected` marks those that run); `None` when not looked for.
    adapters: Option<Vec<FoundAdapter>>,
    /// Why the adapters could not be enumerated, when `--backend auto` went on without them.
    enumeration_error: Option<String>,
    /// `backend auto: …`, printed at the top.
    note: String,
}

fn panic_message(payload: Box<dyn Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string())
}

/// The backends wgpu looks at, as a phrase for error messages.
fn backends_looked_at() -> String {
    match std::env::var("WGPU_BACKEND") {
        Ok(v) => format!("the backends WGPU_BACKEND={v:?} names"),
        Err(_) => "Vulkan, Metal, DX12 or GL".to_string(),
    }
}

/// Every adapter wgpu finds, labelled; a panic while enumerating is an error.
fn find_adapters(wanted: Option<&str>) -> Result<Vec<FoundAdapter>, String> {
    let adapters = catch_unwind(enumerate_adapters).map_err(|p| {
        format!(
            "enumerating the GPU adapters panicked: {}",
            panic_message(p)
        )
    })?;
    let wanted = wanted.map(str::to_lowercase);
    let mut seen: HashMap<String, usize> = HashMap::new();
    Ok(adapters
        .into_iter()
        .map(|adapter| {
            let description = AdapterDescription::from_info(&adapter.get_info());
            let base = format!(
                "{}:{}",
                description.backend.to_lowercase(),
                description.name
            );
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let label = if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            };
            let selected = wanted.as_deref().is_none_or(|w| {
                description.name.to_lowercase().contains(w) || label.to_lowercase().contains(w)
            });
            FoundAdapter {
                adapter,
                description,
                label,
                selected,
            }
        })
        .collect())
}

/// Decides what runs, or why nothing can.
fn plan(args: &ConformanceArgs) -> Result<Plan, Fatal> {
    let choice = args.backend;
    if choice == BackendChoice::Cpu {
        if args.adapter.is_some() {
            return Err(Fatal(
                "--adapter selects GPU adapters; it cannot be used with --backend cpu".into(),
            ));
        }
        return Ok(Plan {
            cpu: true,
            adapters: None,
            enumeration_error: None,
            note: "backend cpu: the CPU only (GPU adapters not looked for)".into(),
        });
    }
    let lenient = choice == BackendChoice::Auto && args.adapter.is_none() && !gpu_required();
    let (found, enumeration_error) = match find_adapters(args.adapter.as_deref()) {
        Ok(found) => (found, None),
        Err(e) if lenient => (Vec::new(), Some(e)),
        Err(e) => return Err(Fatal(e)),
    };
    let selected = found.iter().filter(|a| a.selected).count();
    if let Some(name) = &args.adapter {
        if selected == 0 {
            let list = if found.is_empty() {
                format!("no GPU adapter found on {}", backends_looked_at())
            } else {
                let labels: Vec<String> = found
                    .iter()
                    .map(|a| format!("{} [{}]", a.label, a.description.device_type))
                    .collect();
                format!("adapters found: {}", labels.join(", "))
            };
            return Err(Fatal(format!(
                "no GPU adapter matches --adapter {name:?}; {list}"
            )));
        }
    }
    let cpu = choice != BackendChoice::Gpu;
    let note = if found.is_empty() {
        let why = enumeration_error
            .clone()
            .unwrap_or_else(|| format!("wgpu found none on {}", backends_looked_at()));
        match choice {
            BackendChoice::Auto if !gpu_required() => {
                format!("backend auto: no GPU adapter ({why}); running on the CPU only")
            }
            BackendChoice::Auto => {
                return Err(Fatal(format!(
                    "no GPU adapter found and HALFPIXEL_REQUIRE_GPU is set ({why}); install a \
                     driver (e.g. mesa-vulkan-drivers for the software Vulkan adapter lavapipe) \
                     or unset HALFPIXEL_REQUIRE_GPU"
                )))
            }
            _ => {
                return Err(Fatal(format!(
                    "no GPU adapter found for --backend {} ({why}); install a driver (e.g. \
                     mesa-vulkan-drivers for the software Vulkan adapter lavapipe) or use \
                     --backend cpu",
                    choice.name()
                )))
            }
        }
    } else {
        let adapters = if selected == 1 {
            "1 GPU adapter".to_string()
        } else {
            format!("{selected} GPU adapters")
        };
        let which = if args.adapter.is_some() {
            "selected by --adapter"
        } else {
            "found"
        };
        if cpu {
            format!(
                "backend {}: the CPU and every GPU adapter {which} ({adapters})",
                choice.name()
            )
        } else {
            format!("backend gpu: every GPU adapter {which} ({adapters}), not the CPU")
        }
    };
    Ok(Plan {
        cpu,
        adapters: Some(found),
        enumeration_error,
        note,
    })
}

/// The adapters found, one per line, then the plan's note.
fn write_plan(out: &mut dyn Write, plan: &Plan, args: &ConformanceArgs) -> io::Result<()> {
    if let Some(found) = &plan.adapters {
        if found.is_empty() {
            writeln!(out, "GPU adapters found: none")?;
        } else {
            writeln!(out, "GPU adapters found: {}", found.len())?;
            let width = found
                .iter()
                .map(|a| a.label.chars().count())
                .max()
                .unwrap_or(0);
            for a in found {
                let d = &a.description;
                let driver = if d.driver.is_empty() {
                    String::new()
                } else {
                    format!(", driver {}", d.driver)
                };
                let skipped = match (&args.adapter, a.selected) {
                    (Some(name), false) => format!(" [not selected by --adapter {name}]"),
                    _ => String::new(),
                };
                writeln!(
                    out,
                    "  {:<width$}  backend {}, device type {}{driver}{skipped}",
                    a.label, d.backend, d.device_type
                )?;
            }
        }
    }
    writeln!(out, "{}", plan.note)?;
    writeln!(out)
}

/// Opens a device on `adapter`; an error or a panic becomes the reason it is unavailable.
fn open(adapter: &FoundAdapter) -> Result<GpuContext, String> {
    match catch_unwind(AssertUnwindSafe(|| {
        GpuContext::from_adapter(&adapter.adapter)
    })) {
        Ok(Ok(context)) => Ok(context),
        Ok(Err(e)) => Err(e.to_string()),
        Err(p) => Err(format!(
            "opening a device on {} panicked: {}",
            adapter.label,
            panic_message(p)
        )),
    }
}

/// Runs the corpus; returns whether every check passed.
fn conformance(args: &ConformanceArgs) -> Result<bool, Fatal> {
    let dir = args.corpus.clone().unwrap_or_else(default_corpus_dir);
    let corpus = Corpus::load(&dir).map_err(|e| {
        if args.corpus.is_none() {
            Fatal(format!(
                "{e} (the shipped corpus is missing; pass --corpus DIR)"
            ))
        } else {
            Fatal(e.to_string())
        }
    })?;
    if let Some(f) = &args.filter {
        if !corpus.cases().iter().any(|c| c.id.contains(f.as_str())) {
            return Err(Fatal(format!("no case id contains {f:?}")));
        }
    }
    let plan = plan(args)?;

    let options = RunOptions {
        filter: args.filter.as_deref(),
        paths: args.paths.into(),
        reference: None,
    };
    let gpu_options = RunOptions {
        reference: Some(&CpuBackend),
        ..options
    };
    let mut runs = Vec::new();
    if plan.cpu {
        runs.push(BackendRun::new(&corpus, &CpuBackend, &options));
    }
    for adapter in plan.adapters.iter().flatten().filter(|a| a.selected) {
        let mut run = match open(adapter) {
            Ok(context) => BackendRun::new(&corpus, &context, &gpu_options),
            Err(reason) => BackendRun::unavailable(&corpus, &adapter.label, reason, &gpu_options),
        };
        run.rename(&adapter.label);
        runs.push(run);
    }
    let report = MultiReport::new(runs);

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    write_plan(&mut out, &plan, args)
        .and_then(|()| report.write_text(&mut out, args.verbose))
        .and_then(|()| out.flush())
        .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;

    if let Some(path) = &args.json {
        let mut value = report.to_json();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("backend_choice".into(), json!(args.backend.name()));
            obj.insert("adapter_filter".into(), json!(args.adapter));
            obj.insert(
                "adapters".into(),
                match &plan.adapters {
                    Some(found) => Value::Array(found.iter().map(FoundAdapter::to_json).collect()),
                    None => Value::Null,
                },
            );
            obj.insert(
                "adapter_enumeration_error".into(),
                json!(plan.enumeration_error),
            );
        }
        let text = serde_json::to_string_pretty(&value)?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(report.all_passed())
}

/// The workloads `--workload` names, or why a name is unknown.
fn bench_workloads(names: &[String]) -> Result<Vec<workloads::Workload>, Fatal> {
    if names.is_empty() {
        return Ok(workloads::all());
    }
    let valid = || {
        let names: Vec<&str> = workloads::all().iter().map(|w| w.name).collect();
        names.join(", ")
    };
    let mut chosen: Vec<workloads::Workload> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        match workloads::by_name(name) {
            Some(w) if chosen.iter().any(|c| c.name == w.name) => {}
            Some(w) => chosen.push(w),
            None => {
                return Err(Fatal(format!(
                    "unknown workload {name:?}; valid names: {}",
                    valid()
                )))
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
    let options = GpuOptions {
        adapter_name: args.adapter.clone(),
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
fn bench_command(args: &BenchArgs) -> Result<bool, Fatal> {
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
    let mut progress = |line: &str| eprintln!("bench: {line}");
    let report = catch_unwind(AssertUnwindSafe(|| {
        bench::run(&options, input, &mut progress)
    }))
    .map_err(|p| Fatal(format!("the benchmark panicked: {}", panic_message(p))))??;

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Conformance(args) => conformance(args),
        Command::Bench(args) => bench_command(args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Fatal(msg)) => {
            let line = msg.replace('\n', " ");
            eprintln!("error: {line}");
            ExitCode::from(2)
        }
    }
}
