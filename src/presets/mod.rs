//! Presets: constructors named after the calls users write, each documented with the call it mirrors.

#[cfg(feature = "calls")]
pub(crate) mod args;
pub mod coreml;
pub mod mps;
#[cfg(feature = "calls")]
pub mod named;
pub mod onnx;
pub mod opencv;
pub mod pillow;
pub mod tf;
pub mod tflite;
pub mod torch;

#[cfg(feature = "calls")]
use crate::error::{Error, Result};
#[cfg(feature = "calls")]
use crate::op::Operation;

/// A framework call as the conformance format records it: `{"framework", "function", "args"}`.
#[cfg(feature = "calls")]
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Call {
    /// `torch`, `tf`, `keras`, `tflite`, `onnx`, `coreml`, `opencv`, `pillow` or `mps`.
    pub framework: String,
    /// The function or op name, e.g. `interpolate`, `compat.v1.image.resize_bilinear`, `Resize`.
    pub function: String,
    /// The call's arguments with the framework's own names.
    #[serde(default)]
    pub args: serde_json::Value,
}

/// Builds the operation a recorded framework call describes.
#[cfg(feature = "calls")]
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
        "pillow" | "PIL" => pillow::from_args(f, &call.args),
        other => Err(Error::unsupported(format!(
            "framework '{other}' (known: torch, tf, keras, tflite, onnx, coreml, opencv, pillow, mps)"
        ))),
    }
}

/// Where halfpixel's semantics for a call are inferred rather than documented by the framework:
/// a sentence saying what is inferred and from what, or `None` when the framework documents
/// (or its reference implementation fixes) the rule. A comparison that rests on an inferred
/// rule cannot say "same" or "different" with authority.
#[cfg(feature = "calls")]
pub fn inferred(call: &Call) -> Option<&'static str> {
    let args = &call.args;
    let fractional = |keys: &[&str]| {
        keys.iter().any(|k| match &args[*k] {
            serde_json::Value::Number(n) => n.as_f64().is_some_and(|f| f.fract() != 0.0),
            serde_json::Value::Array(a) => a
                .iter()
                .any(|v| v.as_f64().is_some_and(|f| f.fract() != 0.0)),
            _ => false,
        })
    };
    match (call.framework.as_str(), call.function.as_str()) {
        ("coreml", "upsample_nearest_neighbor")
            if fractional(&["scale_factor_height", "scale_factor_width"]) =>
        {
            Some(CORE_ML_NEAREST)
        }
        ("coreml", "NeuralNetwork.Upsample")
            if args["mode"].as_str().unwrap_or("NN") == "NN" && fractional(&["fractionalScalingFactor"]) =>
        {
            Some(CORE_ML_NEAREST)
        }
        ("coreml", "resize") if args["interpolation_mode"].as_str() == Some("NEAREST_NEIGHBOR") => {
            Some(CORE_ML_NEAREST)
        }
        ("coreml", "crop_resize")
            if !matches!(
                args["sampling_mode"].as_str(),
                Some("ALIGN_CORNERS" | "STRICT_ALIGN_CORNERS")
            ) =>
        {
            Some("Core ML crop_resize: Apple documents the box semantics only for (STRICT_)ALIGN_CORNERS; halfpixel applies the mode's grid over the whole image, which Apple's one test vector matches")
        }
        ("mps", _) if args["alignCorners"].as_bool() == Some(false) => {
            Some("MPS alignCorners = NO: Apple documents only YES; halfpixel uses the asymmetric grid of the Core ML Upsample layer these kernels back")
        }
        ("onnx", "Upsample") => Some(ONNX_OLD),
        ("onnx", "Resize") if args["opset"].as_i64().is_some_and(|o| o < 11) => Some(ONNX_OLD),
        _ => None,
    }
}

#[cfg(feature = "calls")]
const CORE_ML_NEAREST: &str = "Core ML nearest with fractional factors: Apple does not document the rule; halfpixel infers floor(i·in/out) (rounding on the iOS17 resize grid) from Apple's test vectors";

#[cfg(feature = "calls")]
const ONNX_OLD: &str = "ONNX Resize-10 and Upsample specify no coordinate mapping (ONNX's reference cannot run them); halfpixel follows ONNX Runtime (asymmetric)";
