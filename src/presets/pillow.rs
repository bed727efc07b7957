//! Pillow: `PIL.Image.Image.resize(size, resample)` (Pillow 13.0.0, default `box` and
//! `reducing_gap=None`) on images of mode `L`, `RGB`, `RGBA` (uint8) and `F` (float32), as
//! tensors in Pillow's own layout: NHWC (`numpy.asarray(img)` is H×W×C; `L` and `F` have one
//! channel).
//!
//! # How exact, per mode and backend
//!
//! | mode | CPU | GPU (every adapter) |
//! |---|---|---|
//! | `L`, `RGB`, `RGBA`, every filter | exact: Pillow's 22-bit fixed point, pass order, per-pass `clip8`, `RGBa` premultiply for `RGBA` | exact: the same plan in `shaders/exact.wgsl`, bit-identical to the CPU |
//! | any mode with `NEAREST`, or an unchanged `size` | exact: a copy of the pixels Pillow reads (its stepped float64 index sums) | exact (a copy) |
//! | `F` (BOX, BILINEAR, HAMMING, BICUBIC, LANCZOS) | exact: float64 weights and sums, float32 between passes ([`Accumulate::Double`](crate::plan::separable::Accumulate::Double)) | **not exact**: WGSL has no float64, so the GPU runs Pillow's weights rounded to float32 with float32 sums. Measured against Pillow on 134 `F` cases (the corpus's 6, the 2 fixtures of `tests/data/pillow`, 126 unseen; `examples/pillow_f_gpu.rs`) on lavapipe and llvmpipe GL: 52 % of the outputs differ, by at most 2.4·10⁻⁷·max\|x\| (2 float32 ulps of the largest input magnitude; 6.1·10⁻⁵ on a 0–255 image). The corpus tolerance for `F` is 10⁻³ |
//!
//! See [`crate::plan::pillow`] for the Pillow source functions each rule comes from.

use std::sync::Arc;

#[cfg(feature = "calls")]
use serde_json::Value;

use crate::error::{check_len, Error, Result};
use crate::op::{InputDesc, IntegerPath, Operation, ResizePlanner};
use crate::plan::pillow::{self as rules, Filter, Path};
use crate::plan::separable::ExactPlan;
use crate::plan::ResizePlan;
use crate::tensor::ElementType;

#[cfg(feature = "calls")]
use super::args::Args;

/// `Image.mode` of the image being resized: which of Pillow's paths the call takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageMode {
    /// `"L"`: 8-bit grey, one uint8 channel.
    L,
    /// `"RGB"`: three uint8 channels.
    Rgb,
    /// `"RGBA"`: four uint8 channels, alpha last; resampled premultiplied (`RGBa`) except with
    /// `NEAREST`.
    Rgba,
    /// `"F"`: one float32 channel; float64 arithmetic.
    F,
}

impl ImageMode {
    /// Every mode.
    pub const ALL: [ImageMode; 4] = [ImageMode::L, ImageMode::Rgb, ImageMode::Rgba, ImageMode::F];

    /// The mode string, as `Image.mode` gives it.
    pub fn name(self) -> &'static str {
        match self {
            ImageMode::L => "L",
            ImageMode::Rgb => "RGB",
            ImageMode::Rgba => "RGBA",
            ImageMode::F => "F",
        }
    }

    /// The mode called `name` (exact spelling, as Pillow requires).
    pub fn from_name(name: &str) -> Option<ImageMode> {
        ImageMode::ALL.into_iter().find(|m| m.name() == name.trim())
    }

    /// Channels of an image of this mode (`numpy.asarray(img).shape[2]`, 1 for `L` and `F`).
    pub fn channels(self) -> usize {
        match self {
            ImageMode::L | ImageMode::F => 1,
            ImageMode::Rgb => 3,
            ImageMode::Rgba => 4,
        }
    }

    /// The element type of its pixels.
    pub fn element_type(self) -> ElementType {
        match self {
            ImageMode::F => ElementType::F32,
            _ => ElementType::U8,
        }
    }

    /// The mode of a uint8 image with `channels` channels.
    fn of_u8(channels: usize) -> Option<ImageMode> {
        match channels {
            1 => Some(ImageMode::L),
            3 => Some(ImageMode::Rgb),
            4 => Some(ImageMode::Rgba),
            _ => None,
        }
    }
}

