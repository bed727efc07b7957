//! Core ML model files: NeuralNetwork `.mlmodel` files (also neural network classifiers,
//! regressors and pipelines of them) and ML Program `.mlpackage` packages (a directory or a zip),
//! read into the common [`Graph`] without protoc or Python, and their resize, upsample and
//! pixel-shuffle layers as conformance calls ([`layers`]).
//!
//! The decoding follows Apple's `Model.proto`, `FeatureTypes.proto`, `NeuralNetwork.proto` and
//! `MIL.proto` (coremltools `mlmodel/format/`), declared by hand with their field numbers.
//!
//! What the [`Graph`] holds:
//! - [`Graph::inputs`]: the model description's inputs. A multi-array keeps its shape; an image
//!   is `[1, C, H, W]`; a flexible axis (shape range, enumerated shapes, image size range) is a
//!   [`Dim::Symbol`](crate::model::Dim) named `INPUT_dimK`, `INPUT_height` or `INPUT_width`.
//! - NeuralNetwork layers (also those of classifiers, regressors, every network of a pipeline in
//!   order, and the networks nested in branch and loop layers): a [`Node`](crate::model::Node)
//!   per layer with an empty `domain`, `op` the layer kind as the proto's oneof names it
//!   (`upsample`, `resizeBilinear`, `reorganizeData`, `reshapeStatic`, `permute`, `gatherND`,
//!   …), and the parameters as attributes with the proto's field names (`scalingFactor`,
//!   `fractionalScalingFactor`, `targetShape`, `axis`, …; enums by their value names).
//!   `loadConstant` / `loadConstantND` data is also in [`Graph::constants`] under the layer's
//!   output. NeuralNetwork files declare no intermediate shapes: [`tensor_shapes`] propagates them.
//! - ML Program ops (the default or `main` function's block for its opset): a node per op but
//!   `const`, named after its first output, `domain` the opset (`CoreML5` = iOS15 …), named
//!   inputs in [`Node::input_names`](crate::model::Node) (a variadic input repeats its name);
//!   `const` values in [`Graph::constants`] (weights kept in the package's blob file are
//!   [`Values::Absent`](crate::model::Values)); an immediate argument value becomes the constant
//!   `OP_OUTPUT#param`; every op output's declared type is in [`Graph::types`]. Ops of nested
//!   blocks come before the op that holds them.

mod description;
mod layers;
mod mil;
mod neural_network;
mod package;
mod proto;
mod shapes;

use std::path::Path;

use prost::Message;

pub use layers::{layers, located_layers, LocatedLayer};
pub use shapes::{tensor_shapes, InputShape, Shapes, MAX_RANK};

use crate::error::{Error, Result};
use crate::model::{Graph, ModelFormat};
use proto::model::{Model, ModelDescription, ModelType};

/// The newest `specificationVersion` halfpixel knows: 10 (iOS 26 / macOS 26, Core ML 9).
pub const MAX_SPECIFICATION_VERSION: i32 = 10;

fn model_error(path: &str, reason: impl Into<String>) -> Error {
    Error::Model {
        path: path.to_string(),
        reason: reason.into(),
    }
}

