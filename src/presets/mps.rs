//! Metal Performance Shaders: `MPSCNNUpsamplingNearest`, `MPSCNNUpsamplingBilinear` and
//! `MPSNNResizeBilinear`, as resize operations.
//!
//! Apple documents `alignCorners = YES` ("the centers of the 4 corner pixels of the input and
//! output regions are aligned") and integer factors for the upsampling kernels. It does not
//! document the grid for `alignCorners = NO`: halfpixel maps it to the asymmetric grid
//! (`x = i·in/out`) of the Core ML `Upsample` layer these kernels back — this is inferred, not
//! measured on Apple hardware. With integer factors, nearest is `floor(i / factor)` under either
//! candidate grid.

use crate::error::{check_len, Error, Result};
use crate::op::{InputDesc, Operation, ResizePlanner};
use crate::plan::portable::{axis_plan, AxisGeometry};
use crate::plan::{AxisPlan, Edge, ResizePlan, Taps};
use crate::spec::{CoordinateTransform, Mode, ResizeSpec};

#[cfg(feature = "calls")]
use super::args::Args;

/// The filter of an MPS resize kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MpsFilter {
    /// `MPSCNNUpsamplingNearest`.
    Nearest,
    /// `MPSCNNUpsamplingBilinear` / `MPSNNResizeBilinear`.
    Bilinear,
}

/// The output size rule of an MPS kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MpsSize {
    /// `scaleFactorX`, `scaleFactorY` (integers ≥ 1): output = input · factor.
    Factors {
        /// `scaleFactorX`.
        x: usize,
        /// `scaleFactorY`.
        y: usize,
    },
    /// `resizeWidth`, `resizeHeight`.
    Target {
        /// `resizeWidth`.
        width: usize,
        /// `resizeHeight`.
        height: usize,
    },
}

/// An MPS resize kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MpsResize {
    /// Nearest or bilinear.
    pub filter: MpsFilter,
    /// Factors or target size.
    pub size: MpsSize,
    /// `alignCorners`.
    pub align_corners: bool,
}

impl MpsResize {
    /// `[MPSCNNUpsamplingNearest initWithDevice:integerScaleFactorX:integerScaleFactorY:]`.
    pub fn upsampling_nearest(scale_x: usize, scale_y: usize) -> Result<Operation> {
        MpsResize {
            filter: MpsFilter::Nearest,
            size: MpsSize::Factors {
                x: scale_x,
                y: scale_y,
            },
            align_corners: false,
        }
        .build()
    }

    /// `[MPSCNNUpsamplingBilinear initWithDevice:integerScaleFactorX:integerScaleFactorY:alignCorners:]`.
    pub fn upsampling_bilinear(
        scale_x: usize,
        scale_y: usize,
        align_corners: bool,
    ) -> Result<Operation> {
        MpsResize {
            filter: MpsFilter::Bilinear,
            size: MpsSize::Factors {
                x: scale_x,
                y: scale_y,
            },
            align_corners,
        }
        .build()
    }

    /// `[MPSNNResizeBilinear initWithDevice:resizeWidth:resizeHeight:alignCorners:]`.
    pub fn resize_bilinear(width: usize, height: usize, align_corners: bool) -> Result<Operation> {
        MpsResize {
            filter: MpsFilter::Bilinear,
            size: MpsSize::Target { width, height },
            align_corners,
        }
        .build()
    }

    /// Checks and returns the operation.
    pub fn build(self) -> Result<Operation> {
        match self.size {
            MpsSize::Factors { x, y } => {
                check_len("scaleFactorX", x)?;
                check_len("scaleFactorY", y)?;
            }
            MpsSize::Target { width, height } => {
                check_len("resizeWidth", width)?;
                check_len("resizeHeight", height)?;
            }
        }
        if self.filter == MpsFilter::Nearest && self.align_corners {
            return Err(Error::invalid_argument(
                "alignCorners",
                "YES",
                "MPSCNNUpsamplingNearest has no alignCorners",
            ));
        }
        Ok(Operation::resize(self))
    }