/// `img.resize(size, resample)` for an image of `mode` (Pillow 13.0.0, default `box`,
/// `reducing_gap=None`).
///
/// ```
/// use halfpixel::presets::pillow::{ImageMode, Resize};
/// use halfpixel::plan::pillow::Filter;
/// use halfpixel::Layout;
/// use ndarray::Array4;
///
/// // img.resize((4, 2), Image.Resampling.BICUBIC) on an 8-bit RGB image of 6×8 (H×W).
/// let op = Resize::new(4, 2, Filter::Bicubic).mode(ImageMode::Rgb).build()?;
/// let img = Array4::from_shape_fn((1, 6, 8, 3), |(_, y, x, c)| (y * 40 + x * 7 + c * 50) as u8);
/// let out = op.run_cpu_u8(img.view(), Layout::Nhwc)?;
/// assert_eq!(out.dim(), (1, 2, 4, 3));
/// # Ok::<(), halfpixel::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resize {
    /// `size=(width, height)`, Pillow's order.
    pub size: [usize; 2],
    /// `resample=`.
    pub resample: Filter,
    /// The image's mode. `None` takes it from the tensor: uint8 with 1, 3 or 4 channels is `L`,
    /// `RGB` or `RGBA`; float32 is `F`, each channel resized as its own `F` image (Pillow has no
    /// multi-channel float mode; this is what resizing the bands of `img.split()` gives).
    pub mode: Option<ImageMode>,
}

impl Resize {
    /// `img.resize((width, height), resample)`, the mode taken from the tensor.
    pub fn new(width: usize, height: usize, resample: Filter) -> Resize {
        Resize {
            size: [width, height],
            resample,
            mode: None,
        }
    }

    /// The image's mode: a tensor that does not fit it is refused.
    pub fn mode(mut self, mode: ImageMode) -> Resize {
        self.mode = Some(mode);
        self
    }

    /// Checks the arguments and returns the operation.
    ///
    /// Errors: a width or height of 0 (Pillow: "height and width must be > 0") or past
    /// [`MAX_AXIS_LEN`](crate::error::MAX_AXIS_LEN).
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    fn validate(&self) -> Result<()> {
        check_len("size width", self.size[0])?;
        check_len("size height", self.size[1])?;
        Ok(())
    }

    /// Output `[height, width]`.
    fn output_hw(&self) -> [usize; 2] {
        [self.size[1], self.size[0]]
    }

