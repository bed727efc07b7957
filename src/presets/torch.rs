//! PyTorch: `torch.nn.functional.interpolate`, `nn.Upsample`, `nn.UpsamplingBilinear2d`,
//! `nn.UpsamplingNearest2d`, `F.pixel_shuffle` / `nn.PixelShuffle`, `F.pixel_unshuffle` /
//! `nn.PixelUnshuffle` — for float32 and uint8 tensors on the CPU (PyTorch 2.x; uint8 measured
//! on 2.15).
//!
//! PyTorch's own quirks are reproduced: an output length of 1 with `align_corners=False` samples
//! the centre; `nearest` copies an axis whose length is unchanged and takes `i >> 1` when the output
//! is exactly twice the input (on its channels-last kernel, which also serves small outputs);
//! bilinear and antialias copy an unchanged axis; with `align_corners=True` a scale factor only
//! sets the output size; scales are float32.
//!
//! # uint8 tensors
//!
//! A uint8 input gets PyTorch's own uint8 arithmetic ([`crate::plan::torch_u8`]), and a uint8
//! output, bit-exact (tolerance 0) on the CPU and every GPU:
//!
//! | mode | exact? |
//! |---|---|
//! | `nearest`, `nearest-exact` | yes: float32 source indices, as each of PyTorch's two nearest kernels computes them |
//! | `bilinear`, `bicubic` (`antialias` on or off, `align_corners` either) | yes: int16 weights from float64 at the axis's own precision, horizontal then vertical pass, each rounded and clamped to uint8 |
//! | `area` | refused: PyTorch raises `NotImplementedError` (`adaptive_avg_pool2d` has no uint8 kernel) |
//!
//! Other integer types are refused as PyTorch refuses them (`NotImplementedError` for uint16).
//!
//! What depends on PyTorch's build: halfpixel reproduces the x86 builds with AVX2 or AVX-512
//! (`torch.backends.cpu.get_cpu_capability()` `'AVX2'` / `'AVX512'`, the pip wheels on any recent
//! x86 CPU). A build with capability `'DEFAULT'` (`ATEN_CPU_CAPABILITY=default`, or an x86 CPU
//! without AVX2) differs in three places, which [`ResizePlanner::caveat`] names for the input at
//! hand:
//!
//! - `nearest-exact` on the generic kernel rounds `scale · (i + 0.5) − 0.5` twice instead of once
//!   and picks another source pixel for a few outputs of rare sizes (64 of the 160,000 size pairs
//!   up to 400);
//! - with an output width of 1 and 1–4 channels, its generic kernel repeats output row 0 down every
//!   row (a PyTorch bug; on AVX2 builds the bug shows for 5 or more channels, and halfpixel
//!   reproduces it there: NCHW tensors, or one channel);
//! - a 3-channel NCHW image of more than one pixel resized to 1×1 with a vertical pass raises
//!   `RuntimeError` (an internal assertion of the AVX2 kernel) on AVX2 builds, which halfpixel
//!   refuses with [`Error::FrameworkRaises`]; DEFAULT builds compute it.
//!
//! aarch64 builds were not measured (their NEON kernel serves 3-channel channels-last images).

use std::sync::Arc;

use crate::error::{check_len, check_len_f64, check_scale, Error, Result};
use crate::op::{InputDesc, IntegerPath, Operation, ResizePlanner};
use crate::plan::portable::adaptive_pool_taps;
use crate::plan::torch::{self as rules, AntialiasFilter, KernelPath, TorchAxis};
use crate::plan::torch_u8::{CpuCapability, Filter, U8Call, U8Mode};
use crate::plan::{AxisPlan, Edge, ResizePlan};
use crate::spec::{BlockOrder, BlockSpec, Layout};
use crate::tensor::ElementType;

#[cfg(feature = "calls")]
use super::args::{parse_choice, Args};

/// The `mode` argument of `F.interpolate` (2-D modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// `'nearest'`: `floor(i · in/out)` — the legacy, shifted rule (OpenCV INTER_NEAREST's).
    Nearest,
    /// `'nearest-exact'`: `floor((i + 0.5) · in/out)` — the half-pixel rule (Pillow, scikit-image).
    NearestExact,
    /// `'bilinear'`.
    Bilinear,
    /// `'bicubic'` (Keys a = −0.75; a = −0.5 with antialias).
    Bicubic,
    /// `'area'`: adaptive average pooling.
    Area,
}

