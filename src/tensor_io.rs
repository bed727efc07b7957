//! Tensors as files: `.npy` arrays and PNG / JPEG images in, `.npy` arrays and images out.
//!
//! The format is chosen by the file's extension ([`FileFormat::from_path`]): `.npy`, `.png`,
//! `.jpg` or `.jpeg` (case-insensitive). Anything else is refused with the list of supported
//! extensions.
//!
//! # Reading ([`read_tensor`])
//!
//! Every tensor comes back as a 4-D `f32` array in the layout asked for.
//!
//! - **`.npy`**: any dtype [`npy::read_npy`] reads (`f2`, `f4`, `f8`, `b1`, signed and unsigned
//!   integers, either byte order, C or Fortran order), converted to `f32`. A 4-D array is taken as
//!   it is, in the given layout. Lower ranks gain leading axes of length 1:
//!
//!   | file shape | NCHW | NHWC |
//!   |---|---|---|
//!   | `[A, B, C, D]` | `[A, B, C, D]` = N×C×H×W | `[A, B, C, D]` = N×H×W×C |
//!   | `[A, B, C]` | C×H×W → `[1, A, B, C]` | H×W×C → `[1, A, B, C]` |
//!   | `[H, W]` | `[1, 1, H, W]` | `[1, H, W, 1]` |
//!
//!   Ranks 0, 1 and above 4 are refused.
//! - **PNG, JPEG**: one image becomes a `1×C×H×W` tensor (NCHW) or `1×H×W×C` (NHWC), with C = 1
//!   (grey, L), 2 (grey and alpha, LA), 3 (RGB) or 4 (RGBA), as the file stores it (palette PNGs
//!   and PNGs of 1, 2 or 4 bits per sample are expanded to 8 bits, as the decoder does). Values are
//!   the file's own integers as `f32`, not normalized: 0..255 for 8-bit images, 0..65535 for 16-bit
//!   PNG.
//!
//! [`LoadedTensor`] records the file's format, its shape and its [`ElementType`], so that a writer
//! can default to the input's type (an 8-bit image stays 8-bit, an `f16` `.npy` stays `f16`) and
//! [`LoadedTensor::restore_rank`] can give a 2-D or 3-D `.npy` its rank back.
//!
//! # Writing ([`write_tensor`])
//!
//! - **`.npy`**: any rank, as `f32` (`'<f4'`), `f16` (`'<f2'`), `u8` (`'|u1'`) or `u16`
//!   (`'<u2'`), little-endian, C order, the header `numpy.save` writes.
//! - **PNG**: one image (batch 1) of 1, 2, 3 or 4 channels, 8-bit (`u8`) or 16-bit (`u16`).
//! - **JPEG**: one image of 1 or 3 channels, 8-bit, baseline at quality [`JPEG_QUALITY`] (lossy:
//!   a JPEG read back is close to, not equal to, what was written).
//!
//! The tensor's shape is read in the same layout rules as above (a 2-D array is H×W, a 3-D one
//! C×H×W in NCHW or H×W×C in NHWC).
//!
//! Values are converted, never rescaled: a tensor in 0..1 written as `u8` becomes 0s and 1s.
//!
//! - **To `u8` / `u16`**: rounded to the nearest integer, ties to even (`2.5 → 2`, `3.5 → 4`, as
//!   NumPy's `rint`), then clamped to `[0, 255]` / `[0, 65535]` (±infinity clamps too). The
//!   [`WriteReport`] counts the values clamped, so a caller can warn. NaN has no integer value: a
//!   tensor holding NaN is refused with [`Error::InvalidArgument`] naming how many, and nothing is
//!   written.
//! - **To `f16`**: rounded to the nearest `f16`, ties to even (as NumPy's `astype(float16)`); a
//!   finite value beyond ±65504 becomes ±infinity, and the report counts those. NaN stays NaN.
//!
//! Nothing here panics on any input: unreadable files are [`Error::Io`], malformed `.npy` files
//! [`Error::Npy`], undecodable images [`Error::Image`], and shapes, element types or values a
//! format cannot hold [`Error::InvalidArgument`].
//!
//! ```
//! use halfpixel::tensor_io::{read_tensor, write_tensor, ElementType};
//! use halfpixel::Layout;
//! use ndarray::Array4;
//!
//! let dir = std::env::temp_dir().join(format!("halfpixel-doc-tensor-io-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("gradient.png");
//! // A 1×3×2×4 RGB tensor (NCHW); two of its values are above 255.
//! let x = Array4::from_shape_fn((1, 3, 2, 4), |(_, c, h, w)| (c * 100 + h * 40 + w * 10) as f32);
//! let report = write_tensor(&path, x.view(), Layout::Nchw, ElementType::U8)?;
//! assert_eq!(report.shape, vec![2, 4, 3]);
//! assert_eq!(report.warnings(), vec!["2 of 24 values clamped to [0, 255]".to_string()]);
//! // Read back as NHWC: 1×H×W×C.
//! let back = read_tensor(&path, Layout::Nhwc)?;
//! assert_eq!(back.array.dim(), (1, 2, 4, 3));
//! assert_eq!(back.element_type, ElementType::U8);
//! assert_eq!(back.array[[0, 1, 1, 2]], 250.0);
//! assert_eq!(back.array[[0, 1, 3, 2]], 255.0);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), halfpixel::Error>(())
//! ```

