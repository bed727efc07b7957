//! Named presets: short names for the framework calls (`torch.bilinear`,
//! `tf1.bilinear.align_corners`, `coreml.nn.resize_bilinear.strict_align_endpoints`,
//! `mps.resize_bilinear`, `opencv.inter_linear`, `pillow.bicubic`, `onnx` with attributes, …), as
//! the command line, `identify` and `matrix` use them.
//!
//! Each name stands for one recorded framework call ([`Call`]) with its output size, scale factors
//! or block size filled in, built by the same argument parsers the conformance corpus goes through
//! ([`from_call`]), so a named preset is exactly the call it names.

use serde_json::{json, Map, Value};

use crate::error::{check_len, check_scale, Error, Result};
use crate::op::Operation;
use crate::spec::Layout;

use super::{from_call, Call};

/// The layout each framework's own tensors have, which is the layout `halfpixel resize` reads
/// and writes for its presets unless `--layout` says otherwise: channels last for TensorFlow,
/// Keras, TFLite (`images` are `[batch, height, width, channels]`), OpenCV and Pillow (`H×W×C`
/// images); channels first for PyTorch (`[N, C, H, W]`), ONNX, Core ML and MPS.
///
/// A new preset family declares its framework's layout here; `every_framework_declares_its_layout`
/// (a unit test) fails for a family that does not.
pub const FRAMEWORK_LAYOUTS: &[(&str, Layout)] = &[
    ("torch", Layout::Nchw),
    ("tf", Layout::Nhwc),
    ("keras", Layout::Nhwc),
    ("tflite", Layout::Nhwc),
    ("onnx", Layout::Nchw),
    ("opencv", Layout::Nhwc),
    ("pillow", Layout::Nhwc),
    ("coreml", Layout::Nchw),
    ("mps", Layout::Nchw),
];

/// The layout of `framework`'s tensors ([`FRAMEWORK_LAYOUTS`]), if it is one halfpixel knows.
pub fn framework_layout(framework: &str) -> Option<Layout> {
    FRAMEWORK_LAYOUTS
        .iter()
        .find(|(f, _)| *f == framework)
        .map(|&(_, l)| l)
}

/// What sets the output of a named preset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Output height and width.
    Size([usize; 2]),
    /// Scale factors (height, width).
    Scale([f64; 2]),
    /// The block size of a depth_to_space / space_to_depth.
    Block(usize),
}

/// Which targets a preset takes, as its framework call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepts {
    /// An output size or scale factors (the call has both parameters).
    SizeOrScale,
    /// An output size only.
    Size,
    /// Scale factors (possibly fractional); a size that is an integer multiple of the input is
    /// turned into integer factors.
    Scale,
    /// Integer scale factors; a size that is an integer multiple of the input is turned into them.
    IntegerScale,
    /// A block size (pixel shuffle); integer scale factors or sizes convert to it.
    Block,
}

impl Accepts {
    /// How the command line asks for it.
    pub fn usage(self) -> &'static str {
        match self {
            Accepts::SizeOrScale => "--size HxW or --scale S[,S]",
            Accepts::Size => "--size HxW",
            Accepts::Scale => "--scale S[,S] (or a --size that is a multiple of the input)",
            Accepts::IntegerScale => {
                "--scale N[,N], integers (or a --size that is a multiple of the input)"
            }
            Accepts::Block => "--block B (or --scale B)",
        }
    }
}

/// What a preset does to the tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A resize of height and width.
    Resize,
    /// Channels to space.
    DepthToSpace,
    /// Space to channels.
    SpaceToDepth,
}

/// A request to a named preset: the target and the input it will run on (some calls, like ONNX
/// `sizes`, name the whole output shape), plus ONNX attributes for `onnx*` presets.
#[derive(Debug, Clone, PartialEq)]
pub struct Request<'a> {
    /// Output size, scales or block.
    pub target: Target,
    /// The input `[n, c, h, w]`.
    pub input: [usize; 4],
    /// `name=value` attributes (only `onnx*` presets take them).
    pub attributes: &'a [(String, String)],
}

type MakeArgs = fn(&Request<'_>) -> Result<Value>;

/// One named preset.
#[derive(Clone, Copy)]
pub struct NamedPreset {
    /// The name, e.g. `torch.bilinear.align_corners`.
    pub name: &'static str,
    /// The framework: `torch`, `tf`, `keras`, `tflite`, `onnx`, `opencv`, `pillow`, `coreml` or `mps`.
    pub framework: &'static str,
    /// The function or op of the recorded call, as [`Call::function`] spells it.
    pub function: &'static str,
    /// The call it mirrors, with placeholders for the target.
    pub mirrors: &'static str,
    /// What sets its output.
    pub accepts: Accepts,
    /// What it does.
    pub kind: Kind,
    make: MakeArgs,
}

impl std::fmt::Debug for NamedPreset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamedPreset")
            .field("name", &self.name)
            .field("mirrors", &self.mirrors)
            .finish_non_exhaustive()
    }
}

impl NamedPreset {
    /// The recorded framework call for this request.
    ///
    /// Errors: a scale that is NaN, infinite, zero or negative, a size or block of 0 (or past
    /// [`MAX_AXIS_LEN`](crate::error::MAX_AXIS_LEN)) — refused here, since the recorded call is
    /// JSON, which cannot hold NaN or infinity — and whatever the call itself refuses.
    pub fn call(&self, request: &Request<'_>) -> Result<Call> {
        match request.target {
            Target::Scale([h, w]) => {
                check_scale("scale (height)", h)?;
                check_scale("scale (width)", w)?;
            }
            Target::Size([h, w]) => {
                check_len("output height", h)?;
                check_len("output width", w)?;
            }
            Target::Block(b) => {
                check_len("block size", b)?;
            }
        }
        if !request.attributes.is_empty() && self.framework != "onnx" {
            return Err(Error::invalid_argument(
                "attribute",
                &request.attributes[0].0,
                format!("{} takes no attributes (only onnx presets do)", self.name),
            ));
        }
        Ok(Call {
            framework: self.framework.into(),
            function: self.function.into(),
            args: (self.make)(request).map_err(|e| match e {
                Error::Unsupported { what } => Error::unsupported(format!("{}: {what}", self.name)),
                other => other,
            })?,
        })
    }

