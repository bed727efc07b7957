//! What the audit reports for each resize-like layer of a model.

use crate::conformance::Op;
use crate::presets::Call;
use crate::spec::Layout;

/// A resize, upsample or pixel-shuffle layer found in a model, named and shaped as the file has
/// it, with the framework call it encodes (the `call` vocabulary of the conformance format).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// As `resize-models/1` names layers: ONNX: the node's name (or its first output's name when
    /// it has none); Core ML NeuralNetwork: the layer's name; ML Program: the op's first output
    /// name; TFLite: the op's first output tensor name; Keras: the layer's name; a pattern: the
    /// name of the tensor it produces.
    pub name: String,
    /// The native op type (`Resize`, `upsample`, `upsample_bilinear`, `RESIZE_BILINEAR`,
    /// `UpSampling2D`), or for a pattern the op types joined by `→`.
    pub native_op: String,
    /// `resize`, `depth_to_space` or `space_to_depth`.
    pub op: Op,
    /// The layout of the layer's input and output.
    pub layout: Layout,
    /// The input shape at this layer, where it could be worked out.
    pub input_shape: Option<Vec<usize>>,
    /// The output shape at this layer, where it could be worked out.
    pub output_shape: Option<Vec<usize>>,
    /// What the file encodes, as a call `halfpixel conformance` can run; `None` where a value it
    /// needs could not be known (see `unknowns`).
    pub call: Option<Call>,
    /// For a resize spelled with other operators: their op types, in order.
    pub pattern: Option<Vec<String>>,
    /// The element type the layer computes in where the file says so (ML Program: `float16`
    /// when the converter inserted casts).
    pub precision: Option<String>,
    /// Inputs (`sizes`, `scales`) the graph computes from the input shape rather than holding as
    /// constants; `call` gives their value at the input shape used.
    pub computed_inputs: Vec<String>,
    /// Values that could not be known, each with why (a symbolic dimension, an input the graph
    /// computes from data).
    pub unknowns: Vec<String>,
}
