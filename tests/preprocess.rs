//! Image preprocessing fused with the resize (`halfpixel::preprocess`), on the CPU and on every
//! GPU adapter.
//!
//! - The fused CPU kernel against the steps done separately by this file's own code (decode the
//!   bytes, pick the colours, normalise with the framework's float32 formula, then resize with
//!   `Operation::run_cpu`): the library normalises first and resizes with the resize kernel's
//!   sums, so the bound is 0 — bit for bit.
//! - The other order (resize the raw bytes, then normalise) within the bound derived in
//!   `commuted_bound`: that is what "a filter commutes with an affine map up to rounding" costs.
//! - The GPU (buffer and rgba8unorm texture frames, f32 and f16 outputs) against the CPU: the
//!   normalisation is a table look-up, identical everywhere, so copy plans are bit-exact, and
//!   weighted plans differ at most by the rounding freedom a shader compiler has (fused
//!   multiply-adds). Both sides compute the same dot products of `nh + nw` roundings, each within
//!   `γ(nh+nw)·Σ|wx||wy||T|` of the exact value (`γ(n) = n·u/(1−n·u)`, `u = 2⁻²⁴`), so they differ
//!   by at most twice that. f16 outputs may take either f16 neighbour of the f32 result (WGSL
//!   leaves the conversion's rounding to the implementation).
//! - The presets' numbers on hand-computed pixels, and typed errors for bad input.

mod common;

use half::f16;
use halfpixel::gpu::{BufferTensor, DType, FrameBuffer, FrameSource, GpuContext};
use halfpixel::preprocess::{
    ChannelOrder, ColorValues, FrameDesc, Normalization, PixelFormat, Preprocess,
};
use halfpixel::presets::{tf, torch};
use halfpixel::{
    BlockOrder, BlockSpec, CoordinateTransform, Error, InputDesc, Layout, Mode, Operation,
    ResizePlan, ResizeSpec,
};
use ndarray::Array4;
use wgpu::util::DeviceExt;

const U: f64 = 1.0 / (1u64 << 24) as f64;

fn gamma(n: usize) -> f64 {
    let nu = n as f64 * U;
    nu / (1.0 - nu)
}

// ---------------------------------------------------------------------------------------------
// Frames and this file's own decoding and normalisation

/// Pseudo-random bytes (xorshift), padding bytes included.
fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A frame of `format` with `pad` bytes after every row but the last.
fn frame(format: PixelFormat, w: usize, h: usize, pad: usize, seed: u64) -> (Vec<u8>, FrameDesc) {
    let stride = w * format.bytes_per_pixel() + pad;
    let desc = FrameDesc::new(w, h).with_row_stride(stride);
    (
        bytes((h - 1) * stride + w * format.bytes_per_pixel(), seed),
        desc,
    )
}

/// Red, green and blue of a pixel, from the byte orders the formats are named after (CoreVideo
/// `kCVPixelFormatType_32BGRA` is B, G, R, A in memory, …).
fn rgb_of(format: PixelFormat, px: &[u8]) -> [u8; 3] {
    match format {
        PixelFormat::Rgba | PixelFormat::Rgb => [px[0], px[1], px[2]],
        PixelFormat::Bgra | PixelFormat::Bgr => [px[2], px[1], px[0]],
        PixelFormat::Argb => [px[1], px[2], px[3]],
        PixelFormat::Abgr => [px[3], px[2], px[1]],
        PixelFormat::Gray => [px[0]; 3],
        other => panic!("the test's reference does not know the pixel format {other:?}"),
    }
}

/// The bytes of the output channels of a pixel: RGB, BGR, or gray (the frame's gray byte, or
/// PIL's `convert("L")` luma of a colour pixel).
fn channel_bytes(format: PixelFormat, order: ChannelOrder, px: &[u8]) -> Vec<u8> {
    let [r, g, b] = rgb_of(format, px);
    match order {
        ChannelOrder::Rgb => vec![r, g, b],
        ChannelOrder::Bgr => vec![b, g, r],
        ChannelOrder::Gray if format == PixelFormat::Gray => vec![px[0]],
        ChannelOrder::Gray => {
            vec![((r as u32 * 19595 + g as u32 * 38470 + b as u32 * 7471 + 0x8000) >> 16) as u8]
        }
    }
}

/// The colour names of the output channels.
fn colors(order: ChannelOrder) -> &'static [&'static str] {
    match order {
        ChannelOrder::Rgb => &["red", "green", "blue"],
        ChannelOrder::Bgr => &["blue", "green", "red"],
        ChannelOrder::Gray => &["gray"],
    }
}

fn pick(v: &ColorValues, color: &str) -> f32 {
    match color {
        "red" => v.red,
        "green" => v.green,
        "blue" => v.blue,
        _ => v.gray.expect("gray value"),
    }
}

/// The framework's float32 formula on one value (a byte, or a resized value).
fn normalise(n: &Normalization, color: &str, x: f32) -> f32 {
    match n {
        // Core ML: scale first, then the bias.
        Normalization::ScaleBias { scale, bias } => scale * x + pick(bias, color),
        // torchvision: ToTensor (x / 255), then Normalize ((v − mean) / std).
        Normalization::MeanStd { mean, std } => (x / 255.0 - pick(mean, color)) / pick(std, color),
        other => panic!("the test's reference does not know the normalization {other:?}"),
    }
}

/// The exact affine map `a·x + b` the convention stands for (from its float32 coefficients).
fn affine(n: &Normalization, color: &str) -> (f64, f64) {
    match n {
        Normalization::ScaleBias { scale, bias } => (*scale as f64, pick(bias, color) as f64),
        Normalization::MeanStd { mean, std } => {
            let (m, s) = (pick(mean, color) as f64, pick(std, color) as f64);
            (1.0 / (255.0 * s), -m / s)
        }
        other => panic!("the test's reference does not know the normalization {other:?}"),
    }
}

