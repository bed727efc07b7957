//! Core ML: NeuralNetwork `Upsample`, `ResizeBilinear`, `CropResize` (one box), `ReorganizeData`,
//! and the MIL ops
//! `upsample_bilinear`, `resize_bilinear`, `upsample_nearest_neighbor`, `resize_nearest_neighbor`,
//! `resize` (iOS17), `crop_resize` (one box), `pixel_shuffle`, `pixel_unshuffle`,
//! `depth_to_space`, `space_to_depth`.
//!
//! Grids follow Apple's documentation (`NeuralNetwork.proto`, coremltools op docstrings) and its
//! test vectors: every layer maps with the integer sizes (scale = out/in), never with
//! 1/scale_factor, and bilinear sampling clamps the grid to the input. Core ML's runtime
//! precision is not documented (fp16 on GPU/ANE); these tables are float64 and the results match
//! Apple's CPU vectors within fp32 rounding. Nearest-neighbour index rules for fractional scales
//! are not documented either: `floor(i·in/out)` (and rounding on the iOS17 `resize` grids) is
//! inferred from Apple's tests.

use crate::error::{check_len, check_len_f64, check_scale, Error, Result};
use crate::op::{InputDesc, Operation, ResizePlanner};
use crate::plan::portable::{axis_plan, onnx_nearest_index, AxisGeometry};
use crate::plan::{AxisPlan, Edge, ResizePlan, Taps};
use crate::spec::{BlockOrder, BlockSpec, CoordinateTransform, Mode, NearestMode, ResizeSpec};

use super::args::{flatten_numbers, parse_choice, Args};

/// The sampling grids of Core ML (MIL `sampling_mode` names; NeuralNetwork names in the docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SamplingMode {
    /// `STRICT_ALIGN_CORNERS` / `STRICT_ALIGN_ENDPOINTS_MODE`: `i·(in−1)/(out−1)`, out = 1 → 0.
    StrictAlignCorners,
    /// `ALIGN_CORNERS` / `ALIGN_ENDPOINTS_MODE`: as strict, but out = 1 samples the centre.
    AlignCorners,
    /// `DEFAULT` / `UPSAMPLE_MODE`: `i·(in − in/out)/(out − 1)` = `i·in/out` (TF1 align_corners=False).
    Default,
    /// `OFFSET_CORNERS` / `ROI_ALIGN_MODE`: `0.5·d + i·d`, `d = max(1, in−1)/out`.
    OffsetCorners,
    /// `UNALIGN_CORNERS` (ML Program only): half-pixel, `(i + 0.5)·in/out − 0.5`.
    UnalignCorners,
}

impl SamplingMode {
    /// The portable coordinate mapping of this grid.
    pub fn mapping(self) -> CoordinateTransform {
        match self {
            SamplingMode::StrictAlignCorners => CoordinateTransform::AlignCorners,
            SamplingMode::AlignCorners => CoordinateTransform::AlignCornersCentered,
            SamplingMode::Default => CoordinateTransform::Asymmetric,
            SamplingMode::OffsetCorners => CoordinateTransform::RoiAlign,
            SamplingMode::UnalignCorners => CoordinateTransform::HalfPixel,
        }
    }

    /// MIL spelling.
    pub fn name(self) -> &'static str {
        match self {
            SamplingMode::StrictAlignCorners => "STRICT_ALIGN_CORNERS",
            SamplingMode::AlignCorners => "ALIGN_CORNERS",
            SamplingMode::Default => "DEFAULT",
            SamplingMode::OffsetCorners => "OFFSET_CORNERS",
            SamplingMode::UnalignCorners => "UNALIGN_CORNERS",
        }
    }

    const CHOICES: [(&'static str, SamplingMode); 9] = [
        ("STRICT_ALIGN_CORNERS", SamplingMode::StrictAlignCorners),
        ("ALIGN_CORNERS", SamplingMode::AlignCorners),
        ("DEFAULT", SamplingMode::Default),
        ("OFFSET_CORNERS", SamplingMode::OffsetCorners),
        ("UNALIGN_CORNERS", SamplingMode::UnalignCorners),
        (
            "STRICT_ALIGN_ENDPOINTS_MODE",
            SamplingMode::StrictAlignCorners,
        ),
        ("ALIGN_ENDPOINTS_MODE", SamplingMode::AlignCorners),
        ("UPSAMPLE_MODE", SamplingMode::Default),
        ("ROI_ALIGN_MODE", SamplingMode::OffsetCorners),
    ];
}

