//! `halfpixel identify` (being written in this session).

use clap::Args;

use crate::common::Fatal;

/// The arguments of `halfpixel identify`.
#[derive(Debug, Args)]
pub(crate) struct IdentifyArgs {}

/// Runs `halfpixel identify`.
pub(crate) fn run(_args: &IdentifyArgs) -> Result<bool, Fatal> {
    Err(Fatal("`halfpixel identify` is not built yet".into()))
}
