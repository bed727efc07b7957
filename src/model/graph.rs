//! The small common graph every model reader produces.
//!
//! A reader knows a file format, not resize semantics: it turns an ONNX graph, a Core ML
//! NeuralNetwork or ML Program, a TFLite subgraph or a Keras config into [`Graph`]: nodes in
//! execution order with their native op type, attributes and tensor names, the constant tensors
//! the file holds (initializers, `Constant` nodes, `const` ops, buffers), and the declared shapes
//! of the graph inputs and of any other tensor the file declares. The layer step
//! (`model::layers`) turns resize-like nodes into conformance `call` blocks; the pattern step
//! explains data-movement subgraphs by running them on a probe.

use std::collections::BTreeMap;
use std::fmt;

/// The file formats halfpixel reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ModelFormat {
    /// ONNX `.onnx` (a `ModelProto`).
    Onnx,
    /// Core ML NeuralNetwork `.mlmodel`, also inside classifier, regressor and pipeline models.
    CoreMlNeuralNetwork,
    /// Core ML ML Program (`.mlpackage` directory or zip).
    CoreMlProgram,
    /// TensorFlow Lite `.tflite` flatbuffer.
    TfLite,
    /// Keras 3 `.keras` zip (its `config.json`).
    Keras,
}

impl ModelFormat {
    /// The `format` name of `resize-models/1` and `halfpixel-audit/1`: `onnx`, `coreml`,
    /// `tflite` or `keras`.
    pub fn family(self) -> &'static str {
        match self {
            ModelFormat::Onnx => "onnx",
            ModelFormat::CoreMlNeuralNetwork | ModelFormat::CoreMlProgram => "coreml",
            ModelFormat::TfLite => "tflite",
            ModelFormat::Keras => "keras",
        }
    }
}

impl fmt::Display for ModelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModelFormat::Onnx => "ONNX",
            ModelFormat::CoreMlNeuralNetwork => "Core ML NeuralNetwork",
            ModelFormat::CoreMlProgram => "Core ML ML Program",
            ModelFormat::TfLite => "TFLite",
            ModelFormat::Keras => "Keras",
        })
    }
}

/// One dimension of a declared shape.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dim {
    /// A known length.
    Known(usize),
    /// A named symbolic length (ONNX `dim_param`, a Core ML flexible shape), resolved by
    /// `--input-shape` or left unknown.
    Symbol(String),
    /// A length the file leaves open (`-1`, `None`, an unset ONNX dim).
    Unknown,
}

impl Dim {
    /// The length, when known.
    pub fn known(&self) -> Option<usize> {
        match self {
            Dim::Known(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Symbol(s) => f.write_str(s),
            Dim::Unknown => f.write_str("?"),
        }
    }
}

/// Element types of tensors in a model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementKind {
    /// float32.
    F32,
    /// float16.
    F16,
    /// float64.
    F64,
    /// bfloat16.
    Bf16,
    /// Signed integers of 8, 16, 32 or 64 bits.
    Int(u8),
    /// Unsigned integers of 8, 16, 32 or 64 bits.
    UInt(u8),
    /// Booleans.
    Bool,
    /// Strings.
    String,
    /// Anything else the file names, kept as its own name.
    Other,
}

impl ElementKind {
    /// Whether the type is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(
            self,
            ElementKind::F32 | ElementKind::F16 | ElementKind::F64 | ElementKind::Bf16
        )
    }
}

/// A tensor's declared type: element kind and shape, each possibly unknown.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TensorType {
    /// The element type, where declared.
    pub element: Option<ElementKind>,
    /// The shape, where declared (rank known); dims may still be symbolic or unknown.
    pub shape: Option<Vec<Dim>>,
}

/// The values of a constant tensor, widened to 64 bits. Readers keep only what a resize needs:
/// small tensors (scales, sizes, rois, shapes, indices, permutations); a large weight the file
/// stores out of line is [`Values::Absent`].
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Floating-point values (any float type), as f64.
    Float(Vec<f64>),
    /// Integer or boolean values, as i64.
    Int(Vec<i64>),
    /// Strings.
    Text(Vec<String>),
    /// Values the file stores elsewhere (ONNX external data, Core ML weight blobs) or that the
    /// reader did not load.
    Absent,
}

impl Values {
    /// Number of values held (0 for [`Values::Absent`]).
    pub fn len(&self) -> usize {
        match self {
            Values::Float(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Text(v) => v.len(),
            Values::Absent => 0,
        }
    }

    /// Whether no values are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f64 (integers converted), or `None` for text and absent values.
    pub fn as_f64(&self) -> Option<Vec<f64>> {
        match self {
            Values::Float(v) => Some(v.clone()),
            Values::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
            _ => None,
        }
    }

    /// The values as i64 when every one is an integer (floats with a fraction give `None`).
    pub fn as_i64(&self) -> Option<Vec<i64>> {
        match self {
            Values::Int(v) => Some(v.clone()),
            Values::Float(v) => v
                .iter()
                .map(|&x| (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64))
                .collect(),
            _ => None,
        }
    }
}

/// A constant tensor: its element type, its dims and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    /// The element type as stored.
    pub element: ElementKind,
    /// The dims (empty for a scalar).
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub values: Values,
}

