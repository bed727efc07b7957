//! TensorFlow and Keras: `tf.compat.v1.image.resize_{bilinear,nearest_neighbor,bicubic,area}`,
//! `tf.compat.v1.image.resize`, `tf.image.resize` (all eight methods, antialias,
//! preserve_aspect_ratio), `tf.nn.depth_to_space` / `space_to_depth`, and Keras `UpSampling2D` and
//! `Resizing`.
//!
//! TF's kernels compute in float32 with a precomputed `in/out` ratio; `ResizeBicubic` reads its
//! weights from a 1/1024-step table, which is reproduced (an exact cubic misses TF by ~2.5e-3).

use crate::error::{check_len, Error, Result};
use crate::op::{InputDesc, IntegerPath, Operation, ResizePlanner};
use crate::plan::tf::{self as rules, TfAxis, TfKernel};
use crate::plan::{AxisPlan, Edge, ResizePlan, Taps};
use crate::spec::{BlockOrder, BlockSpec};
use crate::tensor::ElementType;

#[cfg(feature = "calls")]
use super::args::{parse_choice, Args};

/// The four TF1 resize kernels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V1Method {
    /// `resize_bilinear` / `ResizeMethodV1.BILINEAR`.
    Bilinear,
    /// `resize_nearest_neighbor` / `ResizeMethodV1.NEAREST_NEIGHBOR`.
    NearestNeighbor,
    /// `resize_bicubic` / `ResizeMethodV1.BICUBIC`.
    Bicubic,
    /// `resize_area` / `ResizeMethodV1.AREA`.
    Area,
}

/// `tf.compat.v1.image.resize_bilinear(images, size, align_corners, half_pixel_centers)` and its
/// nearest / bicubic / area siblings (images NHWC; any layout is accepted here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResizeV1 {
    /// Which kernel.
    pub method: V1Method,
    /// `size=[new_height, new_width]`.
    pub size: [usize; 2],
    /// `align_corners=`.
    pub align_corners: bool,
    /// `half_pixel_centers=` (not for area).
    pub half_pixel_centers: bool,
}

impl ResizeV1 {
    /// `tf.compat.v1.image.resize_bilinear(images, size, align_corners=…, half_pixel_centers=…)`.
    pub fn bilinear(
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<Operation> {
        ResizeV1 {
            method: V1Method::Bilinear,
            size,
            align_corners,
            half_pixel_centers,
        }
        .build()
    }

    /// `tf.compat.v1.image.resize_nearest_neighbor(images, size, align_corners=…, half_pixel_centers=…)`.
    pub fn nearest_neighbor(
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<Operation> {
        ResizeV1 {
            method: V1Method::NearestNeighbor,
            size,
            align_corners,
            half_pixel_centers,
        }
        .build()
    }

    /// `tf.compat.v1.image.resize_bicubic(images, size, align_corners=…, half_pixel_centers=…)`.
    pub fn bicubic(
        size: [usize; 2],
        align_corners: bool,
        half_pixel_centers: bool,
    ) -> Result<Operation> {
        ResizeV1 {
            method: V1Method::Bicubic,
            size,
            align_corners,
            half_pixel_centers,
        }
        .build()
    }

    /// `tf.compat.v1.image.resize_area(images, size, align_corners=…)`.
    pub fn area(size: [usize; 2], align_corners: bool) -> Result<Operation> {
        ResizeV1 {
            method: V1Method::Area,
            size,
            align_corners,
            half_pixel_centers: false,
        }
        .build()
    }

    /// Checks the arguments as TF does and returns the operation.
    pub fn build(self) -> Result<Operation> {
        self.validate()?;
        Ok(Operation::resize(self))
    }

    fn validate(&self) -> Result<()> {
        check_size(self.size)?;
        if self.align_corners && self.half_pixel_centers {
            return Err(Error::invalid_argument(
                "half_pixel_centers",
                true,
                "if half_pixel_centers is True, align_corners must be False",
            ));
        }
        if self.method == V1Method::Area && self.half_pixel_centers {
            return Err(Error::invalid_argument(
                "half_pixel_centers",
                true,
                "resize_area has no half_pixel_centers argument",
            ));
        }
        Ok(())
    }
}

fn check_size([h, w]: [usize; 2]) -> Result<()> {
    check_len("size (height)", h)?;
    check_len("size (width)", w)?;
    Ok(())
}

impl ResizePlanner for ResizeV1 {
    /// TensorFlow's resize ops take 8- and 16-bit images and return float32, computed in float
    /// on the converted values, except nearest neighbour, which returns the input's type.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        let _ = (input, ty);
        Ok(if self.method == V1Method::NearestNeighbor {
            IntegerPath::Gather
        } else {
            IntegerPath::FloatOutput
        })
    }

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
            V1Method::Bilinear => rules::bilinear,
            V1Method::NearestNeighbor => rules::nearest,
            V1Method::Bicubic => rules::bicubic,
            V1Method::Area => rules::area,
        };
        Ok(ResizePlan::new(
            rule(axis(in_h, self.size[0]))?,
            rule(axis(in_w, self.size[1]))?,
        ))
    }

    fn describe(&self) -> String {
        let name = match self.method {
            V1Method::Bilinear => "resize_bilinear",
            V1Method::NearestNeighbor => "resize_nearest_neighbor",
            V1Method::Bicubic => "resize_bicubic",
            V1Method::Area => "resize_area",
        };
        let hpc = if self.method == V1Method::Area {
            String::new()
        } else {
            format!(", half_pixel_centers={}", py_bool(self.half_pixel_centers))
        };
        format!(
            "tf.compat.v1.image.{name}(images, size={:?}, align_corners={}{hpc})",
            self.size,
            py_bool(self.align_corners)
        )
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// The `method` of `tf.image.resize` (TF2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `'bilinear'`.
    Bilinear,
    /// `'nearest'`.
    Nearest,
    /// `'bicubic'`.
    Bicubic,
    /// `'area'`.
    Area,
    /// `'lanczos3'`.
    Lanczos3,
    /// `'lanczos5'`.
    Lanczos5,
    /// `'gaussian'`.
    Gaussian,
    /// `'mitchellcubic'`.
    MitchellCubic,
}

