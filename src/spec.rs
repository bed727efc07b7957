//! The portable resize vocabulary: a superset of ONNX `Resize` (opset 19) plus TensorFlow 2's extra
//! filters, OpenCV's Lanczos-4 and Core ML's two extra grids — the `resize` block of the conformance
//! format (`resize-conformance/1`).
//!
//! A [`ResizeSpec`] says *what* to compute in framework-neutral terms; [`ResizeSpec::plan`] turns it
//! into per-axis tap tables ([`crate::plan::ResizePlan`]) that the CPU and GPU kernels execute.
//! Framework quirks (PyTorch copying an unchanged axis, TF's 1/1024 bicubic table, OpenCV's
//! fixed-point nearest) are not part of this vocabulary: they live in [`crate::presets`].

use crate::error::{check_len, check_scale, Error, Result};

/// Memory layout of a 4-D tensor: both the input and the output of an operation use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Layout {
    /// Batch, channels, height, width (PyTorch, ONNX, Core ML).
    #[cfg_attr(feature = "serde", serde(rename = "NCHW"))]
    Nchw,
    /// Batch, height, width, channels (TensorFlow, Keras, OpenCV images).
    #[cfg_attr(feature = "serde", serde(rename = "NHWC"))]
    Nhwc,
}

impl Layout {
    /// `[n, c, h, w]` of a shape given in this layout.
    pub fn nchw(self, shape: [usize; 4]) -> [usize; 4] {
        match self {
            Layout::Nchw => shape,
            Layout::Nhwc => [shape[0], shape[3], shape[1], shape[2]],
        }
    }

    /// The shape in this layout of a tensor with dimensions `[n, c, h, w]`.
    pub fn shape(self, [n, c, h, w]: [usize; 4]) -> [usize; 4] {
        match self {
            Layout::Nchw => [n, c, h, w],
            Layout::Nhwc => [n, h, w, c],
        }
    }

    /// "NCHW" or "NHWC".
    pub fn name(self) -> &'static str {
        match self {
            Layout::Nchw => "NCHW",
            Layout::Nhwc => "NHWC",
        }
    }
}

impl std::str::FromStr for Layout {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "NCHW" => Ok(Layout::Nchw),
            "NHWC" => Ok(Layout::Nhwc),
            _ => Err(Error::invalid_argument(
                "layout",
                s,
                "expected NCHW or NHWC",
            )),
        }
    }
}

/// The interpolation filter (ONNX `mode`, extended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Mode {
    /// One tap: the source pixel picked by [`NearestMode`].
    #[cfg_attr(feature = "serde", serde(rename = "nearest"))]
    Nearest,
    /// Two taps per axis, triangle filter (bilinear in 2-D).
    #[cfg_attr(feature = "serde", serde(rename = "linear"))]
    Linear,
    /// Four taps per axis, Keys cubic convolution with coefficient `cubic_coeff_a`.
    #[cfg_attr(feature = "serde", serde(rename = "cubic"))]
    Cubic,
    /// Exact fractional box coverage (TF `area`, OpenCV `INTER_AREA` when shrinking).
    #[cfg_attr(feature = "serde", serde(rename = "area"))]
    Area,
    /// Equal weights over integer bins `floor(i·in/out) .. ceil((i+1)·in/out)` (PyTorch `area`).
    #[cfg_attr(feature = "serde", serde(rename = "adaptive_avg_pool"))]
    AdaptiveAvgPool,
    /// Lanczos with a = 3 (TF `lanczos3`).
    #[cfg_attr(feature = "serde", serde(rename = "lanczos3"))]
    Lanczos3,
    /// Lanczos with a = 5 (TF `lanczos5`).
    #[cfg_attr(feature = "serde", serde(rename = "lanczos5"))]
    Lanczos5,
    /// Gaussian, radius 1.5, sigma 0.5 (TF `gaussian`).
    #[cfg_attr(feature = "serde", serde(rename = "gaussian"))]
    Gaussian,
    /// Mitchell–Netravali cubic, B = C = 1/3 (TF `mitchellcubic`).
    #[cfg_attr(feature = "serde", serde(rename = "mitchellcubic"))]
    MitchellCubic,
    /// OpenCV's 8-tap Lanczos (a = 4) at taps floor(x)-3 ..= floor(x)+4 (`INTER_LANCZOS4`).
    #[cfg_attr(feature = "serde", serde(rename = "lanczos4"))]
    Lanczos4,
}