use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ColorType, DynamicImage, ExtendedColorType, ImageEncoder, ImageFormat, ImageReader};
use ndarray::{Array4, ArrayD, ArrayView, ArrayView4, Dimension, IxDyn};

use crate::error::{Error, Result};
use crate::npy::{self, NpyDtype, NpyElement};
use crate::spec::Layout;
use crate::tensor::Tensor4;

/// The quality JPEG files are written at (1–100; the `image` crate's default is 75).
pub const JPEG_QUALITY: u8 = 95;

/// The largest width or height a JPEG can hold.
pub const JPEG_MAX_SIDE: usize = 65_535;

/// A file format, chosen by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// NumPy's `.npy`.
    Npy,
    /// PNG (`.png`).
    Png,
    /// JPEG (`.jpg`, `.jpeg`).
    Jpeg,
}

impl FileFormat {
    /// The extensions recognised, as a list for messages.
    pub const EXTENSIONS: &'static str = ".npy, .png, .jpg, .jpeg";

    /// The format a path's extension names (case-insensitive), or [`Error::InvalidArgument`]
    /// listing the supported extensions.
    pub fn from_path(path: &Path) -> Result<Self> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("npy") => Ok(FileFormat::Npy),
            Some("png") => Ok(FileFormat::Png),
            Some("jpg") | Some("jpeg") => Ok(FileFormat::Jpeg),
            other => Err(Error::invalid_argument(
                "file",
                path.display(),
                format!(
                    "{} (supported: {})",
                    match other {
                        Some(e) => format!("unknown extension '.{e}'"),
                        None => "no extension to tell the format".to_string(),
                    },
                    Self::EXTENSIONS
                ),
            )),
        }
    }

    /// `npy`, `PNG` or `JPEG`.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Npy => "npy",
            FileFormat::Png => "PNG",
            FileFormat::Jpeg => "JPEG",
        }
    }

    /// Whether files of this format can hold elements of this type.
    pub fn supports(self, element_type: ElementType) -> bool {
        match self {
            FileFormat::Npy => true,
            FileFormat::Png => matches!(element_type, ElementType::U8 | ElementType::U16),
            FileFormat::Jpeg => element_type == ElementType::U8,
        }
    }

    /// The element types this format holds, as a list for messages.
    pub fn element_types(self) -> &'static str {
        match self {
            FileFormat::Npy => "f32, f16, u8 or u16",
            FileFormat::Png => "u8 or u16",
            FileFormat::Jpeg => "u8",
        }
    }

    /// The type to write when the caller prefers `preferred` (usually the input's): `preferred`
    /// itself where this format holds it, otherwise the format's own default (`f32` for `.npy`,
    /// `u8` for images).
    pub fn element_type_for(self, preferred: ElementType) -> ElementType {
        if self.supports(preferred) {
            preferred
        } else if self == FileFormat::Npy {
            ElementType::F32
        } else {
            ElementType::U8
        }
    }

    fn is_image(self) -> bool {
        self != FileFormat::Npy
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub use crate::tensor::ElementType;

/// The element type to write back a `.npy` of this dtype: `f2` stays `f16`, `u1` stays `u8`,
/// `u2` stays `u16`, everything else (floats, signed integers, booleans, wider unsigned
/// integers) becomes `f32`.
pub fn element_type_of_npy(dtype: NpyDtype) -> ElementType {
    match dtype {
        NpyDtype::F16 => ElementType::F16,
        NpyDtype::U8 => ElementType::U8,
        NpyDtype::U16 => ElementType::U16,
        _ => ElementType::F32,
    }
}

/// A tensor read from a file, as a 4-D `f32` array.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedTensor {
    /// The values, 4-D in [`LoadedTensor::layout`] (see the module documentation for how 2-D and
    /// 3-D arrays and images are arranged).
    pub array: Array4<f32>,
    /// The layout `array` is in (the one asked for).
    pub layout: Layout,
    /// The file's format.
    pub format: FileFormat,
    /// The shape the file stores: the `.npy` shape, or `[H, W, C]` for an image.
    pub file_shape: Vec<usize>,
    /// The type the file's values had, as a writer would store it again (an 8-bit image is
    /// [`ElementType::U8`]; for `.npy` see [`element_type_of_npy`]).
    pub element_type: ElementType,
    /// How the values were converted when the file's type is not one halfpixel computes in
    /// (float64, signed or wide integers, booleans): a sentence for a warning. `None` when the
    /// values are exactly the file's.
    pub conversion: Option<String>,
}