impl Method {
    /// TF's spelling.
    pub fn name(self) -> &'static str {
        match self {
            Method::Bilinear => "bilinear",
            Method::Nearest => "nearest",
            Method::Bicubic => "bicubic",
            Method::Area => "area",
            Method::Lanczos3 => "lanczos3",
            Method::Lanczos5 => "lanczos5",
            Method::Gaussian => "gaussian",
            Method::MitchellCubic => "mitchellcubic",
        }
    }

    /// All eight methods.
    pub const ALL: [Method; 8] = [
        Method::Bilinear,
        Method::Nearest,
        Method::Bicubic,
        Method::Area,
        Method::Lanczos3,
        Method::Lanczos5,
        Method::Gaussian,
        Method::MitchellCubic,
    ];

    #[cfg(feature = "calls")]
    const CHOICES: [(&'static str, Method); 8] = [
        ("bilinear", Method::Bilinear),
        ("nearest", Method::Nearest),
        ("bicubic", Method::Bicubic),
        ("area", Method::Area),
        ("lanczos3", Method::Lanczos3),
        ("lanczos5", Method::Lanczos5),
        ("gaussian", Method::Gaussian),
        ("mitchellcubic", Method::MitchellCubic),
    ];
}

/// `tf.image.resize(images, size, method=…, preserve_aspect_ratio=…, antialias=…)` (TF2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resize {
    /// `size=[new_height, new_width]`.
    pub size: [usize; 2],
    /// `method=`.
    pub method: Method,
    /// `antialias=`.
    pub antialias: bool,
    /// `preserve_aspect_ratio=`: scale both axes by the smaller ratio, rounding the sizes.
    pub preserve_aspect_ratio: bool,
}

impl Resize {
    /// `tf.image.resize(images, size, method=method)`.
    pub fn new(size: [usize; 2], method: Method) -> Self {
        Resize {
            size,
            method,
            antialias: false,
            preserve_aspect_ratio: false,
        }
    }

    /// Sets `antialias=`.
    pub fn antialias(mut self, antialias: bool) -> Self {
        self.antialias = antialias;
        self
    }

    /// Sets `preserve_aspect_ratio=`.
    pub fn preserve_aspect_ratio(mut self, preserve: bool) -> Self {
        self.preserve_aspect_ratio = preserve;
        self
    }

    /// Checks the arguments and returns the operation.
    pub fn build(self) -> Result<Operation> {
        check_size(self.size)?;
        Ok(Operation::resize(self))
    }

