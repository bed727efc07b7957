//! The GPU API surface: backend choice, stand-ins, texture padding, and typed errors for misuse.

mod common;

use halfpixel::gpu::{
    enumerate_adapters, AdapterDescription, BufferTensor, CoreMlResizeBilinear, DType, GpuContext,
    GpuOptions, MpsCnnUpsamplingNearest, MpsNnResizeBilinear, TextureImage,
};
use halfpixel::presets::coreml::SamplingMode;
use halfpixel::presets::torch;
use halfpixel::{Backend, Error, Executor, Layout};
use ndarray::Array4;

fn sample(dims: (usize, usize, usize, usize)) -> Array4<f32> {
    Array4::from_shape_fn(dims, |(n, c, h, w)| {
        (n * 1000 + c * 100 + h * 10 + w) as f32 * 0.01
    })
}

#[test]
fn executor_says_which_backend_runs() {
    let cpu = Executor::new(Backend::Cpu).unwrap();
    assert_eq!(cpu.describe(), "cpu");
    let auto = Executor::new(Backend::Auto).unwrap();
    let op = torch::Interpolate::size([7, 9], torch::Mode::Bilinear)
        .build()
        .unwrap();
    let x = sample((1, 3, 4, 5));
    let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
    let got = auto.run(&op, x.view(), Layout::Nchw).unwrap();
    assert_eq!(got, want);
    if common::auto_takes_a_gpu() {
        assert!(auto.describe().starts_with("gpu: "), "{}", auto.describe());
    } else {
        assert!(auto.describe().starts_with("cpu"), "{}", auto.describe());
    }
    assert!("tpu".parse::<Backend>().is_err());
}

/// `Backend::Auto` prefers a hardware GPU, then the CPU: a software rasteriser (lavapipe,
/// llvmpipe, WARP) only when asked (`GpuOptions::allow_software`, or
/// `HALFPIXEL_ALLOW_SOFTWARE_GPU=1`), and `describe` says which, in one line. `Backend::Gpu`
/// asks for a GPU, so it takes a software rasteriser when that is all there is.
#[test]
fn auto_takes_a_software_rasteriser_only_when_asked() {
    let found: Vec<AdapterDescription> = enumerate_adapters()
        .iter()
        .map(|a| AdapterDescription::from_info(&a.get_info()))
        .collect();
    let hardware = found.iter().any(|d| !d.is_software());
    let software: Vec<String> = found
        .iter()
        .filter(|d| d.is_software())
        .map(|d| d.backend_label())
        .collect();
    let refusing = GpuOptions {
        allow_software: Some(false),
        ..Default::default()
    };
    let auto = Executor::with_options(Backend::Auto, &refusing).unwrap();
    let line = auto.describe();
    assert!(!line.contains('\n'), "{line}");
    if hardware {
        assert!(line.starts_with("gpu: "), "{line}");
        assert!(!line.contains("software rasteriser"), "{line}");
    } else if !software.is_empty() {
        assert!(
            line.starts_with("cpu (no hardware GPU; software rasteriser"),
            "{line}"
        );
        assert!(line.contains("HALFPIXEL_ALLOW_SOFTWARE_GPU=1"), "{line}");
        for label in &software {
            assert!(line.contains(label.as_str()), "{label}: {line}");
        }
        assert!(auto.gpu().is_none());
        eprintln!("only software rasterisers here: {line}");
    } else {
        assert!(line.starts_with("cpu (fell back: no GPU adapter"), "{line}");
    }
    if found.is_empty() {
        return;
    }
    let asking = GpuOptions {
        allow_software: Some(true),
        ..Default::default()
    };
    let asked = Executor::with_options(Backend::Auto, &asking).unwrap();
    assert!(
        asked.describe().starts_with("gpu: "),
        "{}",
        asked.describe()
    );
    if !hardware {
        assert!(
            asked.describe().ends_with(", a software rasteriser"),
            "{}",
            asked.describe()
        );
        let gpu = Executor::new(Backend::Gpu).unwrap();
        assert!(gpu.gpu().is_some_and(|c| c.adapter().is_software()));
        // Refused explicitly, a GPU request has nothing to open and says why.
        let e = GpuContext::with_options(&refusing).unwrap_err().to_string();
        assert!(
            e.contains("no hardware GPU adapter") && e.contains("HALFPIXEL_ALLOW_SOFTWARE_GPU"),
            "{e}"
        );
    }
}