    /// The operation for this request.
    pub fn build(&self, request: &Request<'_>) -> Result<Operation> {
        from_call(&self.call(request)?)
    }

    /// The layout of the framework's tensors ([`FRAMEWORK_LAYOUTS`]): NHWC for TensorFlow,
    /// Keras, TFLite, OpenCV and Pillow presets, NCHW for PyTorch, ONNX, Core ML and MPS.
    pub fn layout(&self) -> Layout {
        framework_layout(self.framework).unwrap_or(Layout::Nchw)
    }
}

/// Every named preset, in a stable order (by framework, then by call).
pub fn all() -> &'static [NamedPreset] {
    PRESETS
}

/// Other names accepted for a preset: `(alias, name)`.
pub const ALIASES: &[(&str, &str)] = &[
    (
        "coreml.resize_bilinear.strict_align_endpoints",
        "coreml.nn.resize_bilinear.strict_align_endpoints",
    ),
    (
        "coreml.resize_bilinear.align_endpoints",
        "coreml.nn.resize_bilinear.align_endpoints",
    ),
    (
        "coreml.resize_bilinear.upsample_mode",
        "coreml.nn.resize_bilinear.upsample",
    ),
    (
        "coreml.resize_bilinear.roi_align",
        "coreml.nn.resize_bilinear.roi_align",
    ),
    ("torch.nearest-exact", "torch.nearest_exact"),
    ("opencv.inter_nearest-exact", "opencv.inter_nearest_exact"),
];

/// The preset called `name` (or one of its [`ALIASES`]), or [`Error::UnknownPreset`] with the
/// closest names.
pub fn by_name(name: &str) -> Result<&'static NamedPreset> {
    let wanted = name.trim().to_ascii_lowercase();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == wanted)
        .map_or(wanted.as_str(), |(_, n)| n);
    if let Some(p) = PRESETS.iter().find(|p| p.name == canonical) {
        return Ok(p);
    }
    let mut scored: Vec<(usize, &str)> = PRESETS
        .iter()
        .map(|p| (edit_distance(&wanted, p.name), p.name))
        .collect();
    scored.sort();
    let best = scored.first().map_or(usize::MAX, |s| s.0);
    let mut suggestions: Vec<String> = scored
        .iter()
        .filter(|(d, _)| *d <= best.max(2) && *d <= wanted.len() / 2 + 2)
        .take(3)
        .map(|(_, n)| n.to_string())
        .collect();
    if suggestions.is_empty() {
        // A family prefix ("torch", "coreml.nn") is a fine hint too.
        let family = wanted.split('.').next().unwrap_or("");
        suggestions = PRESETS
            .iter()
            .filter(|p| p.framework == family)
            .take(3)
            .map(|p| p.name.to_string())
            .collect();
    }
    Err(Error::UnknownPreset {
        name: name.to_string(),
        suggestions,
    })
}

/// Levenshtein distance (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

// ---- turning a target into the call's parameters -------------------------------------------

fn size_of(r: &Request<'_>) -> Result<[usize; 2]> {
    match r.target {
        Target::Size(s) => Ok(s),
        Target::Scale(_) | Target::Block(_) => Err(Error::unsupported(
            "this call takes an output size: give --size HxW",
        )),
    }
}

/// An output size that is an integer multiple of the input, as integer factors.
fn integer_factors(r: &Request<'_>, [h, w]: [usize; 2]) -> Result<[usize; 2]> {
    let [_, _, ih, iw] = r.input;
    if ih == 0 || iw == 0 || h % ih != 0 || w % iw != 0 {
        return Err(Error::unsupported(format!(
            "this call takes integer scale factors, and {h}x{w} is not a multiple of the input \
             {ih}x{iw}: give --scale"
        )));
    }
    Ok([h / ih, w / iw])
}

fn scale_of(r: &Request<'_>) -> Result<[f64; 2]> {
    match r.target {
        Target::Scale(s) => Ok(s),
        Target::Size(s) => integer_factors(r, s).map(|[a, b]| [a as f64, b as f64]),
        Target::Block(_) => Err(Error::unsupported(
            "this call takes scale factors: give --scale",
        )),
    }
}

fn integer_scale_of(r: &Request<'_>) -> Result<[usize; 2]> {
    match r.target {
        Target::Size(s) => integer_factors(r, s),
        Target::Scale([sh, sw]) => {
            let int = |v: f64| -> Result<usize> {
                if v.is_finite() && v >= 1.0 && v.fract() == 0.0 && v <= u32::MAX as f64 {
                    Ok(v as usize)
                } else {
                    Err(Error::invalid_argument(
                        "scale",
                        v,
                        "this call takes integer scale factors of at least 1",
                    ))
                }
            };
            Ok([int(sh)?, int(sw)?])
        }
        Target::Block(_) => Err(Error::unsupported(
            "this call takes scale factors: give --scale",
        )),
    }
}

fn block_of(r: &Request<'_>) -> Result<usize> {
    match r.target {
        Target::Block(b) => Ok(b),
        _ => {
            let [bh, bw] = integer_scale_of(r)
                .map_err(|_| Error::unsupported("this call takes a block size: give --block B"))?;
            if bh != bw {
                return Err(Error::invalid_argument(
                    "scale",
                    format!("{bh},{bw}"),
                    "a block size is the same on both axes",
                ));
            }
            Ok(bh)
        }
    }
}

// ---- the builders of each family ---------------------------------------------------------------

fn torch_interpolate(
    r: &Request<'_>,
    mode: &str,
    align_corners: Option<bool>,
    aa: bool,
) -> Result<Value> {
    let (size, scale) = match r.target {
        Target::Size(s) => (json!(s), Value::Null),
        Target::Scale(s) => (Value::Null, json!(s)),
        Target::Block(_) => return Err(Error::unsupported("give --size or --scale")),
    };
    Ok(json!({
        "size": size, "scale_factor": scale, "mode": mode,
        "align_corners": align_corners, "recompute_scale_factor": null, "antialias": aa,
    }))
}

fn tf2_resize(r: &Request<'_>, method: &str, aa: bool) -> Result<Value> {
    Ok(json!({"size": size_of(r)?, "method": method, "antialias": aa}))
}