    fn output(&self, [in_h, in_w]: [usize; 2]) -> Result<[usize; 2]> {
        match self.size {
            MpsSize::Factors { x, y } => {
                let h = in_h.checked_mul(y);
                let w = in_w.checked_mul(x);
                match (h, w) {
                    (Some(h), Some(w)) => Ok([
                        check_len("output height", h)?,
                        check_len("output width", w)?,
                    ]),
                    _ => Err(Error::SizeTooLarge {
                        what: "MPS upsampling output".into(),
                        value: (in_h.max(in_w) as u128) * (x.max(y) as u128),
                        limit: usize::MAX as u128,
                    }),
                }
            }
            MpsSize::Target { width, height } => Ok([height, width]),
        }
    }
}

impl ResizePlanner for MpsResize {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        let [in_h, in_w] = input.hw();
        let [out_h, out_w] = self.output([in_h, in_w])?;
        let mapping = if self.align_corners {
            CoordinateTransform::AlignCorners
        } else {
            CoordinateTransform::Asymmetric
        };
        let axis = |in_len: usize, out_len: usize| -> Result<AxisPlan> {
            match self.filter {
                MpsFilter::Nearest => AxisPlan::build(in_len, out_len, Edge::Replicate, |i| {
                    Taps::one(((i as u128 * in_len as u128) / out_len as u128) as i64)
                }),
                MpsFilter::Bilinear => axis_plan(
                    &ResizeSpec::new(Mode::Linear, mapping, [out_len, out_len]),
                    AxisGeometry::from_sizes(in_len, out_len),
                ),
            }
        };
        Ok(ResizePlan::new(axis(in_h, out_h)?, axis(in_w, out_w)?))
    }

    fn describe(&self) -> String {
        let ac = if self.align_corners { "YES" } else { "NO" };
        match (self.filter, self.size) {
            (MpsFilter::Nearest, MpsSize::Factors { x, y }) => {
                format!("MPSCNNUpsamplingNearest(integerScaleFactorX: {x}, integerScaleFactorY: {y})")
            }
            (MpsFilter::Bilinear, MpsSize::Factors { x, y }) => format!(
                "MPSCNNUpsamplingBilinear(integerScaleFactorX: {x}, integerScaleFactorY: {y}, alignCorners: {ac})"
            ),
            (_, MpsSize::Target { width, height }) => {
                format!("MPSNNResizeBilinear(resizeWidth: {width}, resizeHeight: {height}, alignCorners: {ac})")
            }
        }
    }
}

#[cfg(feature = "calls")]
/// Builds a recorded `mps` call (`MPSCNNUpsamplingNearest`, `MPSCNNUpsamplingBilinear`,
/// `MPSNNResizeBilinear` with Apple's argument names).
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("mps.{function}"), raw)?;
    let factor = |key: &str| -> Result<usize> {
        let v = args.i64(key)?;
        check_len(key, v)
    };
    match function {
        "MPSCNNUpsamplingNearest" => {
            args.only(&["scaleFactorX", "scaleFactorY"])?;
            MpsResize::upsampling_nearest(factor("scaleFactorX")?, factor("scaleFactorY")?)
        }
        "MPSCNNUpsamplingBilinear" => {
            args.only(&["scaleFactorX", "scaleFactorY", "alignCorners"])?;
            MpsResize::upsampling_bilinear(
                factor("scaleFactorX")?,
                factor("scaleFactorY")?,
                args.bool_or("alignCorners", false)?,
            )
        }
        "MPSNNResizeBilinear" => {
            args.only(&["resizeWidth", "resizeHeight", "alignCorners"])?;
            MpsResize::resize_bilinear(
                factor("resizeWidth")?,
                factor("resizeHeight")?,
                args.bool_or("alignCorners", false)?,
            )
        }
        other => Err(Error::unsupported(format!("mps kernel '{other}'"))),
    }
}
