//! ONNX: `Resize` (opsets 10, 11, 13, 18, 19 and later), `Upsample` (opsets 7 and 9),
//! `DepthToSpace`, `SpaceToDepth`.
//!
//! From opset 11 on, `Resize` follows the ONNX reference implementation (`onnx.reference`),
//! which is also the portable vocabulary's semantics: float64 coordinates, the user's scale
//! forwarded to the mapping, and the fractional length `in·scale` in align_corners,
//! pytorch_half_pixel and tf_crop_and_resize. Opset 10 `Resize` and `Upsample` define no
//! coordinate mapping and the reference cannot run them; halfpixel follows ONNX Runtime there:
//! `asymmetric`, with nearest rounding down when enlarging and up when shrinking ("simple").

use crate::error::{check_len, check_len_f64, check_scale, Error, Result};
use crate::op::{InputDesc, Operation, ResizePlanner};
use crate::plan::portable::{axis_plan, AxisGeometry};
use crate::plan::{AxisPlan, Edge, ResizePlan, Taps};
use crate::spec::{
    BlockOrder, BlockSpec, CoordinateTransform, Layout, Mode, NearestMode, ResizeSpec,
};

#[cfg(feature = "calls")]
use super::args::{flatten_numbers, parse_choice, Args};

/// `keep_aspect_ratio_policy` (opset 18+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeepAspectRatioPolicy {
    /// Each axis gets its own scale (default).
    Stretch,
    /// One scale for all resized axes: the smallest, so the output fits inside `sizes`.
    NotLarger,
    /// One scale for all resized axes: the largest, so the output covers `sizes`.
    NotSmaller,
}

/// The attributes of an ONNX `Resize` node (defaults as in the operator schema).
#[derive(Debug, Clone, PartialEq)]
pub struct ResizeAttributes {
    /// `mode`: nearest (default), linear or cubic.
    pub mode: Mode,
    /// `coordinate_transformation_mode` (default half_pixel).
    pub coordinate_transformation_mode: CoordinateTransform,
    /// `nearest_mode` (default round_prefer_floor).
    pub nearest_mode: NearestMode,
    /// `cubic_coeff_a` (default −0.75).
    pub cubic_coeff_a: f64,
    /// `exclude_outside` (default 0).
    pub exclude_outside: bool,
    /// `extrapolation_value` (default 0).
    pub extrapolation_value: f64,
    /// `antialias` (opset 18+, default 0).
    pub antialias: bool,
    /// `axes` (opset 18+): the axes `roi`, `scales` and `sizes` refer to.
    pub axes: Option<Vec<i64>>,
    /// `keep_aspect_ratio_policy` (opset 18+, default stretch).
    pub keep_aspect_ratio_policy: KeepAspectRatioPolicy,
}

impl Default for ResizeAttributes {
    fn default() -> Self {
        ResizeAttributes {
            mode: Mode::Nearest,
            coordinate_transformation_mode: CoordinateTransform::HalfPixel,
            nearest_mode: NearestMode::RoundPreferFloor,
            cubic_coeff_a: -0.75,
            exclude_outside: false,
            extrapolation_value: 0.0,
            antialias: false,
            axes: None,
            keep_aspect_ratio_policy: KeepAspectRatioPolicy::Stretch,
        }
    }
}

/// An ONNX `Resize` node with its constant inputs `roi`, `scales`, `sizes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resize {
    /// The model's opset for the default domain.
    pub opset: u32,
    /// The node's attributes.
    pub attributes: ResizeAttributes,
    /// `roi` input: starts then ends, one per listed axis (or per input axis).
    pub roi: Option<Vec<f64>>,
    /// `scales` input.
    pub scales: Option<Vec<f64>>,
    /// `sizes` input.
    pub sizes: Option<Vec<i64>>,
}

impl Resize {
    /// `Resize` with `scales` (full rank, or one per `axes` entry).
    ///
    /// Errors, at build time: a `scales` vector that is not 4 long (halfpixel resizes rank-4
    /// tensors: N, C, H, W) or as long as `axes`, a scale that is NaN, infinite, zero or
    /// negative, and whatever else [`Resize::build`] refuses.
    pub fn with_scales(
        opset: u32,
        attributes: ResizeAttributes,
        scales: Vec<f64>,
    ) -> Result<Operation> {
        Resize {
            opset,
            attributes,
            roi: None,
            scales: Some(scales),
            sizes: None,
        }
        .build()
    }

