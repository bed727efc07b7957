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

    /// A preset name that is not in the registry ([`crate::presets::named`]).
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

/// The largest axis length halfpixel accepts: indices are stored as `u32` in the tap tables.
pub const MAX_AXIS_LEN: usize = (u32::MAX as usize) / 2;

/// Checks that a length is at least 1 and fits the tap tables.
pub(crate) fn check_len(what: &str, value: i64) -> Result<usize> {
    if value < 1 {
        return Err(Error::ZeroOrNegativeSize {
            what: what.to_string(),
            value,
        });
    }
    let v = value as u64;
    if v > MAX_AXIS_LEN as u64 {
        return Err(Error::SizeTooLarge {
            what: what.to_string(),
            value: v as u128,
            limit: MAX_AXIS_LEN as u128,
        });
    }
    Ok(v as usize)
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