impl Mode {
    /// The name used in the conformance format.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Nearest => "nearest",
            Mode::Linear => "linear",
            Mode::Cubic => "cubic",
            Mode::Area => "area",
            Mode::AdaptiveAvgPool => "adaptive_avg_pool",
            Mode::Lanczos3 => "lanczos3",
            Mode::Lanczos5 => "lanczos5",
            Mode::Gaussian => "gaussian",
            Mode::MitchellCubic => "mitchellcubic",
            Mode::Lanczos4 => "lanczos4",
        }
    }

    /// All modes of the vocabulary.
    pub const ALL: [Mode; 10] = [
        Mode::Nearest,
        Mode::Linear,
        Mode::Cubic,
        Mode::Area,
        Mode::AdaptiveAvgPool,
        Mode::Lanczos3,
        Mode::Lanczos5,
        Mode::Gaussian,
        Mode::MitchellCubic,
        Mode::Lanczos4,
    ];

    /// Whether `antialias` applies to this mode.
    pub fn supports_antialias(self) -> bool {
        matches!(
            self,
            Mode::Linear
                | Mode::Cubic
                | Mode::Lanczos3
                | Mode::Lanczos5
                | Mode::Gaussian
                | Mode::MitchellCubic
        )
    }

    /// Whether the mode's taps can fall outside the input, so that `exclude_outside` means
    /// something. For `nearest` (as in ONNX's reference) a sample whose chosen neighbour lies
    /// outside the input then becomes 0.
    pub fn has_window(self) -> bool {
        !matches!(self, Mode::Area | Mode::AdaptiveAvgPool)
    }
}

/// How an output index maps to a source coordinate (ONNX `coordinate_transformation_mode`, extended).
///
/// `s` is the scale (user-given, or out/in), `x` the source coordinate in pixel-index units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CoordinateTransform {
    /// `x = (i + 0.5)/s − 0.5` (PyTorch align_corners=False, TF2, OpenCV).
    #[cfg_attr(feature = "serde", serde(rename = "half_pixel"))]
    HalfPixel,
    /// ONNX-19: half_pixel shifted so the resized image stays centred when the output length is
    /// rounded: `x = in/2·(1 − out/(in·s)) + (i + 0.5)/s − 0.5`.
    #[cfg_attr(feature = "serde", serde(rename = "half_pixel_symmetric"))]
    HalfPixelSymmetric,
    /// half_pixel, but an output length of 1 samples `x = −0.5` (ONNX reference).
    #[cfg_attr(feature = "serde", serde(rename = "pytorch_half_pixel"))]
    PytorchHalfPixel,
    /// `x = i·(in − 1)/(out − 1)`; an output length of 1 samples 0.
    #[cfg_attr(feature = "serde", serde(rename = "align_corners"))]
    AlignCorners,
    /// `x = i/s` (TF1 default, Core ML UPSAMPLE_MODE).
    #[cfg_attr(feature = "serde", serde(rename = "asymmetric"))]
    Asymmetric,
    /// Crop the normalized `roi` box and resize it with corners aligned; samples outside the
    /// input take `extrapolation_value`.
    #[cfg_attr(feature = "serde", serde(rename = "tf_crop_and_resize"))]
    TfCropAndResize,
    /// ONNX Resize-11 `tf_half_pixel_for_nn`: `x = (i + 0.5)/s` (no −0.5).
    #[cfg_attr(feature = "serde", serde(rename = "tf_half_pixel_for_nearest"))]
    TfHalfPixelForNearest,
    /// Core ML ALIGN_ENDPOINTS_MODE: align_corners, but an output length of 1 samples the centre
    /// `(in − 1)/2`.
    #[cfg_attr(feature = "serde", serde(rename = "align_corners_centered"))]
    AlignCornersCentered,
    /// Core ML ROI_ALIGN_MODE / OFFSET_CORNERS: `x = 0.5·d + i·d`, `d = max(1, in − 1)/out`.
    #[cfg_attr(feature = "serde", serde(rename = "roi_align"))]
    RoiAlign,
}