    /// `Resize` with `sizes` (full rank, or one per `axes` entry).
    ///
    /// Errors, at build time: a `sizes` vector that is not 4 long (halfpixel resizes rank-4
    /// tensors: N, C, H, W) or as long as `axes`, a size below 1 or past
    /// [`MAX_AXIS_LEN`](crate::error::MAX_AXIS_LEN), and whatever else [`Resize::build`] refuses.
    /// Whether N and C stay unchanged depends on the input, so it is checked when the operation
    /// meets one.
    pub fn with_sizes(
        opset: u32,
        attributes: ResizeAttributes,
        sizes: Vec<i64>,
    ) -> Result<Operation> {
        Resize {
            opset,
            attributes,
            roi: None,
            scales: None,
            sizes: Some(sizes),
        }
        .build()
    }

    /// Checks the node against its opset and returns the operation: the attributes the opset
    /// allows, exactly one of `scales` and `sizes`, and the length of `scales`, `sizes` and `roi`
    /// against the rank (4, or the number of `axes`, which must be distinct axes of a rank-4
    /// tensor).
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    fn validate(&self) -> Result<()> {
        let a = &self.attributes;
        let opset = self.opset;
        let need = |what: &str, min: u32| -> Result<()> {
            if opset < min {
                Err(Error::invalid_argument(
                    what,
                    format!("opset {opset}"),
                    format!("needs Resize opset {min} or later"),
                ))
            } else {
                Ok(())
            }
        };
        if opset < 10 {
            return Err(Error::invalid_argument(
                "opset",
                opset,
                "Resize exists from opset 10; use Upsample for older models",
            ));
        }
        if !matches!(a.mode, Mode::Nearest | Mode::Linear | Mode::Cubic) {
            return Err(Error::invalid_argument(
                "mode",
                a.mode.name(),
                "ONNX Resize modes are nearest, linear and cubic",
            ));
        }
        if opset < 11 && a.mode == Mode::Cubic {
            need("mode=cubic", 11)?;
        }
        if opset == 10
            && (a
                != &ResizeAttributes {
                    mode: a.mode,
                    ..Default::default()
                })
        {
            need("attributes other than mode", 11)?;
        }
        let ctm = a.coordinate_transformation_mode;
        match ctm {
            CoordinateTransform::TfHalfPixelForNearest if opset >= 13 => {
                return Err(Error::invalid_argument(
                    "coordinate_transformation_mode",
                    "tf_half_pixel_for_nn",
                    "was removed in Resize-13; use half_pixel with nearest_mode=round_prefer_ceil",
                ));
            }
            CoordinateTransform::HalfPixelSymmetric => {
                need("coordinate_transformation_mode=half_pixel_symmetric", 19)?
            }
            CoordinateTransform::AlignCornersCentered | CoordinateTransform::RoiAlign => {
                return Err(Error::invalid_argument(
                    "coordinate_transformation_mode",
                    ctm.name(),
                    "is not an ONNX mode",
                ))
            }
            _ => {}
        }
        if a.antialias {
            need("antialias", 18)?;
            if a.mode == Mode::Nearest {
                return Err(Error::invalid_argument(
                    "antialias",
                    1,
                    "is not supported for mode=nearest",
                ));
            }
        }
        if a.axes.is_some() {
            need("axes", 18)?;
        }
        if a.keep_aspect_ratio_policy != KeepAspectRatioPolicy::Stretch {
            need("keep_aspect_ratio_policy", 18)?;
            if self.sizes.is_none() {
                return Err(Error::invalid_argument(
                    "keep_aspect_ratio_policy",
                    "not stretch",
                    "applies only with the sizes input",
                ));
            }
        }
        if !a.cubic_coeff_a.is_finite() {
            return Err(Error::invalid_argument(
                "cubic_coeff_a",
                a.cubic_coeff_a,
                "must be finite",
            ));
        }
        let rank = self.resized_axes()?.len();
        let per_axis = |what: &str, len: usize, shown: String| -> Result<()> {
            if len == rank {
                return Ok(());
            }
            let expected = if self.attributes.axes.is_some() {
                format!("expected {rank} values, one per entry of axes")
            } else {
                "expected 4 values, one per axis of the rank-4 input (N, C, H, W); halfpixel \
                 resizes 4-D tensors (give axes to list fewer)"
                    .to_string()
            };
            Err(Error::invalid_argument(what, shown, expected))
        };
        if let Some(z) = self.sizes.as_ref().filter(|z| !z.is_empty()) {
            per_axis("sizes", z.len(), format!("{z:?}"))?;
            for (i, &v) in z.iter().enumerate() {
                check_len(&format!("sizes[{i}]"), v)?;
            }
        }
        if let Some(v) = self.scales.as_ref().filter(|v| !v.is_empty()) {
            per_axis("scales", v.len(), format!("{v:?}"))?;
        }
        if let Some(roi) = self.roi.as_ref().filter(|r| !r.is_empty()) {
            if roi.len() != 2 * rank {
                return Err(Error::InvalidRoi {
                    roi: roi.clone(),
                    reason: format!(
                        "expected {} values (starts then ends of each of the {rank} axes)",
                        2 * rank
                    ),
                });
            }
        }
        match (&self.scales, &self.sizes) {
            (Some(s), Some(z)) if !s.is_empty() && !z.is_empty() => Err(Error::invalid_argument(
                "scales / sizes",
                "both given",
                "exactly one of scales and sizes must be specified",
            )),
            (None, None) => Err(Error::invalid_argument(
                "scales / sizes",
                "neither given",
                "exactly one of scales and sizes must be specified",
            )),
            (Some(s), None) if s.is_empty() => Err(Error::invalid_argument(
                "scales",
                "[]",
                "empty scales need a sizes input",
            )),
            (Some(s), _) if !s.is_empty() => {
                for (i, &v) in s.iter().enumerate() {
                    check_scale(&format!("scales[{i}]"), v)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Positions of N, C, H, W in the tensor's own dimension order.
fn positions(layout: Layout) -> [usize; 4] {
    match layout {
        Layout::Nchw => [0, 1, 2, 3],
        Layout::Nhwc => [0, 3, 1, 2],
    }
}

/// Full-rank scales and sizes from per-axis values, refusing resizes of N or C.
struct Resolved {
    out: [usize; 2],
    scale: [f64; 2],
    roi: [f64; 4],
}

impl Resize {
    /// The axes `roi`, `scales` and `sizes` refer to: `axes` (negative ones counted from the
    /// end), or all four.
    fn resized_axes(&self) -> Result<Vec<usize>> {
        let rank = 4usize;
        match &self.attributes.axes {
            None => Ok((0..rank).collect()),
            Some(ax) => {
                let mut out = Vec::new();
                for &a in ax {
                    let a2 = if a < 0 { a + rank as i64 } else { a };
                    if !(0..rank as i64).contains(&a2) || out.contains(&(a2 as usize)) {
                        return Err(Error::invalid_argument(
                            "axes",
                            format!("{ax:?}"),
                            "axes must be distinct and within the input rank 4",
                        ));
                    }
                    out.push(a2 as usize);
                }
                Ok(out)
            }
        }
    }

    fn resolve(&self, input: &InputDesc) -> Result<Resolved> {
        let layout_dims = input.layout.shape(input.dims);
        let [pn, pc, ph, pw] = positions(input.layout);
        let axes = self.resized_axes()?;
        let per_axis = |v: &[f64], what: &str| -> Result<()> {
            if v.len() != axes.len() {
                return Err(Error::invalid_argument(
                    what,
                    format!("{v:?}"),
                    format!("expected {} values (one per axis)", axes.len()),
                ));
            }
            Ok(())
        };
        // Full-rank scale and output size.
        let mut scale = [1.0f64; 4];
        let mut out = layout_dims;
        let sizes = self.sizes.as_ref().filter(|s| !s.is_empty());
        if let Some(sizes) = sizes {
            per_axis(
                &sizes.iter().map(|&v| v as f64).collect::<Vec<_>>(),
                "sizes",
            )?;
            for (k, &d) in axes.iter().enumerate() {
                out[d] = check_len(&format!("sizes[{k}]"), sizes[k])?;
                scale[d] = out[d] as f64 / layout_dims[d] as f64;
            }
            let policy = self.attributes.keep_aspect_ratio_policy;
            if policy != KeepAspectRatioPolicy::Stretch {
                let chosen = axes.iter().map(|&d| scale[d]);
                let s = if policy == KeepAspectRatioPolicy::NotLarger {
                    chosen.fold(f64::INFINITY, f64::min)
                } else {
                    chosen.fold(f64::NEG_INFINITY, f64::max)
                };
                for &d in &axes {
                    scale[d] = s;
                    out[d] =
                        check_len_f64("output size", (s * layout_dims[d] as f64 + 0.5).floor())?;
                }
            }
        } else if let Some(scales) = &self.scales {
            per_axis(scales, "scales")?;
            for (k, &d) in axes.iter().enumerate() {
                // `scales` is a float32 tensor.
                scale[d] = scales[k] as f32 as f64;
                out[d] = check_len_f64(
                    &format!("output size of axis {d} (floor(in * scale))"),
                    (scale[d] * layout_dims[d] as f64).floor(),
                )?;
            }
        }
        for (d, what) in [(pn, "batch"), (pc, "channel")] {
            // A length-1 axis is unchanged whatever its scale; any other must keep scale 1.
            if out[d] != layout_dims[d] || (layout_dims[d] > 1 && scale[d] != 1.0) {
                return Err(Error::unsupported(format!(
                    "resizing the {what} axis (axis {d}: scale {}, size {} -> {})",
                    scale[d], layout_dims[d], out[d]
                )));
            }
        }
        // roi: starts then ends over the listed axes.
        let mut roi_full = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        if let Some(roi) = self.roi.as_ref().filter(|r| !r.is_empty()) {
            if roi.len() != 2 * axes.len() {
                return Err(Error::InvalidRoi {
                    roi: roi.clone(),
                    reason: format!(
                        "expected {} values (starts then ends of each axis)",
                        2 * axes.len()
                    ),
                });
            }
            for (k, &d) in axes.iter().enumerate() {
                roi_full[d] = roi[k];
                roi_full[4 + d] = roi[axes.len() + k];
            }
        }
        Ok(Resolved {
            out: [out[ph], out[pw]],
            scale: [scale[ph], scale[pw]],
            roi: [
                roi_full[ph],
                roi_full[pw],
                roi_full[4 + ph],
                roi_full[4 + pw],
            ],
        })
    }

    /// The portable spec this node amounts to for an input (opset 11 and later). Its `scale` is
    /// the exact float64 scale ONNX divides by (the float32 `scales` input, or out/in from
    /// `sizes`); a `sizes` scale that is not a float32 value is not expressible in the
    /// conformance format, whose scales are float32.
    pub fn portable_spec(&self, input: &InputDesc) -> Result<ResizeSpec> {
        self.validate()?;
        let r = self.resolve(input)?;
        let a = &self.attributes;
        let ctm = a.coordinate_transformation_mode;
        let crop = ctm == CoordinateTransform::TfCropAndResize;
        Ok(ResizeSpec {
            mode: a.mode,
            coordinate_transformation_mode: ctm,
            nearest_mode: (a.mode == Mode::Nearest).then_some(a.nearest_mode),
            cubic_coeff_a: (a.mode == Mode::Cubic).then_some(a.cubic_coeff_a),
            exclude_outside: a.exclude_outside,
            antialias: a.antialias,
            extrapolation_value: crop.then_some(a.extrapolation_value),
            roi: crop.then_some(r.roi),
            output_size: r.out,
            scale: Some(r.scale),
        })
    }
}

/// ONNX Runtime's rule for opset-10 Resize and Upsample: asymmetric, float32 coordinate
/// `i / scale`; nearest takes `ceil` when shrinking and truncates otherwise.
fn legacy_axis(mode: Mode, in_len: usize, out_len: usize, scale: f64) -> Result<AxisPlan> {
    let s = scale as f32;
    match mode {
        Mode::Nearest => AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
            let x = i as f32 / s;
            let idx = if s < 1.0 { x.ceil() } else { x.trunc() } as i64;
            Taps::one(idx.min(in_len as i64 - 1))
        }),
        _ => {
            let spec = ResizeSpec::new(
                Mode::Linear,
                CoordinateTransform::Asymmetric,
                [out_len, out_len],
            );
            axis_plan(
                &spec,
                AxisGeometry {
                    in_len,
                    out_len,
                    scale,
                    roi: (0.0, 1.0),
                },
            )
        }
    }
}

/// ONNX Runtime's `tf_half_pixel_for_nn` nearest (opset 11): `x = (i + 0.5f) / scale` in float32
/// (`scale` is the float32 `scales` value, or `(float)out / (float)in` from `sizes`), rounded by
/// ORT's float32 nearest modes (round_prefer_floor: `x == (int)x + 0.5f ? floor : round`), clamped.
/// An axis whose scale is exactly 1 is copied, as ORT's nearest kernel does.
fn ort_tf_half_pixel_nearest(
    in_len: usize,
    out_len: usize,
    scale: f32,
    rounding: NearestMode,
) -> Result<AxisPlan> {
    if scale == 1.0 && in_len == out_len {
        return AxisPlan::identity(in_len);
    }
    let last = in_len as i64 - 1;
    AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
        let x = (i as f32 + 0.5) / scale;
        let idx = match rounding {
            NearestMode::RoundPreferFloor => {
                if x == (x as i64) as f32 + 0.5 {
                    x.floor()
                } else {
                    x.round()
                }
            }
            NearestMode::RoundPreferCeil => x.round(),
            NearestMode::Floor => x.floor(),
            NearestMode::Ceil => x.ceil(),
        } as i64;
        Taps::one(idx.clamp(0, last))
    })
}

impl ResizePlanner for Resize {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        if self.opset == 10 {
            self.validate()?;
            let r = self.resolve(input)?;
            let [in_h, in_w] = input.hw();
            return Ok(ResizePlan::new(
                legacy_axis(self.attributes.mode, in_h, r.out[0], r.scale[0])?,
                legacy_axis(self.attributes.mode, in_w, r.out[1], r.scale[1])?,
            ));
        }
        let spec = self.portable_spec(input)?;
        let scale = spec.scale.unwrap_or([1.0, 1.0]);
        if self.attributes.mode == Mode::Nearest
            && self.attributes.coordinate_transformation_mode
                == CoordinateTransform::TfHalfPixelForNearest
        {
            // ONNX's reference cannot run this opset-11 mode; ONNX Runtime's float32 rule it is.
            let [in_h, in_w] = input.hw();
            let rounding = self.attributes.nearest_mode;
            return Ok(ResizePlan::new(
                ort_tf_half_pixel_nearest(in_h, spec.output_size[0], scale[0] as f32, rounding)?,
                ort_tf_half_pixel_nearest(in_w, spec.output_size[1], scale[1] as f32, rounding)?,
            ));
        }
        crate::plan::portable::plan_with_scale(&spec, input.hw(), scale)
    }

