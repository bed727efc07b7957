//! halfpixel's CPU against fast_image_resize on the ≤4-channel interleaved case it covers.
//!
//! fast_image_resize resizes interleaved pixels (here `F32x3`: three f32 channels per pixel, i.e.
//! an NHWC tensor with C = 3) with Pillow's separable convolution. Its
//! `ResizeAlg::Convolution(FilterType::Bilinear)` is Pillow's `BILINEAR`: the triangle filter
//! stretched by the scale when shrinking, centred at `(i + 0.5) · in/out`, taps outside the image
//! dropped and the weights renormalised. PyTorch's `F.interpolate(mode='bilinear',
//! antialias=True)` is the same algorithm (PyTorch took it from Pillow), so halfpixel runs the
//! W4 preset, `torch::Interpolate::size(.., Bilinear).antialias(true)`, on an NHWC tensor. When
//! enlarging, the filter is the plain triangle: PyTorch bilinear with `align_corners=False`
//! (edges agree: Pillow renormalises over in-range taps, PyTorch clamps the coordinate, which
//! gives the same weights).
//!
//! Cases: W4's shape, 3 channels 512² → 224² (shrink, antialiased), and 3 channels 256² → 512²
//! (enlarge), each with one thread and with every core (both libraries split rows over the
//! current rayon pool; fast_image_resize's `rayon` feature is on). Before timing, each case prints
//! the largest difference between the two outputs.
//!
//! `cargo bench --bench compare_fast_image_resize`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use halfpixel::presets::torch;
use halfpixel::{Layout, Operation};
use ndarray::Array4;

struct Case {
    name: &'static str,
    from: u32,
    to: u32,
    op: Operation,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "rgb_f32_512_to_224_bilinear_antialias",
            from: 512,
            to: 224,
            op: torch::Interpolate::size([224, 224], torch::Mode::Bilinear)
                .align_corners(false)
                .antialias(true)
                .build()
                .expect("W4 preset"),
        },
        Case {
            name: "rgb_f32_256_to_512_bilinear",
            from: 256,
            to: 512,
            op: torch::Interpolate::size([512, 512], torch::Mode::Bilinear)
                .align_corners(false)
                .build()
                .expect("bilinear preset"),
        },
    ]
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("rayon pool")
}

fn bench(c: &mut Criterion) {
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut pools = vec![(1, pool(1))];
    if all > 1 {
        pools.push((all, pool(all)));
    }
    for case in cases() {
        let (from, to) = (case.from as usize, case.to as usize);
        // NHWC [1, from, from, 3] == fast_image_resize's F32x3 image, row by row.
        let x = Array4::from_shape_fn((1, from, from, 3), |(_, h, w, c)| {
            ((3 * h + 5 * w + 7 * c) % 251) as f32 / 251.0
        });
        let mut y = Array4::<f32>::zeros((1, to, to, 3));
        let src_bytes: Vec<u8> = bytemuck::cast_slice(x.as_slice().expect("contiguous")).to_vec();
        let src = Image::from_vec_u8(case.from, case.from, src_bytes, PixelType::F32x3)
            .expect("source image");
        let mut dst = Image::new(case.to, case.to, PixelType::F32x3);
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
            .use_alpha(false);
        let mut resizer = Resizer::new();

        // Same semantics: how far apart are the outputs?
        resizer
            .resize(&src, &mut dst, &options)
            .expect("fir resize");
        case.op
            .run_cpu_into(x.view(), Layout::Nhwc, y.view_mut())
            .expect("halfpixel resize");
        let fir: &[f32] = bytemuck::cast_slice(dst.buffer());
        let max_diff = fir
            .iter()
            .zip(y.iter())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        eprintln!(
            "{}: max |fast_image_resize - halfpixel| = {max_diff:.3e} over {} values",
            case.name,
            fir.len()
        );

        let mut group = c.benchmark_group(format!("fast_image_resize_vs_halfpixel/{}", case.name));
        group.sample_size(30);
        group.warm_up_time(std::time::Duration::from_secs(1));
        group.measurement_time(std::time::Duration::from_secs(3));
        group.throughput(Throughput::Bytes(4 * 3 * (from * from + to * to) as u64));
        for (threads, pool) in &pools {
            group.bench_function(format!("fast_image_resize/{threads}t"), |b| {
                pool.install(|| {
                    b.iter(|| {
                        resizer
                            .resize(&src, &mut dst, &options)
                            .expect("fir resize")
                    })
                })
            });
            group.bench_function(format!("halfpixel/{threads}t"), |b| {
                pool.install(|| {
                    b.iter(|| {
                        case.op
                            .run_cpu_into(x.view(), Layout::Nhwc, y.view_mut())
                            .expect("halfpixel resize")
                    })
                })
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