impl CoordinateTransform {
    /// The name used in the conformance format.
    pub fn name(self) -> &'static str {
        match self {
            CoordinateTransform::HalfPixel => "half_pixel",
            CoordinateTransform::HalfPixelSymmetric => "half_pixel_symmetric",
            CoordinateTransform::PytorchHalfPixel => "pytorch_half_pixel",
            CoordinateTransform::AlignCorners => "align_corners",
            CoordinateTransform::Asymmetric => "asymmetric",
            CoordinateTransform::TfCropAndResize => "tf_crop_and_resize",
            CoordinateTransform::TfHalfPixelForNearest => "tf_half_pixel_for_nearest",
            CoordinateTransform::AlignCornersCentered => "align_corners_centered",
            CoordinateTransform::RoiAlign => "roi_align",
        }
    }

    /// All mappings of the vocabulary.
    pub const ALL: [CoordinateTransform; 9] = [
        CoordinateTransform::HalfPixel,
        CoordinateTransform::HalfPixelSymmetric,
        CoordinateTransform::PytorchHalfPixel,
        CoordinateTransform::AlignCorners,
        CoordinateTransform::Asymmetric,
        CoordinateTransform::TfCropAndResize,
        CoordinateTransform::TfHalfPixelForNearest,
        CoordinateTransform::AlignCornersCentered,
        CoordinateTransform::RoiAlign,
    ];
}

/// How `nearest` rounds a fractional source coordinate (ONNX `nearest_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum NearestMode {
    /// Round half down (ONNX default).
    #[cfg_attr(feature = "serde", serde(rename = "round_prefer_floor"))]
    RoundPreferFloor,
    /// Round half up (PyTorch nearest-exact, TF half_pixel_centers, TF align_corners `roundf`).
    #[cfg_attr(feature = "serde", serde(rename = "round_prefer_ceil"))]
    RoundPreferCeil,
    /// Round down (PyTorch `nearest`, TF1 default, OpenCV `INTER_NEAREST`).
    #[cfg_attr(feature = "serde", serde(rename = "floor"))]
    Floor,
    /// Round up.
    #[cfg_attr(feature = "serde", serde(rename = "ceil"))]
    Ceil,
}

impl NearestMode {
    /// The name used in the conformance format.
    pub fn name(self) -> &'static str {
        match self {
            NearestMode::RoundPreferFloor => "round_prefer_floor",
            NearestMode::RoundPreferCeil => "round_prefer_ceil",
            NearestMode::Floor => "floor",
            NearestMode::Ceil => "ceil",
        }
    }

    /// All roundings.
    pub const ALL: [NearestMode; 4] = [
        NearestMode::RoundPreferFloor,
        NearestMode::RoundPreferCeil,
        NearestMode::Floor,
        NearestMode::Ceil,
    ];
}

/// Channel order of depth_to_space / space_to_depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BlockOrder {
    /// Depth-column-row: `out[c, h·b+i, w·b+j] = in[(i·b + j)·C_out + c, h, w]`
    /// (TF, ONNX default, Core ML DEPTH_TO_SPACE).
    #[cfg_attr(feature = "serde", serde(rename = "DCR"))]
    Dcr,
    /// Column-row-depth: `out[c, h·b+i, w·b+j] = in[c·b² + i·b + j, h, w]`
    /// (PyTorch PixelShuffle, ONNX CRD, Core ML PIXEL_SHUFFLE).
    #[cfg_attr(feature = "serde", serde(rename = "CRD"))]
    Crd,
}

impl std::str::FromStr for BlockOrder {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "DCR" => Ok(BlockOrder::Dcr),
            "CRD" => Ok(BlockOrder::Crd),
            _ => Err(Error::invalid_argument("order", s, "expected DCR or CRD")),
        }
    }
}

