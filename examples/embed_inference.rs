//! An inference app that owns its wgpu device and command encoder puts a halfpixel resize between
//! two of its own compute passes, on its own buffers, with no read-back in between.
//!
//! Run with `cargo run --release --example embed_inference`.
//!
//! The app reaches wgpu through `halfpixel::wgpu`, the wgpu halfpixel is built on (major 30), so
//! its device, queue and buffers are the types halfpixel takes. An app with its own
//! `wgpu = "30"` dependency gets the same crate.

use halfpixel::gpu::{BufferTensor, DType, GpuContext};
use halfpixel::presets::torch;
use halfpixel::wgpu;
use halfpixel::Layout;
use ndarray::Array4;

/// The app's own kernels: "produce" writes a feature map, "activate" applies ReLU in place.
const APP_SHADER: &str = r#"
@group(0) @binding(0) var<storage, read_write> data: array<f32>;

@compute @workgroup_size(64)
fn produce(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i < arrayLength(&data)) {
        data[i] = f32(i % 37u) * 0.25 - 4.0;
    }
}

@compute @workgroup_size(64)
fn activate(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.x;
    if (i < arrayLength(&data)) {
        data[i] = max(data[i], 0.0);
    }
}
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The application's own device and queue.
    let instance =
        wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
    let adapter = pollster::block_on(wgpu::util::initialize_adapter_from_env_or_default(
        &instance, None,
    ))?;
    let info = adapter.get_info();
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("app"),
        required_limits: adapter.limits(),
        ..Default::default()
    }))?;
    println!("app device: {} ({:?})", info.name, info.backend);

    // 2. halfpixel wraps the same device and queue.
    let hp = GpuContext::from_device(device.clone(), queue.clone(), Some(&info));
    let upsample = torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Bilinear)
        .align_corners(false)
        .build()?;

    // 3. The app's buffers: a 1×8×30×40 feature map and its 1×8×60×80 upsampled version.
    let (dims_in, dims_out) = ([1, 8, 30, 40], [1, 8, 60, 80]);
    let elems = |d: [usize; 4]| d.iter().product::<usize>();
    let features = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("features"),
        size: (elems(dims_in) * 4) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let upsampled = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("upsampled"),
        size: (elems(dims_out) * 4) as u64,
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        mapped_at_creation: false,
    });
    let readback = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: (elems(dims_out) * 4) as u64,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });

    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some("app"),
        source: wgpu::ShaderSource::Wgsl(APP_SHADER.into()),
    });
    let pipeline = |entry: &str| {
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        })
    };
    let (produce, activate) = (pipeline("produce"), pipeline("activate"));
    let bind = |p: &wgpu::ComputePipeline, b: &wgpu::Buffer| {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &p.get_bind_group_layout(0),
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: b.as_entire_binding(),
            }],
        })
    };

    // 4. Bind the resize to the app's two buffers once (an inference loop does this before its
    //    first frame; recording it again each frame creates nothing).
    let resize = hp.bind(
        &upsample,
        &BufferTensor {
            buffer: &features,
            offset: 0,
            dims: dims_in,
            layout: Layout::Nchw,
            dtype: DType::F32,
        },
        &BufferTensor {
            buffer: &upsampled,
            offset: 0,
            dims: dims_out,
            layout: Layout::Nchw,
            dtype: DType::F32,
        },
    )?;

    // 5. One encoder: the app's pass, halfpixel's resize, the app's next pass.
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("frame"),
    });
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&produce);
        pass.set_bind_group(0, &bind(&produce, &features), &[]);
        pass.dispatch_workgroups((elems(dims_in) as u32).div_ceil(64), 1, 1);
    }
    resize.encode(&mut encoder)?;
    {
        let mut pass = encoder.begin_compute_pass(&Default::default());
        pass.set_pipeline(&activate);
        pass.set_bind_group(0, &bind(&activate, &upsampled), &[]);
        pass.dispatch_workgroups((elems(dims_out) as u32).div_ceil(64), 1, 1);
    }
    encoder.copy_buffer_to_buffer(&upsampled, 0, &readback, 0, readback.size());
    queue.submit([encoder.finish()]);

    // 6. Check against the CPU: the same feature map, resized by the CPU kernel, then ReLU.
    readback
        .slice(..)
        .map_async(wgpu::MapMode::Read, |r| r.expect("map"));
    device.poll(wgpu::PollType::wait_indefinitely())?;
    let gpu: Vec<f32> = bytemuck::cast_slice(&readback.slice(..).get_mapped_range()?).to_vec();
    let features_cpu = Array4::from_shape_fn((1, 8, 30, 40), |(_, c, h, w)| {
        let i = (c * 30 + h) * 40 + w;
        (i % 37) as f32 * 0.25 - 4.0
    });
    let expected = upsample
        .run_cpu(features_cpu.view(), Layout::Nchw)?
        .mapv(|v| v.max(0.0));
    let worst = gpu
        .iter()
        .zip(expected.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    println!("resized between the app's passes: max |gpu - cpu| = {worst:e}");
    assert!(worst <= 1e-5);
    Ok(())
}