    fn describe(&self) -> String {
        let a = &self.attributes;
        let mut s = format!(
            "onnx Resize-{}(mode={}, coordinate_transformation_mode={}",
            self.opset,
            a.mode.name(),
            onnx_ctm_name(a.coordinate_transformation_mode)
        );
        if a.mode == Mode::Nearest {
            s += &format!(", nearest_mode={}", a.nearest_mode.name());
        }
        if a.mode == Mode::Cubic {
            s += &format!(", cubic_coeff_a={}", a.cubic_coeff_a);
        }
        if a.exclude_outside {
            s += ", exclude_outside=1";
        }
        if a.antialias {
            s += ", antialias=1";
        }
        if let Some(ax) = &a.axes {
            s += &format!(", axes={ax:?}");
        }
        match a.keep_aspect_ratio_policy {
            KeepAspectRatioPolicy::Stretch => {}
            KeepAspectRatioPolicy::NotLarger => s += ", keep_aspect_ratio_policy=not_larger",
            KeepAspectRatioPolicy::NotSmaller => s += ", keep_aspect_ratio_policy=not_smaller",
        }
        if let Some(r) = &self.roi {
            s += &format!(", roi={r:?}");
        }
        if let Some(v) = &self.scales {
            s += &format!(", scales={v:?}");
        }
        if let Some(v) = &self.sizes {
            s += &format!(", sizes={v:?}");
        }
        s + ")"
    }
}

