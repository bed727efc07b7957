//! Every named preset (the framework calls) from arbitrary targets, input shapes and ONNX
//! attributes: building the operation and its output shape returns a result or a typed error,
//! never a panic; small shapes also run on the CPU.

#![no_main]

use halfpixel::presets::named::{all, Request, Target};
use halfpixel::{InputDesc, Layout};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ndarray::Array4;

/// Attribute names the ONNX presets know, and values of every kind.
const NAMES: &[&str] = &[
    "mode",
    "coordinate_transformation_mode",
    "nearest_mode",
    "cubic_coeff_a",
    "exclude_outside",
    "antialias",
    "extrapolation_value",
    "roi",
    "axes",
    "keep_aspect_ratio_policy",
    "opset",
    "scales",
    "sizes",
];
const VALUES: &[&str] = &[
    "nearest",
    "linear",
    "cubic",
    "half_pixel",
    "asymmetric",
    "align_corners",
    "tf_crop_and_resize",
    "pytorch_half_pixel",
    "half_pixel_symmetric",
    "round_prefer_floor",
    "floor",
    "ceil",
    "not_larger",
    "not_smaller",
    "stretch",
    "-0.75",
    "0",
    "1",
    "-1",
    "nan",
    "inf",
    "1e308",
    "[0,0,1,1]",
    "[2,3]",
    "[0.5,-1]",
    "10",
    "11",
    "13",
    "18",
    "19",
    "",
];

#[derive(Debug, Arbitrary)]
enum RawTarget {
    Size(u32, u32),
    Scale(f64, f64),
    Block(u16),
}

#[derive(Debug, Arbitrary)]
struct Input {
    preset: u16,
    target: RawTarget,
    dims: [u16; 4],
    attributes: Vec<(u8, u8, Option<String>)>,
    nhwc: bool,
}

const RUN_ELEMENTS: u64 = 1 << 14;

fuzz_target!(|x: Input| {
    let presets = all();
    let preset = &presets[x.preset as usize % presets.len()];
    let target = match x.target {
        RawTarget::Size(h, w) => Target::Size([h as usize, w as usize]),
        RawTarget::Scale(h, w) => Target::Scale([h, w]),
        RawTarget::Block(b) => Target::Block(b as usize),
    };
    let attributes: Vec<(String, String)> = x
        .attributes
        .iter()
        .take(8)
        .map(|(n, v, raw)| {
            let value = raw
                .clone()
                .unwrap_or_else(|| VALUES[*v as usize % VALUES.len()].to_string());
            (NAMES[*n as usize % NAMES.len()].to_string(), value)
        })
        .collect();
    let dims = x.dims.map(|d| d as usize);
    // Input or output axes past 2^13 but within MAX_AXIS_LEN (2^25) are legitimate work of up
    // to seconds per instrumented plan, which would slow the search down; lengths past the
    // limit are refused at once and stay in.
    let slow = |v: f64| v > (1u64 << 13) as f64 && v <= halfpixel::error::MAX_AXIS_LEN as f64;
    let (h, w) = (dims[2] as f64, dims[3] as f64);
    let out = match target {
        Target::Size([oh, ow]) => [oh as f64, ow as f64],
        Target::Scale([sh, sw]) => [h * sh.abs(), w * sw.abs()],
        Target::Block(b) => [h * b as f64, w * b as f64],
    };
    if out.into_iter().chain([h, w]).any(slow) {
        return;
    }
    let request = Request {
        target,
        input: dims,
        attributes: &attributes,
    };
    let Ok(op) = preset.build(&request) else {
        return;
    };
    let layout = if x.nhwc { Layout::Nhwc } else { Layout::Nchw };
    let Ok(out_dims) = op.output_dims(&InputDesc { dims, layout }) else {
        return;
    };
    let count = |d: [usize; 4]| d.iter().map(|&v| v as u64).product::<u64>();
    if count(dims) > RUN_ELEMENTS || count(out_dims) > RUN_ELEMENTS {
        return;
    }
    let data = Array4::from_shape_fn(layout.shape(dims), |(n, c, y, x)| {
        (n + 3 * c + 5 * y + 7 * x) as f32 * 0.5 - 3.0
    });
    let y = op
        .run_cpu(data.view(), layout)
        .expect("output_dims succeeded");
    assert_eq!(y.shape(), layout.shape(out_dims));
});