impl LoadedTensor {
    /// The values in the type halfpixel computes in for this file: 8- and 16-bit tensors as
    /// themselves (OpenCV, PyTorch and Pillow have their own integer arithmetic for them),
    /// everything else as float32.
    pub fn tensor(&self) -> Tensor4 {
        match self.element_type {
            ElementType::U8 => Tensor4::U8(self.array.mapv(|v| v as u8)),
            ElementType::U16 => Tensor4::U16(self.array.mapv(|v| v as u16)),
            _ => Tensor4::F32(self.array.clone()),
        }
    }

    /// `[n, c, h, w]` of the array, whatever its layout.
    pub fn dims_nchw(&self) -> [usize; 4] {
        self.layout.nchw(self.array.dim().into())
    }

    /// An output computed from this tensor, in the rank the input file had: a 3-D `.npy` gets
    /// back a 3-D output and a 2-D `.npy` a 2-D output, as long as the axes added on reading are
    /// still of length 1 (a pixel shuffle that changes the channel count keeps 4 dimensions).
    /// Images and 4-D inputs give the 4-D array as it is.
    pub fn restore_rank(&self, output: Array4<f32>) -> Result<ArrayD<f32>> {
        let rank = if self.format == FileFormat::Npy {
            self.file_shape.len()
        } else {
            4
        };
        demote(output, self.layout, rank)
    }
}

/// The 4-D shape (in `layout`) a tensor of `shape` is read as: 4-D as it is, 3-D with a leading
/// 1 (C×H×W in NCHW, H×W×C in NHWC), 2-D H×W as `[1, 1, H, W]` (NCHW) or `[1, H, W, 1]` (NHWC).
/// `None` for other ranks.
pub fn promoted_shape(shape: &[usize], layout: Layout) -> Option<[usize; 4]> {
    match (shape, layout) {
        (&[a, b, c, d], _) => Some([a, b, c, d]),
        (&[a, b, c], _) => Some([1, a, b, c]),
        (&[h, w], Layout::Nchw) => Some([1, 1, h, w]),
        (&[h, w], Layout::Nhwc) => Some([1, h, w, 1]),
        _ => None,
    }
}

/// Removes the axes [`promoted_shape`] adds for a tensor of rank `rank` (2 or 3), when they are
/// of length 1; otherwise (rank 4, or axes no longer 1) the array stays 4-D.
pub fn demote(array: Array4<f32>, layout: Layout, rank: usize) -> Result<ArrayD<f32>> {
    let [a, b, c, d]: [usize; 4] = array.dim().into();
    let shape: Vec<usize> = match (rank, layout) {
        (3, _) if a == 1 => vec![b, c, d],
        (2, Layout::Nchw) if a == 1 && b == 1 => vec![c, d],
        (2, Layout::Nhwc) if a == 1 && d == 1 => vec![b, c],
        _ => return Ok(array.into_dyn()),
    };
    let standard = if array.is_standard_layout() {
        array
    } else {
        array.as_standard_layout().into_owned()
    };
    standard
        .into_shape_with_order(IxDyn(&shape))
        .map_err(|e| Error::invalid_argument("output shape", format!("{shape:?}"), e.to_string()))
}