impl Mode {
    /// PyTorch's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Nearest => "nearest",
            Mode::NearestExact => "nearest-exact",
            Mode::Bilinear => "bilinear",
            Mode::Bicubic => "bicubic",
            Mode::Area => "area",
        }
    }

    fn interpolating(self) -> bool {
        matches!(self, Mode::Bilinear | Mode::Bicubic)
    }

    /// All 2-D modes.
    pub const ALL: [Mode; 5] = [
        Mode::Nearest,
        Mode::NearestExact,
        Mode::Bilinear,
        Mode::Bicubic,
        Mode::Area,
    ];
}

/// `torch.nn.functional.interpolate(input, size=None, scale_factor=None, mode='nearest',
/// align_corners=None, recompute_scale_factor=None, antialias=False)` on a 4-D float32 or uint8
/// tensor (uint8: PyTorch's own uint8 arithmetic, see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Interpolate {
    /// `size=(H, W)`.
    pub size: Option<[usize; 2]>,
    /// `scale_factor=(sh, sw)`.
    pub scale_factor: Option<[f64; 2]>,
    /// `mode=`.
    pub mode: Mode,
    /// `align_corners=` (only for bilinear / bicubic).
    pub align_corners: Option<bool>,
    /// `recompute_scale_factor=`.
    pub recompute_scale_factor: Option<bool>,
    /// `antialias=` (only for bilinear / bicubic).
    pub antialias: bool,
}

impl Interpolate {
    /// `F.interpolate(x, size=(h, w), mode=mode)`.
    pub fn size(size: [usize; 2], mode: Mode) -> Self {
        Interpolate {
            size: Some(size),
            scale_factor: None,
            mode,
            align_corners: None,
            recompute_scale_factor: None,
            antialias: false,
        }
    }

    /// `F.interpolate(x, scale_factor=(sh, sw), mode=mode)`.
    pub fn scale_factor(scale_factor: [f64; 2], mode: Mode) -> Self {
        Interpolate {
            size: None,
            scale_factor: Some(scale_factor),
            mode,
            align_corners: None,
            recompute_scale_factor: None,
            antialias: false,
        }
    }

    /// Sets `align_corners=`.
    pub fn align_corners(mut self, align_corners: bool) -> Self {
        self.align_corners = Some(align_corners);
        self
    }

    /// Sets `recompute_scale_factor=`.
    pub fn recompute_scale_factor(mut self, recompute: bool) -> Self {
        self.recompute_scale_factor = Some(recompute);
        self
    }

    /// Sets `antialias=`.
    pub fn antialias(mut self, antialias: bool) -> Self {
        self.antialias = antialias;
        self
    }

    /// Checks the arguments as `F.interpolate` does and returns the operation.
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    /// The `ValueError`s of `F.interpolate`, as typed errors.
    pub fn validate(&self) -> Result<()> {
        match (self.size, self.scale_factor) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid_argument(
                    "size / scale_factor",
                    "both given",
                    "only one of size or scale_factor should be defined",
                ))
            }
            (None, None) => {
                return Err(Error::invalid_argument(
                    "size / scale_factor",
                    "neither given",
                    "either size or scale_factor should be defined",
                ))
            }
            (Some([h, w]), None) => {
                check_len("size (height)", h)?;
                check_len("size (width)", w)?;
                if self.recompute_scale_factor == Some(true) {
                    return Err(Error::invalid_argument(
                        "recompute_scale_factor",
                        true,
                        "recompute_scale_factor is not meaningful with an explicit size",
                    ));
                }
            }
            (None, Some([sh, sw])) => {
                check_scale("scale_factor (height)", sh)?;
                check_scale("scale_factor (width)", sw)?;
            }
        }
        if self.align_corners.is_some() && !self.mode.interpolating() {
            return Err(Error::invalid_argument(
                "align_corners",
                format!("{:?}", self.align_corners),
                format!(
                    "align_corners can only be set with the interpolating modes (bilinear, bicubic), not '{}'",
                    self.mode.name()
                ),
            ));
        }
        if self.antialias && !self.mode.interpolating() {
            return Err(Error::invalid_argument(
                "antialias",
                true,
                format!(
                    "anti-alias is only supported for bilinear and bicubic, not '{}'",
                    self.mode.name()
                ),
            ));
        }
        Ok(())
    }

    /// The output height and width for an input, and the scale factor forwarded to the kernel.
    fn sizes(&self, [in_h, in_w]: [usize; 2]) -> Result<([usize; 2], [Option<f64>; 2])> {
        if let Some(size) = self.size {
            return Ok((size, [None, None]));
        }
        let [sh, sw] = self.scale_factor.unwrap_or([1.0, 1.0]);
        let out_h = check_len_f64(
            "output height (floor(in_h * scale_factor))",
            (in_h as f64 * sh).floor(),
        )?;
        let out_w = check_len_f64(
            "output width (floor(in_w * scale_factor))",
            (in_w as f64 * sw).floor(),
        )?;
        let recompute = self.recompute_scale_factor == Some(true) || self.mode == Mode::Area;
        let forwarded = if recompute {
            [None, None]
        } else {
            [Some(sh), Some(sw)]
        };
        Ok(([out_h, out_w], forwarded))
    }
}

