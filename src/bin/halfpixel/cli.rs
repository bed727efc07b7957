//! The command line's grammar (clap) and dispatch to the subcommands; `main.rs` only declares
//! the modules, so the fuzz target under `fuzz/` can compile the same grammar.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[cfg(feature = "audit")]
use crate::audit;
use crate::bench::{bench_command, BenchArgs};
use crate::common::Fatal;
use crate::conformance::{conformance, ConformanceArgs};
use crate::{figures, identify, matrix, presets, resize};

/// Every framework's resize, exactly: PyTorch, TensorFlow, Keras, ONNX, Core ML and OpenCV resize
/// and pixel-shuffle semantics, checked against golden outputs of the frameworks themselves.
#[derive(Debug, Parser)]
#[command(name = "halfpixel", version, arg_required_else_help = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run a conformance corpus (manifest.json + data/*.npy, format resize-conformance/1) on the
    /// CPU and every GPU adapter, and report every check that fails, a matrix of backends by
    /// framework, a summary line per backend, and `N passed, M failed` over everything.
    ///
    /// Each case is checked through the recorded framework call (the preset API) and, where the
    /// case has one, through the portable spec. GPU outputs are also compared with the CPU's, in
    /// ULPs. An adapter whose device cannot be opened counts all its checks as failed. The first
    /// line says what runs: with --backend auto (the default) the CPU and every hardware adapter;
    /// software rasterisers (lavapipe, llvmpipe, WARP) with HALFPIXEL_ALLOW_SOFTWARE_GPU=1 or
    /// HALFPIXEL_REQUIRE_GPU=1, and always with --backend gpu or all. Exit
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

    /// Resize a .npy tensor or an image file with a named preset.
    Resize(resize::ResizeArgs),

    /// List the named presets and the call each mirrors.
    Presets(presets::PresetsArgs),

    /// Find which framework call turns one tensor into another.
    Identify(identify::IdentifyArgs),

    /// The cross-framework cheatsheet, computed: which presets reproduce which.
    Matrix(matrix::MatrixArgs),

    /// The article's pictures, made by the library.
    Figures(figures::FiguresArgs),

    /// Every resize, upsample and pixel-shuffle layer of a model file (ONNX, Core ML, TFLite,
    /// Keras), named exactly; with a second file converted from the first, what the conversion
    /// changed.
    #[cfg(feature = "audit")]
    Audit(audit::AuditArgs),
}

/// Parses the process's arguments and runs the command (clap exits 2 on a usage error).
pub(crate) fn main() -> ExitCode {
    run(&Cli::parse())
}

/// Runs a parsed command line: 0 when everything passed, 1 when some check failed, 2 with one
/// line on stderr when the command could not run.
pub(crate) fn run(cli: &Cli) -> ExitCode {
    let result = match &cli.command {
        Command::Conformance(args) => conformance(args),
        Command::Bench(args) => bench_command(args),
        Command::Resize(args) => resize::run(args),
        Command::Presets(args) => presets::run(args),
        Command::Identify(args) => identify::run(args),
        Command::Matrix(args) => matrix::run(args),
        Command::Figures(args) => figures::run(args),
        #[cfg(feature = "audit")]
        Command::Audit(args) => audit::run(args),
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
