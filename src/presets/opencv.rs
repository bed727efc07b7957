//! OpenCV: `cv2.resize(src, dsize, fx=…, fy=…, interpolation=…)` — OpenCV 5.1's portable C++ path
//! (`modules/imgproc/src/resize.cpp`): its float32 geometry on float images, and its own 8- and
//! 16-bit arithmetic on integer images ([`crate::plan::opencv_exact`], bit-exact).
//!
//! With IPP on (`cv2.ipp.setUseIPP(True)`, the pip wheels' default), OpenCV runs Intel's IPP
//! kernels first, and they give other values for some flags. Measured with opencv-python 5.1.0
//! (ippIP AVX-512, 2026.1.0) on random images: `INTER_CUBIC` differs by at most 1 on about 2.4 %
//! of 8-bit values, by at most 5 on about 8 % of 16-bit values, and by up to about 2·10⁻² on most
//! float32 values (data of magnitude 100); 16-bit `INTER_LINEAR` on 1, 3 or 4 channels by 1 on
//! 4–12.5 % of values (up to 3 on extreme images); every other flag and depth is identical.
//! [`ResizePlanner::caveat`] says so for a call that meets it. OpenCL and other HAL builds are not
//! measured.

use crate::error::{check_len, check_len_f64, check_scale, Error, Result};
use std::sync::Arc;

use crate::op::{InputDesc, IntegerPath, Operation, ResizePlanner};
use crate::plan::opencv::{self as rules, CvAxis, CvInterpolation};
use crate::plan::opencv_exact;
use crate::plan::ResizePlan;
use crate::tensor::ElementType;

use super::args::{parse_choice, Args};

/// `cv2.resize(src, dsize, fx, fy, interpolation)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resize {
    /// `dsize=(width, height)`; `None` (or `(0, 0)`) means "from fx, fy".
    pub dsize: Option<[usize; 2]>,
    /// `fx`, `fy`: used when `dsize` is empty; the destination is `round(src · f)`.
    pub fx_fy: [f64; 2],
    /// `interpolation=`.
    pub interpolation: CvInterpolation,
    /// `cv2.ipp.setUseIPP(use_ipp)` before the call (OpenCV's default is on in the pip wheels).
    /// halfpixel computes OpenCV's portable C++ path either way; where IPP's kernels give other
    /// values the preset docs and the README give the measured difference.
    pub use_ipp: bool,
}

impl Resize {
    /// `cv2.resize(src, (width, height), interpolation=…)`.
    pub fn dsize(width: usize, height: usize, interpolation: CvInterpolation) -> Result<Operation> {
        Resize {
            dsize: Some([width, height]),
            fx_fy: [0.0, 0.0],
            interpolation,
            use_ipp: true,
        }
        .build()
    }

    /// `cv2.resize(src, None, fx=fx, fy=fy, interpolation=…)`.
    pub fn factors(fx: f64, fy: f64, interpolation: CvInterpolation) -> Result<Operation> {
        Resize {
            dsize: None,
            fx_fy: [fx, fy],
            interpolation,
            use_ipp: true,
        }
        .build()
    }

    /// Checks the arguments and returns the operation.
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    fn validate(&self) -> Result<()> {
        match self.dsize {
            Some([w, h]) if w > 0 || h > 0 => {
                check_len("dsize width", w)?;
                check_len("dsize height", h)?;
            }
            _ => {
                check_scale("fx", self.fx_fy[0])?;
                check_scale("fy", self.fx_fy[1])?;
            }
        }
        Ok(())
    }

    /// `(height axis, width axis)` for a source of `[h, w]`.
    fn axes(&self, [in_h, in_w]: [usize; 2]) -> Result<(CvAxis, CvAxis)> {
        match self.dsize {
            Some([w, h]) if w > 0 || h > 0 => Ok((
                CvAxis {
                    in_len: in_h,
                    out_len: h,
                    inv_scale: h as f64 / in_h as f64,
                },
                CvAxis {
                    in_len: in_w,
                    out_len: w,
                    inv_scale: w as f64 / in_w as f64,
                },
            )),
            _ => {
                let [fx, fy] = self.fx_fy;
                let out_w = check_len_f64(
                    "dsize width (round(width * fx))",
                    rules::size_from_factor(in_w, fx),
                )?;
                let out_h = check_len_f64(
                    "dsize height (round(height * fy))",
                    rules::size_from_factor(in_h, fy),
                )?;
                Ok((
                    CvAxis {
                        in_len: in_h,
                        out_len: out_h,
                        inv_scale: fy,
                    },
                    CvAxis {
                        in_len: in_w,
                        out_len: out_w,
                        inv_scale: fx,
                    },
                ))
            }
        }
    }
}