/// A Core ML layer or MIL op that resizes to sizes computed from the input, on a fixed grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridResize {
    /// The layer, as written in a model (for messages).
    pub call: String,
    /// Bilinear or nearest.
    pub mode: Mode,
    /// The grid.
    pub mapping: CoordinateTransform,
    /// How nearest rounds on the grid (`Floor` is `floor(i·in/out)` on the DEFAULT grid).
    pub nearest: NearestMode,
    /// How the output size is obtained.
    pub size: SizeRule,
}

/// How a Core ML layer derives its output size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SizeRule {
    /// A fixed target `[h, w]`; `None` keeps that axis (iOS17 `resize` with 0 in `shape`).
    Target([Option<usize>; 2]),
    /// `floor(in · factor)` per axis.
    Factor([f64; 2]),
}

impl SizeRule {
    fn output(&self, [in_h, in_w]: [usize; 2]) -> Result<[usize; 2]> {
        match *self {
            SizeRule::Target([h, w]) => Ok([h.unwrap_or(in_h), w.unwrap_or(in_w)]),
            SizeRule::Factor([fh, fw]) => Ok([
                check_len_f64(
                    "output height (floor(H * scale_factor_height))",
                    (in_h as f64 * fh).floor(),
                )?,
                check_len_f64(
                    "output width (floor(W * scale_factor_width))",
                    (in_w as f64 * fw).floor(),
                )?,
            ]),
        }
    }
}

impl GridResize {
    fn build(self) -> Result<Operation> {
        match self.size {
            SizeRule::Target([h, w]) => {
                for (what, v) in [("target height", h), ("target width", w)] {
                    if let Some(v) = v {
                        check_len(what, v)?;
                    }
                }
            }
            SizeRule::Factor([fh, fw]) => {
                check_scale("scale_factor_height", fh)?;
                check_scale("scale_factor_width", fw)?;
            }
        }
        Ok(Operation::resize(self))
    }
}

impl ResizePlanner for GridResize {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        let [in_h, in_w] = input.hw();
        let [out_h, out_w] = self.size.output([in_h, in_w])?;
        let axis = |in_len: usize, out_len: usize| -> Result<AxisPlan> {
            let g = AxisGeometry::from_sizes(in_len, out_len);
            match self.mode {
                Mode::Nearest => AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
                    let x = crate::plan::portable::source_coordinate(self.mapping, &g, i)
                        .unwrap_or(0.0);
                    Taps::one(onnx_nearest_index(x, self.nearest))
                }),
                _ => axis_plan(
                    &ResizeSpec::new(Mode::Linear, self.mapping, [out_len, out_len]),
                    g,
                ),
            }
        };
        Ok(ResizePlan::new(axis(in_h, out_h)?, axis(in_w, out_w)?))
    }

    fn describe(&self) -> String {
        self.call.clone()
    }
}

/// MIL `upsample_bilinear(x, scale_factor_height, scale_factor_width, align_corners,
/// half_pixel_centers)`: output `floor(in·s)`; align_corners → corner-aligned grid, else
/// half-pixel (default, iOS15) or asymmetric (iOS16 `half_pixel_centers=False`).
pub fn upsample_bilinear(
    scale_factor: [f64; 2],
    align_corners: bool,
    half_pixel_centers: Option<bool>,
) -> Result<Operation> {
    let hpc = half_pixel_centers.unwrap_or(!align_corners);
    if align_corners && hpc {
        return Err(Error::invalid_argument(
            "half_pixel_centers",
            true,
            "align_corners and half_pixel_centers cannot both be True",
        ));
    }
    let mapping = if align_corners {
        CoordinateTransform::AlignCorners
    } else if hpc {
        CoordinateTransform::HalfPixel
    } else {
        CoordinateTransform::Asymmetric
    };
    GridResize {
        call: format!(
            "coreml upsample_bilinear(scale_factor_height={}, scale_factor_width={}, align_corners={align_corners}, half_pixel_centers={hpc})",
            scale_factor[0], scale_factor[1]
        ),
        mode: Mode::Linear,
        mapping,
        nearest: NearestMode::Floor,
        size: SizeRule::Factor(scale_factor),
    }
    .build()
}