/// Reads a Core ML model: an `.mlmodel` file, an `.mlpackage` directory or a zipped
/// `.mlpackage`.
///
/// Errors: [`Error::Model`] naming the file and what is wrong when it cannot be read, is not a
/// Core ML model, is malformed or truncated, holds no neural network or ML program, or has a
/// specification version newer than [`MAX_SPECIFICATION_VERSION`].
pub fn read(path: &Path) -> Result<Graph> {
    let shown = path.display().to_string();
    if path.is_dir() {
        let spec = package::read_dir(path).map_err(|e| model_error(&shown, e))?;
        return read_spec(&spec, &shown);
    }
    let meta = std::fs::metadata(path).map_err(|e| model_error(&shown, e.to_string()))?;
    if meta.len() > package::MAX_SPEC_BYTES {
        return Err(model_error(
            &shown,
            format!(
                "the file is {} bytes, more than halfpixel reads ({} bytes)",
                meta.len(),
                package::MAX_SPEC_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| model_error(&shown, e.to_string()))?;
    read_bytes(&bytes, &shown)
}

/// Reads a Core ML model from the bytes of an `.mlmodel` file or of a zipped `.mlpackage`
/// (recognised by the zip signature). `path` names the file in errors.
pub fn read_bytes(bytes: &[u8], path: &str) -> Result<Graph> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let spec = package::read_zip(bytes).map_err(|e| model_error(path, e))?;
        read_spec(&spec, path)
    } else {
        read_spec(bytes, path)
    }
}

/// Reads the bytes of a model specification (`Model` message of `Model.proto`: an `.mlmodel`
/// file, or the `model.mlmodel` inside a package).
pub fn read_spec(bytes: &[u8], path: &str) -> Result<Graph> {
    if bytes.is_empty() {
        return Err(model_error(path, "the file is empty"));
    }
    let model = Model::decode(bytes).map_err(|e| {
        model_error(
            path,
            format!("not a Core ML model, or truncated or corrupt: {e}"),
        )
    })?;
    from_model(&model).map_err(|e| model_error(path, e))
}

/// The format of a model, and whether it holds a network or program at all.
fn neural_format(model: &Model) -> Option<ModelFormat> {
    match model.r#type.as_ref()? {
        ModelType::NeuralNetwork(_)
        | ModelType::NeuralNetworkClassifier(_)
        | ModelType::NeuralNetworkRegressor(_) => Some(ModelFormat::CoreMlNeuralNetwork),
        ModelType::MlProgram(_) => Some(ModelFormat::CoreMlProgram),
        ModelType::Pipeline(p) => p.models.iter().find_map(neural_format),
        ModelType::PipelineClassifier(p) | ModelType::PipelineRegressor(p) => p
            .pipeline
            .as_ref()
            .and_then(|p| p.models.iter().find_map(neural_format)),
        _ => None,
    }
}

fn check_version(model: &Model) -> std::result::Result<(), String> {
    let v = model.specification_version;
    if v < 1 {
        return Err(format!(
            "specificationVersion is {v}: not a Core ML model (a Core ML file starts with a version of 1 or more)"
        ));
    }
    if v > MAX_SPECIFICATION_VERSION {
        return Err(format!(
            "specificationVersion {v} is newer than the Core ML specifications halfpixel reads (1 to {MAX_SPECIFICATION_VERSION}, iOS 26); update halfpixel"
        ));
    }
    Ok(())
}

fn from_model(model: &Model) -> std::result::Result<Graph, String> {
    check_version(model)?;
    let Some(kind) = &model.r#type else {
        return Err(
            "the file holds no model (Model.Type is empty): not a Core ML model, or truncated"
                .into(),
        );
    };
    let format = neural_format(model).ok_or_else(|| match kind {
        ModelType::Pipeline(_)
        | ModelType::PipelineClassifier(_)
        | ModelType::PipelineRegressor(_) => {
            format!(
                "the {} holds no neural network or ML program: nothing to audit",
                kind.name()
            )
        }
        other => format!(
            "a Core ML '{}' model holds no neural network or ML program: nothing to audit",
            other.name()
        ),
    })?;
    let mut graph = Graph::new(format);
    graph.version = Some(model.specification_version as i64);
    let empty = ModelDescription::default();
    let desc = model.description.as_ref().unwrap_or(&empty);
    graph.producer = description::producer(desc);
    graph.inputs = description::inputs(desc);
    graph.outputs = description::outputs(desc);
    read_model(model, &mut graph)?;
    Ok(graph)
}

/// Appends one model (a network, a program, or a pipeline's models in order) to the graph.
/// Models of other kinds inside a pipeline (feature extractors, non-maximum suppression) hold
/// no layers and are passed over.
fn read_model(model: &Model, graph: &mut Graph) -> std::result::Result<(), String> {
    let Some(kind) = &model.r#type else {
        return Ok(());
    };
    if let Some(d) = &model.description {
        for (name, t) in description::inputs(d) {
            graph.types.entry(name).or_insert(t);
        }
    }
    match kind {
        ModelType::NeuralNetwork(nn)
        | ModelType::NeuralNetworkClassifier(nn)
        | ModelType::NeuralNetworkRegressor(nn) => {
            neural_network::read_network(nn, graph);
            Ok(())
        }
        ModelType::MlProgram(p) => {
            let default = model
                .description
                .as_ref()
                .map(|d| d.default_function_name.as_str())
                .unwrap_or("");
            mil::read_program(p, default, graph)
        }
        ModelType::Pipeline(p) => p.models.iter().try_for_each(|m| read_model(m, graph)),
        ModelType::PipelineClassifier(p) | ModelType::PipelineRegressor(p) => p
            .pipeline
            .iter()
            .flat_map(|p| p.models.iter())
            .try_for_each(|m| read_model(m, graph)),
        _ => Ok(()),
    }
}
