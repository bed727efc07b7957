//! Model files: the readers (ONNX, Core ML, TFLite, Keras) and what halfpixel finds in them.
//!
//! The steps, each in its own module:
//! - a reader per format turns a file into the common [`Graph`] ([`onnx`], [`tflite`],
//!   [`keras`], [`coreml`]; [`load`] picks one by content, [`detect`]);
//! - [`fold`] works out shapes and the constant values exporters compute (`Shape` → `Gather` →
//!   `Concat` → `sizes`), reading each node through its format's table ([`ops`]);
//! - [`layers`] turns resize-like nodes into `call` blocks of the conformance vocabulary;
//! - [`pattern`] explains data-movement subgraphs by running them on an index-coded probe;
//! - [`audit`] describes each layer (sentence, equivalent calls, warnings) and [`pair`]
//!   compares the layers of two files made from one program.
//!
//! Readers know formats, not semantics: the meaning of every layer comes from the presets
//! through its call.

pub mod audit;
pub mod coreml;
pub mod describe;
pub mod detect;
pub mod fix;
pub mod fold;
pub mod graph;
pub mod keras;
pub mod layer;
pub mod layers;
pub mod limits;
pub mod onnx;
pub mod ops;
pub mod pair;
pub mod pattern;
pub mod tensor;
pub mod tflite;

pub use graph::{Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType, Values};
pub use layer::Layer;

use std::path::Path;

use crate::error::{Error, Result};
use detect::Detected;

fn model_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Model {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// What [`load`] found: the graph, and a note when the file's name claims another format than
/// its content.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The graph.
    pub graph: Graph,
    /// "named .onnx but holds a TFLite flatbuffer", when the name and the content disagree.
    pub mislabelled: Option<String>,
}

/// Reads a model file (or an `.mlpackage` directory) of any format halfpixel reads: ONNX,
/// TFLite, Keras 3 and Core ML. The content decides the format; the extension only names what
/// the file was expected to be.
///
/// Errors: [`Error::Model`] naming the file and what is wrong (unreadable, malformed,
/// truncated, a format halfpixel does not read).
pub fn load(path: &Path) -> Result<Loaded> {
    let claimed = Detected::from_extension(path);
    let meta = std::fs::metadata(path).map_err(|e| model_error(path, e.to_string()))?;
    let detected = if meta.is_dir() {
        if path.join("Manifest.json").is_file() {
            Detected::CoreMlPackage
        } else {
            return Err(model_error(
                path,
                "a directory without Manifest.json: not an .mlpackage",
            ));
        }
    } else {
        Detected::Onnx
    };
    let bytes = if meta.is_dir() {
        Vec::new()
    } else {
        std::fs::read(path).map_err(|e| model_error(path, e.to_string()))?
    };
    let detected = if meta.is_dir() {
        detected
    } else {
        detect::sniff(&bytes, || zip_entries(&bytes)).map_err(|what| {
            let expected = claimed.map_or(String::new(), |c| {
                format!(" (named like a {} file)", c.name())
            });
            model_error(
                path,
                format!("not an ONNX, Core ML, TFLite or Keras model{expected}: it holds {what}"),
            )
        })?
    };
    let mislabelled = match claimed {
        Some(c) if !same_family(c, detected) => Some(format!(
            "named .{} but holds a {} model",
            path.extension()
                .and_then(|e| e.to_str())
                .unwrap_or(c.name()),
            detected.name()
        )),
        _ => None,
    };
    let name = path.display().to_string();
    let graph = match detected {
        Detected::Onnx => onnx::read(&name, &bytes, path.parent())?,
        Detected::TfLite => tflite::read(&name, &bytes)?,
        Detected::Keras => keras::read(&name, &bytes)?,
        Detected::CoreMlPackage => coreml::read(path)?,
        Detected::CoreMlModel | Detected::CoreMlPackageZip => coreml::read_bytes(&bytes, &name)?,
    };
    Ok(Loaded { graph, mislabelled })
}

fn same_family(a: Detected, b: Detected) -> bool {
    use Detected::*;
    let family = |d| match d {
        CoreMlModel | CoreMlPackage | CoreMlPackageZip => 0,
        Onnx => 1,
        TfLite => 2,
        Keras => 3,
    };
    family(a) == family(b)
}

/// The names in a zip archive (empty when it cannot be read).
fn zip_entries(bytes: &[u8]) -> Vec<String> {
    match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(a) => a.file_names().take(10_000).map(String::from).collect(),
        Err(_) => Vec::new(),
    }
}
