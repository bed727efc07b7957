//! The crate's one error type.
//!
//! Every refusal names the values involved and what to change. Nothing in the public API panics on
//! user input: sizes, scales, rois, block sizes, buffers and files that do not fit come back as an
//! [`Error`](enum@Error).

use thiserror::Error;

/// Everything halfpixel can refuse, with the values involved.
#[non_exhaustive]
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// A length that must be at least 1 (an output size, an input axis, a block size) was 0 or negative.
    #[error("{what} must be at least 1, got {value}")]
    ZeroOrNegativeSize {
        /// Which size, e.g. "output height".
        what: String,
        /// The value given.
        value: i64,
    },

    /// A length is larger than halfpixel can index or allocate.
    #[error("{what} is too large: {value} (the limit is {limit}); resize in tiles or use a smaller size")]
    SizeTooLarge {
        /// Which size.
        what: String,
        /// The value given (or computed).
        value: u128,
        /// The largest accepted value.
        limit: u128,
    },

    /// A scale factor that is NaN, infinite, zero or negative.
    #[error("{what} must be a finite number greater than 0, got {value}")]
    InvalidScale {
        /// Which scale, e.g. "scale_factor (height)".
        what: String,
        /// The value given.
        value: f64,
    },

    /// A block size that does not divide the axis it applies to.
    #[error(
        "block size {block} does not fit {what} = {value}; {}",
        block_hint(what)
    )]
    BlockSizeMismatch {
        /// The block size.
        block: usize,
        /// Which axis ("channels", "height", "width").
        what: String,
        /// The axis length.
        value: usize,
    },

    /// A region of interest that is malformed (non-finite values, wrong length).
    #[error("invalid roi {roi:?}: {reason}")]
    InvalidRoi {
        /// The roi as given.
        roi: Vec<f64>,
        /// What is wrong with it.
        reason: String,
    },

    /// A spec names a field that its mode or coordinate mapping does not use.
    #[error("{field} is not used by {context}; remove it (it would be silently ignored)")]
    UnusedField {
        /// The field, e.g. "nearest_mode".
        field: String,
        /// The mode or mapping that does not use it.
        context: String,
    },

    /// A spec lacks a field that its mode needs.
    #[error("{field} is required by {context}")]
    MissingField {
        /// The missing field.
        field: String,
        /// Who needs it.
        context: String,
    },

    /// An argument value that the framework call does not accept.
    #[error("invalid argument {name} = {value}: {reason}")]
    InvalidArgument {
        /// The argument's name, as the framework spells it.
        name: String,
        /// The value given, as text.
        value: String,
        /// Why it is refused and what is accepted.
        reason: String,
    },

    /// A combination halfpixel does not implement.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What was asked for.
        what: String,
    },

    /// The framework itself raises for this call (PyTorch's `F.interpolate` on uint8 with
    /// `mode='area'`, on uint16, or a 3-channel uint8 image resized to 1×1 by its AVX2 kernel):
    /// halfpixel refuses it too rather than compute a result the framework never returns.
    #[error("{call} raises {exception} in {framework}: {message}; {hint}")]
    FrameworkRaises {
        /// The framework and version (and build, where the error depends on it).
        framework: &'static str,
        /// The call, e.g. `torch.nn.functional.interpolate(x, …, mode='area')` on uint8.
        call: String,
        /// The exception the framework raises, e.g. `NotImplementedError`.
        exception: String,
        /// The framework's message.
        message: String,
        /// What to do instead.
        hint: String,
    },

    /// An array whose shape does not fit the operation.
    #[error("shape mismatch for {what}: expected {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// Which array.
        what: String,
        /// The shape that fits.
        expected: Vec<usize>,
        /// The shape given.
        got: Vec<usize>,
    },

    /// A malformed `.npy` file.
    #[error("malformed .npy {source_name}: {reason}")]
    Npy {
        /// The file (or `<memory>`).
        source_name: String,
        /// What is wrong.
        reason: String,
    },

    /// A malformed conformance manifest or case.
    #[error("malformed corpus {location}: {reason}")]
    Corpus {
        /// The manifest path or case id.
        location: String,
        /// What is wrong.
        reason: String,
    },

    /// No GPU adapter could be found or opened.
    #[error("no GPU adapter: {reason}")]
    NoAdapter {
        /// Why (the backends tried, the adapter name asked for, the driver's message).
        reason: String,
    },

    /// The GPU device refused a request: a validation error, out of memory, or an internal error
    /// (a lost device is [`Error::DeviceLost`]).
    #[error("GPU error during {during}: {reason}")]
    Gpu {
        /// What halfpixel was doing.
        during: String,
        /// The driver's or wgpu's message.
        reason: String,
    },

    /// The GPU device is lost: the driver reset it, the GPU went away, or `wgpu::Device::destroy`
    /// was called. Every later call on the same context returns this, before doing any work.
    #[error("the GPU device was lost ({reason}); create a new GpuContext, or run on the CPU (Backend::Cpu; Backend::Auto falls back by itself)")]
    DeviceLost {
        /// What wgpu or the driver said (`wgpu::DeviceLostReason` and its message).
        reason: String,
    },

    /// A request exceeds a limit of the GPU device that splitting the work cannot get around.
    #[error("{what} = {value} exceeds the device limit {limit} ({limit_name}); {hint}")]
    DeviceLimit {
        /// What is too large.
        what: String,
        /// Its value.
        value: u64,
        /// The device's limit.
        limit: u64,
        /// The wgpu limit's name.
        limit_name: String,
        /// What to do instead.
        hint: String,
    },

    /// A preset name that is not in the registry (`presets::named`, with the `calls` feature).
    #[error("unknown preset '{name}'{}; `halfpixel presets` lists them all", suggestion_text(.suggestions))]
    UnknownPreset {
        /// The name given.
        name: String,
        /// The closest known names.
        suggestions: Vec<String>,
    },

    /// A file that could not be read or written.
    #[error("cannot {action} {path}: {reason}")]
    Io {
        /// "read" or "write".
        action: String,
        /// The path.
        path: String,
        /// The operating system's message.
        reason: String,
    },

    /// Memory for a result could not be reserved (checked before anything is written).
    #[error("cannot allocate {bytes} bytes ({:.2} GiB) for {what}; choose a smaller size, split the batch, or pass your own buffer (run_cpu_into)", *.bytes as f64 / (1u64 << 30) as f64)]
    OutOfMemory {
        /// What was being allocated, e.g. "the output [1, 64, 90000, 90000]".
        what: String,
        /// How many bytes it needs.
        bytes: u128,
    },

    /// An image file that could not be decoded (malformed, truncated, not the format its
    /// extension names) or encoded (a size or colour type the format cannot hold).
    #[error("cannot {action} image {path}: {reason}")]
    Image {
        /// "decode" or "encode".
        action: String,
        /// The path.
        path: String,
        /// What is wrong, from the codec.
        reason: String,
    },

    /// A model file that cannot be read: malformed, truncated, not the format its name says, or
    /// a format or version halfpixel does not read.
    #[error("cannot read model {path}: {reason}")]
    Model {
        /// The file (or directory, for an `.mlpackage`).
        path: String,
        /// What is wrong, naming the part of the file (e.g. "graph.node\[3\].attribute\[1\]:
        /// truncated varint").
        reason: String,
    },
}

