//! `halfpixel presets` (being written in this session).

use clap::Args;

use crate::common::Fatal;

/// The arguments of `halfpixel presets`.
#[derive(Debug, Args)]
pub(crate) struct PresetsArgs {}

/// Runs `halfpixel presets`.
pub(crate) fn run(_args: &PresetsArgs) -> Result<bool, Fatal> {
    Err(Fatal("`halfpixel presets` is not built yet".into()))
}
