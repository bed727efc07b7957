//! Model files: the readers (ONNX, Core ML, TFLite, Keras) and what halfpixel finds in them.

#[cfg(feature = "audit")]
pub mod coreml;
pub mod graph;
pub mod layer;

pub use graph::{Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType, Values};
pub use layer::Layer;
