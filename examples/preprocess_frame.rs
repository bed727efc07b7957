//! A camera app's preprocessing: BGRA frames (synthesised here, with CoreVideo-style padded
//! rows) become the ImageNet-normalised 1×3×224×224 NCHW tensor a classifier reads — decode,
//! RGB reorder, torchvision `Resize(224, antialias=True)` and `Normalize` in one GPU dispatch per
//! frame, bound once and recorded every frame. Without a GPU adapter it runs on the CPU and says
//! so. The GPU result is compared with the CPU reference.
//!
//! Run with `cargo run --release --example preprocess_frame`.

use std::time::Instant;

use halfpixel::gpu::{BufferTensor, DType, FrameBuffer, GpuContext};
use halfpixel::preprocess::{ChannelOrder, FrameDesc, Normalization, PixelFormat, Preprocess};
use halfpixel::presets::torch;
use halfpixel::Layout;
use ndarray::Array4;

const WIDTH: usize = 1278;
const HEIGHT: usize = 720;
/// CoreVideo pads rows; here to a multiple of 64 bytes (1278·4 = 5112 → 5120).
const ROW_STRIDE: usize = (WIDTH * 4).div_ceil(64) * 64;

/// Frame `t` of a synthetic camera: gradients and a moving disc, B, G, R, A bytes.
fn camera_frame(t: usize) -> Vec<u8> {
    let mut data = vec![0u8; (HEIGHT - 1) * ROW_STRIDE + WIDTH * 4];
    let (cx, cy) = (300.0 + 40.0 * t as f32, 360.0);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let inside = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) < 150.0f32.powi(2);
            let at = y * ROW_STRIDE + x * 4;
            data[at] = (x * 255 / WIDTH) as u8; // blue
            data[at + 1] = if inside {
                230
            } else {
                (y * 255 / HEIGHT) as u8
            }; // green
            data[at + 2] = ((x + y + 17 * t) % 256) as u8; // red
            data[at + 3] = 255;
        }
    }
    data
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let desc = FrameDesc::new(WIDTH, HEIGHT).with_row_stride(ROW_STRIDE);
    // torchvision: Resize((224, 224), antialias=True), ToTensor(), Normalize(ImageNet).
    let resize = torch::Interpolate::size([224, 224], torch::Mode::Bilinear)
        .antialias(true)
        .build()?;
    let pre = Preprocess::new(PixelFormat::Bgra, Normalization::imagenet())
        .with_channel_order(ChannelOrder::Rgb)
        .with_layout(Layout::Nchw)
        .with_resize(resize);
    let dims = pre.output_dims(&desc)?;
    println!(
        "{WIDTH}×{HEIGHT} BGRA frames (row stride {ROW_STRIDE}) → {dims:?} NCHW, ImageNet mean/std"
    );

    let frames: Vec<Vec<u8>> = (0..3).map(camera_frame).collect();
    let cpu_start = Instant::now();
    let cpu = pre.run_cpu(frames.last().expect("frames"), desc)?;
    let cpu_time = cpu_start.elapsed();

    let ctx = match GpuContext::new() {
        Ok(ctx) => ctx,
        Err(e) => {
            println!("no GPU adapter ({e}): running on the CPU");
            println!(
                "cpu: {:?} per frame; output mean {:.4}",
                cpu_time,
                mean(&cpu)
            );
            return Ok(());
        }
    };
    println!("gpu: {}", ctx.adapter().label());

    // The app's buffers: the frame (read as u32 words: padded to 4 bytes) and the tensor.
    let device = ctx.device();
    let frame_buffer = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("camera frame"),
        size: (desc.required_bytes(PixelFormat::Bgra)? as u64).div_ceil(4) * 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let elements = dims.iter().product::<usize>() as u64;
    let tensor = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("model input"),
        size: elements * 4,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: elements * 4,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });

    // Bind once; each frame: upload, record (creates nothing), submit. A real app would record
    // its model's passes into the same encoder after the preprocessing.
    let bound = ctx.bind_preprocess(
        &pre,
        &FrameBuffer {
            buffer: &frame_buffer,
            offset: 0,
            desc,
        },
        &BufferTensor {
            buffer: &tensor,
            offset: 0,
            dims,
            layout: Layout::Nchw,
            dtype: DType::F32,
        },
    )?;
    let mut gpu_time = Default::default();
    for (t, frame) in frames.iter().enumerate() {
        let start = Instant::now();
        let mut padded = frame.clone();
        padded.resize(frame_buffer.size() as usize, 0);
        ctx.queue().write_buffer(&frame_buffer, 0, &padded);
        let mut encoder = device.create_command_encoder(&Default::default());
        bound.encode(&mut encoder)?;
        if t + 1 == frames.len() {
            encoder.copy_buffer_to_buffer(&tensor, 0, &readback, 0, elements * 4);
        }
        ctx.queue().submit([encoder.finish()]);
        device.poll(wgpu::PollType::wait_indefinitely())?;
        gpu_time = start.elapsed();
    }
    readback
        .slice(..)
        .map_async(wgpu::MapMode::Read, |r| r.expect("map"));
    device.poll(wgpu::PollType::wait_indefinitely())?;
    let values: Vec<f32> = bytemuck::cast_slice(&readback.slice(..).get_mapped_range()?).to_vec();
    let gpu = Array4::from_shape_vec(cpu.dim(), values)?;

    // The GPU sums the same taps in the same order; a compiler's fused multiply-adds are the only
    // freedom: 2·γ(nh+nw)·max|T|·Σ|wy|·Σ|wx| (see halfpixel::preprocess).
    let plan = pre.plan(&desc)?;
    let weight_sum = |axis: &halfpixel::AxisPlan| {
        (0..axis.out_len())
            .map(|o| axis.taps(o).1.iter().map(|w| w.abs() as f64).sum::<f64>())
            .fold(0f64, f64::max)
    };
    let max_table = pre
        .tables()?
        .iter()
        .flatten()
        .fold(0f64, |m, v| m.max(v.abs() as f64));
    let n = (plan.h.width() + plan.w.width()) as f64 * f64::from(f32::EPSILON) / 2.0;
    let bound = 2.0 * n / (1.0 - n) * max_table * weight_sum(&plan.h) * weight_sum(&plan.w);
    let worst = gpu
        .iter()
        .zip(cpu.iter())
        .map(|(g, c)| (g - c).abs() as f64)
        .fold(0f64, f64::max);
    println!(
        "cpu: {:?} per frame; gpu: {:?} per frame (upload, one dispatch, wait)",
        cpu_time, gpu_time
    );
    println!(
        "gpu vs cpu: max |difference| = {worst:e} (bound {bound:e}); output mean {:.4}",
        mean(&gpu)
    );
    assert!(worst <= bound, "GPU differs from the CPU beyond the bound");
    Ok(())
}

fn mean(x: &Array4<f32>) -> f64 {
    x.iter().map(|&v| v as f64).sum::<f64>() / x.len() as f64
}