/// MIL `resize_bilinear(x, target_size_height, target_size_width, sampling_mode)` and
/// NeuralNetwork `ResizeBilinear(targetSize, mode)`.
pub fn resize_bilinear(target_size: [usize; 2], sampling_mode: SamplingMode) -> Result<Operation> {
    GridResize {
        call: format!(
            "coreml resize_bilinear(target_size_height={}, target_size_width={}, sampling_mode={})",
            target_size[0],
            target_size[1],
            sampling_mode.name()
        ),
        mode: Mode::Linear,
        mapping: sampling_mode.mapping(),
        nearest: NearestMode::Floor,
        size: SizeRule::Target([Some(target_size[0]), Some(target_size[1])]),
    }
    .build()
}

/// MIL `upsample_nearest_neighbor(x, scale_factor_height, scale_factor_width)` (integer or
/// fractional factors): output `floor(in·s)`, source `floor(i·in/out)`.
pub fn upsample_nearest_neighbor(scale_factor: [f64; 2]) -> Result<Operation> {
    GridResize {
        call: format!(
            "coreml upsample_nearest_neighbor(scale_factor_height={}, scale_factor_width={})",
            scale_factor[0], scale_factor[1]
        ),
        mode: Mode::Nearest,
        mapping: CoordinateTransform::Asymmetric,
        nearest: NearestMode::Floor,
        size: SizeRule::Factor(scale_factor),
    }
    .build()
}

/// MIL `resize_nearest_neighbor(x, target_size_height, target_size_width)`: source `floor(i·in/out)`.
pub fn resize_nearest_neighbor(target_size: [usize; 2]) -> Result<Operation> {
    GridResize {
        call: format!(
            "coreml resize_nearest_neighbor(target_size_height={}, target_size_width={})",
            target_size[0], target_size[1]
        ),
        mode: Mode::Nearest,
        mapping: CoordinateTransform::Asymmetric,
        nearest: NearestMode::Floor,
        size: SizeRule::Target([Some(target_size[0]), Some(target_size[1])]),
    }
    .build()
}

/// The `linearUpsampleMode` of the NeuralNetwork `Upsample` layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinearUpsampleMode {
    /// `DEFAULT`: `spacing = (Xin − Xin/Xout)/(Xout − 1)` — TF1's asymmetric grid.
    Default,
    /// `ALIGN_CORNERS_TRUE`: `spacing = (Xin − 1)/(Xout − 1)`.
    AlignCornersTrue,
    /// `ALIGN_CORNERS_FALSE`: `i·Xin/Xout + 0.5·Xin/Xout − 0.5`, clamped — half-pixel.
    AlignCornersFalse,
}

/// NeuralNetwork `Upsample` layer: `scalingFactor` (integers) or `fractionalScalingFactor`, mode
/// `NN` or `BILINEAR` with a `linearUpsampleMode`. Output `floor(in·factor)`.
pub fn nn_upsample(
    scaling_factor: [f64; 2],
    bilinear: Option<LinearUpsampleMode>,
) -> Result<Operation> {
    let (mode, mapping) = match bilinear {
        None => (Mode::Nearest, CoordinateTransform::Asymmetric),
        Some(LinearUpsampleMode::Default) => (Mode::Linear, CoordinateTransform::Asymmetric),
        Some(LinearUpsampleMode::AlignCornersTrue) => {
            (Mode::Linear, CoordinateTransform::AlignCorners)
        }
        Some(LinearUpsampleMode::AlignCornersFalse) => {
            (Mode::Linear, CoordinateTransform::HalfPixel)
        }
    };
    GridResize {
        call: format!(
            "coreml NeuralNetwork.Upsample(scalingFactor=[{}, {}], mode={}{})",
            scaling_factor[0],
            scaling_factor[1],
            if bilinear.is_some() { "BILINEAR" } else { "NN" },
            bilinear
                .map(|m| format!(", linearUpsampleMode={m:?}"))
                .unwrap_or_default()
        ),
        mode,
        mapping,
        nearest: NearestMode::Floor,
        size: SizeRule::Factor(scaling_factor),
    }
    .build()
}