/// Reads a `.npy`, PNG or JPEG file as a 4-D `f32` tensor in `layout` (see the module
/// documentation for shapes, value ranges and element types).
pub fn read_tensor(path: &Path, layout: Layout) -> Result<LoadedTensor> {
    let format = FileFormat::from_path(path)?;
    match format {
        FileFormat::Npy => read_npy_tensor(path, layout),
        FileFormat::Png | FileFormat::Jpeg => read_image(path, format, layout),
    }
}

fn read_npy_tensor(path: &Path, layout: Layout) -> Result<LoadedTensor> {
    let a = npy::read_npy(path)?;
    let dims = promoted_shape(&a.shape, layout).ok_or_else(|| {
        Error::invalid_argument(
            "input",
            path.display(),
            format!(
                "a .npy of shape {:?} (rank {}) is not an image tensor: give a 4-D array \
                 ({}), a 3-D one ({}) or a 2-D one (H×W)",
                a.shape,
                a.shape.len(),
                match layout {
                    Layout::Nchw => "N×C×H×W",
                    Layout::Nhwc => "N×H×W×C",
                },
                match layout {
                    Layout::Nchw => "C×H×W",
                    Layout::Nhwc => "H×W×C",
                },
            ),
        )
    })?;
    let element_type = element_type_of_npy(a.dtype);
    let conversion = npy_conversion(a.dtype);
    let array = Array4::from_shape_vec(dims, a.data).map_err(|e| Error::Npy {
        source_name: path.display().to_string(),
        reason: format!("cannot form a {dims:?} array: {e}"),
    })?;
    Ok(LoadedTensor {
        array,
        layout,
        format: FileFormat::Npy,
        file_shape: a.shape,
        element_type,
        conversion,
    })
}

/// What reading a `.npy` of `dtype` did to its values, when it is not a type halfpixel computes
/// in exactly.
fn npy_conversion(dtype: NpyDtype) -> Option<String> {
    let what = match dtype {
        NpyDtype::F32 | NpyDtype::F16 | NpyDtype::U8 | NpyDtype::U16 => return None,
        NpyDtype::F64 => "float64 values were rounded to float32",
        NpyDtype::Bool => "booleans were read as 0.0 and 1.0 (float32)",
        NpyDtype::I8 | NpyDtype::I16 => "signed integers were converted to float32 (exactly)",
        NpyDtype::I32 | NpyDtype::U32 | NpyDtype::I64 | NpyDtype::U64 => {
            "integers were converted to float32 (exact only below 2^24 in magnitude)"
        }
    };
    Some(format!(
        "the .npy holds {} ({}), which halfpixel does not compute in: {what}; \
         the resize runs in float32",
        dtype.code(),
        match dtype {
            NpyDtype::F64 => "float64",
            NpyDtype::Bool => "bool",
            NpyDtype::I8 => "int8",
            NpyDtype::I16 => "int16",
            NpyDtype::I32 => "int32",
            NpyDtype::U32 => "uint32",
            NpyDtype::I64 => "int64",
            _ => "uint64",
        }
    ))
}

