//! Byte-domain preprocessing (`Preprocess::with_byte_resize`) against the real libraries' steps,
//! one after the other: OpenCV's `cv2.resize` then numpy's normalisation or Core ML's scaler,
//! torchvision's PIL path, PyTorch's uint8 `F.interpolate` then `Normalize`. Fixtures:
//! `tests/data/preprocess-bytes`, made by `tools/gen_preprocess_fixtures.py`. Every case must be
//! bit for bit on the CPU and on every GPU adapter.

mod common;

use std::path::{Path, PathBuf};

use halfpixel::npy::read_npy;
use halfpixel::preprocess::{
    ChannelOrder, ColorValues, FrameDesc, Normalization, PixelFormat, Preprocess,
};
use halfpixel::presets::{from_call, Call};
use halfpixel::Layout;
use ndarray::{Array4, ArrayD};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/preprocess-bytes")
}

struct Case {
    id: String,
    frame: Vec<u8>,
    desc: FrameDesc,
    pre: Preprocess,
    expected: ArrayD<f32>,
}

fn color_values(v: &Value) -> ColorValues {
    let list: Vec<f32> = v
        .as_array()
        .expect("a list")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect();
    match list.as_slice() {
        [g] => ColorValues::splat(*g),
        [r, g, b] => ColorValues::rgb(*r, *g, *b),
        other => panic!("{other:?}"),
    }
}

fn load(case: &Value) -> Case {
    let id = case["id"].as_str().unwrap().to_string();
    let frame = read_npy(&root().join(case["frame"].as_str().unwrap())).unwrap();
    let [h, w, _] = frame.shape[..] else {
        panic!("{id}: frame shape {:?}", frame.shape)
    };
    let bytes: Vec<u8> = frame.data.iter().map(|&v| v as u8).collect();
    let format = match case["pixel_format"].as_str().unwrap() {
        "bgr" => PixelFormat::Bgr,
        "bgra" => PixelFormat::Bgra,
        "rgb" => PixelFormat::Rgb,
        other => panic!("{id}: pixel format {other}"),
    };
    let order = match case["channel_order"].as_str().unwrap() {
        "rgb" => ChannelOrder::Rgb,
        "bgr" => ChannelOrder::Bgr,
        "gray" => ChannelOrder::Gray,
        other => panic!("{id}: channel order {other}"),
    };
    let n = &case["normalization"];
    let normalization = if let Some(ms) = n.get("mean_std") {
        Normalization::mean_std(color_values(&ms["mean"]), color_values(&ms["std"]))
    } else {
        let sb = &n["scale_bias"];
        let bias = &sb["bias"];
        let f = |k: &str| bias[k].as_f64().unwrap() as f32;
        Normalization::scale_bias(
            sb["scale"].as_f64().unwrap() as f32,
            ColorValues::rgb(f("red"), f("green"), f("blue")),
        )
    };
    let layout = match case["layout"].as_str().unwrap() {
        "NCHW" => Layout::Nchw,
        _ => Layout::Nhwc,
    };
    let call: Call = serde_json::from_value(case["resize"].clone()).unwrap();
    let op = from_call(&call).unwrap_or_else(|e| panic!("{id}: {e}"));
    let pre = Preprocess::new(format, normalization)
        .with_channel_order(order)
        .with_layout(layout)
        .with_byte_resize(op);
    let expected = read_npy(&root().join(case["expected"].as_str().unwrap()))
        .unwrap()
        .into_arrayd()
        .unwrap();
    Case {
        id,
        frame: bytes,
        desc: FrameDesc::new(w, h),
        pre,
        expected,
    }
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(root().join("manifest.json")).expect("fixtures");
    let manifest: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest["format"], "halfpixel-preprocess-bytes/1");
    manifest["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(load)
        .collect()
}

fn assert_same(id: &str, on: &str, got: &Array4<f32>, expected: &ArrayD<f32>) {
    assert_eq!(got.shape(), expected.shape(), "{id} on {on}: shape");
    let mut wrong = 0;
    let mut first = None;
    for (i, (g, e)) in got.iter().zip(expected.iter()).enumerate() {
        if g.to_bits() != e.to_bits() && !(*g == 0.0 && *e == 0.0) {
            wrong += 1;
            first.get_or_insert((i, *g, *e));
        }
    }
    assert_eq!(
        wrong, 0,
        "{id} on {on}: {wrong} values differ, first at flat index {:?} (got, expected)",
        first
    );
}

#[test]
fn byte_resizes_equal_the_libraries_steps_on_the_cpu() {
    if common::corpora_absent("byte_resizes_equal_the_libraries_steps_on_the_cpu") {
        return;
    }
    let cases = cases();
    assert!(cases.len() >= 10);
    for case in &cases {
        let got = case
            .pre
            .run_cpu(&case.frame, case.desc)
            .unwrap_or_else(|e| panic!("{}: {e}", case.id));
        assert_same(&case.id, "cpu", &got, &case.expected);
    }
}

#[test]
fn byte_resizes_equal_the_libraries_steps_on_every_gpu_in_one_dispatch() {
    if common::corpora_absent("byte_resizes_equal_the_libraries_steps_on_every_gpu_in_one_dispatch")
    {
        return;
    }
    let cases = cases();
    for ctx in common::contexts() {
        let label = ctx.adapter().label();
        for case in &cases {
            let got = ctx
                .preprocess(&case.pre, &case.frame, case.desc)
                .unwrap_or_else(|e| panic!("{} on {label}: {e}", case.id));
            assert_same(&case.id, &label, &got, &case.expected);
            // One dispatch: the bound preprocessing records a single compute dispatch.
            let bound_dispatches = {
                let out = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: (got.len() * 4) as u64,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                });
                let frame = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: (case.frame.len().div_ceil(4) * 4) as u64,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                });
                let dims = case.pre.output_dims(&case.desc).unwrap();
                ctx.bind_preprocess(
                    &case.pre,
                    &halfpixel::gpu::FrameBuffer {
                        buffer: &frame,
                        offset: 0,
                        desc: case.desc,
                    },
                    &halfpixel::gpu::BufferTensor {
                        buffer: &out,
                        offset: 0,
                        dims,
                        layout: case.pre.layout(),
                        dtype: halfpixel::gpu::DType::F32,
                    },
                )
                .unwrap()
                .dispatches()
            };
            assert_eq!(bound_dispatches, 1, "{} on {label}", case.id);
        }
    }
}

#[test]
fn a_call_without_8_bit_arithmetic_is_refused_as_a_byte_resize() {
    let op = halfpixel::presets::tf::Resize::new([8, 8], halfpixel::presets::tf::Method::Bilinear)
        .build()
        .unwrap();
    let pre = Preprocess::new(PixelFormat::Rgb, Normalization::none()).with_byte_resize(op);
    let err = pre
        .run_cpu(&[0u8; 16 * 16 * 3], FrameDesc::new(16, 16))
        .unwrap_err();
    assert!(err.to_string().contains("float32"), "{err}");
}