/// iOS17 MIL `resize(x, shape, resized_dims, interpolation_mode, sampling_mode)`: the last
/// `resized_dims` (1 or 2) axes take the trailing entries of `shape` (0 keeps the input size).
/// NEAREST_NEIGHBOR rounds the grid point to the nearest pixel (Apple's vector: 2 → 3 on the
/// DEFAULT grid picks rows 0, 1, 1); ties round down (inferred).
pub fn resize(
    target: [Option<usize>; 2],
    nearest: bool,
    sampling_mode: SamplingMode,
) -> Result<Operation> {
    GridResize {
        call: format!(
            "coreml resize(shape=[.., {}, {}], interpolation_mode={}, sampling_mode={})",
            target[0].map(|v| v.to_string()).unwrap_or("0".into()),
            target[1].map(|v| v.to_string()).unwrap_or("0".into()),
            if nearest {
                "NEAREST_NEIGHBOR"
            } else {
                "LINEAR"
            },
            sampling_mode.name()
        ),
        mode: if nearest { Mode::Nearest } else { Mode::Linear },
        mapping: sampling_mode.mapping(),
        nearest: NearestMode::RoundPreferFloor,
        size: SizeRule::Target(target),
    }
    .build()
}

/// How `crop_resize` boxes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoxCoordinateMode {
    /// `[h_start, w_start, h_end, w_end]`.
    CornersHeightFirst,
    /// `[w_start, h_start, w_end, h_end]`.
    CornersWidthFirst,
    /// `[h_center, w_center, box_height, box_width]`.
    CenterSizeHeightFirst,
    /// `[w_center, h_center, box_width, box_height]`.
    CenterSizeWidthFirst,
}

/// MIL `crop_resize` with one box (iOS15 `roi`, iOS16 `pad_value`, iOS17 `boxes` + `box_indices`),
/// and NeuralNetwork `CropResize` (`CropResizeLayerParams`: `targetSize`,
/// `normalizedCoordinates`, `mode`, `boxIndicesMode`, `spatialScale`, with the RoI of its second
/// input as `roi`), which coremltools' NeuralNetwork backend writes for the iOS15 op field by field
/// (`STRICT_ALIGN_ENDPOINTS_MODE` for `STRICT_ALIGN_CORNERS`, …; no `pad_value`, so 0).
///
/// With `ALIGN_CORNERS` / `STRICT_ALIGN_CORNERS` the box is sampled on `linspace(start, end, n)`
/// (a single sample takes the box centre, or its start when strict), normalized coordinates
/// scale by `H − 1` and `W − 1`, an inverted box flips the output, and samples outside the image
/// take `pad_value` — TF `crop_and_resize`, Apple's documented and tested behaviour. For the other
/// sampling modes Apple documents no box semantics; its one test vector (UNALIGN_CORNERS) equals
/// that mode's `resize_bilinear` grid over the whole image, which is what halfpixel computes
/// there (inferred).
#[derive(Debug, Clone, PartialEq)]
pub struct CropResize {
    /// `[target_height, target_width]`.
    pub target_size: [usize; 2],
    /// The box, four numbers in `box_coordinate_mode` order.
    pub bbox: [f64; 4],
    /// Which batch item the box reads (None: every batch item, iOS15 with 4-value roi).
    pub batch_index: Option<usize>,
    /// `normalized_coordinates`.
    pub normalized: bool,
    /// `spatial_scale`: multiplies the box coordinates.
    pub spatial_scale: f64,
    /// `box_coordinate_mode`.
    pub box_coordinate_mode: BoxCoordinateMode,
    /// `sampling_mode`.
    pub sampling_mode: SamplingMode,
    /// `pad_value` for samples outside the image.
    pub pad_value: f64,
}

impl CropResize {
    /// Checks and returns the operation.
    pub fn build(self) -> Result<Operation> {
        check_len("target_height", self.target_size[0])?;
        check_len("target_width", self.target_size[1])?;
        if self.bbox.iter().any(|v| !v.is_finite()) || !self.spatial_scale.is_finite() {
            return Err(Error::InvalidRoi {
                roi: self.bbox.to_vec(),
                reason: "box coordinates and spatial_scale must be finite".into(),
            });
        }
        Ok(Operation::resize(self))
    }