impl Constant {
    /// A float32 constant.
    pub fn f32(dims: Vec<usize>, values: Vec<f64>) -> Self {
        Constant {
            element: ElementKind::F32,
            dims,
            values: Values::Float(values),
        }
    }

    /// An int64 constant.
    pub fn i64(dims: Vec<usize>, values: Vec<i64>) -> Self {
        Constant {
            element: ElementKind::Int(64),
            dims,
            values: Values::Int(values),
        }
    }
}

/// An attribute value of a node, in the file's own vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// An integer (also enums stored as integers and booleans stored as 0/1).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (also enums the file stores by name).
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A list of integers.
    Ints(Vec<i64>),
    /// A list of floats.
    Floats(Vec<f64>),
    /// A list of strings.
    Texts(Vec<String>),
    /// A tensor held in the attribute (ONNX `Constant.value`, a MIL immediate value).
    Tensor(Constant),
}

/// One operation of the graph, in the file's own vocabulary.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The name a user sees for this node, as `resize-models/1` names layers: ONNX: the node's
    /// name, or its first output's name when it has none; Core ML NeuralNetwork: the layer's
    /// name; ML Program: the op's first output name; TFLite: the op's first output tensor name;
    /// Keras: the layer's name.
    pub name: String,
    /// The native op type: ONNX `op_type` (`Resize`), a Core ML NeuralNetwork layer kind
    /// (`upsample`, `reorganizeData`), a MIL op type (`upsample_bilinear`), a TFLite builtin
    /// (`RESIZE_BILINEAR`) or a Keras class name (`UpSampling2D`).
    pub op: String,
    /// The op's domain or opset where the format has one (ONNX domain, MIL opset), else empty.
    pub domain: String,
    /// Input tensor names, in the op's input order. An empty string is an omitted optional
    /// input (ONNX). MIL's named inputs keep their names in [`Node::input_names`].
    pub inputs: Vec<String>,
    /// For formats whose inputs are named (MIL: `x`, `scale_factor_height`, …), the parameter
    /// name of each entry of `inputs`; empty otherwise.
    pub input_names: Vec<String>,
    /// Output tensor names.
    pub outputs: Vec<String>,
    /// Attributes (also a format's option tables, flattened), by name.
    pub attrs: BTreeMap<String, Attr>,
}

impl Node {
    /// A node with no inputs, outputs or attributes.
    pub fn new(name: impl Into<String>, op: impl Into<String>) -> Self {
        Node {
            name: name.into(),
            op: op.into(),
            domain: String::new(),
            inputs: Vec::new(),
            input_names: Vec::new(),
            outputs: Vec::new(),
            attrs: BTreeMap::new(),
        }
    }

    /// The input bound to a named parameter (MIL), if any.
    pub fn named_input(&self, name: &str) -> Option<&str> {
        self.input_names
            .iter()
            .position(|n| n == name)
            .and_then(|k| self.inputs.get(k))
            .map(String::as_str)
    }

    /// An attribute by name.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.get(name)
    }
}

/// A whole model as one graph (the main function or subgraph; a pipeline's models in order).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The format it was read from.
    pub format: ModelFormat,
    /// What wrote the file, where it says (`producer_name` + version, a converter's metadata).
    pub producer: String,
    /// The opset or specification version, where the format has one (ONNX default-domain opset,
    /// Core ML `specificationVersion`, TFLite schema version, Keras version).
    pub version: Option<i64>,
    /// Graph inputs, in order, with their declared types.
    pub inputs: Vec<(String, TensorType)>,
    /// Graph outputs, in order.
    pub outputs: Vec<String>,
    /// Nodes in execution order.
    pub nodes: Vec<Node>,
    /// Constant tensors by name.
    pub constants: BTreeMap<String, Constant>,
    /// Declared types of intermediate tensors, where the file declares them (ONNX `value_info`,
    /// TFLite tensors, MIL output types).
    pub types: BTreeMap<String, TensorType>,
}

impl Graph {
    /// An empty graph of a format.
    pub fn new(format: ModelFormat) -> Self {
        Graph {
            format,
            producer: String::new(),
            version: None,
            inputs: Vec::new(),
            outputs: Vec::new(),
            nodes: Vec::new(),
            constants: BTreeMap::new(),
            types: BTreeMap::new(),
        }
    }

    /// The node that produces a tensor, if any.
    pub fn producer_of(&self, tensor: &str) -> Option<&Node> {
        self.nodes
            .iter()
            .find(|n| n.outputs.iter().any(|o| o == tensor))
    }

    /// The nodes that read a tensor.
    pub fn consumers_of<'a>(&'a self, tensor: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes
            .iter()
            .filter(move |n| n.inputs.iter().any(|i| i == tensor))
    }
}
