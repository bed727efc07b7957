//! The conformance runner: loads a corpus in the `resize-conformance/1` format (a `manifest.json`
//! and `data/*.npy` golden files produced by the frameworks themselves) and checks every case
//! through up to two paths on a [`Backend`]:
//!
//! * **call** — [`crate::presets::from_call`] turns the recorded framework call into an
//!   [`Operation`](crate::Operation): what a user of the preset API writes;
//! * **portable** — for resize cases with a `resize` block, [`crate::ResizeSpec::from_json`]; for
//!   `depth_to_space` / `space_to_depth` cases with `block_size` and `order`, a
//!   [`crate::BlockSpec`].
//!
//! A check passes when the output has the expected shape and `max |got − expected|` is within the
//! case's `tolerance.max_abs` (a NaN must meet a NaN). Everything else — a larger error, a shape
//! mismatch, an unsupported call, an error, even a panic in the backend — is a failure, recorded
//! with enough detail to debug it.
//!
//! ```no_run
//! use halfpixel::conformance::{default_corpus_dir, CpuBackend, Corpus};
//!
//! let corpus = Corpus::load(default_corpus_dir())?;
//! let report = corpus.run(&CpuBackend);
//! report.print_text(&mut std::io::stdout())?;
//! assert!(report.all_passed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To compare backends — the CPU and every GPU adapter — run the corpus on each into a
//! [`BackendRun`] (GPU runs with [`RunOptions::reference`] set to [`CpuBackend`], which records
//! each output's ULP distance from the CPU's) and gather them in a [`MultiReport`]: its
//! [`Matrix`] has a row per backend and a column per framework.
//!
//! The format is described in `tests/corpus/FORMAT.md`.

mod backend;
mod compare;
mod manifest;
mod matrix;
mod report;
mod runner;

pub use backend::{Backend, CpuBackend, FnBackend};
pub use compare::{compare, element_error, ulp_distance, Comparison};
pub use manifest::{Case, Corpus, Manifest, Op, Tolerance, FORMAT};
pub use matrix::{BackendRun, Matrix, MatrixCell, MatrixRow, MultiReport};
pub use report::{PathStats, Report, SummaryRow};
pub use runner::{CheckPath, CheckResult, PathSelection, RunOptions, Status};

use std::path::PathBuf;

/// The corpus shipped with the crate's sources (`tests/corpus`): small float32 tensors.
pub fn default_corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus"))
}

/// The real-data corpus shipped with the crate's sources (`tests/corpus-images`): 8- and 16-bit
/// images and float tensors at camera and model-input sizes.
pub fn images_corpus_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus-images"))
}

/// Every corpus shipped with the sources, in the order a default run takes them.
pub fn default_corpus_dirs() -> Vec<PathBuf> {
    vec![default_corpus_dir(), images_corpus_dir()]
}