    /// `(h_start, h_end, w_start, w_end)` in pixel units.
    fn corners(&self, [in_h, in_w]: [usize; 2]) -> (f64, f64, f64, f64) {
        let b = self.bbox.map(|v| v * self.spatial_scale);
        let (h0, w0, h1, w1) = match self.box_coordinate_mode {
            BoxCoordinateMode::CornersHeightFirst => (b[0], b[1], b[2], b[3]),
            BoxCoordinateMode::CornersWidthFirst => (b[1], b[0], b[3], b[2]),
            BoxCoordinateMode::CenterSizeHeightFirst => (
                b[0] - b[2] / 2.0,
                b[1] - b[3] / 2.0,
                b[0] + b[2] / 2.0,
                b[1] + b[3] / 2.0,
            ),
            BoxCoordinateMode::CenterSizeWidthFirst => (
                b[1] - b[3] / 2.0,
                b[0] - b[2] / 2.0,
                b[1] + b[3] / 2.0,
                b[0] + b[2] / 2.0,
            ),
        };
        if self.normalized {
            let (sh, sw) = (in_h as f64 - 1.0, in_w as f64 - 1.0);
            (h0 * sh, h1 * sh, w0 * sw, w1 * sw)
        } else {
            (h0, h1, w0, w1)
        }
    }
}

fn crop_axis(
    in_len: usize,
    out_len: usize,
    start: f64,
    end: f64,
    centre_single: bool,
) -> Result<AxisPlan> {
    let last = in_len as f64 - 1.0;
    AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
        let x = if out_len == 1 {
            if centre_single {
                (start + end) / 2.0
            } else {
                start
            }
        } else {
            start + i as f64 * (end - start) / (out_len as f64 - 1.0)
        };
        if !(0.0..=last).contains(&x) {
            return Taps::extrapolated();
        }
        let x0 = x.floor();
        let t = x - x0;
        Taps::from_pairs(vec![(x0 as i64, 1.0 - t), (x0 as i64 + 1, t)])
    })
}

impl ResizePlanner for CropResize {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        let [in_h, in_w] = input.hw();
        let [out_h, out_w] = self.target_size;
        let mut plan = match self.sampling_mode {
            SamplingMode::AlignCorners | SamplingMode::StrictAlignCorners => {
                let centre = self.sampling_mode == SamplingMode::AlignCorners;
                let (h0, h1, w0, w1) = self.corners([in_h, in_w]);
                let mut p = ResizePlan::new(
                    crop_axis(in_h, out_h, h0, h1, centre)?,
                    crop_axis(in_w, out_w, w0, w1, centre)?,
                );
                p.extrapolation_value = self.pad_value as f32;
                p
            }
            other => {
                let spec = ResizeSpec::new(Mode::Linear, other.mapping(), [out_h, out_w]);
                spec.plan([in_h, in_w])?
            }
        };
        plan.batch_index = self.batch_index;
        Ok(plan)
    }

    fn describe(&self) -> String {
        format!(
            "coreml crop_resize(target_height={}, target_width={}, box={:?}, box_index={:?}, normalized_coordinates={}, box_coordinate_mode={:?}, sampling_mode={}, pad_value={})",
            self.target_size[0],
            self.target_size[1],
            self.bbox,
            self.batch_index,
            self.normalized,
            self.box_coordinate_mode,
            self.sampling_mode.name(),
            self.pad_value
        )
    }
}

/// MIL `pixel_shuffle(x, upscale_factor)` / NeuralNetwork `ReorganizeData(PIXEL_SHUFFLE)`: CRD.
pub fn pixel_shuffle(upscale_factor: usize) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(
        upscale_factor,
        BlockOrder::Crd,
    )?))
}

/// MIL `pixel_unshuffle(x, downscale_factor)` (iOS16): CRD.
pub fn pixel_unshuffle(downscale_factor: usize) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(
        downscale_factor,
        BlockOrder::Crd,
    )?))
}

