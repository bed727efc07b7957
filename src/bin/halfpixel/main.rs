//! The `halfpixel` command line: runs conformance corpora on the CPU and on every GPU adapter
//! (`conformance`), measures throughput against the memory floors (`bench`), resizes files with
//! named presets (`resize`, `presets`), finds which framework call turns one tensor into another
//! (`identify`), computes the cross-framework cheatsheet (`matrix`) and draws the article's
//! pictures (`figures`).
//!
//! Exit status: 0 when every check passed (every measurement ran), 1 when some failed, 2 on a
//! usage error or when the run could not happen at all (unreadable or malformed corpus, no GPU
//! adapter where one is required, unknown workload, unwritable JSON).

use std::process::ExitCode;

#[cfg(feature = "audit")]
mod audit;
mod bench;
mod cli;
mod common;
mod conformance;
mod figures;
mod identify;
mod matrix;
mod presets;
mod progress;
mod resize;

fn main() -> ExitCode {
    cli::main()
}