/// A pixel-shuffle style rearrangement: depth_to_space or its inverse space_to_depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BlockSpec {
    /// The block size b (≥ 1): depth_to_space multiplies H and W by b and divides C by b².
    pub block_size: usize,
    /// The channel order. For space_to_depth this is the order of its inverse depth_to_space.
    pub order: BlockOrder,
}

impl BlockSpec {
    /// A block spec, refusing a block size of 0.
    pub fn new(block_size: usize, order: BlockOrder) -> Result<Self> {
        check_len("block size", block_size)?;
        Ok(BlockSpec { block_size, order })
    }
}

/// The portable resize spec: the `resize` block of the conformance format.
///
/// Semantics follow the ONNX reference implementation (`onnx.reference`, opset 19) in float64,
/// extended with `area`, `adaptive_avg_pool`, TF2's ScaleAndTranslate kernels, OpenCV's Lanczos-4
/// and Core ML's `align_corners_centered` / `roi_align` grids.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct ResizeSpec {
    /// The filter.
    pub mode: Mode,
    /// The coordinate mapping.
    pub coordinate_transformation_mode: CoordinateTransform,
    /// Rounding for `nearest` (required there, refused elsewhere).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub nearest_mode: Option<NearestMode>,
    /// Keys cubic coefficient for `cubic` (required there, refused elsewhere).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub cubic_coeff_a: Option<f64>,
    /// Drop taps outside the input and renormalise the rest (else the edge pixel is replicated).
    #[cfg_attr(feature = "serde", serde(default))]
    pub exclude_outside: bool,
    /// When shrinking, widen the filter by 1/scale.
    #[cfg_attr(feature = "serde", serde(default))]
    pub antialias: bool,
    /// Value of samples outside the input under `tf_crop_and_resize` (default 0).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub extrapolation_value: Option<f64>,
    /// `[y0, x0, y1, x1]`, normalized, for `tf_crop_and_resize` (required there). Like ONNX's
    /// `roi` input it is a float32 tensor: values are rounded to float32.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub roi: Option<[f64; 4]>,
    /// `[H_out, W_out]`.
    pub output_size: [usize; 2],
    /// `[scale_h, scale_w]`: the user-given scale the mapping divides by; `None` means out/in.
    /// Like ONNX's `scales` input it is a float32 tensor: values are rounded to float32 (1.7
    /// becomes 1.7000000476837158), then the mapping divides in float64.
    #[cfg_attr(feature = "serde", serde(default))]
    pub scale: Option<[f64; 2]>,
}

impl ResizeSpec {
    /// A spec with ONNX's defaults for everything but the mode, the mapping and the size:
    /// `nearest_mode` round_prefer_floor for nearest, `cubic_coeff_a` −0.75 for cubic.
    pub fn new(mode: Mode, mapping: CoordinateTransform, output_size: [usize; 2]) -> Self {
        ResizeSpec {
            mode,
            coordinate_transformation_mode: mapping,
            nearest_mode: (mode == Mode::Nearest).then_some(NearestMode::RoundPreferFloor),
            cubic_coeff_a: (mode == Mode::Cubic).then_some(-0.75),
            exclude_outside: false,
            antialias: false,
            extrapolation_value: None,
            roi: if mapping == CoordinateTransform::TfCropAndResize {
                Some([0.0, 0.0, 1.0, 1.0])
            } else {
                None
            },
            output_size,
            scale: None,
        }
    }

    /// Sets `nearest_mode`.
    pub fn with_nearest_mode(mut self, nearest_mode: NearestMode) -> Self {
        self.nearest_mode = Some(nearest_mode);
        self
    }

    /// Sets `cubic_coeff_a`.
    pub fn with_cubic_coeff_a(mut self, a: f64) -> Self {
        self.cubic_coeff_a = Some(a);
        self
    }

    /// Sets `exclude_outside`.
    pub fn with_exclude_outside(mut self, exclude_outside: bool) -> Self {
        self.exclude_outside = exclude_outside;
        self
    }

    /// Sets `antialias`.
    pub fn with_antialias(mut self, antialias: bool) -> Self {
        self.antialias = antialias;
        self
    }

    /// Sets the user-given scale `[scale_h, scale_w]`.
    pub fn with_scale(mut self, scale: [f64; 2]) -> Self {
        self.scale = Some(scale);
        self
    }