fn image_format(format: FileFormat) -> ImageFormat {
    if format == FileFormat::Png {
        ImageFormat::Png
    } else {
        ImageFormat::Jpeg
    }
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        action: action.into(),
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn image_error(action: &str, path: &Path, reason: impl fmt::Display) -> Error {
    Error::Image {
        action: action.into(),
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

fn read_image(path: &Path, format: FileFormat, layout: Layout) -> Result<LoadedTensor> {
    let file = File::open(path).map_err(|e| io_error("read", path, &e))?;
    let reader = ImageReader::with_format(BufReader::new(file), image_format(format));
    let img = reader.decode().map_err(|e| {
        image_error(
            "decode",
            path,
            format!("{e} (is it a {} file?)", format.name()),
        )
    })?;
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (data, channels, element_type) = samples(&img);
    if data.len() != h * w * channels {
        return Err(image_error(
            "decode",
            path,
            format!(
                "the decoder returned {} samples for {w}×{h} pixels of {channels} channels",
                data.len()
            ),
        ));
    }
    let nhwc = Array4::from_shape_vec((1, h, w, channels), data)
        .map_err(|e| image_error("decode", path, e))?;
    let array = match layout {
        Layout::Nhwc => nhwc,
        Layout::Nchw => nhwc
            .permuted_axes([0, 3, 1, 2])
            .as_standard_layout()
            .into_owned(),
    };
    Ok(LoadedTensor {
        array,
        layout,
        format,
        file_shape: vec![h, w, channels],
        element_type,
        conversion: None,
    })
}

/// The interleaved samples of a decoded image as `f32`, the channel count and the element type.
fn samples(img: &DynamicImage) -> (Vec<f32>, usize, ElementType) {
    let color = img.color();
    let channels = usize::from(color.channel_count());
    let bytes = img.as_bytes();
    match color {
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8 => (
            bytes.iter().map(|&b| f32::from(b)).collect(),
            channels,
            ElementType::U8,
        ),
        ColorType::L16 | ColorType::La16 | ColorType::Rgb16 | ColorType::Rgba16 => (
            bytes
                .chunks_exact(2)
                .map(|b| f32::from(u16::from_ne_bytes([b[0], b[1]])))
                .collect(),
            channels,
            ElementType::U16,
        ),
        ColorType::Rgb32F | ColorType::Rgba32F => (
            bytes
                .chunks_exact(4)
                .map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            channels,
            ElementType::F32,
        ),
        // A colour type added to the image crate later: as RGBA floats.
        _ => (img.to_rgba32f().into_raw(), 4, ElementType::F32),
    }
}

/// What [`write_tensor`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The file's format.
    pub format: FileFormat,
    /// The element type written.
    pub element_type: ElementType,
    /// The shape written: the array's shape for `.npy`, `[H, W, C]` for an image.
    pub shape: Vec<usize>,
    /// How many values were written.
    pub values: usize,
    /// How many values were outside the integer type's range after rounding, and clamped.
    pub clamped: usize,
    /// How many finite values were beyond ±65504 and became ±infinity in `f16`.
    pub overflowed: usize,
}

impl WriteReport {
    /// One phrase per lossy conversion, e.g. `3 of 1200 values clamped to [0, 255]`; empty when
    /// every value was stored as well as the element type allows.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.clamped > 0 {
            let max = self.element_type.integer_max().unwrap_or(0);
            out.push(format!(
                "{} of {} values clamped to [0, {max}]",
                self.clamped, self.values
            ));
        }
        if self.overflowed > 0 {
            out.push(format!(
                "{} of {} values beyond ±65504 became ±inf in f16",
                self.overflowed, self.values
            ));
        }
        out
    }
}

/// Checks, without writing anything, that a tensor of `shape` (in `layout`) can be written to
/// `path` as `element_type`: the extension is known, the format holds the type and, for an
/// image, the tensor is one image of a channel count the format holds. Returns the format.
pub fn check_writable(
    path: &Path,
    shape: &[usize],
    layout: Layout,
    element_type: ElementType,
) -> Result<FileFormat> {
    let format = FileFormat::from_path(path)?;
    if !format.supports(element_type) {
        return Err(Error::invalid_argument(
            "element type",
            element_type,
            format!(
                "{} holds {} values; choose one of those{}",
                format.name(),
                format.element_types(),
                if format.is_image() {
                    ", or write .npy to keep f32 / f16"
                } else {
                    ""
                }
            ),
        ));
    }
    if format.is_image() {
        image_dims(path, format, shape, layout)?;
    }
    Ok(format)
}