    /// Refuses a tensor whose channel count does not fit an explicit mode.
    fn check_channels(&self, input: &InputDesc) -> Result<()> {
        let c = input.dims[1];
        match self.mode {
            Some(mode) if mode.channels() != c => Err(Error::invalid_argument(
                "mode",
                mode.name(),
                format!(
                    "a mode {} image has {} channel{} (H×W×C with C = {}), the input has {c}; \
                     pass mode {} or an image with {} channel{}",
                    mode.name(),
                    mode.channels(),
                    if mode.channels() == 1 { "" } else { "s" },
                    mode.channels(),
                    suggest_mode(c),
                    mode.channels(),
                    if mode.channels() == 1 { "" } else { "s" },
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// The modes that fit `c` channels, for messages.
fn suggest_mode(c: usize) -> String {
    match c {
        1 => "L (uint8) or F (float32)".into(),
        3 => "RGB (uint8)".into(),
        4 => "RGBA (uint8)".into(),
        _ => "none of L, RGB, RGBA, F (they have 1, 3, 4 and 1 channels)".into(),
    }
}

impl ResizePlanner for Resize {
    /// Pillow's geometry with float32 weights: the float kernels' plan (the GPU's `F` path).
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        self.validate()?;
        self.check_channels(input)?;
        rules::resize_plan(self.resample, input.hw(), self.output_hw())
    }

    /// `F`: Pillow's float64 arithmetic ([`rules::exact_plan`] with [`Path::Float`]), or `None`
    /// for `NEAREST` and an unchanged size (copies). Modes `L`, `RGB` and `RGBA` refuse float32
    /// data.
    fn exact_f32_plan(&self, input: &InputDesc) -> Result<Option<Arc<ExactPlan>>> {
        self.validate()?;
        self.check_channels(input)?;
        if let Some(mode) = self.mode.filter(|m| *m != ImageMode::F) {
            return Err(Error::invalid_argument(
                "mode",
                mode.name(),
                format!(
                    "a mode {} image holds uint8 pixels, the input is float32; pass the image \
                     as uint8, or mode F for a one-channel float32 image",
                    mode.name()
                ),
            ));
        }
        Ok(
            rules::exact_plan(self.resample, input.hw(), self.output_hw(), Path::Float)?
                .map(Arc::new),
        )
    }

    /// `L`, `RGB`, `RGBA`: Pillow's 8-bit arithmetic ([`rules::exact_plan`] with
    /// [`Path::EightBit`]), or a gather for `NEAREST` and an unchanged size. Mode `F` and
    /// 16-bit data are refused.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        self.validate()?;
        self.check_channels(input)?;
        let c = input.dims[1];
        if ty != ElementType::U8 {
            return Err(Error::unsupported(format!(
                "{} on {ty} data: halfpixel reproduces Pillow's modes L, RGB, RGBA (uint8) and \
                 F (float32), not I;16 or I; convert the image to one of those",
                self.describe()
            )));
        }
        let mode =
            match self.mode {
                Some(ImageMode::F) => return Err(Error::invalid_argument(
                    "mode",
                    "F",
                    "a mode F image holds float32 pixels, the input is uint8; pass the image as \
                     float32, or mode L, RGB or RGBA for 8-bit images",
                )),
                Some(mode) => mode,
                None => ImageMode::of_u8(c).ok_or_else(|| {
                    Error::invalid_argument(
                        "channels",
                        c,
                        "Pillow's 8-bit modes have 1 (L), 3 (RGB) or 4 (RGBA) channels, in NHWC \
                     layout; pass such an image",
                    )
                })?,
            };
        let path = Path::EightBit {
            premultiplied_alpha: mode == ImageMode::Rgba,
        };
        Ok(
            match rules::exact_plan(self.resample, input.hw(), self.output_hw(), path)? {
                Some(plan) => IntegerPath::Exact(Arc::new(plan)),
                None => IntegerPath::Gather,
            },
        )
    }

    fn describe(&self) -> String {
        let [w, h] = self.size;
        let call = format!(
            "img.resize(({w}, {h}), Image.Resampling.{})",
            self.resample.name()
        );
        match self.mode {
            Some(mode) => format!("{call} on a mode '{}' image", mode.name()),
            None => call,
        }
    }
}

/// The spellings of the function a recorded `pillow` call may use.
#[cfg(feature = "calls")]
const FUNCTIONS: [&str; 5] = [
    "Image.resize",
    "resize",
    "Image.Image.resize",
    "PIL.Image.Image.resize",
    "PIL.Image.resize",
];

#[cfg(feature = "calls")]
/// Builds a recorded `pillow` call: `{"size": [w, h], "resample": "BILINEAR" | 2, "mode": "RGB"}`
/// (`resample` defaults to `BICUBIC`, as `resample=None` does; `mode` may be left out).
pub(crate) fn from_args(function: &str, raw: &Value) -> Result<Operation> {
    if !FUNCTIONS.contains(&function) {
        return Err(Error::unsupported(format!(
            "pillow function '{function}' (known: Image.resize)"
        )));
    }
    let args = Args::new("Image.resize", raw)?;
    args.only(&["size", "resample", "mode", "box", "reducing_gap"])?;
    for key in ["box", "reducing_gap"] {
        if args.get(key).is_some() {
            return Err(Error::unsupported(format!(
                "Image.resize with {key}: halfpixel reproduces the default (box=None, \
                 reducing_gap=None); crop first, and leave reducing_gap out"
            )));
        }
    }
    let size = match args.opt_i64_list("size")? {
        Some(v) if v.len() == 2 => v,
        Some(v) => {
            return Err(args.err(
                "size",
                format!("{v:?}"),
                "expected (width, height), two integers",
            ))
        }
        None => {
            return Err(Error::MissingField {
                field: "size".into(),
                context: "Image.resize".into(),
            })
        }
    };
    let width = check_len("size width", size[0])?;
    let height = check_len("size height", size[1])?;
    let resample = match args.get("resample") {
        None => Filter::Bicubic,
        Some(Value::String(name)) => Filter::from_name(name).ok_or_else(|| {
            args.err(
                "resample",
                name,
                "expected NEAREST, BOX, BILINEAR, HAMMING, BICUBIC or LANCZOS",
            )
        })?,
        Some(Value::Number(_)) => {
            let v = args.opt_i64("resample")?.unwrap_or(-1);
            Filter::from_value(v).ok_or_else(|| {
                args.err(
                    "resample",
                    v,
                    "expected an Image.Resampling value: 0 NEAREST, 1 LANCZOS, 2 BILINEAR, \
                     3 BICUBIC, 4 BOX, 5 HAMMING",
                )
            })?
        }
        Some(other) => {
            return Err(args.err(
                "resample",
                other,
                "expected a filter name (BILINEAR) or its Image.Resampling value",
            ))
        }
    };
    let mode = match args.opt_str("mode")? {
        None => None,
        Some(name) => Some(ImageMode::from_name(name).ok_or_else(|| {
            args.err(
                "mode",
                name,
                "expected L, RGB, RGBA (uint8) or F (float32); other modes are not supported",
            )
        })?),
    };
    Resize {
        size: [width, height],
        resample,
        mode,
    }
    .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Layout;
    use crate::tensor::TensorView4;
    use ndarray::Array4;
    #[cfg(feature = "calls")]
    use serde_json::json;

    fn desc(c: usize) -> InputDesc {
        InputDesc {
            dims: [1, c, 6, 8],
            layout: Layout::Nhwc,
        }
    }

    #[test]
    fn modes_refuse_data_that_does_not_fit_them() {
        let rgb = Resize::new(4, 3, Filter::Bilinear).mode(ImageMode::Rgb);
        // Channels.
        let e = rgb.plan(&desc(1)).unwrap_err().to_string();
        assert!(
            e.contains("3 channels") && e.contains("L (uint8) or F"),
            "{e}"
        );
        // Element type: RGB is uint8, F is float32.
        let e = rgb.exact_f32_plan(&desc(3)).unwrap_err().to_string();
        assert!(e.contains("uint8") && e.contains("mode F"), "{e}");
        let f = Resize::new(4, 3, Filter::Bilinear).mode(ImageMode::F);
        let e = f
            .integer_path(&desc(1), ElementType::U8)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("float32") && e.contains("mode L, RGB or RGBA"),
            "{e}"
        );
        let e = f.exact_f32_plan(&desc(3)).unwrap_err().to_string();
        assert!(e.contains("1 channel"), "{e}");
        // 16-bit data and 8-bit images of other channel counts.
        let any = Resize::new(4, 3, Filter::Lanczos);
        assert!(matches!(
            any.integer_path(&desc(1), ElementType::U16),
            Err(Error::Unsupported { .. })
        ));
        let e = any
            .integer_path(&desc(2), ElementType::U8)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 (L), 3 (RGB) or 4 (RGBA)"), "{e}");
        // Inferred modes: uint8 by channels, float32 as F on every channel.
        for c in [1, 3, 4] {
            assert!(matches!(
                any.integer_path(&desc(c), ElementType::U8),
                Ok(IntegerPath::Exact(_))
            ));
        }
        assert!(any.exact_f32_plan(&desc(2)).unwrap().is_some());
        // Through the operation: a float32 tensor with mode RGB is refused on the CPU.
        let op = rgb.build().unwrap();
        let x = Array4::<f32>::zeros((1, 6, 8, 3));
        assert!(op.run_cpu(x.view(), Layout::Nhwc).is_err());
        let y = Array4::<u8>::zeros((1, 6, 8, 3));
        assert!(op
            .run_cpu_tensor(TensorView4::U8(y.view()), Layout::Nhwc)
            .is_ok());
    }

    #[test]
    #[cfg(feature = "calls")]
    fn sizes_are_width_then_height_and_checked() {
        let op = from_args("Image.resize", &json!({"size": [5, 2], "resample": "BOX"})).unwrap();
        let out = op
            .output_dims(&InputDesc {
                dims: [1, 1, 6, 8],
                layout: Layout::Nhwc,
            })
            .unwrap();
        assert_eq!(out, [1, 1, 2, 5]);
        assert!(op
            .describe()
            .contains("img.resize((5, 2), Image.Resampling.BOX)"));
        assert!(from_args("Image.resize", &json!({"size": [0, 2]})).is_err());
        assert!(from_args("Image.resize", &json!({"size": [3]})).is_err());
        assert!(from_args("Image.resize", &json!({"resample": 2})).is_err());
        assert!(from_args("Image.resize", &json!({"size": [3, 3], "resample": 7})).is_err());
        assert!(from_args("Image.resize", &json!({"size": [3, 3], "mode": "P"})).is_err());
        assert!(matches!(
            from_args(
                "Image.resize",
                &json!({"size": [3, 3], "box": [0, 0, 2, 2]})
            ),
            Err(Error::Unsupported { .. })
        ));
        assert!(from_args("Image.thumbnail", &json!({"size": [3, 3]})).is_err());
        // resample as Image.Resampling's value, and its default (BICUBIC).
        let by_value = from_args("Image.resize", &json!({"size": [3, 3], "resample": 1})).unwrap();
        assert!(by_value.describe().contains("LANCZOS"));
        let default = from_args("Image.resize", &json!({"size": [3, 3]})).unwrap();
        assert!(default.describe().contains("BICUBIC"));
    }
}