    /// The output size for an input (`preserve_aspect_ratio` rounds `min ratio · in` half to even, in float32).
    pub fn output_size(&self, [in_h, in_w]: [usize; 2]) -> Result<[usize; 2]> {
        if !self.preserve_aspect_ratio {
            return Ok(self.size);
        }
        let sh = self.size[0] as f32 / in_h as f32;
        let sw = self.size[1] as f32 / in_w as f32;
        let s = sh.min(sw);
        let h = (s * in_h as f32).round_ties_even() as i64;
        let w = (s * in_w as f32).round_ties_even() as i64;
        Ok([
            check_len("output height", h)?,
            check_len("output width", w)?,
        ])
    }
}

impl ResizePlanner for Resize {
    /// TensorFlow's resize ops take 8- and 16-bit images and return float32, computed in float
    /// on the converted values, except nearest neighbour, which returns the input's type.
    fn integer_path(&self, input: &InputDesc, ty: ElementType) -> Result<IntegerPath> {
        let _ = (input, ty);
        Ok(if self.method == Method::Nearest {
            IntegerPath::Gather
        } else {
            IntegerPath::FloatOutput
        })
    }

    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        check_size(self.size)?;
        let [in_h, in_w] = input.hw();
        let [out_h, out_w] = self.output_size([in_h, in_w])?;
        let hpc = |in_len, out_len| TfAxis {
            in_len,
            out_len,
            align_corners: false,
            half_pixel_centers: true,
        };
        let kernel = |k: TfKernel, aa: bool| -> Result<ResizePlan> {
            Ok(ResizePlan::new(
                rules::scale_and_translate(in_h, out_h, k, aa)?,
                rules::scale_and_translate(in_w, out_w, k, aa)?,
            ))
        };
        let v1 = |rule: fn(TfAxis) -> Result<AxisPlan>| -> Result<ResizePlan> {
            Ok(ResizePlan::new(
                rule(hpc(in_h, out_h))?,
                rule(hpc(in_w, out_w))?,
            ))
        };
        match (self.method, self.antialias) {
            (Method::Bilinear, false) => v1(rules::bilinear),
            (Method::Bilinear, true) => kernel(TfKernel::Triangle, true),
            (Method::Nearest, _) => v1(rules::nearest),
            (Method::Bicubic, false) => v1(rules::bicubic),
            (Method::Bicubic, true) => kernel(TfKernel::KeysCubic, true),
            (Method::Area, _) => {
                let plain = |in_len, out_len| TfAxis {
                    in_len,
                    out_len,
                    align_corners: false,
                    half_pixel_centers: false,
                };
                Ok(ResizePlan::new(
                    rules::area(plain(in_h, out_h))?,
                    rules::area(plain(in_w, out_w))?,
                ))
            }
            (Method::Lanczos3, aa) => kernel(TfKernel::Lanczos3, aa),
            (Method::Lanczos5, aa) => kernel(TfKernel::Lanczos5, aa),
            (Method::Gaussian, aa) => kernel(TfKernel::Gaussian, aa),
            (Method::MitchellCubic, aa) => kernel(TfKernel::MitchellCubic, aa),
        }
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "tf.image.resize(images, size={:?}, method='{}'",
            self.size,
            self.method.name()
        );
        if self.preserve_aspect_ratio {
            s += ", preserve_aspect_ratio=True";
        }
        if self.antialias {
            s += ", antialias=True";
        }
        s + ")"
    }
}