/// `[H, W, C]` of the one image a tensor holds, or why the format cannot hold it.
fn image_dims(
    path: &Path,
    format: FileFormat,
    shape: &[usize],
    layout: Layout,
) -> Result<[usize; 3]> {
    let refuse = |reason: String| Error::invalid_argument("output", path.display(), reason);
    let promoted = promoted_shape(shape, layout).ok_or_else(|| {
        refuse(format!(
            "an image is written from a 2-D, 3-D or 4-D tensor, this one has shape {shape:?}; \
             write .npy instead"
        ))
    })?;
    let [n, c, h, w] = layout.nchw(promoted);
    if n != 1 {
        return Err(refuse(format!(
            "a {} holds one image, this tensor holds {n} (shape {shape:?}, {}); write .npy, \
             or one image at a time",
            format.name(),
            layout.name()
        )));
    }
    let channels_ok = match format {
        FileFormat::Jpeg => c == 1 || c == 3,
        _ => (1..=4).contains(&c),
    };
    if !channels_ok {
        let held = if format == FileFormat::Jpeg {
            "1 (L) or 3 (RGB)"
        } else {
            "1 (L), 2 (LA), 3 (RGB) or 4 (RGBA)"
        };
        return Err(refuse(format!(
            "a {} holds {held} channels, this tensor has {c} (shape {shape:?}, {}); write .npy \
             instead{}",
            format.name(),
            layout.name(),
            if layout == Layout::Nchw && c > 4 && w <= 4 {
                ", or pass --layout NHWC if the channels are the last axis"
            } else {
                ""
            }
        )));
    }
    let limit = if format == FileFormat::Jpeg {
        JPEG_MAX_SIDE
    } else {
        u32::MAX as usize
    };
    for (what, v) in [("height", h), ("width", w)] {
        if v == 0 || v > limit {
            return Err(refuse(format!(
                "a {} image's {what} must be 1 to {limit}, this one is {v}",
                format.name()
            )));
        }
    }
    Ok([h, w, c])
}

/// Values converted to an element type, with what the conversion lost.
struct Converted<T> {
    values: Vec<T>,
    clamped: usize,
    overflowed: usize,
}

/// Rounds to the nearest integer (ties to even) and clamps to `[0, max]`; NaN is refused.
fn to_integers<'a, T>(
    values: impl Iterator<Item = &'a f32>,
    len: usize,
    element_type: ElementType,
    cast: impl Fn(f32) -> T,
    path: &Path,
) -> Result<Converted<T>> {
    let max = f32::from(element_type.integer_max().unwrap_or(u16::MAX));
    let mut out = Vec::with_capacity(len);
    let (mut clamped, mut nan) = (0usize, 0usize);
    for &v in values {
        if v.is_nan() {
            nan += 1;
            continue;
        }
        let r = v.round_ties_even();
        let c = if r < 0.0 {
            clamped += 1;
            0.0
        } else if r > max {
            clamped += 1;
            max
        } else {
            r
        };
        out.push(cast(c));
    }
    if nan > 0 {
        return Err(Error::invalid_argument(
            format!("values for {}", path.display()),
            format!("{nan} NaN of {len}"),
            format!(
                "{element_type} has no NaN; remove them, or write .npy as f32 or f16 to keep them"
            ),
        ));
    }
    Ok(Converted {
        values: out,
        clamped,
        overflowed: 0,
    })
}

fn to_f16<'a>(values: impl Iterator<Item = &'a f32>, len: usize) -> Converted<half::f16> {
    let mut out = Vec::with_capacity(len);
    let mut overflowed = 0;
    for &v in values {
        let h = half::f16::from_f32(v);
        if v.is_finite() && h.is_infinite() {
            overflowed += 1;
        }
        out.push(h);
    }
    Converted {
        values: out,
        clamped: 0,
        overflowed,
    }
}

/// Writes a tensor as `.npy`, PNG or JPEG (by extension), converting its values to
/// `element_type` (see the module documentation for rounding, clamping and NaN). `layout` says how
/// to read an image's channels out of the array (2-D = H×W, 3-D = C×H×W in NCHW or H×W×C in NHWC,
/// 4-D = N×C×H×W or N×H×W×C with N = 1); a `.npy` is written with the array's own shape whatever
/// the layout. Nothing is written when the conversion or the shape is refused.
pub fn write_tensor<D: Dimension>(
    path: &Path,
    array: ArrayView<'_, f32, D>,
    layout: Layout,
    element_type: ElementType,
) -> Result<WriteReport> {
    let format = check_writable(path, array.shape(), layout, element_type)?;
    if format == FileFormat::Npy {
        write_npy_tensor(path, array, element_type)
    } else {
        let [h, w, c] = image_dims(path, format, array.shape(), layout)?;
        let promoted = promoted_shape(array.shape(), layout)
            .ok_or_else(|| Error::unsupported("an image tensor of rank 2 to 4"))?;
        let standard = array.as_standard_layout();
        let four: ArrayView4<'_, f32> = standard
            .view()
            .into_shape_with_order(promoted)
            .map_err(|e| Error::invalid_argument("output", path.display(), e.to_string()))?;
        // Interleaved (H, W, C) order, as image files store pixels.
        let hwc = match layout {
            Layout::Nhwc => four,
            Layout::Nchw => four.permuted_axes([0, 2, 3, 1]),
        };
        write_image(path, format, hwc, [h, w, c], element_type)
    }
}