/// MIL `depth_to_space(x, block_size)` / NeuralNetwork `ReorganizeData(DEPTH_TO_SPACE)`: DCR.
pub fn depth_to_space(block_size: usize) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

/// MIL `space_to_depth(x, block_size)` / NeuralNetwork `ReorganizeData(SPACE_TO_DEPTH)`: DCR.
pub fn space_to_depth(block_size: usize) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

fn factor(args: &Args<'_>, key: &str) -> Result<f64> {
    let v = args.opt_f64(key)?.unwrap_or(1.0);
    check_scale(key, v)
}

fn target(args: &Args<'_>, key: &str) -> Result<usize> {
    check_len(key, args.opt_i64(key)?.unwrap_or(1))
}

fn block(args: &Args<'_>, key: &str) -> Result<usize> {
    let b = args.i64(key)?;
    if b < 1 {
        return Err(args.err(key, b, "must be a positive integer"));
    }
    Ok(b as usize)
}

fn sampling(args: &Args<'_>, key: &str, default: &str) -> Result<SamplingMode> {
    let v = args.opt_str(key)?.unwrap_or(default);
    parse_choice(args, key, v, &SamplingMode::CHOICES)
}

/// A `box_coordinate_mode` / `boxIndicesMode` (same value names in MIL and NeuralNetwork).
fn box_mode(args: &Args<'_>, key: &str) -> Result<BoxCoordinateMode> {
    parse_choice(
        args,
        key,
        args.opt_str(key)?.unwrap_or("CORNERS_HEIGHT_FIRST"),
        &[
            (
                "CORNERS_HEIGHT_FIRST",
                BoxCoordinateMode::CornersHeightFirst,
            ),
            ("CORNERS_WIDTH_FIRST", BoxCoordinateMode::CornersWidthFirst),
            (
                "CENTER_SIZE_HEIGHT_FIRST",
                BoxCoordinateMode::CenterSizeHeightFirst,
            ),
            (
                "CENTER_SIZE_WIDTH_FIRST",
                BoxCoordinateMode::CenterSizeWidthFirst,
            ),
        ],
    )
}