impl ResizePlanner for Resize {
    /// With IPP on (the pip wheels' default), OpenCV's IPP kernels replace the portable path
    /// halfpixel reproduces for `INTER_CUBIC` (every type) and 16-bit `INTER_LINEAR` (1, 3 or 4
    /// channels); measured with opencv-python 5.1.0 (ippIP AVX-512, 2026.1.0) on random images.
    fn caveat(&self, input: &InputDesc, ty: ElementType) -> Option<String> {
        if !self.use_ipp {
            return None;
        }
        let differs = match (self.interpolation, ty) {
            (CvInterpolation::Cubic, ElementType::U8) => "by at most 1 on about 2.4% of values",
            (CvInterpolation::Cubic, ElementType::U16) => "by at most 5 on about 8% of values",
            (CvInterpolation::Cubic, _) => {
                "by up to about 2e-2 on most values (float32 data of magnitude 100)"
            }
            (CvInterpolation::Linear, ElementType::U16) if input.dims[1] != 2 => {
                "by at most 1 on 4–12.5% of values of natural or noisy images (up to 3 on \
                 extreme ones)"
            }
            _ => return None,
        };
        Some(format!(
            "with IPP on (opencv-python's default), cv2.resize differs from OpenCV's portable \
             path, which halfpixel computes, {differs}; call cv2.ipp.setUseIPP(False) for \
             identical results"
        ))
    }

    /// OpenCV's own 8- and 16-bit arithmetic ([`crate::plan::opencv_exact`]); nearest modes and
    /// an unchanged size copy pixels.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        self.validate()?;
        let (y, x) = self.axes(input.hw())?;
        let channels = input.dims[1];
        match opencv_exact::exact_plan(self.interpolation, y, x, ty, channels)? {
            Some(plan) => Ok(IntegerPath::Exact(Arc::new(plan))),
            None => Ok(IntegerPath::Gather),
        }
    }

    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        self.validate()?;
        let (y, x) = self.axes(input.hw())?;
        let (h, w) = rules::axis_plans(self.interpolation, y, x)?;
        Ok(ResizePlan::new(h, w))
    }

    fn describe(&self) -> String {
        let interp = INTERPOLATIONS
            .iter()
            .find(|c| c.1 == self.interpolation)
            .map(|c| c.0)
            .unwrap_or("?");
        let ipp = if self.use_ipp {
            ""
        } else {
            "cv2.ipp.setUseIPP(False); "
        };
        match self.dsize {
            Some([w, h]) if w > 0 || h > 0 => {
                format!("{ipp}cv2.resize(src, ({w}, {h}), interpolation=cv2.{interp})")
            }
            _ => format!(
                "{ipp}cv2.resize(src, None, fx={}, fy={}, interpolation=cv2.{interp})",
                self.fx_fy[0], self.fx_fy[1]
            ),
        }
    }
}

const INTERPOLATIONS: [(&str, CvInterpolation); 7] = [
    ("INTER_NEAREST", CvInterpolation::Nearest),
    ("INTER_NEAREST_EXACT", CvInterpolation::NearestExact),
    ("INTER_LINEAR", CvInterpolation::Linear),
    ("INTER_LINEAR_EXACT", CvInterpolation::LinearExact),
    ("INTER_CUBIC", CvInterpolation::Cubic),
    ("INTER_AREA", CvInterpolation::Area),
    ("INTER_LANCZOS4", CvInterpolation::Lanczos4),
];

/// Builds a recorded `opencv` call.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("cv2.{function}"), raw)?;
    if function != "resize" && function != "cv2.resize" {
        return Err(Error::unsupported(format!("opencv function '{function}'")));
    }
    args.only(&["dsize", "fx", "fy", "interpolation", "use_ipp"])?;
    let interp_name = args.opt_str("interpolation")?.unwrap_or("INTER_LINEAR");
    let interpolation = parse_choice(
        &args,
        "interpolation",
        interp_name.trim_start_matches("cv2."),
        &INTERPOLATIONS,
    )?;
    let dsize = match args.opt_pair_i64("dsize")? {
        None => None,
        Some([w, h]) => {
            if w < 0 || h < 0 {
                return Err(args.err("dsize", format!("[{w}, {h}]"), "sizes cannot be negative"));
            }
            Some([w as usize, h as usize])
        }
    };
    Resize {
        dsize,
        fx_fy: [
            args.opt_f64("fx")?.unwrap_or(0.0),
            args.opt_f64("fy")?.unwrap_or(0.0),
        ],
        interpolation,
        use_ipp: args.opt_bool("use_ipp")?.unwrap_or(true),
    }
    .build()
}
