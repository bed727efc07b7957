//! The `halfpixel` command line: runs conformance corpora against halfpixel's backends.
//!
//! Exit status: 0 when every check passed, 1 when some failed, 2 on a usage error or when the run
//! could not happen at all (unreadable or malformed corpus, unavailable backend, unwritable JSON).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use halfpixel::conformance::{
    default_corpus_dir, Backend, Corpus, CpuBackend, PathSelection, Report, RunOptions,
};

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
    /// Run a conformance corpus (manifest.json + data/*.npy, format resize-conformance/1) and
    /// report every case that fails, a summary by framework and op, and `N passed, M failed`.
    ///
    /// Each case is checked through the recorded framework call (the preset API) and, where the
    /// case has one, through the portable spec. Exit status: 0 when all checks pass, 1 when some
    /// fail, 2 when the corpus cannot be loaded or the backend is unavailable.
    #[command(after_help = "Examples:\n  \
        halfpixel conformance\n  \
        halfpixel conformance --filter torch.bilinear --verbose\n  \
        halfpixel conformance --corpus ../shared/conformance --json report.json")]
    Conformance(ConformanceArgs),
}

#[derive(Debug, Args)]
struct ConformanceArgs {
    /// Corpus folder holding manifest.json and data/ [default: the corpus shipped with the
    /// sources, tests/corpus]
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// Where to run the operations
    #[arg(long, value_enum, default_value_t = BackendChoice::Cpu)]
    backend: BackendChoice,

    /// Also write the full report (every check, the summary) as JSON to FILE
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
    /// The CPU kernels
    Cpu,
    /// The first GPU adapter (not built yet)
    Gpu,
    /// The CPU and every GPU adapter (not built yet)
    All,
    /// The GPU when one is available, else the CPU (not built yet)
    Auto,
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

/// The backends a choice stands for, or why they are unavailable.
fn backends(choice: BackendChoice) -> Result<Vec<Box<dyn Backend>>, Fatal> {
    match choice {
        BackendChoice::Cpu => Ok(vec![Box::new(CpuBackend)]),
        BackendChoice::Gpu | BackendChoice::All | BackendChoice::Auto => Err(Fatal(format!(
            "GPU backend not built yet (--backend {}); use --backend cpu",
            choice
                .to_possible_value()
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        ))),
    }
}

/// Runs the corpus; returns whether every check passed.
fn conformance(args: &ConformanceArgs) -> Result<bool, Fatal> {
    let dir = args.corpus.clone().unwrap_or_else(default_corpus_dir);
    let backends = backends(args.backend)?;
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
    let options = RunOptions {
        filter: args.filter.as_deref(),
        paths: args.paths.into(),
        reference: None,
    };
    let reports: Vec<Report> = backends
        .iter()
        .map(|b| corpus.run_with(b.as_ref(), &options))
        .collect();

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    for report in &reports {
        report
            .write_text(&mut out, args.verbose)
            .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;
    }
    let passed: usize = reports.iter().map(Report::passed).sum();
    let failed: usize = reports.iter().map(Report::failed).sum();
    if reports.len() > 1 {
        writeln!(out, "{passed} passed, {failed} failed")
            .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;
    }
    out.flush()
        .map_err(|e| Fatal(format!("cannot write the report: {e}")))?;

    if let Some(path) = &args.json {
        let value = if reports.len() == 1 {
            reports[0].to_json()
        } else {
            serde_json::Value::Array(reports.iter().map(Report::to_json).collect())
        };
        let text = serde_json::to_string_pretty(&value)?;
        std::fs::write(path, text + "\n")
            .map_err(|e| Fatal(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(failed == 0)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Conformance(args) => conformance(args),
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