impl Interpolate {
    /// The two axes of a call on an input of `[h, w]`.
    fn axes(&self, [in_h, in_w]: [usize; 2]) -> Result<[TorchAxis; 2]> {
        let ([out_h, out_w], [sh, sw]) = self.sizes([in_h, in_w])?;
        let ac = self.align_corners.unwrap_or(false);
        let axis = |in_len, out_len, scale_factor| TorchAxis {
            in_len,
            out_len,
            scale_factor,
            align_corners: ac,
        };
        Ok([axis(in_h, out_h, sh), axis(in_w, out_w, sw)])
    }

    /// This call on a uint8 tensor, or the error PyTorch raises for it (uint8 `area`; any
    /// other integer type).
    fn u8_call(&self, input: &InputDesc, ty: ElementType) -> Result<U8Call> {
        self.validate()?;
        let not_implemented = |message: String| Error::FrameworkRaises {
            framework: "PyTorch 2.15",
            call: format!("{} on a {ty} tensor", self.describe()),
            exception: "NotImplementedError".into(),
            message,
            hint: "convert the tensor to float32 (x.float()), which PyTorch resizes, and resize \
                   that"
                .into(),
        };
        if ty != ElementType::U8 {
            return Err(not_implemented(
                "its CPU resize kernels are not implemented for 'UInt16' (they dispatch \
                 floating types and uint8 only)"
                    .into(),
            ));
        }
        let mode = match (self.mode, self.antialias) {
            (Mode::Nearest, _) => U8Mode::Nearest,
            (Mode::NearestExact, _) => U8Mode::NearestExact,
            (Mode::Bilinear, antialias) => U8Mode::Separable {
                filter: Filter::Bilinear,
                antialias,
            },
            (Mode::Bicubic, antialias) => U8Mode::Separable {
                filter: Filter::Bicubic,
                antialias,
            },
            (Mode::Area, _) => {
                return Err(not_implemented(
                    "\"adaptive_avg_pool2d\" not implemented for 'Byte' (mode='area' calls \
                     adaptive_avg_pool2d, which has no uint8 CPU kernel)"
                        .into(),
                ))
            }
        };
        let [height, width] = self.axes(input.hw())?;
        Ok(U8Call {
            mode,
            height,
            width,
            dims: input.dims,
            layout: input.layout,
            capability: CpuCapability::Avx2,
        })
    }
}