fn onnx_ctm_name(c: CoordinateTransform) -> &'static str {
    match c {
        CoordinateTransform::TfHalfPixelForNearest => "tf_half_pixel_for_nn",
        other => other.name(),
    }
}

/// `Upsample` (opsets 7 and 9): `scales` ≥ 1, nearest or linear, asymmetric (ONNX Runtime's rule;
/// the reference implements only nearest with integer scales, which this matches).
#[derive(Debug, Clone, PartialEq)]
pub struct Upsample {
    /// `mode`: nearest or linear.
    pub mode: Mode,
    /// `scales` (attribute in opset 7, input in opset 9).
    pub scales: Vec<f64>,
}

impl Upsample {
    /// Checks and returns the operation.
    pub fn build(self) -> Result<Operation> {
        if !matches!(self.mode, Mode::Nearest | Mode::Linear) {
            return Err(Error::invalid_argument(
                "mode",
                self.mode.name(),
                "Upsample modes are nearest and linear",
            ));
        }
        if self.scales.len() != 4 {
            return Err(Error::invalid_argument(
                "scales",
                format!("{:?}", self.scales),
                "expected 4 values (one per input axis)",
            ));
        }
        for (i, &s) in self.scales.iter().enumerate() {
            check_scale(&format!("scales[{i}]"), s)?;
        }
        Ok(Operation::resize(self))
    }
}