fn tf1_resize(r: &Request<'_>, align_corners: bool, half_pixel_centers: bool) -> Result<Value> {
    Ok(json!({
        "size": size_of(r)?, "align_corners": align_corners,
        "half_pixel_centers": half_pixel_centers,
    }))
}

fn keras_resizing(r: &Request<'_>, interpolation: &str) -> Result<Value> {
    let [h, w] = size_of(r)?;
    Ok(json!({
        "height": h, "width": w, "interpolation": interpolation, "crop_to_aspect_ratio": false,
    }))
}

fn keras_upsampling(r: &Request<'_>, interpolation: &str) -> Result<Value> {
    Ok(json!({"size": integer_scale_of(r)?, "interpolation": interpolation}))
}

/// Parses an ONNX attribute value given on the command line: integers and floats as numbers,
/// anything else as a string.
/// An attribute's text as JSON: integers and finite numbers as numbers; anything else (NaN and
/// infinities included, which JSON numbers cannot hold) as a string, which the argument readers
/// parse again where a number is expected.
fn attribute_value(v: &str) -> Value {
    if let Ok(i) = v.parse::<i64>() {
        json!(i)
    } else if let Some(f) = v.parse::<f64>().ok().filter(|f| f.is_finite()) {
        json!(f)
    } else {
        json!(v)
    }
}

fn onnx_resize(r: &Request<'_>, defaults: &[(&str, Value)]) -> Result<Value> {
    let mut attributes = Map::new();
    for (k, v) in defaults {
        attributes.insert((*k).into(), v.clone());
    }
    for (k, v) in r.attributes {
        attributes.insert(k.clone(), attribute_value(v));
    }
    let [n, c, _, _] = r.input;
    let inputs = match r.target {
        Target::Size([h, w]) => json!({"roi": null, "scales": null, "sizes": [n, c, h, w]}),
        Target::Scale([sh, sw]) => {
            json!({"roi": null, "scales": [1.0, 1.0, sh, sw], "sizes": null})
        }
        Target::Block(_) => return Err(Error::unsupported("give --size or --scale")),
    };
    Ok(json!({"opset": 19, "attributes": attributes, "inputs": inputs}))
}

fn onnx_block(r: &Request<'_>, mode: Option<&str>) -> Result<Value> {
    let mut attributes = Map::new();
    attributes.insert("blocksize".into(), json!(block_of(r)?));
    if let Some(m) = mode {
        attributes.insert("mode".into(), json!(m));
    }
    for (k, v) in r.attributes {
        attributes.insert(k.clone(), attribute_value(v));
    }
    Ok(json!({"opset": 13, "attributes": attributes, "inputs": {}}))
}

fn opencv_resize(r: &Request<'_>, interpolation: &str) -> Result<Value> {
    Ok(match r.target {
        Target::Size([h, w]) => {
            json!({"dsize": [w, h], "fx": 0.0, "fy": 0.0, "interpolation": interpolation})
        }
        Target::Scale([sh, sw]) => {
            json!({"dsize": [0, 0], "fx": sw, "fy": sh, "interpolation": interpolation})
        }
        Target::Block(_) => return Err(Error::unsupported("give --size or --scale")),
    })
}

/// `img.resize((W, H), resample)`: the mode is the tensor's (uint8 with 1, 3, 4 channels: L,
/// RGB, RGBA; float32: F on each channel).
fn pillow_resize(r: &Request<'_>, resample: &str) -> Result<Value> {
    let [h, w] = size_of(r)?;
    Ok(json!({"size": [w, h], "resample": resample}))
}

fn coreml_upsample_bilinear(r: &Request<'_>, align_corners: bool) -> Result<Value> {
    let [sh, sw] = scale_of(r)?;
    Ok(json!({
        "scale_factor_height": sh, "scale_factor_width": sw, "align_corners": align_corners,
    }))
}

fn coreml_resize_bilinear(r: &Request<'_>, sampling_mode: &str) -> Result<Value> {
    let [h, w] = size_of(r)?;
    Ok(json!({
        "target_size_height": h, "target_size_width": w, "sampling_mode": sampling_mode,
    }))
}

fn coreml_nn_upsample(r: &Request<'_>, mode: &str, linear: Option<&str>) -> Result<Value> {
    let [sh, sw] = scale_of(r)?;
    let fractional = sh.fract() != 0.0 || sw.fract() != 0.0;
    if fractional && !matches!(linear, Some("ALIGN_CORNERS_TRUE" | "ALIGN_CORNERS_FALSE")) {
        use super::coreml::LinearUpsampleMode as L;
        let bilinear = linear.map(|l| match l {
            "ALIGN_CORNERS_TRUE" => L::AlignCornersTrue,
            "ALIGN_CORNERS_FALSE" => L::AlignCornersFalse,
            _ => L::Default,
        });
        return Err(super::coreml::nn_upsample_refused(
            [sh, sw],
            bilinear,
            "Fractional upsample only compatible with align_corners=true or align_corners=false",
        ));
    }
    let mut args = Map::new();
    if !fractional {
        args.insert("scalingFactor".into(), json!([sh as u64, sw as u64]));
    } else {
        args.insert("fractionalScalingFactor".into(), json!([sh, sw]));
    }
    args.insert("mode".into(), json!(mode));
    if let Some(l) = linear {
        args.insert("linearUpsampleMode".into(), json!(l));
    }
    Ok(Value::Object(args))
}

fn coreml_nn_resize_bilinear(r: &Request<'_>, mode: &str) -> Result<Value> {
    Ok(json!({"targetSize": size_of(r)?, "mode": mode}))
}

fn mps_upsampling(r: &Request<'_>, align_corners: Option<bool>) -> Result<Value> {
    let [fy, fx] = integer_scale_of(r)?;
    let mut args = json!({"scaleFactorX": fx, "scaleFactorY": fy});
    if let Some(ac) = align_corners {
        args["alignCorners"] = json!(ac);
    }
    Ok(args)
}

fn mps_resize(r: &Request<'_>, align_corners: bool) -> Result<Value> {
    let [h, w] = size_of(r)?;
    Ok(json!({"resizeWidth": w, "resizeHeight": h, "alignCorners": align_corners}))
}

// ---- the table ----------------------------------------------------------------------------------