/// Builds a recorded `coreml` call.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("coreml.{function}"), raw)?;
    match function {
        "upsample_bilinear" => {
            args.only(&[
                "scale_factor_height",
                "scale_factor_width",
                "align_corners",
                "half_pixel_centers",
            ])?;
            upsample_bilinear(
                [
                    factor(&args, "scale_factor_height")?,
                    factor(&args, "scale_factor_width")?,
                ],
                args.bool_or("align_corners", false)?,
                args.opt_bool("half_pixel_centers")?,
            )
        }
        "resize_bilinear" => {
            args.only(&["target_size_height", "target_size_width", "sampling_mode"])?;
            resize_bilinear(
                [
                    target(&args, "target_size_height")?,
                    target(&args, "target_size_width")?,
                ],
                sampling(&args, "sampling_mode", "DEFAULT")?,
            )
        }
        "upsample_nearest_neighbor" => {
            args.only(&["scale_factor_height", "scale_factor_width"])?;
            upsample_nearest_neighbor([
                factor(&args, "scale_factor_height")?,
                factor(&args, "scale_factor_width")?,
            ])
        }
        "resize_nearest_neighbor" => {
            args.only(&["target_size_height", "target_size_width"])?;
            resize_nearest_neighbor([
                target(&args, "target_size_height")?,
                target(&args, "target_size_width")?,
            ])
        }
        "resize" => {
            args.only(&[
                "shape",
                "resized_dims",
                "interpolation_mode",
                "sampling_mode",
            ])?;
            let shape = args
                .opt_i64_list("shape")?
                .ok_or_else(|| Error::MissingField {
                    field: "shape".into(),
                    context: args.call().into(),
                })?;
            let dims = args.opt_i64("resized_dims")?.unwrap_or(shape.len() as i64);
            if !(1..=2).contains(&dims) || dims as usize > shape.len() {
                return Err(args.err(
                    "resized_dims",
                    dims,
                    "halfpixel resizes the last one or two axes",
                ));
            }
            let pick = |k: usize| -> Result<Option<usize>> {
                match shape[shape.len() - k] {
                    0 => Ok(None),
                    v => Ok(Some(check_len("shape entry", v)?)),
                }
            };
            let target = if dims == 2 {
                [pick(2)?, pick(1)?]
            } else {
                [None, pick(1)?]
            };
            let nearest = parse_choice(
                &args,
                "interpolation_mode",
                args.opt_str("interpolation_mode")?.unwrap_or("LINEAR"),
                &[("LINEAR", false), ("NEAREST_NEIGHBOR", true)],
            )?;
            resize(
                target,
                nearest,
                sampling(&args, "sampling_mode", "DEFAULT")?,
            )
        }
        "crop_resize" => {
            args.only(&[
                "roi",
                "boxes",
                "box_indices",
                "target_height",
                "target_width",
                "normalized_coordinates",
                "spatial_scale",
                "box_coordinate_mode",
                "sampling_mode",
                "pad_value",
            ])?;
            let (bbox, batch_index) = crop_box(&args)?;
            let box_coordinate_mode = box_mode(&args, "box_coordinate_mode")?;
            CropResize {
                target_size: [
                    target(&args, "target_height")?,
                    target(&args, "target_width")?,
                ],
                bbox,
                batch_index,
                normalized: args.bool_or("normalized_coordinates", false)?,
                spatial_scale: args.opt_f64("spatial_scale")?.unwrap_or(1.0),
                box_coordinate_mode,
                sampling_mode: sampling(&args, "sampling_mode", "DEFAULT")?,
                pad_value: args.opt_f64("pad_value")?.unwrap_or(0.0),
            }
            .build()
        }
        "pixel_shuffle" => {
            args.only(&["upscale_factor"])?;
            pixel_shuffle(block(&args, "upscale_factor")?)
        }
        "pixel_unshuffle" => {
            args.only(&["downscale_factor"])?;
            pixel_unshuffle(block(&args, "downscale_factor")?)
        }
        "depth_to_space" => {
            args.only(&["block_size"])?;
            depth_to_space(block(&args, "block_size")?)
        }
        "space_to_depth" => {
            args.only(&["block_size"])?;
            space_to_depth(block(&args, "block_size")?)
        }
        "NeuralNetwork.ReorganizeData" => {
            // Proto field names, or the coremltools builder's keywords.
            args.only(&["mode", "blockSize", "block_size"])?;
            let b = block(&args, args.first_key(&["blockSize", "block_size"]))?;
            match args.opt_str("mode")?.unwrap_or("SPACE_TO_DEPTH") {
                "DEPTH_TO_SPACE" => depth_to_space(b),
                "SPACE_TO_DEPTH" => space_to_depth(b),
                "PIXEL_SHUFFLE" => pixel_shuffle(b),
                other => Err(args.err(
                    "mode",
                    other,
                    "expected DEPTH_TO_SPACE, SPACE_TO_DEPTH or PIXEL_SHUFFLE",
                )),
            }
        }
        "NeuralNetwork.Upsample" => {
            args.only(&[
                "scalingFactor",
                "fractionalScalingFactor",
                "scaling_factor_h",
                "scaling_factor_w",
                "mode",
                "linearUpsampleMode",
                "linear_upsample_mode",
            ])?;
            let builder = match (
                args.opt_f64("scaling_factor_h")?,
                args.opt_f64("scaling_factor_w")?,
            ) {
                (None, None) => None,
                (h, w) => Some([h.unwrap_or(1.0), w.unwrap_or(1.0)]),
            };
            let f =
                match (
                    args.opt_pair_f64("scalingFactor")?,
                    args.opt_pair_f64("fractionalScalingFactor")?,
                    builder,
                ) {
                    (Some(f), None, None) | (None, Some(f), None) | (None, None, Some(f)) => f,
                    (None, None, None) => [1.0, 1.0],
                    _ => return Err(args.err(
                        "scalingFactor",
                        "several",
                        "give one of scalingFactor, fractionalScalingFactor or scaling_factor_h/w",
                    )),
                };
            let bilinear = match args.opt_str("mode")?.unwrap_or("NN") {
                "NN" => None,
                "BILINEAR" => Some(parse_choice(
                    &args,
                    "linearUpsampleMode",
                    args.opt_str(args.first_key(&["linearUpsampleMode", "linear_upsample_mode"]))?
                        .unwrap_or("DEFAULT"),
                    &[
                        ("DEFAULT", LinearUpsampleMode::Default),
                        ("ALIGN_CORNERS_TRUE", LinearUpsampleMode::AlignCornersTrue),
                        ("ALIGN_CORNERS_FALSE", LinearUpsampleMode::AlignCornersFalse),
                    ],
                )?),
                other => return Err(args.err("mode", other, "expected NN or BILINEAR")),
            };
            nn_upsample(
                [
                    check_scale("scalingFactor", f[0])?,
                    check_scale("scalingFactor", f[1])?,
                ],
                bilinear,
            )
        }
        "NeuralNetwork.CropResize" => {
            args.only(&[
                "targetSize",
                "normalizedCoordinates",
                "mode",
                "boxIndicesMode",
                "spatialScale",
                "roi",
            ])?;
            let [h, w] = args.opt_pair_i64("targetSize")?.unwrap_or([1, 1]);
            let (bbox, batch_index) = crop_box(&args)?;
            CropResize {
                target_size: [
                    check_len("targetSize height", h)?,
                    check_len("targetSize width", w)?,
                ],
                bbox,
                batch_index,
                normalized: args.bool_or("normalizedCoordinates", false)?,
                spatial_scale: args.opt_f64("spatialScale")?.unwrap_or(1.0),
                box_coordinate_mode: box_mode(&args, "boxIndicesMode")?,
                sampling_mode: sampling(&args, "mode", "STRICT_ALIGN_ENDPOINTS_MODE")?,
                pad_value: 0.0,
            }
            .build()
        }
        "NeuralNetwork.ResizeBilinear" => {
            args.only(&[
                "targetSize",
                "target_height",
                "target_width",
                "mode",
                "samplingMethod",
            ])?;
            let [h, w] = match args.opt_pair_i64("targetSize")? {
                Some(t) => t,
                None => [
                    args.opt_i64("target_height")?.unwrap_or(1),
                    args.opt_i64("target_width")?.unwrap_or(1),
                ],
            };
            resize_bilinear(
                [
                    check_len("targetSize height", h)?,
                    check_len("targetSize width", w)?,
                ],
                sampling(
                    &args,
                    args.first_key(&["mode", "samplingMethod"]),
                    "STRICT_ALIGN_ENDPOINTS_MODE",
                )?,
            )
        }
        other => Err(Error::unsupported(format!("coreml op '{other}'"))),
    }
}

