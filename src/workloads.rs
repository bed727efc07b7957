//! The named benchmark workloads (one definition, used by the criterion benches, the `bench`
//! command, `benches/peers.py` and BENCHMARKS.md).
//!
//! W1–W6 are float32 tensors. W7 is an 8-bit RGB camera frame (1080×1920) resized to a model's
//! 224×224 input by the framework calls people write for it, each with that framework's own
//! 8-bit arithmetic (bit-exact): `W7-area` (`cv2.resize(…, INTER_AREA)`), `W7-aa-torch`
//! (`F.interpolate(uint8, bilinear, antialias=True)`) and `W7-aa-pillow`
//! (`Image.resize((224, 224), BILINEAR)`). The groups `W7-aa` and `W7` name several at once
//! ([`select`]).

use crate::error::Result;
use crate::gpu::DType;
use crate::op::Operation;
use crate::plan::opencv::CvInterpolation;
use crate::plan::pillow::Filter;
use crate::presets::{opencv, pillow, torch};
use crate::spec::Layout;
use crate::tensor::ElementType;

/// A named workload: an operation on an input of a given shape, layout and element type.
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
    /// The element type of input and output: [`ElementType::F32`] (float kernels),
    /// [`ElementType::F16`] (float data in f16 storage: GPUs with `SHADER_F16` only) or
    /// [`ElementType::U8`] (an 8-bit image, resized with the framework's own 8-bit arithmetic:
    /// [`Operation::run_cpu_u8_into`] on the CPU, the exact kernel on the GPU).
    pub element: ElementType,
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
        let size = element_bytes(self.element);
        let count = |d: [usize; 4]| d.iter().map(|&v| v as u64).product::<u64>() * size;
        Ok((count(self.input), count(out)))
    }

    /// The input in its layout's shape.
    pub fn input_shape(&self) -> [usize; 4] {
        self.layout.shape(self.input)
    }

    /// The GPU storage type of a float workload's buffers (`None` for 8-bit workloads, which
    /// run the exact kernel on packed bytes).
    pub fn gpu_dtype(&self) -> Option<DType> {
        match self.element {
            ElementType::F32 => Some(DType::F32),
            ElementType::F16 => Some(DType::F16),
            _ => None,
        }
    }
}

/// Bytes per element.
fn element_bytes(ty: ElementType) -> u64 {
    match ty {
        ElementType::U8 => 1,
        ElementType::F16 | ElementType::U16 => 2,
        _ => 4,
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
fn w7_area() -> Result<Operation> {
    opencv::Resize::dsize(224, 224, CvInterpolation::Area)
}
fn w7_aa_torch() -> Result<Operation> {
    torch::Interpolate::size([224, 224], torch::Mode::Bilinear)
        .align_corners(false)
        .antialias(true)
        .build()
}
fn w7_aa_pillow() -> Result<Operation> {
    pillow::Resize::new(224, 224, Filter::Bilinear)
        .mode(pillow::ImageMode::Rgb)
        .build()
}

/// W7's input: one 8-bit RGB frame of 1080×1920.
const W7_INPUT: [usize; 4] = [1, 3, 1080, 1920];

/// W1–W6, the NHWC variants of W1 and W2, the f16 variant of W1, and the three 8-bit W7s.
pub fn all() -> Vec<Workload> {
    let w = |name, description, input, layout, element, build| Workload {
        name,
        description,
        input,
        layout,
        element,
        build,
    };
    vec![
        w(
            "W1",
            "F.interpolate(bilinear, align_corners=False) 1x64x128x128 -> 256x256",
            [1, 64, 128, 128],
            Layout::Nchw,
            ElementType::F32,
            w1 as fn() -> Result<Operation>,
        ),
        w(
            "W2",
            "F.interpolate(nearest, scale_factor=2) 1x256x64x64 -> 128x128",
            [1, 256, 64, 64],
            Layout::Nchw,
            ElementType::F32,
            w2,
        ),
        w(
            "W3",
            "F.interpolate(bicubic, align_corners=True) 1x32x96x96 -> 192x192",
            [1, 32, 96, 96],
            Layout::Nchw,
            ElementType::F32,
            w3,
        ),
        w(
            "W4",
            "F.interpolate(bilinear, antialias=True) 1x3x512x512 -> 224x224",
            [1, 3, 512, 512],
            Layout::Nchw,
            ElementType::F32,
            w4,
        ),
        w(
            "W5",
            "F.pixel_shuffle(x, 2) 1x256x64x64 -> 1x64x128x128",
            [1, 256, 64, 64],
            Layout::Nchw,
            ElementType::F32,
            w5,
        ),
        w(
            "W6",
            "F.interpolate(bilinear) 1x32x512x512 -> 1024x1024",
            [1, 32, 512, 512],
            Layout::Nchw,
            ElementType::F32,
            w6,
        ),
        w(
            "W1-nhwc",
            "W1 on a channels-last tensor",
            [1, 64, 128, 128],
            Layout::Nhwc,
            ElementType::F32,
            w1,
        ),
        w(
            "W2-nhwc",
            "W2 on a channels-last tensor",
            [1, 256, 64, 64],
            Layout::Nhwc,
            ElementType::F32,
            w2,
        ),
        w(
            "W1-f16",
            "W1 with f16 storage (GPU with SHADER_F16)",
            [1, 64, 128, 128],
            Layout::Nchw,
            ElementType::F16,
            w1,
        ),
        w(
            "W7-area",
            "cv2.resize(uint8 RGB 1080x1920, (224, 224), interpolation=cv2.INTER_AREA), HWC",
            W7_INPUT,
            Layout::Nhwc,
            ElementType::U8,
            w7_area,
        ),
        w(
            "W7-aa-torch",
            "F.interpolate(uint8 1x3x1080x1920, size=(224, 224), mode='bilinear', antialias=True)",
            W7_INPUT,
            Layout::Nchw,
            ElementType::U8,
            w7_aa_torch,
        ),
        w(
            "W7-aa-pillow",
            "Image.resize((224, 224), Image.BILINEAR) on a 1920x1080 RGB image (HWC uint8)",
            W7_INPUT,
            Layout::Nhwc,
            ElementType::U8,
            w7_aa_pillow,
        ),
    ]
}

/// Names that select several workloads at once: `W7-aa` (the two antialiased bilinear
/// presets) and `W7` (all three W7s).
pub const GROUPS: [(&str, &[&str]); 2] = [
    ("W7", &["W7-area", "W7-aa-torch", "W7-aa-pillow"]),
    ("W7-aa", &["W7-aa-torch", "W7-aa-pillow"]),
];

/// The workloads `name` selects (case-insensitive): one workload by its name, or the members of
/// a group ([`GROUPS`]); empty for an unknown name.
pub fn select(name: &str) -> Vec<Workload> {
    if let Some((_, members)) = GROUPS.iter().find(|g| g.0.eq_ignore_ascii_case(name)) {
        return members.iter().filter_map(|m| by_name(m)).collect();
    }
    by_name(name).into_iter().collect()
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
                    element: ElementType::F32,
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