/// `tf.nn.depth_to_space(input, block_size)`: DCR order.
pub fn depth_to_space(block_size: usize) -> Result<Operation> {
    Ok(Operation::DepthToSpace(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

/// `tf.nn.space_to_depth(input, block_size)`: DCR order (the inverse of depth_to_space).
pub fn space_to_depth(block_size: usize) -> Result<Operation> {
    Ok(Operation::SpaceToDepth(BlockSpec::new(
        block_size,
        BlockOrder::Dcr,
    )?))
}

/// The `interpolation` of Keras `UpSampling2D`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KerasInterpolation {
    /// `'nearest'`: each pixel repeated (exact).
    Nearest,
    /// `'bilinear'`: `tf.image.resize(method='bilinear')`.
    Bilinear,
    /// `'bicubic'`: `tf.image.resize(method='bicubic')`.
    Bicubic,
    /// `'lanczos3'`.
    Lanczos3,
    /// `'lanczos5'`.
    Lanczos5,
}

/// Keras `layers.UpSampling2D(size=(fh, fw), interpolation=…)` (Keras 3, TF backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpSampling2D {
    /// `size=(fh, fw)`: integer factors.
    pub size: [usize; 2],
    /// `interpolation=`.
    pub interpolation: KerasInterpolation,
}

impl UpSampling2D {
    /// `layers.UpSampling2D(size=(fh, fw), interpolation=…)`.
    pub fn build(self) -> Result<Operation> {
        check_len("size (height factor)", self.size[0])?;
        check_len("size (width factor)", self.size[1])?;
        Ok(Operation::resize(self))
    }
}

impl ResizePlanner for UpSampling2D {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        let [in_h, in_w] = input.hw();
        let [fh, fw] = self.size;
        let out = |len: usize, f: usize| {
            len.checked_mul(f).ok_or_else(|| Error::SizeTooLarge {
                what: "UpSampling2D output".into(),
                value: len as u128 * f as u128,
                limit: usize::MAX as u128,
            })
        };
        let (out_h, out_w) = (out(in_h, fh)?, out(in_w, fw)?);
        let method = match self.interpolation {
            KerasInterpolation::Nearest => {
                let repeat = |len: usize, f: usize, out_len: usize| {
                    AxisPlan::build(len, out_len, Edge::Replicate, |i| Taps::one((i / f) as i64))
                };
                return Ok(ResizePlan::new(
                    repeat(in_h, fh, out_h)?,
                    repeat(in_w, fw, out_w)?,
                ));
            }
            KerasInterpolation::Bilinear => Method::Bilinear,
            KerasInterpolation::Bicubic => Method::Bicubic,
            KerasInterpolation::Lanczos3 => Method::Lanczos3,
            KerasInterpolation::Lanczos5 => Method::Lanczos5,
        };
        Resize::new([out_h, out_w], method).plan(input)
    }

    fn describe(&self) -> String {
        let name = match self.interpolation {
            KerasInterpolation::Nearest => "nearest",
            KerasInterpolation::Bilinear => "bilinear",
            KerasInterpolation::Bicubic => "bicubic",
            KerasInterpolation::Lanczos3 => "lanczos3",
            KerasInterpolation::Lanczos5 => "lanczos5",
        };
        format!(
            "keras.layers.UpSampling2D(size=({}, {}), interpolation='{name}')",
            self.size[0], self.size[1]
        )
    }
}

/// Keras 3 `layers.Resizing(height, width, interpolation=…, crop_to_aspect_ratio=…,
/// antialias=…)` (TF backend, `keras/src/backend/tensorflow/image.py::resize`):
/// `tf.image.resize(images, (height, width), method=interpolation, antialias=antialias)`, after
/// cropping the centre box of the target aspect ratio when `crop_to_aspect_ratio=True`.
///
/// The crop box is Keras's, in its own arithmetic: `crop_h = int32(float32(in_w·height) /
/// width)`, clamped to `[1, in_h]`, `start_h = int32(float32(in_h − crop_h) / 2)` (and the
/// same for the width); the resize then reads only the box, its edges replicated at the box's
/// border. `pad_to_aspect_ratio=True` (resizing a padded image, whose taps mix the fill value
/// into the border) is not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KerasResizing {
    /// `height=`.
    pub height: usize,
    /// `width=`.
    pub width: usize,
    /// `interpolation=` (`tf.image.resize`'s method names).
    pub interpolation: Method,
    /// `crop_to_aspect_ratio=`.
    pub crop_to_aspect_ratio: bool,
    /// `antialias=`.
    pub antialias: bool,
}

impl KerasResizing {
    /// `layers.Resizing(height, width, interpolation=…)`.
    pub fn new(height: usize, width: usize, interpolation: Method) -> Self {
        KerasResizing {
            height,
            width,
            interpolation,
            crop_to_aspect_ratio: false,
            antialias: false,
        }
    }

    /// Checks the arguments and returns the operation.
    pub fn build(self) -> Result<Operation> {
        check_size([self.height, self.width])?;
        Ok(Operation::resize(self))
    }