/// The single box of a `crop_resize` call and its batch index.
fn crop_box(args: &Args<'_>) -> Result<([f64; 4], Option<usize>)> {
    let to_index = |v: f64| -> Result<usize> {
        if v < 0.0 || v.fract() != 0.0 {
            return Err(args.err("box index", v, "must be a non-negative integer"));
        }
        Ok(v as usize)
    };
    if let Some(roi) = args.get("roi") {
        let v =
            flatten_numbers(roi).ok_or_else(|| args.err("roi", roi, "expected nested numbers"))?;
        return match v.len() {
            4 => Ok(([v[0], v[1], v[2], v[3]], None)),
            5 => Ok(([v[1], v[2], v[3], v[4]], Some(to_index(v[0])?))),
            n => Err(Error::unsupported(format!(
                "crop_resize with {} roi values: halfpixel takes one box (4 or 5 values) per call",
                n
            ))),
        };
    }
    let boxes = args.get("boxes").ok_or_else(|| Error::MissingField {
        field: "roi or boxes".into(),
        context: args.call().into(),
    })?;
    let v = flatten_numbers(boxes)
        .ok_or_else(|| args.err("boxes", boxes, "expected nested numbers"))?;
    if v.len() != 4 {
        return Err(Error::unsupported(format!(
            "crop_resize with {} box values: halfpixel takes one box per call",
            v.len()
        )));
    }
    let index = match args.opt_f64_list("box_indices")? {
        None => Some(0),
        Some(ix) if ix.len() == 1 => Some(to_index(ix[0])?),
        Some(ix) => {
            return Err(args.err(
                "box_indices",
                format!("{ix:?}"),
                "expected one index for one box",
            ))
        }
    };
    Ok(([v[0], v[1], v[2], v[3]], index))
}