impl ResizePlanner for Upsample {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        let node = Resize {
            opset: 10,
            attributes: ResizeAttributes {
                mode: self.mode,
                ..Default::default()
            },
            roi: None,
            scales: Some(self.scales.clone()),
            sizes: None,
        };
        node.plan(input)
    }

    fn describe(&self) -> String {
        format!(
            "onnx Upsample-9(mode={}, scales={:?})",
            self.mode.name(),
            self.scales
        )
    }
}

/// `DepthToSpace(blocksize, mode=DCR|CRD)`.
pub fn depth_to_space(blocksize: usize, mode: BlockOrder) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(blocksize, mode)?))
}

/// `SpaceToDepth(blocksize)` (DCR; opset 28 adds `mode`).
pub fn space_to_depth(blocksize: usize, mode: BlockOrder) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(blocksize, mode)?))
}

#[cfg(feature = "calls")]
fn parse_mode(args: &Args<'_>, value: &str) -> Result<Mode> {
    parse_choice(
        args,
        "mode",
        value,
        &[
            ("nearest", Mode::Nearest),
            ("linear", Mode::Linear),
            ("bilinear", Mode::Linear),
            ("cubic", Mode::Cubic),
        ],
    )
}

#[cfg(feature = "calls")]
fn opt_list(args: &Args<'_>, key: &str) -> Result<Option<Vec<f64>>> {
    match args.get(key) {
        None => Ok(None),
        Some(v) => flatten_numbers(v)
            .map(Some)
            .ok_or_else(|| args.err(key, v, "expected a list of numbers")),
    }
}