    /// The crop box `(start, len)` per axis (height, width) for an input, as Keras computes it.
    pub fn crop_box(&self, [in_h, in_w]: [usize; 2]) -> [(usize, usize); 2] {
        if !self.crop_to_aspect_ratio {
            return [(0, in_h), (0, in_w)];
        }
        let (th, tw) = (self.height as i64, self.width as i64);
        let (h, w) = (in_h as i64, in_w as i64);
        // int32(float32(w * th) / tw): the product is an int32, the quotient float32.
        let crop_h = (((w * th) as f32 / tw as f32) as i64).min(h).max(1);
        let crop_w = (((h * tw) as f32 / th as f32) as i64).min(w).max(1);
        let start_h = ((h - crop_h) as f32 / 2.0) as i64;
        let start_w = ((w - crop_w) as f32 / 2.0) as i64;
        [
            (start_h as usize, crop_h as usize),
            (start_w as usize, crop_w as usize),
        ]
    }
}

/// An axis plan over the box `start..start + len` of an input of `in_len`, read as a plan of
/// the box alone.
fn shifted(inner: &AxisPlan, start: usize, in_len: usize) -> Result<AxisPlan> {
    AxisPlan::build(in_len, inner.out_len(), Edge::Replicate, |o| {
        if inner.is_extrapolated(o) {
            return Taps::extrapolated();
        }
        let (idx, w) = inner.taps(o);
        Taps::from_pairs(
            idx.iter()
                .zip(w)
                .map(|(&i, &w)| (i as i64 + start as i64, w as f64))
                .collect(),
        )
    })
}

impl ResizePlanner for KerasResizing {
    fn plan(&self, input: &InputDesc) -> Result<ResizePlan> {
        check_size([self.height, self.width])?;
        let [in_h, in_w] = input.hw();
        let [(sh, lh), (sw, lw)] = self.crop_box([in_h, in_w]);
        let mut inner_input = *input;
        inner_input.dims[2] = lh;
        inner_input.dims[3] = lw;
        let inner = Resize::new([self.height, self.width], self.interpolation)
            .antialias(self.antialias)
            .plan(&inner_input)?;
        if !self.crop_to_aspect_ratio {
            return Ok(inner);
        }
        let mut plan = ResizePlan::new(shifted(&inner.h, sh, in_h)?, shifted(&inner.w, sw, in_w)?);
        plan.extrapolation_value = inner.extrapolation_value;
        Ok(plan)
    }

    fn describe(&self) -> String {
        let mut s = format!(
            "keras.layers.Resizing({}, {}, interpolation='{}'",
            self.height,
            self.width,
            self.interpolation.name()
        );
        if self.crop_to_aspect_ratio {
            s += ", crop_to_aspect_ratio=True";
        }
        if self.antialias {
            s += ", antialias=True";
        }
        s + ")"
    }
}

#[cfg(feature = "calls")]
fn size_arg(args: &Args<'_>, key: &str) -> Result<[usize; 2]> {
    let [h, w] = args.opt_pair_i64(key)?.ok_or_else(|| Error::MissingField {
        field: key.into(),
        context: args.call().into(),
    })?;
    Ok([
        check_len("size (height)", h)?,
        check_len("size (width)", w)?,
    ])
}

