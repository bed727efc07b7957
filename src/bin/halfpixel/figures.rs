//! `halfpixel figures` (being written in this session).

use clap::Args;

use crate::common::Fatal;

/// The arguments of `halfpixel figures`.
#[derive(Debug, Args)]
pub(crate) struct FiguresArgs {}

/// Runs `halfpixel figures`.
pub(crate) fn run(_args: &FiguresArgs) -> Result<bool, Fatal> {
    Err(Fatal("`halfpixel figures` is not built yet".into()))
}
