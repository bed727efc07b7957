//! Presets: constructors named after the calls users write, each documented with the call it mirrors.

use serde::{Deserialize, Serialize};

pub(crate) mod args;
pub mod coreml;
pub mod mps;
pub mod named;
pub mod onnx;
pub mod opencv;
pub mod tf;
pub mod tflite;
pub mod torch;

use crate::error::{Error, Result};
use crate::op::Operation;

/// A framework call as the conformance format records it: `{"framework", "function", "args"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    /// `torch`, `tf`, `keras`, `tflite`, `onnx`, `coreml`, `opencv` or `mps`.
    pub framework: String,
    /// The function or op name, e.g. `interpolate`, `compat.v1.image.resize_bilinear`, `Resize`.
    pub function: String,
    /// The call's arguments with the framework's own names.
    #[serde(default)]
    pub args: serde_json::Value,
}

/// Builds the operation a recorded framework call describes.
pub fn from_call(call: &Call) -> Result<Operation> {
    let f = call.function.as_str();
    match call.framework.as_str() {
        "torch" => torch::from_args(f, &call.args),
        "tf" => tf::from_args(f, &call.args),
        "keras" => tf::keras_from_args(f, &call.args),
        "tflite" => tflite::from_args(f, &call.args),
        "onnx" => onnx::from_args(f, &call.args),
        "coreml" => coreml::from_args(f, &call.args),
        "opencv" | "cv2" => opencv::from_args(f, &call.args),
        "mps" => mps::from_args(f, &call.args),
        other => Err(Error::unsupported(format!(
            "framework '{other}' (known: torch, tf, keras, tflite, onnx, coreml, opencv, mps)"
        ))),
    }
}