fn write_npy_tensor<D: Dimension>(
    path: &Path,
    array: ArrayView<'_, f32, D>,
    element_type: ElementType,
) -> Result<WriteReport> {
    let shape = array.shape().to_vec();
    let len = array.len();
    fn save<T: NpyElement>(
        path: &Path,
        shape: &[usize],
        c: Converted<T>,
    ) -> Result<(usize, usize)> {
        let a = ArrayD::from_shape_vec(IxDyn(shape), c.values)
            .map_err(|e| Error::invalid_argument("output", path.display(), e.to_string()))?;
        npy::write_npy(path, a.view())?;
        Ok((c.clamped, c.overflowed))
    }
    let (clamped, overflowed) = match element_type {
        ElementType::F32 => {
            npy::write_npy(path, array.view())?;
            (0, 0)
        }
        ElementType::F16 => save(path, &shape, to_f16(array.iter(), len))?,
        ElementType::U8 => save(
            path,
            &shape,
            to_integers(array.iter(), len, element_type, |v| v as u8, path)?,
        )?,
        ElementType::U16 => save(
            path,
            &shape,
            to_integers(array.iter(), len, element_type, |v| v as u16, path)?,
        )?,
    };
    Ok(WriteReport {
        format: FileFormat::Npy,
        element_type,
        shape,
        values: len,
        clamped,
        overflowed,
    })
}

