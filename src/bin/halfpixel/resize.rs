//! `halfpixel resize` (being written in this session).

use clap::Args;

use crate::common::Fatal;

/// The arguments of `halfpixel resize`.
#[derive(Debug, Args)]
pub(crate) struct ResizeArgs {}

/// Runs `halfpixel resize`.
pub(crate) fn run(_args: &ResizeArgs) -> Result<bool, Fatal> {
    Err(Fatal("`halfpixel resize` is not built yet".into()))
}