fn block_hint(what: &str) -> &'static str {
    if what.starts_with("channels") {
        "depth_to_space needs channels divisible by block_size²"
    } else {
        "choose a block size that divides it"
    }
}

fn suggestion_text(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", suggestions.join(", "))
    }
}

impl Error {
    pub(crate) fn invalid_argument(
        name: impl Into<String>,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(what: impl Into<String>) -> Self {
        Error::Unsupported { what: what.into() }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that a scale factor is finite and positive.
pub(crate) fn check_scale(what: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidScale {
            what: what.to_string(),
            value,
        })
    }
}

/// The largest axis length (input or output height or width) halfpixel accepts: 2^25 =
/// 33,554,432. Each axis gets a tap table of its output length (built before any data is
/// touched), so this bounds the memory and time of planning (about 1 GiB and a few seconds at
/// the limit); images and feature maps are far below it, a longer 1-D signal must be resized in
/// pieces. Past it: [`Error::SizeTooLarge`].
pub const MAX_AXIS_LEN: usize = 1 << 25;

/// An integer a length can be given as (a framework's signed argument, or a Rust `usize`).
pub(crate) trait LenValue: Copy {
    /// The value, widened so that no conversion wraps.
    fn widen(self) -> i128;
}

macro_rules! len_value {
    ($($t:ty),*) => {$(
        impl LenValue for $t {
            fn widen(self) -> i128 {
                self as i128
            }
        }
    )*};
}
len_value!(i32, i64, u32, u64, usize);

/// Checks that a length is at least 1 and fits the tap tables.
pub(crate) fn check_len(what: &str, value: impl LenValue) -> Result<usize> {
    let value = value.widen();
    if value < 1 {
        return Err(Error::ZeroOrNegativeSize {
            what: what.to_string(),
            value: value.clamp(i64::MIN as i128, 0) as i64,
        });
    }
    if value > MAX_AXIS_LEN as i128 {
        return Err(Error::SizeTooLarge {
            what: what.to_string(),
            value: value as u128,
            limit: MAX_AXIS_LEN as u128,
        });
    }
    Ok(value as usize)
}

/// The axis names of `[n, c, h, w]`, for messages.
const AXIS_NAMES: [&str; 4] = ["batch", "channels", "height", "width"];

/// The most elements a tensor may hold: its f32 bytes must fit in `isize` (Rust's allocation
/// limit), so that no index or byte count can overflow.
pub const MAX_TENSOR_ELEMENTS: u128 = (isize::MAX as u128) / 4;

/// Checks a tensor's `[n, c, h, w]`: every axis at least 1 (a zero-length axis is an error, not
/// an empty result) and the element count within [`MAX_TENSOR_ELEMENTS`]. Returns the count.
pub(crate) fn check_dims(what: &str, dims: [usize; 4]) -> Result<usize> {
    for (d, name) in dims.iter().zip(AXIS_NAMES) {
        if *d == 0 {
            return Err(Error::ZeroOrNegativeSize {
                what: format!("{what} {name} (shape [n, c, h, w] = {dims:?})"),
                value: 0,
            });
        }
    }
    let elements = dims
        .iter()
        .fold(1u128, |acc, &d| acc.saturating_mul(d as u128));
    if elements > MAX_TENSOR_ELEMENTS {
        return Err(Error::SizeTooLarge {
            what: format!("{what} element count (shape [n, c, h, w] = {dims:?})"),
            value: elements,
            limit: MAX_TENSOR_ELEMENTS,
        });
    }
    Ok(elements as usize)
}

/// A zero-filled array of `shape` (f32, u8 or u16), or [`Error::OutOfMemory`] when the memory
/// cannot be reserved (instead of the abort an infallible allocation would be).
pub(crate) fn try_zeros<T: bytemuck::Zeroable>(
    what: &str,
    shape: [usize; 4],
) -> Result<ndarray::Array4<T>> {
    let elements = check_dims(what, shape)?;
    let size = std::mem::size_of::<T>().max(1);
    let out_of_memory = || Error::OutOfMemory {
        what: format!("{what} {shape:?}"),
        bytes: elements as u128 * size as u128,
    };
    let layout = std::alloc::Layout::array::<T>(elements).map_err(|_| out_of_memory())?;
    if layout.size() == 0 {
        return Err(out_of_memory());
    }
    // Zeroed pages from the allocator (calloc): the kernel writes every element afterwards, so
    // zeroing them here as well would cost a second pass over the output.
    // SAFETY: `layout` has a non-zero size (checked above).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return Err(out_of_memory());
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `elements` values
    // of T, all of them initialised (T is Zeroable: zero bits are a valid T), and is owned by
    // nothing else.
    let data = unsafe { Vec::from_raw_parts(ptr, elements, elements) };
    ndarray::Array4::from_shape_vec(shape, data).map_err(|e| Error::ShapeMismatch {
        what: format!("{what} ({e})"),
        expected: shape.to_vec(),
        got: vec![elements],
    })
}

/// Converts a floating output length (already floored or rounded by the caller's rule) to a checked length.
pub(crate) fn check_len_f64(what: &str, value: f64) -> Result<usize> {
    if !value.is_finite() {
        return Err(Error::SizeTooLarge {
            what: what.to_string(),
            value: u128::MAX,
            limit: MAX_AXIS_LEN as u128,
        });
    }
    if value < 1.0 {
        return Err(Error::ZeroOrNegativeSize {
            what: what.to_string(),
            value: value as i64,
        });
    }
    if value > MAX_AXIS_LEN as f64 {
        return Err(Error::SizeTooLarge {
            what: what.to_string(),
            value: value as u128,
            limit: MAX_AXIS_LEN as u128,
        });
    }
    Ok(value as usize)
}
