//! # halfpixel
//!
//! Every framework's resize, exactly. halfpixel reproduces the resize and pixel-shuffle semantics
//! of PyTorch, TensorFlow, Keras, ONNX, Core ML, Metal Performance Shaders and OpenCV — each with
//! its own coordinate mapping, rounding and precision — and proves it against golden outputs
//! produced by the frameworks themselves.
//!
//! The same "bilinear 2×" call samples different source pixels in different frameworks:
//!
//! | call | source x of output i (10 → 20) |
//! |---|---|
//! | TF1 `resize_bilinear` (align_corners=False) | `i/2`: 0, 0.5, …, 9.5 (clamped: the last column repeats) |
//! | `align_corners=True` | `i·9/19`: 0, 0.4737, …, 9 |
//! | PyTorch / TF2 / OpenCV | `(i+0.5)/2 − 0.5`: −0.25, 0.25, …, 9.25 |
//!
//! Geometry lives in one place, [`plan`]: every preset and the portable [`ResizeSpec`] become
//! per-axis tap tables (source index, weight) that the CPU kernel ([`cpu`]) and the GPU kernels
//! (`gpu`, WGSL on wgpu, with the `gpu` feature) execute identically. [`Executor`] with
//! [`Backend::Auto`] picks a hardware GPU when one opens and the CPU otherwise; a software
//! rasteriser (lavapipe, llvmpipe, WARP) only when asked (`gpu::GpuOptions::allow_software`,
//! `HALFPIXEL_ALLOW_SOFTWARE_GPU=1`), and [`Executor::describe`] says which in one line.
//!
//! ```
//! use halfpixel::presets::torch;
//! use halfpixel::Layout;
//! use ndarray::Array4;
//!
//! // F.interpolate(x, size=(18, 20), mode='bilinear', align_corners=False)
//! let op = torch::Interpolate::size([18, 20], torch::Mode::Bilinear)
//!     .align_corners(false)
//!     .build()?;
//! let x = Array4::<f32>::from_shape_fn((1, 3, 9, 10), |(_, c, h, w)| (c * 100 + h * 10 + w) as f32);
//! let y = op.run_cpu(x.view(), Layout::Nchw)?;
//! assert_eq!(y.dim(), (1, 3, 18, 20));
//! # Ok::<(), halfpixel::Error>(())
//! ```

//!
//! # Cargo features
//!
//! `default` turns everything on (the command-line tool and its tooling). A library takes the
//! core with `default-features = false` and adds what it needs:
//!
//! ```toml
//! [dependencies]
//! halfpixel = { version = "0.1", default-features = false, features = ["gpu"] }
//! ```
//!
//! | feature | adds | pulls in |
//! |---|---|---|
//! | (core, always) | [`spec`], [`plan`], [`presets`]' typed constructors, [`cpu`], [`op`], [`tensor`], [`preprocess`], [`Executor`] on the CPU, [`Error`] | ndarray, rayon, thiserror, half, bytemuck |
//! | `gpu` | `gpu` (WGSL kernels on wgpu), `Backend::Gpu` and `Auto` on a GPU, `halfpixel::wgpu` | wgpu 30, pollster, bytemuck's derive |
//! | `serde` | `Serialize`/`Deserialize` on the spec's types | serde |
//! | `calls` | the conformance call vocabulary: `presets::Call`, `presets::from_call`, `presets::inferred`, `presets::named`, `ResizeSpec::from_json` | serde, serde_json |
//! | `tooling` | what the CLI is built from: `conformance`, `npy`, `tensor_io`, `identify`, `candidates`, `matrix`, `figures`, `bench`, `workloads`; implies `calls` and `gpu` | image, colorous |
//! | `audit` | `model`: ONNX, Core ML, TFLite and Keras readers, `halfpixel audit`; implies `tooling` | prost, zip |
//! | `cli` | the `halfpixel` binary and its progress bar; implies `tooling` | clap, indicatif |
//!
//! # wgpu version
//!
//! The `gpu` feature builds on **wgpu 30**. An application that hands halfpixel its own
//! `Device`, `Queue`, buffers or `CommandEncoder` must use the same wgpu major: depend on
//! `wgpu = "30"` or use the re-export `halfpixel::wgpu`. A new wgpu major is a breaking
//! release of halfpixel.
//!
//! # Guarantees
//!
//! Nothing in the public API panics on user input: every refusal is an [`Error`] naming the
//! values involved — zero-length axes, NaN, infinite, zero or negative scales, axes longer than
//! [`error::MAX_AXIS_LEN`], outputs that cannot be allocated ([`Error::OutOfMemory`]), buffers
//! or textures past a device's limits ([`Error::DeviceLimit`]), a lost GPU device
//! ([`Error::DeviceLost`], after which [`Backend::Auto`] redoes the call on the CPU). Tensors are
//! indexed with 64-bit offsets (tested past 2^32 elements). NaN and ±inf in the data propagate by
//! IEEE arithmetic through every tap of the tables. `gpu::GpuContext`, [`Executor`] and
//! [`Operation`] are `Send + Sync`, with bounded caches. docs/guarantees.md says
//! how each promise is tested.

#![warn(missing_docs)]

pub mod backend;
#[cfg(feature = "tooling")]
pub mod bench;
#[cfg(feature = "tooling")]
pub mod candidates;
#[cfg(feature = "tooling")]
pub mod conformance;
pub mod cpu;
pub mod error;
#[cfg(feature = "tooling")]
pub mod figures;
#[cfg(feature = "gpu")]
pub mod gpu;
#[cfg(feature = "tooling")]
pub mod identify;
#[cfg(feature = "tooling")]
pub mod matrix;
#[cfg(feature = "audit")]
pub mod model;
#[cfg(feature = "tooling")]
pub mod npy;
pub mod op;
pub mod plan;
pub mod preprocess;
pub mod presets;
pub mod spec;
pub mod tensor;
#[cfg(feature = "tooling")]
pub mod tensor_io;
#[cfg(feature = "tooling")]
pub mod workloads;

/// The wgpu this crate is built on (major version 30), re-exported so an application hands
/// halfpixel its own `Device`, `Queue`, buffers and encoders from the same wgpu: depend on
/// `halfpixel::wgpu` or on `wgpu = "30"`.
#[cfg(feature = "gpu")]
pub use wgpu;

pub use backend::{Backend, Executor};
pub use error::{Error, Result};
pub use op::{InputDesc, IntegerPath, Operation, ResizeOp, ResizePlanner};
pub use plan::{AxisPlan, ResizePlan};
pub use spec::{BlockOrder, BlockSpec, CoordinateTransform, Layout, Mode, NearestMode, ResizeSpec};