/// Decodes the frame into a `[1, C, H, W]` tensor (in `layout`) of `value(channel, byte)`.
fn decode(
    format: PixelFormat,
    order: ChannelOrder,
    layout: Layout,
    data: &[u8],
    desc: FrameDesc,
    value: impl Fn(usize, u8) -> f32,
) -> Array4<f32> {
    let bpp = format.bytes_per_pixel();
    let stride = desc.row_stride.unwrap_or(desc.width * bpp);
    let c = order.channels();
    let nchw = Array4::from_shape_fn((1, c, desc.height, desc.width), |(_, ch, y, x)| {
        let at = y * stride + x * bpp;
        value(ch, channel_bytes(format, order, &data[at..at + bpp])[ch])
    });
    to_layout(nchw, layout)
}

fn to_layout(nchw: Array4<f32>, layout: Layout) -> Array4<f32> {
    match layout {
        Layout::Nchw => nchw,
        Layout::Nhwc => nchw
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .to_owned(),
    }
}

/// The steps done separately: decode, reorder, normalise, then `Operation::run_cpu`.
fn separately(
    pre: &Preprocess,
    op: Option<&Operation>,
    data: &[u8],
    desc: FrameDesc,
) -> Array4<f32> {
    let n = *pre.normalization();
    let order = pre.channel_order();
    let tensor = decode(pre.format(), order, pre.layout(), data, desc, |ch, b| {
        normalise(&n, colors(order)[ch], b as f32)
    });
    match op {
        Some(op) => op.run_cpu(tensor.view(), pre.layout()).unwrap(),
        None => tensor,
    }
}

// ---------------------------------------------------------------------------------------------
// The resizes and normalisations exercised

fn ops() -> Vec<(&'static str, Operation)> {
    let mut crop = ResizeSpec::new(Mode::Linear, CoordinateTransform::TfCropAndResize, [7, 9]);
    crop.roi = Some([-0.2, 0.1, 0.9, 1.3]);
    crop.extrapolation_value = Some(-7.25);
    let mut cubic_ex = ResizeSpec::new(Mode::Cubic, CoordinateTransform::HalfPixel, [17, 23]);
    cubic_ex.cubic_coeff_a = Some(-0.5);
    cubic_ex.exclude_outside = true;
    vec![
        (
            "torch nearest",
            torch::Interpolate::size([19, 7], torch::Mode::Nearest)
                .build()
                .unwrap(),
        ),
        (
            "torch bilinear",
            torch::Interpolate::size([20, 30], torch::Mode::Bilinear)
                .build()
                .unwrap(),
        ),
        (
            "torch bilinear align_corners",
            torch::Interpolate::size([6, 5], torch::Mode::Bilinear)
                .align_corners(true)
                .build()
                .unwrap(),
        ),
        (
            "torch bicubic antialias",
            torch::Interpolate::size([5, 4], torch::Mode::Bicubic)
                .antialias(true)
                .build()
                .unwrap(),
        ),
        (
            "tf1 bilinear",
            tf::ResizeV1::bilinear([15, 21], false, false).unwrap(),
        ),
        ("onnx cubic exclude_outside", cubic_ex.into()),
        ("tf crop_and_resize", crop.into()),
        (
            "area",
            ResizeSpec::new(Mode::Area, CoordinateTransform::HalfPixel, [4, 6]).into(),
        ),
    ]
}

fn normalizations() -> Vec<Normalization> {
    vec![
        Normalization::imagenet().with_gray_from_mean_std(0.449, 0.226),
        Normalization::caffe().with_gray_bias(-116.0),
        Normalization::unit(),
        Normalization::symmetric(),
        Normalization::none(),
        Normalization::scale_bias(2.0 / 255.0, ColorValues::splat(-1.0)),
        Normalization::scale_bias(0.017, ColorValues::rgb(-2.1, -2.03, -1.8).with_gray(-2.0)),
    ]
}

/// Helpers that give a preset a gray value, so every channel order can use it.
trait WithGray {
    fn with_gray_from_mean_std(self, mean: f32, std: f32) -> Self;
    fn with_gray_bias(self, bias: f32) -> Self;
}

impl WithGray for Normalization {
    fn with_gray_from_mean_std(self, m: f32, s: f32) -> Self {
        match self {
            Normalization::MeanStd { mean, std } => {
                Normalization::mean_std(mean.with_gray(m), std.with_gray(s))
            }
            other => other,
        }
    }
    fn with_gray_bias(self, b: f32) -> Self {
        match self {
            Normalization::ScaleBias { scale, bias } => {
                Normalization::scale_bias(scale, bias.with_gray(b))
            }
            other => other,
        }
    }
}

const ORDERS: [ChannelOrder; 3] = [ChannelOrder::Rgb, ChannelOrder::Bgr, ChannelOrder::Gray];
const LAYOUTS: [Layout; 2] = [Layout::Nchw, Layout::Nhwc];