    /// Sets the crop box and the extrapolation value (for `tf_crop_and_resize`).
    pub fn with_roi(mut self, roi: [f64; 4], extrapolation_value: f64) -> Self {
        self.roi = Some(roi);
        self.extrapolation_value = Some(extrapolation_value);
        self
    }

    /// Parses the `resize` block of a conformance case.
    #[cfg(feature = "calls")]
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        serde_json::from_value(value.clone()).map_err(|e| Error::Corpus {
            location: "resize".into(),
            reason: e.to_string(),
        })
    }

    /// Checks the spec on its own: sizes, scales, the fields each mode uses.
    pub fn validate(&self) -> Result<()> {
        let mode = self.mode;
        let ctm = self.coordinate_transformation_mode;
        check_len("output height", self.output_size[0])?;
        check_len("output width", self.output_size[1])?;
        if let Some([sh, sw]) = self.scale {
            for (what, v) in [("scale (height)", sh), ("scale (width)", sw)] {
                check_scale(what, v)?;
                // The scale is used as a float32 value (ONNX's `scales` tensor).
                let single = v as f32;
                if !(single.is_normal() && single.is_finite()) {
                    return Err(Error::invalid_argument(
                        what,
                        format!("{v:e}"),
                        "is 0 or infinite as a float32 (ONNX scales are float32): give a scale \
                         between 1.2e-38 and 3.4e38",
                    ));
                }
            }
        }
        let mode_ctx = || format!("mode {}", mode.name());
        match (mode, self.nearest_mode) {
            (Mode::Nearest, None) => {
                return Err(Error::MissingField {
                    field: "nearest_mode".into(),
                    context: mode_ctx(),
                })
            }
            (Mode::Nearest, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::UnusedField {
                    field: "nearest_mode".into(),
                    context: mode_ctx(),
                })
            }
        }
        match (mode, self.cubic_coeff_a) {
            (Mode::Cubic, None) => {
                return Err(Error::MissingField {
                    field: "cubic_coeff_a".into(),
                    context: mode_ctx(),
                })
            }
            (Mode::Cubic, Some(a)) => {
                if !a.is_finite() {
                    return Err(Error::invalid_argument(
                        "cubic_coeff_a",
                        a,
                        "must be a finite number (typically -0.5 or -0.75)",
                    ));
                }
            }
            (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::UnusedField {
                    field: "cubic_coeff_a".into(),
                    context: mode_ctx(),
                })
            }
        }
        if self.antialias && !mode.supports_antialias() {
            return Err(Error::UnusedField {
                field: "antialias".into(),
                context: mode_ctx(),
            });
        }
        if self.exclude_outside && !mode.has_window() {
            return Err(Error::UnusedField {
                field: "exclude_outside".into(),
                context: mode_ctx(),
            });
        }
        if matches!(mode, Mode::Area | Mode::AdaptiveAvgPool)
            && ctm != CoordinateTransform::HalfPixel
        {
            return Err(Error::invalid_argument(
                "coordinate_transformation_mode",
                ctm.name(),
                format!(
                    "mode {} defines its own windows; the format requires half_pixel (which has no effect)",
                    mode.name()
                ),
            ));
        }
        if ctm == CoordinateTransform::TfCropAndResize {
            let roi = self.roi.ok_or_else(|| Error::MissingField {
                field: "roi".into(),
                context: "coordinate_transformation_mode tf_crop_and_resize".into(),
            })?;
            if roi.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidRoi {
                    roi: roi.to_vec(),
                    reason: "every value must be finite".into(),
                });
            }
            // Any extrapolation value is accepted: NaN and ±inf are legitimate fill values.
        } else {
            if self.roi.is_some() {
                return Err(Error::UnusedField {
                    field: "roi".into(),
                    context: format!("coordinate_transformation_mode {}", ctm.name()),
                });
            }
            if self.extrapolation_value.is_some() {
                return Err(Error::UnusedField {
                    field: "extrapolation_value".into(),
                    context: format!("coordinate_transformation_mode {}", ctm.name()),
                });
            }
        }
        Ok(())
    }
}