fn write_image(
    path: &Path,
    format: FileFormat,
    hwc: ArrayView4<'_, f32>,
    [h, w, c]: [usize; 3],
    element_type: ElementType,
) -> Result<WriteReport> {
    let len = hwc.len();
    let (bytes, clamped, color) = match element_type {
        ElementType::U8 => {
            let conv = to_integers(hwc.iter(), len, element_type, |v| v as u8, path)?;
            let color = [
                ExtendedColorType::L8,
                ExtendedColorType::La8,
                ExtendedColorType::Rgb8,
                ExtendedColorType::Rgba8,
            ][c - 1];
            (conv.values, conv.clamped, color)
        }
        ElementType::U16 => {
            let conv = to_integers(hwc.iter(), len, element_type, |v| v as u16, path)?;
            let color = [
                ExtendedColorType::L16,
                ExtendedColorType::La16,
                ExtendedColorType::Rgb16,
                ExtendedColorType::Rgba16,
            ][c - 1];
            // The encoders take 16-bit samples in native byte order.
            let bytes = conv.values.iter().flat_map(|v| v.to_ne_bytes()).collect();
            (bytes, conv.clamped, color)
        }
        ElementType::F32 | ElementType::F16 => {
            return Err(Error::unsupported(format!(
                "{element_type} values in a {} file",
                format.name()
            )))
        }
    };
    let file = File::create(path).map_err(|e| io_error("write", path, &e))?;
    let mut out = BufWriter::new(file);
    let (wu, hu) = (w as u32, h as u32);
    let encoded = match format {
        FileFormat::Png => PngEncoder::new(&mut out).write_image(&bytes, wu, hu, color),
        _ => {
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(&bytes, wu, hu, color)
        }
    };
    let finished = encoded
        .map_err(|e| image_error("encode", path, e))
        .and_then(|()| out.flush().map_err(|e| io_error("write", path, &e)));
    if let Err(e) = finished {
        drop(out);
        // Leave no half-written image behind.
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(WriteReport {
        format,
        element_type,
        shape: vec![h, w, c],
        values: len,
        clamped,
        overflowed: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u8s(values: &[f32]) -> Result<(Vec<u8>, usize)> {
        to_integers(
            values.iter(),
            values.len(),
            ElementType::U8,
            |v| v as u8,
            Path::new("t.npy"),
        )
        .map(|c| (c.values, c.clamped))
    }

    #[test]
    fn u8_rounds_ties_to_even_and_counts_clamps() {
        let (v, clamped) = u8s(&[
            0.5,
            1.5,
            2.5,
            -0.5,
            -0.6,
            254.5,
            255.49,
            255.5,
            1e9,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
        ])
        .unwrap();
        assert_eq!(v, vec![0, 2, 2, 0, 0, 254, 255, 255, 255, 255, 0, 0]);
        // -0.6 → -1, 255.5 → 256, 1e9, +inf, -inf.
        assert_eq!(clamped, 5);
    }

    #[test]
    fn nan_is_refused_with_the_count() {
        let e = u8s(&[1.0, f32::NAN, 2.0, f32::NAN])
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 NaN of 4"), "{e}");
        assert!(e.contains("f32 or f16"), "{e}");
    }

    #[test]
    fn u16_range_and_f16_overflow() {
        let c = to_integers(
            [65535.4f32, 65535.5, 70000.0, 32768.5].iter(),
            4,
            ElementType::U16,
            |v| v as u16,
            Path::new("t.png"),
        )
        .map_err(|e| e.to_string())
        .unwrap();
        assert_eq!(c.values, vec![65535, 65535, 65535, 32768]);
        assert_eq!(c.clamped, 2);
        let h = to_f16(
            [65504.0f32, 65519.0, 65520.0, -1e6, f32::INFINITY, f32::NAN].iter(),
            6,
        );
        assert_eq!(h.overflowed, 2);
        assert_eq!(h.values[1].to_f32(), 65504.0);
        assert!(h.values[2].is_infinite() && h.values[4].is_infinite());
        assert!(h.values[5].is_nan());
    }

    #[test]
    fn promotion_and_demotion_are_inverse() {
        for layout in [Layout::Nchw, Layout::Nhwc] {
            for shape in [vec![5, 7], vec![3, 5, 7], vec![2, 3, 5, 7]] {
                let p = promoted_shape(&shape, layout).unwrap();
                let a = Array4::from_shape_fn(p, |(a, b, c, d)| (a + 2 * b + 3 * c + 5 * d) as f32);
                let flat: Vec<f32> = a.iter().copied().collect();
                let back = demote(a, layout, shape.len()).unwrap();
                assert_eq!(back.shape(), shape.as_slice());
                assert_eq!(back.iter().copied().collect::<Vec<_>>(), flat);
            }
        }
        assert_eq!(promoted_shape(&[4, 5], Layout::Nhwc), Some([1, 4, 5, 1]));
        assert_eq!(promoted_shape(&[4], Layout::Nchw), None);
        assert_eq!(promoted_shape(&[1, 1, 1, 1, 1], Layout::Nchw), None);
        // Axes that are no longer 1 keep the array 4-D.
        let a = Array4::<f32>::zeros((1, 4, 3, 3));
        assert_eq!(demote(a, Layout::Nchw, 2).unwrap().ndim(), 4);
    }

    #[test]
    fn formats_and_element_types() {
        assert_eq!(
            FileFormat::from_path(Path::new("a/B.JPEG")).unwrap(),
            FileFormat::Jpeg
        );
        let e = FileFormat::from_path(Path::new("x.tiff"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'.tiff'") && e.contains(FileFormat::EXTENSIONS),
            "{e}"
        );
        assert!(FileFormat::from_path(Path::new("noext"))
            .unwrap_err()
            .to_string()
            .contains("no extension"));
        assert_eq!(
            FileFormat::Png.element_type_for(ElementType::F16),
            ElementType::U8
        );
        assert_eq!(
            FileFormat::Png.element_type_for(ElementType::U16),
            ElementType::U16
        );
        assert_eq!(
            FileFormat::Jpeg.element_type_for(ElementType::U16),
            ElementType::U8
        );
        assert_eq!(
            FileFormat::Npy.element_type_for(ElementType::U16),
            ElementType::U16
        );
        assert_eq!("F16".parse::<ElementType>().unwrap(), ElementType::F16);
        assert!("f64".parse::<ElementType>().is_err());
    }
}