fn assert_bits(what: &str, got: &Array4<f32>, want: &Array4<f32>) {
    assert_eq!(got.dim(), want.dim(), "{what}: shape");
    for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
        assert!(
            g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
            "{what}: element {i}: fused {g} != separate {w}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CPU: fused against the steps done separately

#[test]
fn fused_cpu_equals_the_steps_done_separately_bit_for_bit() {
    let ops = ops();
    let norms = normalizations();
    let mut cases = 0;
    for (fi, format) in PixelFormat::ALL.into_iter().enumerate() {
        for (oi, order) in ORDERS.into_iter().enumerate() {
            for (li, layout) in LAYOUTS.into_iter().enumerate() {
                let (data, desc) =
                    frame(format, 13, 11, fi % 3 * 5, (fi * 31 + oi * 7 + li) as u64);
                let n = norms[(fi + oi + li) % norms.len()];
                let base = Preprocess::new(format, n)
                    .with_channel_order(order)
                    .with_layout(layout);
                // No resize: the normalised frame itself.
                let got = base.run_cpu(&data, desc).unwrap();
                assert_bits(
                    &format!("{format} {order:?} {layout:?} no resize"),
                    &got,
                    &separately(&base, None, &data, desc),
                );
                for (name, op) in &ops {
                    let pre = base.clone().with_resize(op.clone());
                    let got = pre.run_cpu(&data, desc).unwrap();
                    let want = separately(&pre, Some(op), &data, desc);
                    assert_bits(
                        &format!("{format} {order:?} {layout:?} {name} {n:?}"),
                        &got,
                        &want,
                    );
                    // The same tap tables given as a plan, and written into the caller's array.
                    let plan = op
                        .plan(&InputDesc {
                            dims: [1, order.channels(), 11, 13],
                            layout,
                        })
                        .unwrap()
                        .unwrap();
                    let by_plan = base.clone().with_resize_plan(plan);
                    let mut into = Array4::from_elem(want.dim(), f32::NAN);
                    by_plan.run_cpu_into(&data, desc, into.view_mut()).unwrap();
                    assert_bits(
                        &format!("{format} {order:?} {layout:?} {name} as a plan"),
                        &into,
                        &want,
                    );
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 7 * 3 * 2 * ops.len());
}

#[test]
fn large_frames_run_in_parallel_with_the_same_result() {
    // Large enough for the kernel to split rows across threads.
    let (data, desc) = frame(PixelFormat::Bgra, 640, 360, 64, 99);
    let op = torch::Interpolate::size([224, 224], torch::Mode::Bilinear)
        .antialias(true)
        .build()
        .unwrap();
    for layout in LAYOUTS {
        let pre = Preprocess::new(PixelFormat::Bgra, Normalization::imagenet())
            .with_layout(layout)
            .with_resize(op.clone());
        let got = pre.run_cpu(&data, desc).unwrap();
        assert_bits(
            &format!("640x360 {layout:?}"),
            &got,
            &separately(&pre, Some(&op), &data, desc),
        );
    }
}

/// The bound of `|normalise∘resize − resize∘normalise|` for one output channel, derived in the
/// module comment of `commuted_order_differs_only_by_the_derived_bound`.
fn commuted_bound(plan: &ResizePlan, table: &[f32; 256], a: f64, b: f64) -> f64 {
    let sums = |axis: &halfpixel::AxisPlan| -> Vec<(f64, f64)> {
        (0..axis.out_len())
            .map(|o| {
                let w = axis.taps(o).1;
                (
                    w.iter().map(|&v| v as f64).sum::<f64>(),
                    w.iter().map(|&v| (v as f64).abs()).sum::<f64>(),
                )
            })
            .collect()
    };
    let (sy, sx) = (sums(&plan.h), sums(&plan.w));
    let mut worst_dev: f64 = 0.0;
    let mut w_abs: f64 = 0.0;
    for &(hy, ay) in &sy {
        for &(hx, ax) in &sx {
            worst_dev = worst_dev.max((hy * hx - 1.0).abs());
            w_abs = w_abs.max(ay * ax);
        }
    }
    let n = plan.h.width() + plan.w.width();
    let m1 = table.iter().fold(0f64, |m, &v| m.max((v as f64).abs()));
    let e_l = (0..256).fold(0f64, |m, v| {
        m.max((table[v] as f64 - (a * v as f64 + b)).abs())
    });
    let r = 255.0 * w_abs;
    gamma(n) * w_abs * m1 // rounding of the fused sums
        + w_abs * e_l // the table's float32 values against the exact affine map
        + b.abs() * worst_dev // Σw ≠ 1: the bias is filtered too
        + a.abs() * gamma(n) * w_abs * 255.0 // rounding of the resized raw bytes
        + gamma(3) * (a.abs() * r + b.abs()) // the float32 formula on the resized value
        + 1e-12 * (m1 + b.abs() + a.abs() * r) // f64 slack of this computation
}

/// Resizing the raw bytes first and normalising the result (the order of PIL / OpenCV / Core ML
/// pipelines, without their rounding back to bytes) differs from the library's order only by
/// rounding: with exact arithmetic, `Σw·(a·x + b) = a·Σw·x + b` whenever `Σw = 1`. Term by term
/// (W = Σ|wy|·Σ|wx|, n = nh + nw taps, T the table, a·x + b the exact affine map):
/// the fused sums are within γ(n)·W·max|T| of `Σw·T`; `T` is within e_T = max|T − (a·x + b)| of
/// the affine map (W·e_T after filtering); `Σw·(a·x+b) − (a·Σw·x + b) = b·(Σw − 1)`; the resized
/// bytes r are within γ(n)·W·255 of `Σw·x` (times |a| after the map); and the float32 formula on
/// r is within γ(3)·(|a|·|r| + |b|) of `a·r + b` (at most three roundings: /255, −mean, /std).
#[test]
fn commuted_order_differs_only_by_the_derived_bound() {
    let ops = ops();
    let mut worst_ratio: f64 = 0.0;
    for n in normalizations() {
        for (name, op) in &ops {
            if *name == "tf crop_and_resize" {
                // Extrapolated samples are the resize's value in one order and normalised in
                // the other: not comparable.
                continue;
            }
            for order in ORDERS {
                let layout = Layout::Nchw;
                let format = PixelFormat::Rgba;
                let (data, desc) = frame(format, 13, 11, 0, 5);
                let pre = Preprocess::new(format, n)
                    .with_channel_order(order)
                    .with_layout(layout)
                    .with_resize(op.clone());
                let fused = pre.run_cpu(&data, desc).unwrap();
                let raw = decode(format, order, layout, &data, desc, |_, b| b as f32);
                let resized = op.run_cpu(raw.view(), layout).unwrap();
                let plan = pre.plan(&desc).unwrap();
                let tables = pre.tables().unwrap();
                for (ch, color) in colors(order).iter().enumerate() {
                    let (a, b) = affine(&n, color);
                    let bound = commuted_bound(&plan, &tables[ch], a, b);
                    for (f, r) in fused
                        .index_axis(ndarray::Axis(1), ch)
                        .iter()
                        .zip(resized.index_axis(ndarray::Axis(1), ch).iter())
                    {
                        let other = normalise(&n, color, *r);
                        let d = (*f as f64 - other as f64).abs();
                        assert!(
                            d <= bound,
                            "{name} {n:?} {color}: fused {f} vs resize-then-normalise {other}: {d} > {bound}"
                        );
                        if bound > 0.0 {
                            worst_ratio = worst_ratio.max(d / bound);
                        }
                    }
                }
            }
        }
    }
    println!(
        "resize-then-normalise vs normalise-then-resize: worst |d| / bound = {worst_ratio:.3}"
    );
}

// ---------------------------------------------------------------------------------------------
// Presets on hand-computed pixels

/// A frame of two pixels given as (red, green, blue), stored as `format`.
fn two_pixels(format: PixelFormat, px: [[u8; 3]; 2]) -> (Vec<u8>, FrameDesc) {
    let mut data = Vec::new();
    for [r, g, b] in px {
        let bytes: Vec<u8> = match format {
            PixelFormat::Rgba => vec![r, g, b, 255],
            PixelFormat::Bgra => vec![b, g, r, 255],
            PixelFormat::Argb => vec![255, r, g, b],
            PixelFormat::Abgr => vec![255, b, g, r],
            PixelFormat::Rgb => vec![r, g, b],
            PixelFormat::Bgr => vec![b, g, r],
            PixelFormat::Gray => vec![r],
            other => panic!("the test's reference does not know the pixel format {other:?}"),
        };
        data.extend(bytes);
    }
    (data, FrameDesc::new(2, 1))
}

fn assert_values(what: &str, got: &Array4<f32>, want: &[[f64; 2]], tol: f64) {
    for (c, row) in want.iter().enumerate() {
        for (x, &w) in row.iter().enumerate() {
            let g = got[[0, c, 0, x]] as f64;
            assert!(
                (g - w).abs() <= tol,
                "{what}: channel {c} pixel {x}: {g} vs hand-computed {w}"
            );
        }
    }
}

#[test]
fn imagenet_matches_hand_computed_pixels() {
    // (x/255 − mean)/std by hand, for pixels (R, G, B) = (255, 0, 128) and (124, 116, 104):
    //   R: (1 − 0.485)/0.229 = 2.248908297,   (0.486274510 − 0.485)/0.229 = 0.005565545
    //   G: (0 − 0.456)/0.224 = −2.035714286,  (0.454901961 − 0.456)/0.224 = −0.004901961
    //   B: (0.501960784 − 0.406)/0.225 = 0.426492375, (0.407843137 − 0.406)/0.225 = 0.008191721
    // Tolerance: float32 rounds x/255 (≤ u), the mean (≤ 0.5·u), the difference (≤ u), the std and
    // the quotient (≤ 2u relative, |y| < 2.3): (2.5·u)/0.224 + 2.3·2u < 1e-6.
    let want = [
        [2.248908297, 0.005565545],
        [-2.035714286, -0.004901961],
        [0.426492375, 0.008191721],
    ];
    for format in PixelFormat::ALL
        .into_iter()
        .filter(|f| *f != PixelFormat::Gray)
    {
        let (data, desc) = two_pixels(format, [[255, 0, 128], [124, 116, 104]]);
        let pre = Preprocess::new(format, Normalization::imagenet());
        let got = pre.run_cpu(&data, desc).unwrap();
        assert_values(&format!("ImageNet {format}"), &got, &want, 1e-6);
        // BGR order: the same numbers, channels reversed.
        let bgr = pre
            .with_channel_order(ChannelOrder::Bgr)
            .run_cpu(&data, desc)
            .unwrap();
        let reversed = [want[2], want[1], want[0]];
        assert_values(&format!("ImageNet {format} BGR"), &bgr, &reversed, 1e-6);
    }
}

#[test]
fn caffe_subtracts_bgr_means_in_bgr_order() {
    // Pixels (R, G, B) = (124, 117, 103) and (10, 0, 255); BGR output, raw 0..255 minus
    // (103.939, 116.779, 123.68): B 103 − 103.939 = −0.939, 255 − 103.939 = 151.061;
    // G 117 − 116.779 = 0.221, 0 − 116.779 = −116.779; R 124 − 123.68 = 0.32, 10 − 123.68 = −113.68.
    // Tolerance: the float32 mean (≤ 124·u) and the subtraction (≤ 152·u): 2·255·u ≈ 3.04e-5.
    let want = [[-0.939, 151.061], [0.221, -116.779], [0.32, -113.68]];
    let tol = 2.0 * 255.0 * U;
    for format in [
        PixelFormat::Bgra,
        PixelFormat::Bgr,
        PixelFormat::Rgba,
        PixelFormat::Argb,
    ] {
        let (data, desc) = two_pixels(format, [[124, 117, 103], [10, 0, 255]]);
        let pre =
            Preprocess::new(format, Normalization::caffe()).with_channel_order(ChannelOrder::Bgr);
        assert_values(
            &format!("Caffe {format}"),
            &pre.run_cpu(&data, desc).unwrap(),
            &want,
            tol,
        );
    }
}

#[test]
fn unit_and_symmetric_ranges_and_core_ml_scale_then_bias() {
    let (data, desc) = two_pixels(PixelFormat::Rgb, [[0, 51, 255], [255, 204, 0]]);
    let run = |n: Normalization| {
        Preprocess::new(PixelFormat::Rgb, n)
            .run_cpu(&data, desc)
            .unwrap()
    };
    // [0, 1]: x/255 (51/255 = 0.2, 204/255 = 0.8): within one rounding of values ≤ 1.
    assert_values(
        "unit",
        &run(Normalization::unit()),
        &[[0.0, 1.0], [0.2, 0.8], [1.0, 0.0]],
        U,
    );
    // [−1, 1]: (x/255 − 0.5)/0.5: 0 → −1, 51 → −0.6, 204 → 0.6, 255 → 1 (three roundings ≤ 1).
    assert_values(
        "symmetric",
        &run(Normalization::symmetric()),
        &[[-1.0, 1.0], [-0.6, 0.6], [1.0, -1.0]],
        3.0 * U,
    );
    // Core ML's spelling of [−1, 1]: scale 2/255, bias −1 (the float32 scale, the product and
    // the sum each round: ≤ 3 roundings of values ≤ 2).
    let coreml = run(Normalization::scale_bias(
        2.0 / 255.0,
        ColorValues::splat(-1.0),
    ));
    assert_values(
        "Core ML 2/255, −1",
        &coreml,
        &[[-1.0, 1.0], [-0.6, 0.6], [1.0, -1.0]],
        6.0 * U,
    );
    // Scale first, then the bias, which is not scaled: x/255 − 0.5 gives 0.5 at 255, not
    // (255 − 0.5)/255 — the trap of Core ML's image_scale with biases meant for 0..255.
    let trap = run(Normalization::scale_bias(
        1.0 / 255.0,
        ColorValues::splat(-0.5),
    ));
    assert_values(
        "scale then bias",
        &trap,
        &[[-0.5, 0.5], [-0.3, 0.3], [0.5, -0.5]],
        3.0 * U,
    );
}

#[test]
fn gray_output_of_a_colour_frame_is_pils_luma() {
    // PIL's convert("L") of pure red, green, blue: 76, 150, 29 (19595·255 + 32768 >> 16 = 76, …).
    let data = [0u8, 0, 255, 9, 0, 255, 0, 9, 255, 0, 0, 9]; // BGRA: red, green, blue
    let pre = Preprocess::new(PixelFormat::Bgra, Normalization::none())
        .with_channel_order(ChannelOrder::Gray);
    let got = pre.run_cpu(&data, FrameDesc::new(3, 1)).unwrap();
    assert_eq!(
        got.iter().copied().collect::<Vec<_>>(),
        vec![76.0, 150.0, 29.0]
    );
    // A gray frame into an RGB tensor replicates its byte.
    let pre = Preprocess::new(PixelFormat::Gray, Normalization::none())
        .with_channel_order(ChannelOrder::Rgb);
    let got = pre.run_cpu(&[7, 200], FrameDesc::new(2, 1)).unwrap();
    assert_eq!(
        got.iter().copied().collect::<Vec<_>>(),
        vec![7.0, 200.0, 7.0, 200.0, 7.0, 200.0]
    );
}

/// A 256×256 RGBA frame whose pixels cover every red and green level (blue varying), including
/// pixels whose luma lies exactly halfway between two levels (PIL rounds those up).
fn luma_frame() -> (Vec<u8>, FrameDesc, usize) {
    let mut data = Vec::with_capacity(256 * 256 * 4);
    let mut ties = 0;
    for g in 0..256u32 {
        for r in 0..256u32 {
            let b = (r * 7 + g * 13) & 255;
            if (r * 19595 + g * 38470 + b * 7471) % 65536 == 32768 {
                ties += 1;
            }
            data.extend([r as u8, g as u8, b as u8, 0]);
        }
    }
    (data, FrameDesc::new(256, 256), ties)
}

#[test]
fn gray_output_is_pils_luma_for_every_level_on_cpu_and_gpu() {
    let (data, desc, ties) = luma_frame();
    assert!(ties > 0, "the frame has no rounding ties");
    let pre = Preprocess::new(PixelFormat::Rgba, Normalization::none())
        .with_channel_order(ChannelOrder::Gray);
    let cpu = pre.run_cpu(&data, desc).unwrap();
    let want = decode(
        PixelFormat::Rgba,
        ChannelOrder::Gray,
        Layout::Nchw,
        &data,
        desc,
        |_, b| b as f32,
    );
    assert_bits("luma", &cpu, &want);
    for ctx in common::contexts() {
        for source in [FrameSource::Buffer, FrameSource::Texture] {
            let gpu = ctx
                .preprocess_with(&pre, &data, desc, source, DType::F32)
                .unwrap();
            assert_bits(
                &format!("{} {source:?} luma", ctx.adapter().label()),
                &gpu,
                &cpu,
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Typed errors

#[test]
fn bad_frames_and_settings_are_typed_errors() {
    let pre = Preprocess::new(PixelFormat::Rgba, Normalization::imagenet());
    let desc = FrameDesc::new(4, 3);
    // Too short: (3 − 1)·16 + 16 = 48 bytes needed.
    match pre.run_cpu(&[0; 47], desc) {
        Err(Error::ShapeMismatch { expected, got, .. }) => {
            assert_eq!((expected, got), (vec![48], vec![47]))
        }
        other => panic!("{other:?}"),
    }
    // Padded rows: the last one need not be padded.
    let padded = desc.with_row_stride(20);
    assert!(pre.run_cpu(&[0; 56], padded).is_ok());
    assert!(matches!(
        pre.run_cpu(&[0; 55], padded),
        Err(Error::ShapeMismatch { .. })
    ));
    // A stride shorter than a row.
    assert!(matches!(
        pre.run_cpu(&[0; 64], desc.with_row_stride(15)),
        Err(Error::InvalidArgument { ref name, .. }) if name == "row_stride"
    ));
    // Zero sizes.
    for d in [FrameDesc::new(0, 3), FrameDesc::new(4, 0)] {
        assert!(matches!(
            pre.run_cpu(&[0; 64], d),
            Err(Error::ZeroOrNegativeSize { .. })
        ));
    }
    // NaN or infinite scale and bias, zero or NaN std, NaN mean, overflow.
    let bad = [
        (
            Normalization::scale_bias(f32::NAN, ColorValues::splat(0.0)),
            "image_scale",
        ),
        (
            Normalization::scale_bias(1.0, ColorValues::rgb(f32::INFINITY, 0.0, 0.0)),
            "red_bias",
        ),
        (
            Normalization::mean_std(ColorValues::splat(0.5), ColorValues::rgb(0.2, 0.0, 0.2)),
            "green std",
        ),
        (
            Normalization::mean_std(
                ColorValues::rgb(0.5, 0.5, f32::NAN),
                ColorValues::splat(0.2),
            ),
            "blue mean",
        ),
        (
            Normalization::mean_std(
                ColorValues::splat(0.5),
                ColorValues::rgb(0.2, f32::NAN, 0.2),
            ),
            "green std",
        ),
        (
            Normalization::mean_std(ColorValues::splat(0.0), ColorValues::splat(1e-45)),
            "normalisation of",
        ),
    ];
    for (n, name_start) in bad {
        let p = Preprocess::new(PixelFormat::Rgba, n);
        match p.run_cpu(&[0; 48], desc) {
            Err(Error::InvalidArgument { name, .. }) => {
                assert!(name.starts_with(name_start), "{name} for {n:?}")
            }
            other => panic!("{n:?}: {other:?}"),
        }
    }
    // A gray output with a preset that has no gray value.
    match pre
        .clone()
        .with_channel_order(ChannelOrder::Gray)
        .run_cpu(&[0; 48], desc)
    {
        Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, "gray mean"),
        other => panic!("{other:?}"),
    }
    // Not a resize.
    let d2s = Operation::DepthToSpace(BlockSpec::new(2, BlockOrder::Dcr).unwrap());
    assert!(matches!(
        pre.clone().with_resize(d2s).run_cpu(&[0; 48], desc),
        Err(Error::Unsupported { .. })
    ));
    // A plan built for another frame size.
    let plan = ResizeSpec::new(Mode::Linear, CoordinateTransform::HalfPixel, [5, 5])
        .plan([4, 4])
        .unwrap();
    assert!(matches!(
        pre.clone().with_resize_plan(plan).run_cpu(&[0; 48], desc),
        Err(Error::ShapeMismatch { .. })
    ));
    // Output arrays of the wrong shape or channel count.
    let mut wrong = Array4::<f32>::zeros((1, 3, 4, 3));
    assert!(matches!(
        pre.run_cpu_into(&[0; 48], desc, wrong.view_mut()),
        Err(Error::ShapeMismatch { .. })
    ));
    let mut one_channel = Array4::<f32>::zeros((1, 1, 3, 4));
    assert!(matches!(
        pre.run_cpu_into(&[0; 48], desc, one_channel.view_mut()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!("YUYV".parse::<PixelFormat>().is_err());
}

// ---------------------------------------------------------------------------------------------
// GPU against the CPU

/// `2·γ(nh+nw)·max|T|·max Σ|wy|·max Σ|wx|`, or 0 when both axes copy (one tap of weight 1).
fn gpu_bound(pre: &Preprocess, desc: &FrameDesc) -> f64 {
    let plan = pre.plan(desc).unwrap();
    if plan.h.is_gather() && plan.w.is_gather() {
        return 0.0;
    }
    let sum = |axis: &halfpixel::AxisPlan| {
        (0..axis.out_len())
            .map(|o| {
                axis.taps(o)
                    .1
                    .iter()
                    .map(|w| (*w as f64).abs())
                    .sum::<f64>()
            })
            .fold(0f64, f64::max)
    };
    let m = pre
        .tables()
        .unwrap()
        .iter()
        .flatten()
        .fold(0f64, |m, v| m.max((*v as f64).abs()));
    2.0 * gamma(plan.h.width() + plan.w.width()) * m * sum(&plan.h) * sum(&plan.w)
}

fn ulps(a: f32, b: f32) -> u64 {
    let key = |v: f32| {
        let bits = v.to_bits() as i64;
        if bits < 0 {
            i64::MIN - bits
        } else {
            bits
        }
    };
    if a == b {
        0
    } else {
        (key(a) - key(b)).unsigned_abs()
    }
}

/// The f16 values just below and above `x` (equal when `x` is an f16).
fn f16_neighbours(x: f64) -> (f32, f32) {
    let n = f16::from_f64(x);
    let v = n.to_f64();
    let step = |h: f16, up: bool| {
        let bits = h.to_bits();
        let toward_up = (bits & 0x8000 == 0) == up;
        let next = if h.to_f32() == 0.0 {
            if up {
                0x0001
            } else {
                0x8001
            }
        } else if toward_up {
            bits + 1
        } else {
            bits - 1
        };
        f16::from_bits(next)
    };
    if v == x {
        (n.to_f32(), n.to_f32())
    } else if v < x {
        (n.to_f32(), step(n, true).to_f32())
    } else {
        (step(n, false).to_f32(), n.to_f32())
    }
}

/// Compares a GPU result with the CPU's: within `bound` for f32; for f16, between the f16 below
/// `cpu − bound` and the f16 above `cpu + bound`. Returns the worst f32 ULP distance.
fn check_gpu(what: &str, got: &Array4<f32>, cpu: &Array4<f32>, bound: f64, dtype: DType) -> u64 {
    assert_eq!(got.dim(), cpu.dim(), "{what}: shape");
    let mut worst = 0;
    for (i, (g, c)) in got.iter().zip(cpu.iter()).enumerate() {
        if g.is_nan() && c.is_nan() {
            continue;
        }
        match dtype {
            DType::F32 => {
                assert!(
                    (*g as f64 - *c as f64).abs() <= bound
                        && !(bound == 0.0 && g.to_bits() != c.to_bits()),
                    "{what}: element {i}: gpu {g} cpu {c} (bound {bound:e})"
                );
                worst = worst.max(ulps(*g, *c));
            }
            DType::F16 => {
                let lo = f16_neighbours(*c as f64 - bound).0;
                let hi = f16_neighbours(*c as f64 + bound).1;
                assert!(
                    *g >= lo && *g <= hi,
                    "{what}: element {i}: gpu f16 {g} cpu {c}: allowed [{lo}, {hi}]"
                );
                worst = worst.max(ulps(*g, f16::from_f32(*c).to_f32()));
            }
            other => panic!("the test does not know the storage type {other:?}"),
        }
    }
    worst
}

fn gpu_case(ctx: &GpuContext, pre: &Preprocess, data: &[u8], desc: FrameDesc, what: &str) -> u64 {
    let cpu = pre.run_cpu(data, desc).unwrap();
    let bound = gpu_bound(pre, &desc);
    let label = ctx.adapter().label();
    let mut worst = 0;
    let textures = pre.format().bytes_per_pixel() == 4;
    for source in [FrameSource::Buffer, FrameSource::Texture] {
        if source == FrameSource::Texture && !textures {
            continue;
        }
        for dtype in [DType::F32, DType::F16] {
            if dtype == DType::F16 && !ctx.supports_f16() {
                continue;
            }
            let got = ctx.preprocess_with(pre, data, desc, source, dtype).unwrap();
            worst = worst.max(check_gpu(
                &format!("{label} {source:?} {dtype:?} {what}"),
                &got,
                &cpu,
                bound,
                dtype,
            ));
        }
    }
    worst
}

#[test]
fn gpu_matches_cpu_for_every_format_order_layout_and_resize() {
    let ops = ops();
    let norms = normalizations();
    for ctx in common::contexts() {
        let mut worst = 0;
        let mut cases = 0;
        for (fi, format) in PixelFormat::ALL.into_iter().enumerate() {
            for (oi, order) in ORDERS.into_iter().enumerate() {
                let layout = LAYOUTS[(fi + oi) % 2];
                let (data, desc) = frame(format, 13, 11, fi % 3 * 3, (fi * 7 + oi) as u64);
                let n = norms[(fi * 3 + oi) % norms.len()];
                let base = Preprocess::new(format, n)
                    .with_channel_order(order)
                    .with_layout(layout);
                worst = worst.max(gpu_case(
                    ctx,
                    &base,
                    &data,
                    desc,
                    &format!("{format} {order:?} {layout:?} no resize"),
                ));
                let (name, op) = &ops[(fi * 3 + oi) % ops.len()];
                let pre = base.with_resize(op.clone());
                worst = worst.max(gpu_case(
                    ctx,
                    &pre,
                    &data,
                    desc,
                    &format!("{format} {order:?} {layout:?} {name}"),
                ));
                cases += 2;
            }
        }
        // Every resize in both layouts on the camera format.
        for (name, op) in &ops {
            for layout in LAYOUTS {
                let (data, desc) = frame(PixelFormat::Bgra, 17, 12, 12, 3);
                let pre = Preprocess::new(PixelFormat::Bgra, Normalization::imagenet())
                    .with_layout(layout)
                    .with_resize(op.clone());
                worst = worst.max(gpu_case(
                    ctx,
                    &pre,
                    &data,
                    desc,
                    &format!("BGRA {layout:?} {name}"),
                ));
                cases += 1;
            }
        }
        println!(
            "{}: {cases} preprocessing cases (f16: {}), worst distance from the CPU {worst} ulp",
            ctx.adapter().label(),
            ctx.supports_f16()
        );
    }
}

#[test]
fn gpu_encodes_into_the_callers_buffers_at_offsets_and_binds_once() {
    let op = torch::Interpolate::size([9, 14], torch::Mode::Bilinear)
        .build()
        .unwrap();
    let pre = Preprocess::new(PixelFormat::Rgb, Normalization::imagenet())
        .with_layout(Layout::Nhwc)
        .with_resize(op);
    let (data, desc) = frame(PixelFormat::Rgb, 11, 7, 1, 42);
    let cpu = pre.run_cpu(&data, desc).unwrap();
    let dims = pre.output_dims(&desc).unwrap();
    for ctx in common::contexts() {
        let device = ctx.device();
        // The frame 5 bytes into the buffer, the output 64 bytes in.
        let mut contents = vec![0xAAu8; 5];
        contents.extend(&data);
        contents.resize(contents.len().div_ceil(4) * 4, 0xAA);
        let frame_buf = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: &contents,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        });
        let out_bytes = 64 + cpu.len() as u64 * 4;
        let out = device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: out_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let tensor = BufferTensor {
            buffer: &out,
            offset: 64,
            dims,
            layout: Layout::Nhwc,
            dtype: DType::F32,
        };
        let fb = FrameBuffer {
            buffer: &frame_buf,
            offset: 5,
            desc,
        };
        let bound = ctx.bind_preprocess(&pre, &fb, &tensor).unwrap();
        assert_eq!(bound.dispatches(), 1);
        // Two frames through the same binding: the second is written into the same buffer.
        let (data2, _) = frame(PixelFormat::Rgb, 11, 7, 1, 43);
        for (k, d) in [&data, &data2].into_iter().enumerate() {
            // Bytes 4..: one filler byte, the frame, filler up to a 4-byte multiple.
            let mut write = vec![0xAAu8];
            write.extend(d);
            write.resize(contents.len() - 4, 0xAA);
            ctx.queue().write_buffer(&frame_buf, 4, &write);
            let mut encoder = device.create_command_encoder(&Default::default());
            bound.encode(&mut encoder).unwrap();
            let got = read_f32(ctx, encoder, &out, 64, cpu.len());
            let want = pre.run_cpu(d, desc).unwrap();
            let got = Array4::from_shape_vec(want.dim(), got).unwrap();
            let what = format!("{} frame {k}", ctx.adapter().label());
            check_gpu(&what, &got, &want, gpu_bound(&pre, &desc), DType::F32);
        }
    }
}

/// Copies `n` floats from `offset` in `buffer` after what `encoder` recorded, submits, reads.
fn read_f32(
    ctx: &GpuContext,
    mut encoder: wgpu::CommandEncoder,
    buffer: &wgpu::Buffer,
    offset: u64,
    n: usize,
) -> Vec<f32> {
    let device = ctx.device();
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: None,
        size: n as u64 * 4,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    encoder.copy_buffer_to_buffer(buffer, offset, &readback, 0, n as u64 * 4);
    ctx.queue().submit([encoder.finish()]);
    readback
        .slice(..)
        .map_async(wgpu::MapMode::Read, |r| r.unwrap());
    device.poll(wgpu::PollType::wait_indefinitely()).unwrap();
    let v = bytemuck::cast_slice(&readback.slice(..).get_mapped_range().unwrap()).to_vec();
    readback.unmap();
    v
}

#[test]
fn gpu_splits_work_larger_than_one_binding() {
    if common::contexts().is_empty() {
        return;
    }
    // Storage bindings of 64 KiB: the 160×120 BGRA frame (75 KiB) and the 3×150×200 f32 output
    // (352 KiB) are bound a band at a time, NCHW one channel at a time.
    let (data, desc) = frame(PixelFormat::Bgra, 160, 120, 16, 77);
    let ops = [
        torch::Interpolate::size([150, 200], torch::Mode::Bilinear)
            .build()
            .unwrap(),
        torch::Interpolate::size([150, 200], torch::Mode::Nearest)
            .build()
            .unwrap(),
    ];
    for adapter in common::adapters() {
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 64 * 1024,
            ..adapter.limits()
        };
        let Ok(ctx) = GpuContext::from_adapter_with_limits(&adapter, limits) else {
            continue;
        };
        for op in &ops {
            for layout in LAYOUTS {
                let pre = Preprocess::new(PixelFormat::Bgra, Normalization::imagenet())
                    .with_layout(layout)
                    .with_resize(op.clone());
                gpu_case(
                    &ctx,
                    &pre,
                    &data,
                    desc,
                    &format!("64 KiB bindings {layout:?} {op:?}"),
                );
                // It did split.
                let dims = pre.output_dims(&desc).unwrap();
                let out = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: dims.iter().product::<usize>() as u64 * 4,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                });
                let fb = ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: (desc.required_bytes(PixelFormat::Bgra).unwrap() as u64).div_ceil(4) * 4,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                });
                let bound = ctx
                    .bind_preprocess(
                        &pre,
                        &FrameBuffer {
                            buffer: &fb,
                            offset: 0,
                            desc,
                        },
                        &BufferTensor {
                            buffer: &out,
                            offset: 0,
                            dims,
                            layout,
                            dtype: DType::F32,
                        },
                    )
                    .unwrap();
                assert!(
                    bound.dispatches() > 3,
                    "{layout:?}: {} dispatches",
                    bound.dispatches()
                );
            }
        }
    }
}

#[test]
fn gpu_misuse_is_a_typed_error() {
    let pre = Preprocess::new(PixelFormat::Rgb, Normalization::imagenet());
    let desc = FrameDesc::new(3, 1);
    let dims = pre.output_dims(&desc).unwrap();
    for ctx in common::contexts() {
        let device = ctx.device();
        let buffer = |size: u64, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let out = buffer(64, wgpu::BufferUsages::STORAGE);
        let tensor = BufferTensor {
            buffer: &out,
            offset: 0,
            dims,
            layout: Layout::Nchw,
            dtype: DType::F32,
        };
        // A 9-byte frame in a 9-byte buffer cannot be read as u32 words.
        let odd = buffer(9, wgpu::BufferUsages::STORAGE);
        let fb = FrameBuffer {
            buffer: &odd,
            offset: 0,
            desc,
        };
        assert!(matches!(
            ctx.bind_preprocess(&pre, &fb, &tensor),
            Err(Error::InvalidArgument { .. })
        ));
        // Too small for the frame.
        let small = buffer(8, wgpu::BufferUsages::STORAGE);
        let fb = FrameBuffer {
            buffer: &small,
            offset: 0,
            desc,
        };
        assert!(matches!(
            ctx.bind_preprocess(&pre, &fb, &tensor),
            Err(Error::ShapeMismatch { .. })
        ));
        // No STORAGE usage.
        let copy_only = buffer(12, wgpu::BufferUsages::COPY_DST);
        let fb = FrameBuffer {
            buffer: &copy_only,
            offset: 0,
            desc,
        };
        assert!(matches!(
            ctx.bind_preprocess(&pre, &fb, &tensor),
            Err(Error::InvalidArgument { .. })
        ));
        let good = buffer(12, wgpu::BufferUsages::STORAGE);
        let fb = FrameBuffer {
            buffer: &good,
            offset: 0,
            desc,
        };
        // Output dims, layout, same buffer.
        let wrong = BufferTensor {
            dims: [1, 1, 1, 3],
            ..tensor
        };
        assert!(matches!(
            ctx.bind_preprocess(&pre, &fb, &wrong),
            Err(Error::ShapeMismatch { .. })
        ));
        let nhwc = BufferTensor {
            layout: Layout::Nhwc,
            ..tensor
        };
        assert!(matches!(
            ctx.bind_preprocess(&pre, &fb, &nhwc),
            Err(Error::ShapeMismatch { .. })
        ));
        let same = BufferTensor {
            buffer: &good,
            ..tensor
        };
        assert!(ctx.bind_preprocess(&pre, &fb, &same).is_err());
        assert!(ctx.bind_preprocess(&pre, &fb, &tensor).is_ok());
        if !ctx.supports_f16() {
            let f16_out = BufferTensor {
                dtype: DType::F16,
                ..tensor
            };
            assert!(matches!(
                ctx.bind_preprocess(&pre, &fb, &f16_out),
                Err(Error::Unsupported { .. })
            ));
        }
        // Textures: three-byte formats, other texture formats.
        assert!(matches!(
            ctx.preprocess_with(&pre, &[0; 9], desc, FrameSource::Texture, DType::F32),
            Err(Error::InvalidArgument { .. })
        ));
        let float_tex = device.create_texture(&wgpu::TextureDescriptor {
            label: None,
            size: wgpu::Extent3d {
                width: 3,
                height: 1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: wgpu::TextureFormat::Rgba32Float,
            usage: wgpu::TextureUsages::TEXTURE_BINDING,
            view_formats: &[],
        });
        let rgba = Preprocess::new(PixelFormat::Rgba, Normalization::imagenet());
        assert!(matches!(
            ctx.bind_preprocess_texture(&rgba, &float_tex, &tensor),
            Err(Error::InvalidArgument { .. })
        ));
        // The convenience checks the frame length like the CPU.
        assert!(matches!(
            ctx.preprocess(&pre, &[0; 8], desc),
            Err(Error::ShapeMismatch { .. })
        ));
    }
}
