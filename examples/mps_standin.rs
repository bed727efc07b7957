//! Portable stand-ins for MPSCNNUpsamplingBilinear / MPSNNResizeBilinear on MPSImage-style texture
//! arrays (feature channel c in layer c/4, component c%4), like an MLCustomLayer's
//! `encodeToCommandBuffer` would use them.
//!
//! Run with `cargo run --release --example mps_standin`.

use halfpixel::gpu::{
    DType, GpuContext, MpsCnnUpsamplingBilinear, MpsNnResizeBilinear, TextureImage,
};
use ndarray::Array4;

fn main() -> halfpixel::Result<()> {
    let ctx = GpuContext::new()?;
    println!("adapter: {}", ctx.adapter().label());

    // A batch of 2 feature maps with 10 channels (3 layers per image, the last one half padding).
    let x = Array4::from_shape_fn((2, 10, 9, 10), |(n, c, h, w)| {
        (n * 100 + c * 10) as f32 + (h * w) as f32 * 0.1
    });
    let source = ctx.upload_texture_image(x.view(), DType::F32)?;
    let src = TextureImage {
        texture: &source,
        batch: 2,
        channels: 10,
    };

    // MPSCNNUpsamplingBilinear(integerScaleFactorX: 2, integerScaleFactorY: 2, alignCorners: YES)
    let kernel = MpsCnnUpsamplingBilinear::new(2, 2, true)?;
    let dst_tex = ctx.create_texture_image(
        20,
        18,
        10,
        2,
        DType::F32,
        wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_SRC,
    )?;
    let dst = TextureImage {
        texture: &dst_tex,
        batch: 2,
        channels: 10,
    };
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    kernel.encode(&ctx, &mut encoder, &src, &dst)?;

    // MPSNNResizeBilinear(resizeWidth: 7, resizeHeight: 5, alignCorners: NO), fp16 destination.
    let resize = MpsNnResizeBilinear::new(7, 5, false)?;
    let small = if ctx.supports_f16() {
        DType::F16
    } else {
        DType::F32
    };
    let small_tex = ctx.create_texture_image(
        7,
        5,
        10,
        2,
        small,
        wgpu::TextureUsages::STORAGE_BINDING | wgpu::TextureUsages::COPY_SRC,
    )?;
    let small_img = TextureImage {
        texture: &small_tex,
        batch: 2,
        channels: 10,
    };
    resize.encode(&ctx, &mut encoder, &src, &small_img)?;
    ctx.queue().submit([encoder.finish()]);

    let up = ctx.read_texture_image(&dst)?;
    let cpu = kernel
        .operation()
        .run_cpu(x.view(), halfpixel::Layout::Nchw)?;
    let worst = (&up - &cpu).mapv(f32::abs).fold(0f32, |a, &b| a.max(b));
    println!(
        "MPSCNNUpsamplingBilinear stand-in: {:?} -> {:?}, max |gpu - cpu| = {worst:e}",
        x.dim(),
        up.dim()
    );
    println!(
        "padding components zero: {}",
        ctx.texture_padding_is_zero(&dst)?
    );
    let down = ctx.read_texture_image(&small_img)?;
    println!(
        "MPSNNResizeBilinear stand-in ({small:?}): {:?}, corner value {}",
        down.dim(),
        down[[1, 9, 4, 6]]
    );
    Ok(())
}
