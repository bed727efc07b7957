//! `halfpixel matrix` (being written in this session).

use clap::Args;

use crate::common::Fatal;

/// The arguments of `halfpixel matrix`.
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {}

/// Runs `halfpixel matrix`.
pub(crate) fn run(_args: &MatrixArgs) -> Result<bool, Fatal> {
    Err(Fatal("`halfpixel matrix` is not built yet".into()))
}