macro_rules! preset {
    ($name:literal, $fw:literal, $func:literal, $accepts:ident, $kind:ident, $mirrors:literal, $make:expr) => {
        NamedPreset {
            name: $name,
            framework: $fw,
            function: $func,
            mirrors: $mirrors,
            accepts: Accepts::$accepts,
            kind: Kind::$kind,
            make: $make,
        }
    };
}

const PRESETS: &[NamedPreset] = &[
    // PyTorch
    preset!("torch.nearest", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='nearest')",
        |r| torch_interpolate(r, "nearest", None, false)),
    preset!("torch.nearest_exact", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='nearest-exact')",
        |r| torch_interpolate(r, "nearest-exact", None, false)),
    preset!("torch.bilinear", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bilinear', align_corners=False)",
        |r| torch_interpolate(r, "bilinear", Some(false), false)),
    preset!("torch.bilinear.align_corners", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bilinear', align_corners=True)",
        |r| torch_interpolate(r, "bilinear", Some(true), false)),
    preset!("torch.bilinear.antialias", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bilinear', align_corners=False, antialias=True)",
        |r| torch_interpolate(r, "bilinear", Some(false), true)),
    preset!("torch.bicubic", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bicubic', align_corners=False)",
        |r| torch_interpolate(r, "bicubic", Some(false), false)),
    preset!("torch.bicubic.align_corners", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bicubic', align_corners=True)",
        |r| torch_interpolate(r, "bicubic", Some(true), false)),
    preset!("torch.bicubic.antialias", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='bicubic', align_corners=False, antialias=True)",
        |r| torch_interpolate(r, "bicubic", Some(false), true)),
    preset!("torch.area", "torch", "interpolate", SizeOrScale, Resize,
        "torch.nn.functional.interpolate(x, size|scale_factor, mode='area')",
        |r| torch_interpolate(r, "area", None, false)),
    preset!("torch.pixel_shuffle", "torch", "pixel_shuffle", Block, DepthToSpace,
        "torch.nn.functional.pixel_shuffle(x, upscale_factor)",
        |r| Ok(json!({"upscale_factor": block_of(r)?}))),
    preset!("torch.pixel_unshuffle", "torch", "pixel_unshuffle", Block, SpaceToDepth,
        "torch.nn.functional.pixel_unshuffle(x, downscale_factor)",
        |r| Ok(json!({"downscale_factor": block_of(r)?}))),
    // TensorFlow 2
    preset!("tf.bilinear", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='bilinear')",
        |r| tf2_resize(r, "bilinear", false)),
    preset!("tf.bilinear.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='bilinear', antialias=True)",
        |r| tf2_resize(r, "bilinear", true)),
    preset!("tf.nearest", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='nearest')",
        |r| tf2_resize(r, "nearest", false)),
    preset!("tf.bicubic", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='bicubic')",
        |r| tf2_resize(r, "bicubic", false)),
    preset!("tf.bicubic.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='bicubic', antialias=True)",
        |r| tf2_resize(r, "bicubic", true)),
    preset!("tf.area", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='area')",
        |r| tf2_resize(r, "area", false)),
    preset!("tf.lanczos3", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='lanczos3')",
        |r| tf2_resize(r, "lanczos3", false)),
    preset!("tf.lanczos3.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='lanczos3', antialias=True)",
        |r| tf2_resize(r, "lanczos3", true)),
    preset!("tf.lanczos5", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='lanczos5')",
        |r| tf2_resize(r, "lanczos5", false)),
    preset!("tf.lanczos5.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='lanczos5', antialias=True)",
        |r| tf2_resize(r, "lanczos5", true)),
    preset!("tf.gaussian", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='gaussian')",
        |r| tf2_resize(r, "gaussian", false)),
    preset!("tf.gaussian.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='gaussian', antialias=True)",
        |r| tf2_resize(r, "gaussian", true)),
    preset!("tf.mitchellcubic", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='mitchellcubic')",
        |r| tf2_resize(r, "mitchellcubic", false)),
    preset!("tf.mitchellcubic.antialias", "tf", "image.resize", Size, Resize,
        "tf.image.resize(images, size, method='mitchellcubic', antialias=True)",
        |r| tf2_resize(r, "mitchellcubic", true)),
    preset!("tf.depth_to_space", "tf", "nn.depth_to_space", Block, DepthToSpace,
        "tf.nn.depth_to_space(input, block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    preset!("tf.space_to_depth", "tf", "nn.space_to_depth", Block, SpaceToDepth,
        "tf.nn.space_to_depth(input, block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    // TensorFlow 1 (tf.compat.v1.image)
    preset!("tf1.bilinear", "tf", "compat.v1.image.resize_bilinear", Size, Resize,
        "tf.compat.v1.image.resize_bilinear(images, size, align_corners=False, half_pixel_centers=False)",
        |r| tf1_resize(r, false, false)),
    preset!("tf1.bilinear.align_corners", "tf", "compat.v1.image.resize_bilinear", Size, Resize,
        "tf.compat.v1.image.resize_bilinear(images, size, align_corners=True)",
        |r| tf1_resize(r, true, false)),
    preset!("tf1.bilinear.half_pixel_centers", "tf", "compat.v1.image.resize_bilinear", Size, Resize,
        "tf.compat.v1.image.resize_bilinear(images, size, half_pixel_centers=True)",
        |r| tf1_resize(r, false, true)),
    preset!("tf1.nearest", "tf", "compat.v1.image.resize_nearest_neighbor", Size, Resize,
        "tf.compat.v1.image.resize_nearest_neighbor(images, size, align_corners=False, half_pixel_centers=False)",
        |r| tf1_resize(r, false, false)),
    preset!("tf1.nearest.align_corners", "tf", "compat.v1.image.resize_nearest_neighbor", Size, Resize,
        "tf.compat.v1.image.resize_nearest_neighbor(images, size, align_corners=True)",
        |r| tf1_resize(r, true, false)),
    preset!("tf1.nearest.half_pixel_centers", "tf", "compat.v1.image.resize_nearest_neighbor", Size, Resize,
        "tf.compat.v1.image.resize_nearest_neighbor(images, size, half_pixel_centers=True)",
        |r| tf1_resize(r, false, true)),
    preset!("tf1.bicubic", "tf", "compat.v1.image.resize_bicubic", Size, Resize,
        "tf.compat.v1.image.resize_bicubic(images, size, align_corners=False, half_pixel_centers=False)",
        |r| tf1_resize(r, false, false)),
    preset!("tf1.bicubic.align_corners", "tf", "compat.v1.image.resize_bicubic", Size, Resize,
        "tf.compat.v1.image.resize_bicubic(images, size, align_corners=True)",
        |r| tf1_resize(r, true, false)),
    preset!("tf1.bicubic.half_pixel_centers", "tf", "compat.v1.image.resize_bicubic", Size, Resize,
        "tf.compat.v1.image.resize_bicubic(images, size, half_pixel_centers=True)",
        |r| tf1_resize(r, false, true)),
    preset!("tf1.area", "tf", "compat.v1.image.resize_area", Size, Resize,
        "tf.compat.v1.image.resize_area(images, size, align_corners=False)",
        |r| Ok(json!({"size": size_of(r)?, "align_corners": false}))),
    // Keras
    preset!("keras.upsampling2d.nearest", "keras", "layers.UpSampling2D", IntegerScale, Resize,
        "keras.layers.UpSampling2D(size=(fh, fw), interpolation='nearest')",
        |r| keras_upsampling(r, "nearest")),
    preset!("keras.upsampling2d.bilinear", "keras", "layers.UpSampling2D", IntegerScale, Resize,
        "keras.layers.UpSampling2D(size=(fh, fw), interpolation='bilinear')",
        |r| keras_upsampling(r, "bilinear")),
    preset!("keras.upsampling2d.bicubic", "keras", "layers.UpSampling2D", IntegerScale, Resize,
        "keras.layers.UpSampling2D(size=(fh, fw), interpolation='bicubic')",
        |r| keras_upsampling(r, "bicubic")),
    preset!("keras.resizing.bilinear", "keras", "layers.Resizing", Size, Resize,
        "keras.layers.Resizing(height, width, interpolation='bilinear')",
        |r| keras_resizing(r, "bilinear")),
    preset!("keras.resizing.nearest", "keras", "layers.Resizing", Size, Resize,
        "keras.layers.Resizing(height, width, interpolation='nearest')",
        |r| keras_resizing(r, "nearest")),
    preset!("keras.resizing.bicubic", "keras", "layers.Resizing", Size, Resize,
        "keras.layers.Resizing(height, width, interpolation='bicubic')",
        |r| keras_resizing(r, "bicubic")),
    preset!("keras.resizing.area", "keras", "layers.Resizing", Size, Resize,
        "keras.layers.Resizing(height, width, interpolation='area')",
        |r| keras_resizing(r, "area")),
    // TensorFlow Lite builtins
    preset!("tflite.resize_bilinear", "tflite", "RESIZE_BILINEAR", Size, Resize,
        "TFLite RESIZE_BILINEAR(size, align_corners=false, half_pixel_centers=false)",
        |r| tf1_resize(r, false, false)),
    preset!("tflite.resize_bilinear.align_corners", "tflite", "RESIZE_BILINEAR", Size, Resize,
        "TFLite RESIZE_BILINEAR(size, align_corners=true, half_pixel_centers=false)",
        |r| tf1_resize(r, true, false)),
    preset!("tflite.resize_bilinear.half_pixel_centers", "tflite", "RESIZE_BILINEAR", Size, Resize,
        "TFLite RESIZE_BILINEAR(size, align_corners=false, half_pixel_centers=true)",
        |r| tf1_resize(r, false, true)),
    preset!("tflite.resize_nearest_neighbor", "tflite", "RESIZE_NEAREST_NEIGHBOR", Size, Resize,
        "TFLite RESIZE_NEAREST_NEIGHBOR(size, align_corners=false, half_pixel_centers=false)",
        |r| tf1_resize(r, false, false)),
    preset!("tflite.resize_nearest_neighbor.align_corners", "tflite", "RESIZE_NEAREST_NEIGHBOR", Size, Resize,
        "TFLite RESIZE_NEAREST_NEIGHBOR(size, align_corners=true, half_pixel_centers=false)",
        |r| tf1_resize(r, true, false)),
    preset!("tflite.resize_nearest_neighbor.half_pixel_centers", "tflite", "RESIZE_NEAREST_NEIGHBOR", Size, Resize,
        "TFLite RESIZE_NEAREST_NEIGHBOR(size, align_corners=false, half_pixel_centers=true)",
        |r| tf1_resize(r, false, true)),
    preset!("tflite.depth_to_space", "tflite", "DEPTH_TO_SPACE", Block, DepthToSpace,
        "TFLite DEPTH_TO_SPACE(block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    preset!("tflite.space_to_depth", "tflite", "SPACE_TO_DEPTH", Block, SpaceToDepth,
        "TFLite SPACE_TO_DEPTH(block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    // ONNX Resize-19 (attributes from --attr name=value override the preset's)
    preset!("onnx", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(X, roi='', scales|sizes; attributes as given, ONNX defaults otherwise: mode='nearest', coordinate_transformation_mode='half_pixel', nearest_mode='round_prefer_floor')",
        |r| onnx_resize(r, &[])),
    preset!("onnx.nearest.asymmetric.floor", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='nearest', coordinate_transformation_mode='asymmetric', nearest_mode='floor')",
        |r| onnx_resize(r, &[("mode", json!("nearest")), ("coordinate_transformation_mode", json!("asymmetric")), ("nearest_mode", json!("floor"))])),
    preset!("onnx.nearest.half_pixel", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='nearest', coordinate_transformation_mode='half_pixel', nearest_mode='round_prefer_floor')",
        |r| onnx_resize(r, &[("mode", json!("nearest")), ("coordinate_transformation_mode", json!("half_pixel"))])),
    preset!("onnx.nearest.half_pixel.round_prefer_ceil", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='nearest', coordinate_transformation_mode='half_pixel', nearest_mode='round_prefer_ceil')",
        |r| onnx_resize(r, &[("mode", json!("nearest")), ("coordinate_transformation_mode", json!("half_pixel")), ("nearest_mode", json!("round_prefer_ceil"))])),
    preset!("onnx.nearest.align_corners.round_prefer_ceil", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='nearest', coordinate_transformation_mode='align_corners', nearest_mode='round_prefer_ceil')",
        |r| onnx_resize(r, &[("mode", json!("nearest")), ("coordinate_transformation_mode", json!("align_corners")), ("nearest_mode", json!("round_prefer_ceil"))])),
    preset!("onnx.linear.half_pixel", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='linear', coordinate_transformation_mode='half_pixel')",
        |r| onnx_resize(r, &[("mode", json!("linear")), ("coordinate_transformation_mode", json!("half_pixel"))])),
    preset!("onnx.linear.pytorch_half_pixel", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='linear', coordinate_transformation_mode='pytorch_half_pixel')",
        |r| onnx_resize(r, &[("mode", json!("linear")), ("coordinate_transformation_mode", json!("pytorch_half_pixel"))])),
    preset!("onnx.linear.align_corners", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='linear', coordinate_transformation_mode='align_corners')",
        |r| onnx_resize(r, &[("mode", json!("linear")), ("coordinate_transformation_mode", json!("align_corners"))])),
    preset!("onnx.linear.asymmetric", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='linear', coordinate_transformation_mode='asymmetric')",
        |r| onnx_resize(r, &[("mode", json!("linear")), ("coordinate_transformation_mode", json!("asymmetric"))])),
    preset!("onnx.linear.half_pixel.antialias", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='linear', coordinate_transformation_mode='half_pixel', antialias=1)",
        |r| onnx_resize(r, &[("mode", json!("linear")), ("coordinate_transformation_mode", json!("half_pixel")), ("antialias", json!(1))])),
    preset!("onnx.cubic.half_pixel", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='cubic', coordinate_transformation_mode='half_pixel', cubic_coeff_a=-0.75)",
        |r| onnx_resize(r, &[("mode", json!("cubic")), ("coordinate_transformation_mode", json!("half_pixel"))])),
    preset!("onnx.cubic.align_corners", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='cubic', coordinate_transformation_mode='align_corners', cubic_coeff_a=-0.75)",
        |r| onnx_resize(r, &[("mode", json!("cubic")), ("coordinate_transformation_mode", json!("align_corners"))])),
    preset!("onnx.cubic.half_pixel.tf", "onnx", "Resize", SizeOrScale, Resize,
        "onnx Resize-19(mode='cubic', coordinate_transformation_mode='half_pixel', cubic_coeff_a=-0.5, exclude_outside=1)",
        |r| onnx_resize(r, &[("mode", json!("cubic")), ("coordinate_transformation_mode", json!("half_pixel")), ("cubic_coeff_a", json!(-0.5)), ("exclude_outside", json!(1))])),
    preset!("onnx.depth_to_space.dcr", "onnx", "DepthToSpace", Block, DepthToSpace,
        "onnx DepthToSpace-13(blocksize, mode='DCR')",
        |r| onnx_block(r, Some("DCR"))),
    preset!("onnx.depth_to_space.crd", "onnx", "DepthToSpace", Block, DepthToSpace,
        "onnx DepthToSpace-13(blocksize, mode='CRD')",
        |r| onnx_block(r, Some("CRD"))),
    preset!("onnx.space_to_depth", "onnx", "SpaceToDepth", Block, SpaceToDepth,
        "onnx SpaceToDepth-13(blocksize)",
        |r| onnx_block(r, None)),
    // OpenCV
    preset!("opencv.inter_nearest", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_NEAREST)",
        |r| opencv_resize(r, "INTER_NEAREST")),
    preset!("opencv.inter_nearest_exact", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_NEAREST_EXACT)",
        |r| opencv_resize(r, "INTER_NEAREST_EXACT")),
    preset!("opencv.inter_linear", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_LINEAR)",
        |r| opencv_resize(r, "INTER_LINEAR")),
    preset!("opencv.inter_cubic", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_CUBIC)",
        |r| opencv_resize(r, "INTER_CUBIC")),
    preset!("opencv.inter_area", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_AREA)",
        |r| opencv_resize(r, "INTER_AREA")),
    preset!("opencv.inter_lanczos4", "opencv", "resize", SizeOrScale, Resize,
        "cv2.resize(src, dsize=(W, H) | fx, fy, interpolation=cv2.INTER_LANCZOS4)",
        |r| opencv_resize(r, "INTER_LANCZOS4")),
    // Pillow
    preset!("pillow.nearest", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.NEAREST)",
        |r| pillow_resize(r, "NEAREST")),
    preset!("pillow.box", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.BOX)",
        |r| pillow_resize(r, "BOX")),
    preset!("pillow.bilinear", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.BILINEAR)",
        |r| pillow_resize(r, "BILINEAR")),
    preset!("pillow.hamming", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.HAMMING)",
        |r| pillow_resize(r, "HAMMING")),
    preset!("pillow.bicubic", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.BICUBIC)",
        |r| pillow_resize(r, "BICUBIC")),
    preset!("pillow.lanczos", "pillow", "Image.resize", Size, Resize,
        "img.resize((W, H), Image.Resampling.LANCZOS)",
        |r| pillow_resize(r, "LANCZOS")),
    // Core ML MIL ops (coremltools mb.*)
    preset!("coreml.upsample_nearest_neighbor", "coreml", "upsample_nearest_neighbor", Scale, Resize,
        "mb.upsample_nearest_neighbor(x, scale_factor_height, scale_factor_width)",
        |r| { let [sh, sw] = scale_of(r)?; Ok(json!({"scale_factor_height": sh, "scale_factor_width": sw})) }),
    preset!("coreml.upsample_bilinear", "coreml", "upsample_bilinear", Scale, Resize,
        "mb.upsample_bilinear(x, scale_factor_height, scale_factor_width, align_corners=False)",
        |r| coreml_upsample_bilinear(r, false)),
    preset!("coreml.upsample_bilinear.align_corners", "coreml", "upsample_bilinear", Scale, Resize,
        "mb.upsample_bilinear(x, scale_factor_height, scale_factor_width, align_corners=True)",
        |r| coreml_upsample_bilinear(r, true)),
    preset!("coreml.resize_nearest_neighbor", "coreml", "resize_nearest_neighbor", Size, Resize,
        "mb.resize_nearest_neighbor(x, target_size_height, target_size_width)",
        |r| { let [h, w] = size_of(r)?; Ok(json!({"target_size_height": h, "target_size_width": w})) }),
    preset!("coreml.resize_bilinear.strict_align_corners", "coreml", "resize_bilinear", Size, Resize,
        "mb.resize_bilinear(x, target_size_height, target_size_width, sampling_mode='STRICT_ALIGN_CORNERS')",
        |r| coreml_resize_bilinear(r, "STRICT_ALIGN_CORNERS")),
    preset!("coreml.resize_bilinear.align_corners", "coreml", "resize_bilinear", Size, Resize,
        "mb.resize_bilinear(x, target_size_height, target_size_width, sampling_mode='ALIGN_CORNERS')",
        |r| coreml_resize_bilinear(r, "ALIGN_CORNERS")),
    preset!("coreml.resize_bilinear.default", "coreml", "resize_bilinear", Size, Resize,
        "mb.resize_bilinear(x, target_size_height, target_size_width, sampling_mode='DEFAULT')",
        |r| coreml_resize_bilinear(r, "DEFAULT")),
    preset!("coreml.resize_bilinear.offset_corners", "coreml", "resize_bilinear", Size, Resize,
        "mb.resize_bilinear(x, target_size_height, target_size_width, sampling_mode='OFFSET_CORNERS')",
        |r| coreml_resize_bilinear(r, "OFFSET_CORNERS")),
    preset!("coreml.resize_bilinear.unalign_corners", "coreml", "resize_bilinear", Size, Resize,
        "mb.resize_bilinear(x, target_size_height, target_size_width, sampling_mode='UNALIGN_CORNERS')",
        |r| coreml_resize_bilinear(r, "UNALIGN_CORNERS")),
    preset!("coreml.pixel_shuffle", "coreml", "pixel_shuffle", Block, DepthToSpace,
        "mb.pixel_shuffle(x, upscale_factor)",
        |r| Ok(json!({"upscale_factor": block_of(r)?}))),
    preset!("coreml.pixel_unshuffle", "coreml", "pixel_unshuffle", Block, SpaceToDepth,
        "mb.pixel_unshuffle(x, downscale_factor)",
        |r| Ok(json!({"downscale_factor": block_of(r)?}))),
    preset!("coreml.depth_to_space", "coreml", "depth_to_space", Block, DepthToSpace,
        "mb.depth_to_space(x, block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    preset!("coreml.space_to_depth", "coreml", "space_to_depth", Block, SpaceToDepth,
        "mb.space_to_depth(x, block_size)",
        |r| Ok(json!({"block_size": block_of(r)?}))),
    // Core ML NeuralNetwork layers
    preset!("coreml.nn.upsample", "coreml", "NeuralNetwork.Upsample", Scale, Resize,
        "NeuralNetwork UpsampleLayerParams(scalingFactor | fractionalScalingFactor, mode=NN)",
        |r| coreml_nn_upsample(r, "NN", None)),
    preset!("coreml.nn.upsample.bilinear", "coreml", "NeuralNetwork.Upsample", Scale, Resize,
        "NeuralNetwork UpsampleLayerParams(scalingFactor, mode=BILINEAR, linearUpsampleMode=DEFAULT)",
        |r| coreml_nn_upsample(r, "BILINEAR", Some("DEFAULT"))),
    preset!("coreml.nn.upsample.bilinear.align_corners_true", "coreml", "NeuralNetwork.Upsample", Scale, Resize,
        "NeuralNetwork UpsampleLayerParams(scalingFactor | fractionalScalingFactor, mode=BILINEAR, linearUpsampleMode=ALIGN_CORNERS_TRUE)",
        |r| coreml_nn_upsample(r, "BILINEAR", Some("ALIGN_CORNERS_TRUE"))),
    preset!("coreml.nn.upsample.bilinear.align_corners_false", "coreml", "NeuralNetwork.Upsample", Scale, Resize,
        "NeuralNetwork UpsampleLayerParams(scalingFactor | fractionalScalingFactor, mode=BILINEAR, linearUpsampleMode=ALIGN_CORNERS_FALSE)",
        |r| coreml_nn_upsample(r, "BILINEAR", Some("ALIGN_CORNERS_FALSE"))),
    preset!("coreml.nn.resize_bilinear.strict_align_endpoints", "coreml", "NeuralNetwork.ResizeBilinear", Size, Resize,
        "NeuralNetwork ResizeBilinearLayerParams(targetSize, mode=STRICT_ALIGN_ENDPOINTS_MODE)",
        |r| coreml_nn_resize_bilinear(r, "STRICT_ALIGN_ENDPOINTS_MODE")),
    preset!("coreml.nn.resize_bilinear.align_endpoints", "coreml", "NeuralNetwork.ResizeBilinear", Size, Resize,
        "NeuralNetwork ResizeBilinearLayerParams(targetSize, mode=ALIGN_ENDPOINTS_MODE)",
        |r| coreml_nn_resize_bilinear(r, "ALIGN_ENDPOINTS_MODE")),
    preset!("coreml.nn.resize_bilinear.upsample", "coreml", "NeuralNetwork.ResizeBilinear", Size, Resize,
        "NeuralNetwork ResizeBilinearLayerParams(targetSize, mode=UPSAMPLE_MODE)",
        |r| coreml_nn_resize_bilinear(r, "UPSAMPLE_MODE")),
    preset!("coreml.nn.resize_bilinear.roi_align", "coreml", "NeuralNetwork.ResizeBilinear", Size, Resize,
        "NeuralNetwork ResizeBilinearLayerParams(targetSize, mode=ROI_ALIGN_MODE)",
        |r| coreml_nn_resize_bilinear(r, "ROI_ALIGN_MODE")),
    preset!("coreml.nn.reorganize_data.depth_to_space", "coreml", "NeuralNetwork.ReorganizeData", Block, DepthToSpace,
        "NeuralNetwork ReorganizeDataLayerParams(mode=DEPTH_TO_SPACE, blockSize)",
        |r| Ok(json!({"mode": "DEPTH_TO_SPACE", "blockSize": block_of(r)?}))),
    preset!("coreml.nn.reorganize_data.pixel_shuffle", "coreml", "NeuralNetwork.ReorganizeData", Block, DepthToSpace,
        "NeuralNetwork ReorganizeDataLayerParams(mode=PIXEL_SHUFFLE, blockSize)",
        |r| Ok(json!({"mode": "PIXEL_SHUFFLE", "blockSize": block_of(r)?}))),
    preset!("coreml.nn.reorganize_data.space_to_depth", "coreml", "NeuralNetwork.ReorganizeData", Block, SpaceToDepth,
        "NeuralNetwork ReorganizeDataLayerParams(mode=SPACE_TO_DEPTH, blockSize)",
        |r| Ok(json!({"mode": "SPACE_TO_DEPTH", "blockSize": block_of(r)?}))),
    // Metal Performance Shaders
    preset!("mps.upsampling_nearest", "mps", "MPSCNNUpsamplingNearest", IntegerScale, Resize,
        "MPSCNNUpsamplingNearest(device, integerScaleFactorX, integerScaleFactorY)",
        |r| mps_upsampling(r, None)),
    preset!("mps.upsampling_bilinear", "mps", "MPSCNNUpsamplingBilinear", IntegerScale, Resize,
        "MPSCNNUpsamplingBilinear(device, integerScaleFactorX, integerScaleFactorY, alignCorners: false)",
        |r| mps_upsampling(r, Some(false))),
    preset!("mps.upsampling_bilinear.align_corners", "mps", "MPSCNNUpsamplingBilinear", IntegerScale, Resize,
        "MPSCNNUpsamplingBilinear(device, integerScaleFactorX, integerScaleFactorY, alignCorners: true)",
        |r| mps_upsampling(r, Some(true))),
    preset!("mps.resize_bilinear", "mps", "MPSNNResizeBilinear", Size, Resize,
        "MPSNNResizeBilinear(device, resizeWidth, resizeHeight, alignCorners: false)",
        |r| mps_resize(r, false)),
    preset!("mps.resize_bilinear.align_corners", "mps", "MPSNNResizeBilinear", Size, Resize,
        "MPSNNResizeBilinear(device, resizeWidth, resizeHeight, alignCorners: true)",
        |r| mps_resize(r, true)),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::op::InputDesc;
    use crate::spec::Layout;

    #[test]
    fn every_framework_declares_its_layout() {
        for p in all() {
            assert!(
                framework_layout(p.framework).is_some(),
                "{}: framework {} has no entry in FRAMEWORK_LAYOUTS",
                p.name,
                p.framework
            );
        }
        let layout = |name: &str| by_name(name).unwrap().layout();
        for name in [
            "tf.bilinear",
            "tf1.area",
            "keras.upsampling2d.nearest",
            "opencv.inter_area",
        ] {
            assert_eq!(layout(name), Layout::Nhwc, "{name}");
        }
        for name in ["pillow.bicubic", "tf.depth_to_space"] {
            assert_eq!(layout(name), Layout::Nhwc, "{name}");
        }
        for name in [
            "torch.bilinear",
            "onnx",
            "coreml.resize_bilinear.default",
            "mps.resize_bilinear",
        ] {
            assert_eq!(layout(name), Layout::Nchw, "{name}");
        }
    }

    #[test]
    fn names_are_unique_lowercase_and_every_alias_resolves() {
        let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate preset names");
        for p in PRESETS {
            assert_eq!(p.name, p.name.to_ascii_lowercase());
            assert!(
                p.name.starts_with(&format!("{}.", p.framework))
                    || p.name.starts_with("tf1.")
                    || p.name == p.framework
            );
        }
        for (alias, name) in ALIASES {
            assert_eq!(by_name(alias).unwrap().name, *name);
        }
    }

    #[test]
    fn every_preset_builds_for_a_target_it_accepts() {
        let input = [1, 8, 6, 6];
        for p in PRESETS {
            let target = match p.accepts {
                Accepts::SizeOrScale | Accepts::Size => Target::Size([12, 12]),
                Accepts::Scale | Accepts::IntegerScale => Target::Scale([2.0, 2.0]),
                Accepts::Block => Target::Block(2),
            };
            let request = Request {
                target,
                input,
                attributes: &[],
            };
            let op = p
                .build(&request)
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            let out = op
                .output_dims(&InputDesc {
                    dims: input,
                    layout: Layout::Nchw,
                })
                .unwrap_or_else(|e| panic!("{}: {e}", p.name));
            let want = match p.kind {
                Kind::Resize => [1, 8, 12, 12],
                Kind::DepthToSpace => [1, 2, 12, 12],
                Kind::SpaceToDepth => [1, 32, 3, 3],
            };
            assert_eq!(out, want, "{}", p.name);
        }
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        match by_name("torch.bilnear") {
            Err(Error::UnknownPreset { suggestions, .. }) => {
                assert_eq!(
                    suggestions.first().map(String::as_str),
                    Some("torch.bilinear")
                )
            }
            other => panic!("{other:?}"),
        }
        let e = by_name("caffe.interp").unwrap_err().to_string();
        assert!(e.contains("halfpixel presets"), "{e}");
    }

    #[test]
    fn targets_a_call_cannot_take_are_refused_with_the_flag_to_use() {
        let p = by_name("tf.bilinear").unwrap();
        let e = p
            .build(&Request {
                target: Target::Scale([2.0, 2.0]),
                input: [1, 1, 4, 4],
                attributes: &[],
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("--size"), "{e}");
        let p = by_name("mps.upsampling_nearest").unwrap();
        let e = p
            .build(&Request {
                target: Target::Size([9, 8]),
                input: [1, 1, 4, 4],
                attributes: &[],
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("multiple"), "{e}");
        let attrs = [("mode".to_string(), "linear".to_string())];
        let e = by_name("torch.bilinear")
            .unwrap()
            .build(&Request {
                target: Target::Size([8, 8]),
                input: [1, 1, 4, 4],
                attributes: &attrs,
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("only onnx"), "{e}");
    }

    #[test]
    fn onnx_attributes_from_the_command_line_override_the_preset() {
        let attrs = [
            ("mode".to_string(), "cubic".to_string()),
            ("cubic_coeff_a".to_string(), "-0.5".to_string()),
        ];
        let call = by_name("onnx")
            .unwrap()
            .call(&Request {
                target: Target::Scale([2.0, 2.0]),
                input: [1, 3, 4, 4],
                attributes: &attrs,
            })
            .unwrap();
        assert_eq!(call.args["attributes"]["mode"], "cubic");
        assert_eq!(call.args["attributes"]["cubic_coeff_a"], -0.5);
        assert_eq!(call.args["inputs"]["scales"], json!([1.0, 1.0, 2.0, 2.0]));
    }
}
