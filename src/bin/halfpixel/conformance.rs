//! `halfpixel conformance`: a corpus on the CPU and on every GPU adapter.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use halfpixel::conformance::{
    default_corpus_dirs, BackendRun, Corpus, CpuBackend, MultiReport, PathSelection, RunOptions,
};
use halfpixel::gpu::software_gpu_allowed;

use crate::common::gpu_required;
use crate::progress;
use serde_json::{json, Value};

use crate::common::{backends_looked_at, find_adapters, open, Fatal, FoundAdapter};

#[derive(Debug, Args)]
pub(crate) struct ConformanceArgs {
    /// Corpus folder holding manifest.json and data/; repeat to run several [default: the
    /// corpora shipped with the sources, tests/corpus (small float tensors) and
    /// tests/corpus-images (8- and 16-bit images and float tensors at real sizes)]
    #[arg(long, value_name = "DIR")]
    corpus: Vec<PathBuf>,

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
    /// The CPU and every hardware GPU adapter found, or the CPU alone when there is none;
    /// software rasterisers (lavapipe, llvmpipe, WARP) only with HALFPIXEL_ALLOW_SOFTWARE_GPU=1
    /// or HALFPIXEL_REQUIRE_GPU=1, or when --adapter names them
    Auto,
}

impl BackendChoice {
    fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
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

/// What a run covers: the CPU or not, the adapters found, and the line saying so.
struct Plan {
    cpu: bool,
    /// Every adapter found (those `selected` and without `not_run` run); `None` when not looked
    /// for.
    adapters: Option<Vec<FoundAdapter>>,
    /// Why the adapters could not be enumerated, when `--backend auto` went on without them.
    enumeration_error: Option<String>,
    /// `backend auto: …`, the first line printed.
    note: String,
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
    let (mut found, enumeration_error) = match find_adapters(args.adapter.as_deref()) {
        Ok(found) => (found, None),
        Err(e) if lenient => (Vec::new(), Some(e)),
        Err(e) => return Err(Fatal(e)),
    };
    // `auto` runs software rasterisers only when asked: the variable, a run that requires a
    // GPU, or an --adapter naming them.
    let software_asked = choice != BackendChoice::Auto
        || args.adapter.is_some()
        || software_gpu_allowed()
        || gpu_required();
    let mut skipped_software = Vec::new();
    if !software_asked {
        for a in found.iter_mut().filter(|a| a.description.is_software()) {
            a.not_run = Some(
                "a software rasteriser: --backend auto runs it with \
                 HALFPIXEL_ALLOW_SOFTWARE_GPU=1, --backend all always"
                    .into(),
            );
            skipped_software.push(a.label.clone());
        }
    }
    let skipped_note = if skipped_software.is_empty() {
        String::new()
    } else {
        format!(
            "; software rasteriser{} not run: {} (--backend all or \
             HALFPIXEL_ALLOW_SOFTWARE_GPU=1 runs {})",
            if skipped_software.len() == 1 { "" } else { "s" },
            skipped_software.join(", "),
            if skipped_software.len() == 1 {
                "it"
            } else {
                "them"
            }
        )
    };
    let selected = found.iter().filter(|a| a.selected).count();
    let running = found
        .iter()
        .filter(|a| a.selected && a.not_run.is_none())
        .count();
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
    let note = if running == 0 && !found.is_empty() {
        // Only software rasterisers, and `auto` was not asked to take them.
        format!("backend auto: no hardware GPU adapter; running on the CPU only{skipped_note}")
    } else if found.is_empty() {
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
        let adapters = if running == 1 {
            "1 GPU adapter".to_string()
        } else {
            format!("{running} GPU adapters")
        };
        let (kind, which) = if args.adapter.is_some() {
            ("", "selected by --adapter")
        } else if skipped_software.is_empty() {
            ("", "found")
        } else {
            ("hardware ", "found")
        };
        if cpu {
            format!(
                "backend {}: the CPU and every {kind}GPU adapter {which} \
                 ({adapters}){skipped_note}",
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

/// The plan's note (the choice, in one line), then the adapters found, one per line.
fn write_plan(out: &mut dyn Write, plan: &Plan, args: &ConformanceArgs) -> io::Result<()> {
    writeln!(out, "{}", plan.note)?;
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
                let skipped = match (&args.adapter, a.selected, &a.not_run) {
                    (Some(name), false, _) => format!(" [not selected by --adapter {name}]"),
                    (_, _, Some(why)) => format!(" [not run: {why}]"),
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
    writeln!(out)
}

/// Runs the corpus; returns whether every check passed.
pub(crate) fn conformance(args: &ConformanceArgs) -> Result<bool, Fatal> {
    let dirs = if args.corpus.is_empty() {
        default_corpus_dirs()
    } else {
        args.corpus.clone()
    };
    let corpora = dirs
        .iter()
        .map(|dir| {
            Corpus::load(dir).map_err(|e| {
                if args.corpus.is_empty() {
                    Fatal(format!(
                        "{e} (a shipped corpus is missing; pass --corpus DIR)"
                    ))
                } else {
                    Fatal(e.to_string())
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(f) = &args.filter {
        let found = corpora
            .iter()
            .any(|c| c.cases().iter().any(|c| c.id.contains(f.as_str())));
        if !found {
            return Err(Fatal(format!("no case id contains {f:?}")));
        }
    }
    let plan = plan(args)?;

    // One bar on stderr (when it is a terminal), restarted for each backend.
    let bar = progress::stderr_bar("", 0);
    let tick = |n: usize| bar.inc(n as u64);
    let options = RunOptions {
        filter: args.filter.as_deref(),
        paths: args.paths.into(),
        reference: None,
        progress: Some(&tick),
    };
    let gpu_options = RunOptions {
        reference: Some(&CpuBackend),
        ..options
    };
    let checks: u64 = corpora
        .iter()
        .map(|c| c.planned_checks(&options) as u64)
        .sum();
    // One run per backend over every corpus, in order.
    let over_corpora = |run: &dyn Fn(&Corpus) -> BackendRun| {
        let mut all: Option<BackendRun> = None;
        for corpus in &corpora {
            let next = run(corpus);
            match &mut all {
                Some(a) => a.extend(next),
                None => all = Some(next),
            }
        }
        all.expect("at least one corpus")
    };
    let mut runs = Vec::new();
    if plan.cpu {
        progress::restart(&bar, "cpu", checks);
        runs.push(over_corpora(&|c| BackendRun::new(c, &CpuBackend, &options)));
    }
    for adapter in plan
        .adapters
        .iter()
        .flatten()
        .filter(|a| a.selected && a.not_run.is_none())
    {
        progress::restart(&bar, adapter.label.as_str(), checks);
        let mut run = match open(adapter) {
            Ok(context) => over_corpora(&|c| BackendRun::new(c, &context, &gpu_options)),
            Err(reason) => over_corpora(&|c| {
                BackendRun::unavailable(c, &adapter.label, reason.clone(), &gpu_options)
            }),
        };
        run.rename(&adapter.label);
        runs.push(run);
    }
    bar.finish_and_clear();
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