#[test]
fn texture_padding_is_written_as_zero() {
    for ctx in common::contexts() {
        for channels in [1, 5, 10] {
            let x = sample((2, channels, 6, 7));
            let source = ctx.upload_texture_image(x.view(), DType::F32).unwrap();
            let out = ctx
                .create_texture_image(
                    14,
                    12,
                    channels,
                    2,
                    DType::F32,
                    wgpu::TextureUsages::STORAGE_BINDING
                        | wgpu::TextureUsages::COPY_SRC
                        | wgpu::TextureUsages::COPY_DST,
                )
                .unwrap();
            // Fill the destination with non-zero data first, so zero padding is really written.
            let filler = Array4::from_elem((2, channels.div_ceil(4) * 4, 12, 14), 7.0f32);
            let filled = ctx.upload_texture_image(filler.view(), DType::F32).unwrap();
            let mut encoder = ctx.device().create_command_encoder(&Default::default());
            encoder.copy_texture_to_texture(
                filled.as_image_copy(),
                out.as_image_copy(),
                out.size(),
            );
            let kernel = MpsCnnUpsamplingNearest::new(2, 2).unwrap();
            let src = TextureImage {
                texture: &source,
                batch: 2,
                channels,
            };
            let dst = TextureImage {
                texture: &out,
                batch: 2,
                channels,
            };
            kernel.encode(ctx, &mut encoder, &src, &dst).unwrap();
            ctx.queue().submit([encoder.finish()]);
            assert!(
                ctx.texture_padding_is_zero(&dst).unwrap(),
                "{} C={channels}",
                ctx.adapter().label()
            );
            let got = ctx.read_texture_image(&dst).unwrap();
            assert_eq!(
                got,
                kernel.operation().run_cpu(x.view(), Layout::Nchw).unwrap()
            );
        }
    }
}

#[test]
fn standins_match_their_presets() {
    let x = sample((1, 6, 5, 8));
    for ctx in common::contexts() {
        let resize = MpsNnResizeBilinear::new(11, 3, true).unwrap();
        let layer = CoreMlResizeBilinear::new([9, 4], SamplingMode::AlignCorners).unwrap();
        for op in [resize.operation(), layer.operation()] {
            let gpu = ctx.run_texture(op, x.view(), DType::F32).unwrap();
            assert_eq!(gpu, op.run_cpu(x.view(), Layout::Nchw).unwrap());
        }
    }
}

#[test]
fn misuse_is_a_typed_error() {
    let op = torch::Interpolate::size([8, 8], torch::Mode::Bilinear)
        .build()
        .unwrap();
    for ctx in common::contexts() {
        let device = ctx.device();
        let buffer = |size: u64, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size,
                usage,
                mapped_at_creation: false,
            })
        };
        let storage = wgpu::BufferUsages::STORAGE;
        let input = buffer(4 * 4 * 4, storage);
        let output = buffer(8 * 8 * 4, storage);
        let tensor = |b, dims| BufferTensor {
            buffer: b,
            offset: 0,
            dims,
            layout: Layout::Nchw,
            dtype: DType::F32,
        };
        let mut encoder = device.create_command_encoder(&Default::default());
        // Output of the wrong shape.
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&input, [1, 1, 4, 4]),
            &tensor(&output, [1, 1, 8, 7]),
        );
        assert!(matches!(e, Err(Error::ShapeMismatch { .. })), "{e:?}");
        // A buffer too small for its dims.
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&input, [1, 2, 4, 4]),
            &tensor(&output, [1, 2, 8, 8]),
        );
        assert!(matches!(e, Err(Error::ShapeMismatch { .. })), "{e:?}");
        // The same buffer in and out.
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&output, [1, 1, 4, 4]),
            &tensor(&output, [1, 1, 8, 8]),
        );
        assert!(matches!(e, Err(Error::InvalidArgument { .. })), "{e:?}");
        // A buffer without STORAGE usage.
        let plain = buffer(8 * 8 * 4, wgpu::BufferUsages::COPY_DST);
        let e = ctx.encode(
            &mut encoder,
            &op,
            &tensor(&input, [1, 1, 4, 4]),
            &tensor(&plain, [1, 1, 8, 8]),
        );
        assert!(matches!(e, Err(Error::InvalidArgument { .. })), "{e:?}");
        // A misaligned offset.
        let misaligned = BufferTensor {
            offset: 2,
            ..tensor(&input, [1, 1, 2, 2])
        };
        let e = ctx.encode(
            &mut encoder,
            &op,
            &misaligned,
            &tensor(&output, [1, 1, 8, 8]),
        );
        assert!(matches!(e, Err(Error::InvalidArgument { .. })), "{e:?}");
        // Textures too large for the device.
        let too_wide = ctx.limits().max_texture_dimension_2d as usize + 1;
        let e = ctx.create_texture_image(
            too_wide,
            4,
            4,
            1,
            DType::F32,
            wgpu::TextureUsages::STORAGE_BINDING,
        );
        assert!(matches!(e, Err(Error::DeviceLimit { .. })), "{e:?}");
    }
}

