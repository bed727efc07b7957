//! The command line's argument layer on arbitrary argument lists: the real grammar of the
//! `halfpixel` binary (its modules compiled here) must parse or refuse with clap's usage error,
//! and a parsed `resize` must turn its preset, target and attributes into an operation for a
//! fixed input shape or a one-line error — never a panic. Nothing is read, written or run.

#![no_main]
#![allow(dead_code, unused_imports)]

#[path = "../../src/bin/halfpixel/bench.rs"]
mod bench;
#[path = "../../src/bin/halfpixel/cli.rs"]
mod cli;
#[path = "../../src/bin/halfpixel/common.rs"]
mod common;
#[path = "../../src/bin/halfpixel/conformance.rs"]
mod conformance;
#[path = "../../src/bin/halfpixel/figures.rs"]
mod figures;
#[path = "../../src/bin/halfpixel/identify.rs"]
mod identify;
#[path = "../../src/bin/halfpixel/matrix.rs"]
mod matrix;
#[path = "../../src/bin/halfpixel/presets.rs"]
mod presets;
#[path = "../../src/bin/halfpixel/resize.rs"]
mod resize;

use clap::Parser;
use libfuzzer_sys::fuzz_target;

/// Words of the grammar, so that the fuzzer reaches past the first token.
const WORDS: &[&str] = &[
    "resize",
    "identify",
    "matrix",
    "figures",
    "presets",
    "bench",
    "conformance",
    "in.npy",
    "out.png",
    "--preset",
    "--size",
    "--scale",
    "--block",
    "--layout",
    "--backend",
    "--attr",
    "--dtype",
    "--input",
    "--output",
    "--atol",
    "--top",
    "--json",
    "--format",
    "--sources",
    "--targets",
    "--workload",
    "--threads",
    "--filter",
    "--paths",
    "torch.bilinear",
    "torch.pixel_shuffle",
    "onnx",
    "onnx.resize",
    "tf1.bilinear.align_corners",
    "opencv.inter_area",
    "mode=cubic",
    "cubic_coeff_a=-0.5",
    "coordinate_transformation_mode=tf_crop_and_resize",
    "roi=[0,0,1,1]",
    "axes=[3,2]",
    "2",
    "0",
    "-1",
    "nan",
    "inf",
    "1e300",
    "18446744073709551615",
    "3x4",
    "0x5",
    "99999999999x2",
    "2,1.5",
    "NHWC",
    "nchw",
    "cpu",
    "f16",
    "u8",
    "md",
    "json",
];

fuzz_target!(|words: Vec<(u8, Option<String>)>| {
    let mut args = vec!["halfpixel".to_string()];
    args.extend(
        words
            .into_iter()
            .take(16)
            .map(|(w, raw)| raw.unwrap_or_else(|| WORDS[w as usize % WORDS.len()].to_string())),
    );
    let Ok(parsed) = cli::Cli::try_parse_from(&args) else {
        return;
    };
    if let cli::Command::Resize(resize_args) = &parsed.command {
        if let Ok(checked) = resize::check(resize_args) {
            let _ = checked.operation([1, 3, 8, 8]);
            let _ = checked.operation([2, 16, 1, 65_536]);
        }
    }
});