impl ResizePlanner for Interpolate {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        self.validate()?;
        let [axis_h, axis_w] = self.axes(input.hw())?;
        let [in_h, out_h, out_w] = [axis_h.in_len, axis_h.out_len, axis_w.out_len];
        let channels_last =
            input.layout == Layout::Nhwc || rules::nchw_is_also_channels_last(input.dims);
        let path = KernelPath::select(channels_last, input.dims[1], [out_h, out_w]);
        let per_axis = |axis: TorchAxis| -> Result<AxisPlan> {
            match (self.mode, self.antialias) {
                (Mode::Nearest, _) => rules::nearest(axis, path),
                (Mode::NearestExact, _) => rules::nearest_exact(axis, path),
                (Mode::Bilinear, false) => rules::linear(axis),
                (Mode::Bilinear, true) => rules::antialias(axis, AntialiasFilter::Bilinear),
                (Mode::Bicubic, false) => rules::cubic(axis),
                (Mode::Bicubic, true) => rules::antialias(axis, AntialiasFilter::Bicubic),
                (Mode::Area, _) => {
                    AxisPlan::build(axis.in_len, axis.out_len, Edge::Replicate, |i| {
                        adaptive_pool_taps(i, axis.in_len, axis.out_len)
                    })
                }
            }
        };
        let mut h = per_axis(axis_h)?;
        if self.antialias && out_w == 1 && out_h != in_h && out_h != 1 {
            h = rules::antialias_single_column_rows(&h)?;
        }
        Ok(ResizePlan::new(h, per_axis(axis_w)?))
    }

    /// PyTorch's own uint8 arithmetic ([`crate::plan::torch_u8`]) as its AVX2/AVX-512 x86
    /// builds compute it. uint8 `area` and every other integer type are refused with
    /// [`Error::FrameworkRaises`], as PyTorch raises `NotImplementedError` for them; so is the
    /// 3-channel NCHW → 1×1 call whose AVX2 kernel raises `RuntimeError`.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        let call = self.u8_call(input, ty)?;
        Ok(IntegerPath::Exact(Arc::new(call.exact_plan()?)))
    }

    /// On uint8, where a PyTorch build with CPU capability DEFAULT gives another result than
    /// the AVX2/AVX-512 build halfpixel reproduces (nearest-exact's rounding at rare sizes, the
    /// generic kernel's repeated rows at output width 1).
    fn caveat(&self, input: &InputDesc, ty: ElementType) -> Option<String> {
        if ty != ElementType::U8 {
            return None;
        }
        self.u8_call(input, ty).ok()?.other_builds_differ()
    }

    fn describe(&self) -> String {
        let mut s = String::from("torch.nn.functional.interpolate(x");
        if let Some([h, w]) = self.size {
            s += &format!(", size=({h}, {w})");
        }
        if let Some([h, w]) = self.scale_factor {
            s += &format!(", scale_factor=({h}, {w})");
        }
        s += &format!(", mode='{}'", self.mode.name());
        if let Some(ac) = self.align_corners {
            s += &format!(", align_corners={}", py_bool(ac));
        }
        if let Some(r) = self.recompute_scale_factor {
            s += &format!(", recompute_scale_factor={}", py_bool(r));
        }
        if self.antialias {
            s += ", antialias=True";
        }
        s + ")"
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `nn.UpsamplingBilinear2d(size=…)`: `F.interpolate(mode='bilinear', align_corners=True)`.
pub fn upsampling_bilinear2d_size(size: [usize; 2]) -> Result<Operation> {
    Interpolate::size(size, Mode::Bilinear)
        .align_corners(true)
        .build()
}

/// `nn.UpsamplingNearest2d(scale_factor=…)`: `F.interpolate(mode='nearest')`.
pub fn upsampling_nearest2d_scale(scale_factor: [f64; 2]) -> Result<Operation> {
    Interpolate::scale_factor(scale_factor, Mode::Nearest).build()
}

/// `F.pixel_shuffle(x, upscale_factor)` / `nn.PixelShuffle`: depth_to_space in CRD order.
pub fn pixel_shuffle(upscale_factor: usize) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(
        upscale_factor,
        BlockOrder::Crd,
    )?))
}

/// `F.pixel_unshuffle(x, downscale_factor)` / `nn.PixelUnshuffle`: space_to_depth in CRD order.
pub fn pixel_unshuffle(downscale_factor: usize) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(
        downscale_factor,
        BlockOrder::Crd,
    )?))
}

#[cfg(feature = "calls")]
fn positive_factor(args: &Args<'_>, key: &str) -> Result<usize> {
    let v = args.i64(key)?;
    if v < 1 {
        return Err(args.err(key, v, "must be a positive integer"));
    }
    Ok(v as usize)
}

#[cfg(feature = "calls")]
/// Builds a recorded `torch` call.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("torch.{function}"), raw)?;
    match function {
        "interpolate" | "nn.functional.interpolate" | "nn.Upsample" => {
            args.only(&[
                "size",
                "scale_factor",
                "mode",
                "align_corners",
                "recompute_scale_factor",
                "antialias",
            ])?;
            let mode = parse_choice(
                &args,
                "mode",
                args.opt_str("mode")?.unwrap_or("nearest"),
                &[
                    ("nearest", Mode::Nearest),
                    ("nearest-exact", Mode::NearestExact),
                    ("bilinear", Mode::Bilinear),
                    ("bicubic", Mode::Bicubic),
                    ("area", Mode::Area),
                ],
            )?;
            let size = args
                .opt_pair_i64("size")?
                .map(|[h, w]| -> Result<[usize; 2]> {
                    if h < 1 || w < 1 {
                        return Err(args.err(
                            "size",
                            format!("[{h}, {w}]"),
                            "sizes must be at least 1",
                        ));
                    }
                    Ok([h as usize, w as usize])
                })
                .transpose()?;
            let op = Interpolate {
                size,
                scale_factor: args.opt_pair_f64("scale_factor")?,
                mode,
                align_corners: args.opt_bool("align_corners")?,
                recompute_scale_factor: args.opt_bool("recompute_scale_factor")?,
                antialias: args.bool_or("antialias", false)?,
            };
            op.build()
        }
        "pixel_shuffle" | "nn.PixelShuffle" => {
            args.only(&["upscale_factor"])?;
            pixel_shuffle(positive_factor(&args, "upscale_factor")?)
        }
        "pixel_unshuffle" | "nn.PixelUnshuffle" => {
            args.only(&["downscale_factor"])?;
            pixel_unshuffle(positive_factor(&args, "downscale_factor")?)
        }
        other => Err(Error::unsupported(format!("torch function '{other}'"))),
    }
}