#[cfg(feature = "calls")]
/// Builds a recorded `tf` call.
pub(crate) fn from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("tf.{function}"), raw)?;
    let v1 = |method: V1Method| -> Result<Operation> {
        args.only(&["size", "align_corners", "half_pixel_centers"])?;
        ResizeV1 {
            method,
            size: size_arg(&args, "size")?,
            align_corners: args.bool_or("align_corners", false)?,
            half_pixel_centers: args.bool_or("half_pixel_centers", false)?,
        }
        .build()
    };
    match function.trim_start_matches("tf.") {
        "compat.v1.image.resize_bilinear" | "raw_ops.ResizeBilinear" => v1(V1Method::Bilinear),
        "compat.v1.image.resize_nearest_neighbor" | "raw_ops.ResizeNearestNeighbor" => {
            v1(V1Method::NearestNeighbor)
        }
        "compat.v1.image.resize_bicubic" | "raw_ops.ResizeBicubic" => v1(V1Method::Bicubic),
        "compat.v1.image.resize_area" | "raw_ops.ResizeArea" => v1(V1Method::Area),
        "compat.v1.image.resize" | "compat.v1.image.resize_images" => {
            args.only(&["size", "method", "align_corners", "preserve_aspect_ratio"])?;
            if args.bool_or("preserve_aspect_ratio", false)? {
                return Err(Error::unsupported(
                    "tf.compat.v1.image.resize with preserve_aspect_ratio=True",
                ));
            }
            let method = parse_choice(
                &args,
                "method",
                args.opt_str("method")?.unwrap_or("bilinear"),
                &[
                    ("bilinear", V1Method::Bilinear),
                    ("nearest_neighbor", V1Method::NearestNeighbor),
                    ("nearest", V1Method::NearestNeighbor),
                    ("bicubic", V1Method::Bicubic),
                    ("area", V1Method::Area),
                ],
            )?;
            ResizeV1 {
                method,
                size: size_arg(&args, "size")?,
                align_corners: args.bool_or("align_corners", false)?,
                half_pixel_centers: false,
            }
            .build()
        }
        "image.resize" => {
            args.only(&["size", "method", "antialias", "preserve_aspect_ratio"])?;
            let method = parse_choice(
                &args,
                "method",
                args.opt_str("method")?.unwrap_or("bilinear"),
                &Method::CHOICES,
            )?;
            Resize::new(size_arg(&args, "size")?, method)
                .antialias(args.bool_or("antialias", false)?)
                .preserve_aspect_ratio(args.bool_or("preserve_aspect_ratio", false)?)
                .build()
        }
        "nn.depth_to_space" => {
            args.only(&["block_size", "data_format"])?;
            depth_to_space(block_arg(&args)?)
        }
        "nn.space_to_depth" => {
            args.only(&["block_size", "data_format"])?;
            space_to_depth(block_arg(&args)?)
        }
        other => Err(Error::unsupported(format!("tf function '{other}'"))),
    }
}

#[cfg(feature = "calls")]
fn block_arg(args: &Args<'_>) -> Result<usize> {
    let b = args.i64("block_size")?;
    if b < 2 {
        return Err(args.err("block_size", b, "TF requires block_size >= 2"));
    }
    Ok(b as usize)
}

#[cfg(feature = "calls")]
/// Builds a recorded `keras` call.
pub(crate) fn keras_from_args(function: &str, raw: &serde_json::Value) -> Result<Operation> {
    let args = Args::new(format!("keras.{function}"), raw)?;
    match function {
        "layers.UpSampling2D" | "UpSampling2D" => {
            args.only(&["size", "interpolation", "data_format"])?;
            let [fh, fw] = args.opt_pair_i64("size")?.unwrap_or([2, 2]);
            let interpolation = parse_choice(
                &args,
                "interpolation",
                args.opt_str("interpolation")?.unwrap_or("nearest"),
                &[
                    ("nearest", KerasInterpolation::Nearest),
                    ("bilinear", KerasInterpolation::Bilinear),
                    ("bicubic", KerasInterpolation::Bicubic),
                    ("lanczos3", KerasInterpolation::Lanczos3),
                    ("lanczos5", KerasInterpolation::Lanczos5),
                ],
            )?;
            UpSampling2D {
                size: [
                    check_len("size (height factor)", fh)?,
                    check_len("size (width factor)", fw)?,
                ],
                interpolation,
            }
            .build()
        }
        "layers.Resizing" | "Resizing" => {
            args.only(&[
                "height",
                "width",
                "interpolation",
                "crop_to_aspect_ratio",
                "pad_to_aspect_ratio",
                "antialias",
                "fill_mode",
                "fill_value",
                "data_format",
            ])?;
            if args.bool_or("pad_to_aspect_ratio", false)? {
                return Err(Error::unsupported(
                    "keras.layers.Resizing with pad_to_aspect_ratio=True (the resize of a padded \
                     image mixes the fill value into border taps)",
                ));
            }
            let height = check_len("height", args.i64("height")?)?;
            let width = check_len("width", args.i64("width")?)?;
            let interpolation = parse_choice(
                &args,
                "interpolation",
                args.opt_str("interpolation")?.unwrap_or("bilinear"),
                &Method::CHOICES,
            )?;
            KerasResizing {
                height,
                width,
                interpolation,
                crop_to_aspect_ratio: args.bool_or("crop_to_aspect_ratio", false)?,
                antialias: args.bool_or("antialias", false)?,
            }
            .build()
        }
        other => Err(Error::unsupported(format!("keras function '{other}'"))),
    }
}
