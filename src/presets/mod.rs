//! Presets: constructors named after the calls users write, each documented with the call it mirrors.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::op::Operation;

/// A framework call as the conformance format records it: `{"framework", "function", "args"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// `torch`, `tf`, `keras`, `onnx`, `coreml`, `opencv` or `mps`.
    pub framework: String,
    /// The function or op name, e.g. `interpolate`, `compat.v1.image.resize_bilinear`, `Resize`.
    pub function: String,
    /// The call's arguments with the framework's own names.
    #[serde(default)]
    pub args: serde_json::Value,
}

/// Builds the operation a recorded framework call describes.
pub fn from_call(call: &Call) -> Result<Operation> {
    Err(Error::unsupported(format!("{}.{}", call.framework, call.function)))
}