#[cfg(feature = "calls")]
/// Builds a recorded `onnx` call: `args = {opset, attributes, inputs}`.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let top = Args::new(format!("onnx.{function}"), raw)?;
    top.only(&["opset", "attributes", "inputs"])?;
    let opset_raw = top.opset_or_default()?;
    if opset_raw < 1 {
        return Err(top.err("opset", opset_raw, "must be a positive integer"));
    }
    let opset = opset_raw as u32;
    let empty = serde_json::Value::Null;
    let attrs = Args::new(
        format!("onnx.{function} attributes"),
        top.get("attributes").unwrap_or(&empty),
    )?;
    let inputs = Args::new(
        format!("onnx.{function} inputs"),
        top.get("inputs").unwrap_or(&empty),
    )?;
    match function {
        "Resize" => {
            attrs.only(&[
                "mode",
                "coordinate_transformation_mode",
                "nearest_mode",
                "cubic_coeff_a",
                "exclude_outside",
                "extrapolation_value",
                "antialias",
                "axes",
                "keep_aspect_ratio_policy",
            ])?;
            inputs.only(&["roi", "scales", "sizes"])?;
            let mut a = ResizeAttributes::default();
            if let Some(m) = attrs.opt_str("mode")? {
                a.mode = parse_mode(&attrs, m)?;
            }
            if let Some(c) = attrs.opt_str("coordinate_transformation_mode")? {
                a.coordinate_transformation_mode = parse_choice(
                    &attrs,
                    "coordinate_transformation_mode",
                    c,
                    &[
                        ("half_pixel", CoordinateTransform::HalfPixel),
                        (
                            "half_pixel_symmetric",
                            CoordinateTransform::HalfPixelSymmetric,
                        ),
                        ("pytorch_half_pixel", CoordinateTransform::PytorchHalfPixel),
                        ("align_corners", CoordinateTransform::AlignCorners),
                        ("asymmetric", CoordinateTransform::Asymmetric),
                        ("tf_crop_and_resize", CoordinateTransform::TfCropAndResize),
                        (
                            "tf_half_pixel_for_nn",
                            CoordinateTransform::TfHalfPixelForNearest,
                        ),
                    ],
                )?;
            }
            if let Some(n) = attrs.opt_str("nearest_mode")? {
                a.nearest_mode = parse_choice(
                    &attrs,
                    "nearest_mode",
                    n,
                    &[
                        ("round_prefer_floor", NearestMode::RoundPreferFloor),
                        ("round_prefer_ceil", NearestMode::RoundPreferCeil),
                        ("floor", NearestMode::Floor),
                        ("ceil", NearestMode::Ceil),
                    ],
                )?;
            }
            if let Some(v) = attrs.opt_f64("cubic_coeff_a")? {
                a.cubic_coeff_a = v;
            }
            a.exclude_outside = attrs.bool_or("exclude_outside", false)?;
            if let Some(v) = attrs.opt_f64("extrapolation_value")? {
                a.extrapolation_value = v;
            }
            a.antialias = attrs.bool_or("antialias", false)?;
            a.axes = attrs.opt_i64_list("axes")?;
            if let Some(p) = attrs.opt_str("keep_aspect_ratio_policy")? {
                a.keep_aspect_ratio_policy = parse_choice(
                    &attrs,
                    "keep_aspect_ratio_policy",
                    p,
                    &[
                        ("stretch", KeepAspectRatioPolicy::Stretch),
                        ("not_larger", KeepAspectRatioPolicy::NotLarger),
                        ("not_smaller", KeepAspectRatioPolicy::NotSmaller),
                    ],
                )?;
            }
            let sizes = match opt_list(&inputs, "sizes")? {
                None => None,
                Some(v) => {
                    if v.iter().any(|x| x.fract() != 0.0) {
                        return Err(inputs.err(
                            "sizes",
                            format!("{v:?}"),
                            "sizes must be integers",
                        ));
                    }
                    Some(v.into_iter().map(|x| x as i64).collect())
                }
            };
            Resize {
                opset,
                attributes: a,
                roi: opt_list(&inputs, "roi")?,
                scales: opt_list(&inputs, "scales")?,
                sizes,
            }
            .build()
        }
        "Upsample" => {
            attrs.only(&["mode", "scales"])?;
            inputs.only(&["scales"])?;
            let mode = parse_mode(&attrs, attrs.opt_str("mode")?.unwrap_or("nearest"))?;
            let scales = opt_list(&inputs, "scales")?
                .or(opt_list(&attrs, "scales")?)
                .ok_or_else(|| Error::MissingField {
                    field: "scales".into(),
                    context: "onnx Upsample".into(),
                })?;
            Upsample { mode, scales }.build()
        }
        "DepthToSpace" | "SpaceToDepth" => {
            attrs.only(&["blocksize", "mode"])?;
            let b = attrs.i64("blocksize")?;
            if b < 1 {
                return Err(attrs.err("blocksize", b, "must be a positive integer"));
            }
            let order = match attrs.opt_str("mode")? {
                None => BlockOrder::Dcr,
                Some(m) => parse_choice(
                    &attrs,
                    "mode",
                    m,
                    &[("DCR", BlockOrder::Dcr), ("CRD", BlockOrder::Crd)],
                )?,
            };
            if function == "DepthToSpace" {
                if order == BlockOrder::Crd && opset < 11 {
                    return Err(attrs.err("mode", "CRD", "needs DepthToSpace opset 11 or later"));
                }
                depth_to_space(b as usize, order)
            } else {
                space_to_depth(b as usize, order)
            }
        }
        other => Err(Error::unsupported(format!("onnx op '{other}'"))),
    }
}

#[cfg(feature = "calls")]
impl Args<'_> {
    /// The `opset` argument (default: the latest opset halfpixel knows, 19).
    fn opset_or_default(&self) -> Result<i64> {
        Ok(self.opt_i64("opset")?.unwrap_or(19))
    }
}
