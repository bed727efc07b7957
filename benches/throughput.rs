//! `cargo bench`: how much faster is the GPU here? Every named workload (src/workloads.rs) on the
//! CPU and, when an adapter opens, on the GPU with its buffers resident (encode, submit, wait).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use halfpixel::gpu::{BufferTensor, DType, GpuContext};
use halfpixel::workloads::{self, Workload};
use halfpixel::InputDesc;
use ndarray::Array4;

fn input(w: &Workload) -> Array4<f32> {
    let s = w.input_shape();
    Array4::from_shape_fn((s[0], s[1], s[2], s[3]), |(a, b, c, d)| {
        ((a + 3 * b + 5 * c + 7 * d) % 29) as f32 * 0.1
    })
}

/// A workload's buffers on the GPU, ready to run again and again.
struct Resident {
    input: wgpu::Buffer,
    output: wgpu::Buffer,
    out_dims: [usize; 4],
}

fn resident(ctx: &GpuContext, w: &Workload) -> Option<Resident> {
    let op = w.operation().ok()?;
    let out_dims = op
        .output_dims(&InputDesc {
            dims: w.input,
            layout: w.layout,
        })
        .ok()?;
    let (in_bytes, out_bytes) = w.bytes().ok()?;
    let buffer = |size: u64| {
        ctx.device().create_buffer(&wgpu::BufferDescriptor {
            label: Some(w.name),
            size: size.div_ceil(4) * 4,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        })
    };
    Some(Resident {
        input: buffer(in_bytes),
        output: buffer(out_bytes),
        out_dims,
    })
}

fn bench(c: &mut Criterion) {
    let gpu = GpuContext::new().ok();
    let mut group = c.benchmark_group("workloads");
    group.sample_size(20);
    for w in workloads::all() {
        let (in_bytes, out_bytes) = w.bytes().expect("workload sizes");
        group.throughput(Throughput::Bytes(in_bytes + out_bytes));
        let op = w.operation().expect("workload op");
        // 8-bit workloads (W7) are timed by `halfpixel bench` and `benches/peers.py`.
        let Some(dtype) = w.gpu_dtype() else { continue };
        if dtype == DType::F32 {
            let x = input(&w);
            group.bench_function(format!("{}/cpu", w.name), |b| {
                b.iter(|| op.run_cpu(x.view(), w.layout).expect("cpu run"))
            });
        }
        let Some(ctx) = &gpu else { continue };
        if dtype == DType::F16 && !ctx.supports_f16() {
            continue;
        }
        let Some(r) = resident(ctx, &w) else { continue };
        let label = format!("{}/gpu", w.name);
        group.bench_function(label, |b| {
            b.iter(|| {
                let mut encoder = ctx.device().create_command_encoder(&Default::default());
                ctx.encode(
                    &mut encoder,
                    &op,
                    &BufferTensor {
                        buffer: &r.input,
                        offset: 0,
                        dims: w.input,
                        layout: w.layout,
                        dtype,
                    },
                    &BufferTensor {
                        buffer: &r.output,
                        offset: 0,
                        dims: r.out_dims,
                        layout: w.layout,
                        dtype,
                    },
                )
                .expect("encode");
                ctx.queue().submit([encoder.finish()]);
                ctx.device()
                    .poll(wgpu::PollType::wait_indefinitely())
                    .expect("poll");
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
