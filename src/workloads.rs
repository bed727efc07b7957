//! The named benchmark workloads (one definition, used by the criterion benches, the `bench`
//! command and BENCHMARKS.md).

use crate::error::Result;
use crate::gpu::DType;
use crate::op::Operation;
use crate::presets::torch;
use crate::spec::Layout;

/// A named workload: an operation on an input of a given shape, layout and storage type.
#[derive(Debug, Clone)]
pub struct Workload {
    /// `W1`, `W1-nhwc`, …
    pub name: &'static str,
    /// What it is, in the call users write.
    pub description: &'static str,
    /// Input `[n, c, h, w]`.
    pub input: [usize; 4],
    /// Memory layout of input and output.
    pub layout: Layout,
    /// Storage type (f16 workloads run on GPUs with `SHADER_F16` only).
    pub dtype: DType,
    build: fn() -> Result<Operation>,
}

impl Workload {
    /// The operation.
    pub fn operation(&self) -> Result<Operation> {
        (self.build)()
    }

    /// Input and output sizes in bytes (the memory floor moves both once).
    pub fn bytes(&self) -> Result<(u64, u64)> {
        let out = self.operation()?.output_dims(&crate::op::InputDesc {
            dims: self.input,
            layout: self.layout,
        })?;
        let count =
            |d: [usize; 4]| d.iter().map(|&v| v as u64).product::<u64>() * self.dtype.size();
        Ok((count(self.input), count(out)))
    }

    /// The input in its layout's shape.
    pub fn input_shape(&self) -> [usize; 4] {
        self.layout.shape(self.input)
    }
}

fn w1() -> Result<Operation> {
    torch::Interpolate::size([256, 256], torch::Mode::Bilinear)
        .align_corners(false)
        .build()
}
fn w2() -> Result<Operation> {
    torch::Interpolate::scale_factor([2.0, 2.0], torch::Mode::Nearest).build()
}
fn w3() -> Result<Operation> {
    torch::Interpolate::size([192, 192], torch::Mode::Bicubic)
        .align_corners(true)
        .build()
}
fn w4() -> Result<Operation> {
    torch::Interpolate::size([224, 224], torch::Mode::Bilinear)
        .align_corners(false)
        .antialias(true)
        .build()
}
fn w5() -> Result<Operation> {
    torch::pixel_shuffle(2)
}
fn w6() -> Result<Operation> {
    torch::Interpolate::size([1024, 1024], torch::Mode::Bilinear)
        .align_corners(false)
        .build()
}

/// W1–W6, the NHWC variants of W1 and W2, and the f16 variant of W1.
pub fn all() -> Vec<Workload> {
    let w = |name, description, input, layout, dtype, build| Workload {
        name,
        description,
        input,
        layout,
        dtype,
        build,
    };
    vec![
        w(
            "W1",
            "F.interpolate(bilinear, align_corners=False) 1x64x128x128 -> 256x256",
            [1, 64, 128, 128],
            Layout::Nchw,
            DType::F32,
            w1 as fn() -> Result<Operation>,
        ),
        w(
            "W2",
            "F.interpolate(nearest, scale_factor=2) 1x256x64x64 -> 128x128",
            [1, 256, 64, 64],
            Layout::Nchw,
            DType::F32,
            w2,
        ),
        w(
            "W3",
            "F.interpolate(bicubic, align_corners=True) 1x32x96x96 -> 192x192",
            [1, 32, 96, 96],
            Layout::Nchw,
            DType::F32,
            w3,
        ),
        w(
            "W4",
            "F.interpolate(bilinear, antialias=True) 1x3x512x512 -> 224x224",
            [1, 3, 512, 512],
            Layout::Nchw,
            DType::F32,
            w4,
        ),
        w(
            "W5",
            "F.pixel_shuffle(x, 2) 1x256x64x64 -> 1x64x128x128",
            [1, 256, 64, 64],
            Layout::Nchw,
            DType::F32,
            w5,
        ),
        w(
            "W6",
            "F.interpolate(bilinear) 1x32x512x512 -> 1024x1024",
            [1, 32, 512, 512],
            Layout::Nchw,
            DType::F32,
            w6,
        ),
        w(
            "W1-nhwc",
            "W1 on a channels-last tensor",
            [1, 64, 128, 128],
            Layout::Nhwc,
            DType::F32,
            w1,
        ),
        w(
            "W2-nhwc",
            "W2 on a channels-last tensor",
            [1, 256, 64, 64],
            Layout::Nhwc,
            DType::F32,
            w2,
        ),
        w(
            "W1-f16",
            "W1 with f16 storage (GPU with SHADER_F16)",
            [1, 64, 128, 128],
            Layout::Nchw,
            DType::F16,
            w1,
        ),
    ]
}

/// W1 at four sizes from 64² to 1024² (the scaling table).
pub fn scaling() -> Vec<(usize, Workload)> {
    [64usize, 128, 512, 1024]
        .into_iter()
        .map(|side| {
            let name: &'static str = match side {
                64 => "W1@64",
                128 => "W1@128",
                512 => "W1@512",
                _ => "W1@1024",
            };
            (
                side,
                Workload {
                    name,
                    description: "W1's bilinear 2x at another input size (64 channels)",
                    input: [1, 64, side, side],
                    layout: Layout::Nchw,
                    dtype: DType::F32,
                    build: match side {
                        64 => {
                            || torch::Interpolate::size([128, 128], torch::Mode::Bilinear).build()
                        }
                        128 => {
                            || torch::Interpolate::size([256, 256], torch::Mode::Bilinear).build()
                        }
                        512 => {
                            || torch::Interpolate::size([1024, 1024], torch::Mode::Bilinear).build()
                        }
                        _ => {
                            || torch::Interpolate::size([2048, 2048], torch::Mode::Bilinear).build()
                        }
                    },
                },
            )
        })
        .collect()
}

/// The workload named `name` (case-insensitive).
pub fn by_name(name: &str) -> Option<Workload> {
    all()
        .into_iter()
        .find(|w| w.name.eq_ignore_ascii_case(name))
}