/// Shapes that wgpu's GL backend would turn into plain 2-D or cube-map textures (one layer; a
/// square with a multiple of 6 layers) still work through halfpixel's own textures.
#[test]
fn texture_shapes_that_gl_treats_specially() {
    use halfpixel::{CoordinateTransform, Mode, NearestMode, Operation, ResizeSpec};
    let op = Operation::from(
        ResizeSpec::new(Mode::Nearest, CoordinateTransform::HalfPixel, [1, 1])
            .with_nearest_mode(NearestMode::RoundPreferFloor),
    );
    for (n, c) in [(1, 3), (2, 9), (3, 8), (6, 4)] {
        let x = sample((n, c, 5, 5));
        let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
        for ctx in common::contexts() {
            let got = ctx.run_texture(&op, x.view(), DType::F32).unwrap();
            assert_eq!(got, want, "{} n={n} c={c}", ctx.adapter().label());
        }
    }
}

/// Reads a whole f32 storage buffer back.
fn read_back(ctx: &halfpixel::gpu::GpuContext, buffer: &wgpu::Buffer) -> Vec<f32> {
    let staging = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("test read-back"),
        size: buffer.size(),
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = ctx.device().create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, buffer.size());
    ctx.queue().submit([encoder.finish()]);
    let slice = staging.slice(..);
    slice.map_async(wgpu::MapMode::Read, |r| r.unwrap());
    ctx.device()
        .poll(wgpu::PollType::wait_indefinitely())
        .unwrap();
    let data = slice.get_mapped_range().unwrap();
    bytemuck::cast_slice(&data).to_vec()
}

/// A bound operation records the same call again and again; each run reads what the input
/// buffer holds when it runs, and equals the CPU. Binding checks the tensors like `encode`.
#[test]
fn a_bound_operation_reruns_on_new_data() {
    let ops = [
        torch::Interpolate::size([9, 11], torch::Mode::Bicubic)
            .align_corners(true)
            .build()
            .unwrap(),
        torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Nearest)
            .build()
            .unwrap(),
        torch::pixel_shuffle(2).unwrap(),
    ];
    for ctx in common::contexts() {
        for op in &ops {
            let dims = [1, 8, 4, 5];
            let out_dims = op
                .output_dims(&halfpixel::InputDesc {
                    dims,
                    layout: Layout::Nchw,
                })
                .unwrap();
            let count = |d: [usize; 4]| d.iter().product::<usize>();
            let storage = |n: usize| {
                ctx.device().create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: (n * 4) as u64,
                    usage: wgpu::BufferUsages::STORAGE
                        | wgpu::BufferUsages::COPY_DST
                        | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                })
            };
            let (input, output) = (storage(count(dims)), storage(count(out_dims)));
            let tensor = |buffer, dims| BufferTensor {
                buffer,
                offset: 0,
                dims,
                layout: Layout::Nchw,
                dtype: DType::F32,
            };
            let bound = ctx
                .bind(op, &tensor(&input, dims), &tensor(&output, out_dims))
                .unwrap();
            assert!(bound.dispatches() >= 1);
            for round in 0..3 {
                let x = Array4::from_shape_fn((1, 8, 4, 5), |(_, c, h, w)| {
                    (round * 100 + c * 20 + h * 5 + w) as f32 * 0.1 - 3.0
                });
                ctx.queue()
                    .write_buffer(&input, 0, bytemuck::cast_slice(x.as_slice().unwrap()));
                let mut encoder = ctx.device().create_command_encoder(&Default::default());
                bound.encode(&mut encoder).unwrap();
                ctx.queue().submit([encoder.finish()]);
                let got = read_back(ctx, &output);
                let want = op.run_cpu(x.view(), Layout::Nchw).unwrap();
                let tol = 1e-5 * want.iter().fold(1f32, |a, v| a.max(v.abs()));
                for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
                    assert!(
                        (g - w).abs() <= tol,
                        "{} {op:?} round {round} element {i}: gpu {g} cpu {w}",
                        ctx.adapter().label()
                    );
                }
            }
            // The wrong output shape is refused when binding, not when recording.
            let wrong = [out_dims[0], out_dims[1], out_dims[2], out_dims[3] + 1];
            let err = ctx
                .bind(op, &tensor(&input, dims), &tensor(&output, wrong))
                .unwrap_err();
            assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
        }
    }
}
