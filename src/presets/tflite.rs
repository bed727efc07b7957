//! TensorFlow Lite builtin ops: `RESIZE_BILINEAR` and `RESIZE_NEAREST_NEIGHBOR` (`size`,
//! `align_corners`, `half_pixel_centers`), `DEPTH_TO_SPACE` and `SPACE_TO_DEPTH`
//! (`block_size`; NHWC tensors, DCR order as in TF).
//!
//! The float kernels are TF's (`tensorflow/lite/kernels/internal/reference/`): the scale is
//! `in/out`, or `(in − 1)/(out − 1)` with align_corners, in float32; bilinear samples
//! `(i + ½)·scale − ½` with half_pixel_centers (else `i·scale`), lower = `max(⌊x⌋, 0)`, upper =
//! `min(⌈x⌉, in − 1)`; nearest takes `⌊(i + o)·scale⌋` (`round` half away from zero with
//! align_corners), `o = ½` with half_pixel_centers and 0 otherwise, clamped to `in − 1` (and to
//! 0 with half_pixel_centers). The optimized float kernels sum the same taps in another order:
//! bilinear results match within float rounding, nearest bit for bit.
//!
//! Unlike TF, the TFLite nearest kernel does not refuse `align_corners` together with
//! `half_pixel_centers`: it rounds `(i + ½)·(in − 1)/(out − 1)`. The bilinear kernel refuses
//! that combination, as TF does.

use crate::error::{check_len, Error, Result};
use crate::op::{InputDesc, Operation, ResizePlanner};
use crate::plan::tf::{self as rules, TfAxis};
use crate::plan::ResizePlan;
use crate::spec::{BlockOrder, BlockSpec};

#[cfg(feature = "calls")]
use super::args::Args;

/// The two TFLite resize builtins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `RESIZE_BILINEAR`.
    Bilinear,
    /// `RESIZE_NEAREST_NEIGHBOR`.
    NearestNeighbor,
}

impl Method {
    /// The builtin's name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Bilinear => "RESIZE_BILINEAR",
            Method::NearestNeighbor => "RESIZE_NEAREST_NEIGHBOR",
        }
    }
}

/// A TFLite `RESIZE_BILINEAR` / `RESIZE_NEAREST_NEIGHBOR` op: its `size` input and the
/// `align_corners` / `half_pixel_centers` fields of its options table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resize {
    /// Which builtin.
    pub method: Method,
    /// The `size` input: `[new_height, new_width]`.
    pub size: [usize; 2],
    /// `align_corners`.
    pub align_corners: bool,
    /// `half_pixel_centers`.
    pub half_pixel_centers: bool,
}

impl Resize {
    /// `RESIZE_BILINEAR(size, align_corners, half_pixel_centers)`.
    pub fn bilinear(
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<Operation> {
        Resize {
            method: Method::Bilinear,
            size,
            align_corners,
            half_pixel_centers,
        }
        .build()
    }

    /// `RESIZE_NEAREST_NEIGHBOR(size, align_corners, half_pixel_centers)`.
    pub fn nearest_neighbor(
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<Operation> {
        Resize {
            method: Method::NearestNeighbor,
            size,
            align_corners,
            half_pixel_centers,
        }
        .build()
    }

    /// Checks the arguments as the TFLite kernel's `Prepare` does and returns the operation.
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    fn validate(&self) -> Result<()> {
        check_len("size (height)", self.size[0])?;
        check_len("size (width)", self.size[1])?;
        if self.method == Method::Bilinear && self.align_corners && self.half_pixel_centers {
            return Err(Error::invalid_argument(
                "half_pixel_centers",
                true,
                "RESIZE_BILINEAR: if half_pixel_centers is True, align_corners must be False",
            ));
        }
        Ok(())
    }
}

impl ResizePlanner for Resize {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        self.validate()?;
        let [in_h, in_w] = input.hw();
        let axis = |in_len, out_len| TfAxis {
            in_len,
            out_len,
            align_corners: self.align_corners,
            half_pixel_centers: self.half_pixel_centers,
        };
        let rule = match self.method {
            Method::Bilinear => rules::bilinear,
            Method::NearestNeighbor => rules::nearest,
        };
        Ok(ResizePlan::new(
            rule(axis(in_h, self.size[0]))?,
            rule(axis(in_w, self.size[1]))?,
        ))
    }

    fn describe(&self) -> String {
        format!(
            "TFLite {}(size=[{}, {}], align_corners={}, half_pixel_centers={})",
            self.method.name(),
            self.size[0],
            self.size[1],
            self.align_corners,
            self.half_pixel_centers
        )
    }
}

/// `DEPTH_TO_SPACE(block_size)`: DCR order, as `tf.nn.depth_to_space`.
pub fn depth_to_space(block_size: usize) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

/// `SPACE_TO_DEPTH(block_size)`: DCR order, as `tf.nn.space_to_depth`.
pub fn space_to_depth(block_size: usize) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

#[cfg(feature = "calls")]
/// Builds a recorded `tflite` call.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("tflite.{function}"), raw)?;
    let resize = |method: Method| -> Result<Operation> {
        args.only(&["size", "align_corners", "half_pixel_centers"])?;
        let [h, w] = args
            .opt_pair_i64("size")?
            .ok_or_else(|| Error::MissingField {
                field: "size".into(),
                context: args.call().into(),
            })?;
        Resize {
            method,
            size: [
                check_len("size (height)", h)?,
                check_len("size (width)", w)?,
            ],
            align_corners: args.bool_or("align_corners", false)?,
            half_pixel_centers: args.bool_or("half_pixel_centers", false)?,
        }
        .build()
    };
    let block = || -> Result<usize> {
        args.only(&["block_size"])?;
        let b = args.i64("block_size")?;
        if b < 1 {
            return Err(args.err("block_size", b, "must be at least 1"));
        }
        Ok(b as usize)
    };
    match function {
        "RESIZE_BILINEAR" => resize(Method::Bilinear),
        "RESIZE_NEAREST_NEIGHBOR" => resize(Method::NearestNeighbor),
        "DEPTH_TO_SPACE" => depth_to_space(block()?),
        "SPACE_TO_DEPTH" => space_to_depth(block()?),
        other => Err(Error::unsupported(format!(
            "tflite builtin '{other}' (known: RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, DEPTH_TO_SPACE, SPACE_TO_DEPTH)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Layout;
    use ndarray::Array4;

    #[test]
    fn nearest_half_pixel_centers_floors_the_shifted_coordinate() {
        // in 9 → out 14: scale = 9/14; x = floor((i + 0.5)·scale).
        let op = Resize::nearest_neighbor([1, 14], false, true).unwrap();
        let x = Array4::from_shape_fn((1, 1, 1, 9), |(_, _, _, w)| w as f32);
        let y = op.run_cpu(x.view(), Layout::Nchw).unwrap();
        let want: Vec<f32> = (0..14)
            .map(|i| (((i as f32 + 0.5) * (9.0f32 / 14.0)).floor() as i64).min(8) as f32)
            .collect();
        assert_eq!(y.iter().copied().collect::<Vec<_>>(), want);
    }

    #[test]
    fn bilinear_refuses_both_flags_nearest_takes_them() {
        assert!(Resize::bilinear([4, 4], true, true).is_err());
        assert!(Resize::nearest_neighbor([4, 4], true, true).is_ok());
    }
}
