//! Format-neutral meanings of the ops the audit evaluates, and the per-format tables that map
//! native ops onto them.
//!
//! The folding step ([`super::fold`]) runs shape arithmetic (`Shape`, `Gather`, `Concat`,
//! `Mul`, `Floor`, `Cast`, …) and propagates shapes; the pattern step ([`super::pattern`]) runs
//! data-movement subgraphs (Reshape, Transpose, Gather/GatherND with constant indices,
//! Tile/Expand, Slice, Concat, Identity, Cast, Squeeze, Unsqueeze) on an index-coded probe.
//! Both read a node through [`Canon`]: what it computes, with its parameters either fixed by
//! the file (attributes, option tables) or taken from an input ([`Param::Input`]), so one
//! interpreter serves every format.
//!
//! Each format contributes one function, `normalise(graph, node, facts) -> Option<Canon>`:
//! [`super::onnx::ops`], [`super::tflite::ops`]. A format whose ops are not normalised (Keras,
//! whose layers carry their shapes; Core ML until its table is added to [`normalise`]) is
//! audited from its declared shapes. To add a format, write its function and add it to
//! [`normalise`].

use super::fold::Facts;
use super::graph::{ElementKind, Graph, ModelFormat, Node};

/// Where a parameter comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    /// The value of the node's input `k` (it must fold to a constant).
    Input(usize),
    /// Values fixed by the file (an attribute, an option table).
    Ints(Vec<i64>),
}

/// Elementwise binary arithmetic (numpy broadcasting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `a + b`.
    Add,
    /// `a − b`.
    Sub,
    /// `a · b`.
    Mul,
    /// `a / b`: truncating on integers (ONNX `Div`, C semantics), exact on floats.
    Div,
    /// `⌊a / b⌋` (TF `FloorDiv`).
    FloorDiv,
    /// The remainder with the sign of the divisor (ONNX `Mod` with fmod = 0, TF `FloorMod`).
    Mod,
    /// `max(a, b)`.
    Max,
    /// `min(a, b)`.
    Min,
    /// `a ^ b`.
    Pow,
}

/// Elementwise unary arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    /// `⌊x⌋`.
    Floor,
    /// `⌈x⌉`.
    Ceil,
    /// Round half to even (ONNX `Round`, TF `Round`).
    Round,
    /// `−x`.
    Neg,
    /// `|x|`.
    Abs,
    /// `√x`.
    Sqrt,
    /// `1/x`.
    Reciprocal,
}

/// What a node computes, as far as the audit evaluates it. Input indices refer to the node's
/// inputs; the data input of the movement ops is input 0 unless said otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum Canon {
    /// Output = input 0.
    Identity,
    /// Input 0 converted to another element type (`None`: the type is not known).
    Cast {
        /// The target type.
        to: Option<ElementKind>,
    },
    /// The shape of input 0 as int64 (ONNX `Shape` with optional `start`/`end`).
    Shape {
        /// First dim.
        start: i64,
        /// One past the last dim.
        end: Option<i64>,
    },
    /// Input 0 under a new shape: ONNX semantics (`0` copies the input dim unless
    /// `allowzero`, `−1` is inferred).
    Reshape {
        /// The new shape.
        shape: Param,
        /// ONNX `allowzero`.
        allowzero: bool,
    },
    /// Axes permuted (`None`: reversed).
    Transpose {
        /// Output axis k is input axis `perm[k]`.
        perm: Option<Param>,
    },
    /// Size-1 axes removed (`None`: all of them).
    Squeeze {
        /// The axes.
        axes: Option<Param>,
    },
    /// Size-1 axes inserted at these output positions.
    Unsqueeze {
        /// The axes.
        axes: Param,
    },
    /// `Gather(data, indices)` along an axis; indices are input 1.
    Gather {
        /// The axis.
        axis: i64,
    },
    /// `GatherND(data, indices)`; indices are input 1.
    GatherNd {
        /// Leading batch axes shared by data and indices.
        batch_dims: usize,
    },
    /// Every axis repeated.
    Tile {
        /// Repeats per axis.
        repeats: Param,
    },
    /// Broadcast to a shape (ONNX `Expand`: bidirectional; TF `BroadcastTo`).
    Expand {
        /// The shape.
        shape: Param,
    },
    /// ONNX `Slice`: starts, ends, optional axes and steps.
    Slice {
        /// Starts.
        starts: Param,
        /// Ends (exclusive).
        ends: Param,
        /// Axes (`None`: the first ones).
        axes: Option<Param>,
        /// Steps (`None`: 1).
        steps: Option<Param>,
    },
    /// TF `Slice`: begin and size per axis (size −1: to the end).
    TfSlice {
        /// Begin.
        begin: Param,
        /// Size.
        size: Param,
    },
    /// TF `StridedSlice` with its masks.
    StridedSlice {
        /// Begin.
        begin: Param,
        /// End.
        end: Param,
        /// Strides (`None`: 1).
        strides: Option<Param>,
        /// `begin_mask`.
        begin_mask: i64,
        /// `end_mask`.
        end_mask: i64,
        /// `ellipsis_mask` (only 0 is evaluated).
        ellipsis_mask: i64,
        /// `new_axis_mask`.
        new_axis_mask: i64,
        /// `shrink_axis_mask`.
        shrink_axis_mask: i64,
        /// `offset`: end is relative to begin.
        offset: bool,
    },
    /// Every input joined along an axis.
    Concat {
        /// The axis.
        axis: i64,
    },
    /// Every input stacked along a new axis.
    Pack {
        /// The axis.
        axis: i64,
    },
    /// Input 0 split along an axis into its slices (one output each).
    Unpack {
        /// The axis.
        axis: i64,
    },
    /// Elementwise binary arithmetic on inputs 0 and 1.
    Binary(BinOp),
    /// Elementwise unary arithmetic on input 0.
    Unary(UnOp),
    /// A tensor of the shape given by input 0, filled with a value.
    ConstantOfShape {
        /// The fill value.
        value: f64,
        /// Its type.
        element: ElementKind,
    },
    /// TF `Fill(dims, value)`: input 0 the shape, input 1 the value.
    Fill,
    /// `Range(start, limit, delta)` from inputs 0, 1, 2.
    Range,
    /// Elementwise on data (activations, normalisations, comparisons): the output has the
    /// broadcast shape of the listed inputs; its values are not folded.
    Elementwise {
        /// The inputs that take part in the broadcast.
        inputs: Vec<usize>,
    },
    /// Outputs whose shapes the format's table worked out (convolutions, pools, resizes);
    /// values not folded. `None` for an output whose shape is not known.
    Shaped(Vec<Option<Vec<Option<usize>>>>),
}

impl Canon {
    /// The inputs that carry data through a data-movement op, or `None` for ops that are not
    /// data movement (their other inputs are parameters that must be constant).
    pub fn movement_inputs(&self, inputs: usize) -> Option<Vec<usize>> {
        match self {
            Canon::Identity
            | Canon::Cast { .. }
            | Canon::Reshape { .. }
            | Canon::Transpose { .. }
            | Canon::Squeeze { .. }
            | Canon::Unsqueeze { .. }
            | Canon::Gather { .. }
            | Canon::GatherNd { .. }
            | Canon::Tile { .. }
            | Canon::Expand { .. }
            | Canon::Slice { .. }
            | Canon::TfSlice { .. }
            | Canon::StridedSlice { .. } => Some(vec![0]),
            Canon::Concat { .. } | Canon::Pack { .. } => Some((0..inputs).collect()),
            _ => None,
        }
    }
}

/// A format's table: what a node computes, given what is known so far.
pub type Normaliser = fn(&Graph, &Node, &Facts) -> Option<Canon>;

/// The table of a graph's format.
pub fn normaliser(format: ModelFormat) -> Option<Normaliser> {
    match format {
        ModelFormat::Onnx => Some(super::onnx::ops::normalise),
        ModelFormat::TfLite => Some(super::tflite::ops::normalise),
        // Core ML: add `super::coreml::ops::normalise` here when the Core ML reader lands.
        _ => None,
    }
}

/// What a node computes in its graph's format, if the format's table knows it.
pub fn normalise(graph: &Graph, node: &Node, facts: &Facts) -> Option<Canon> {
    normaliser(graph.format).and_then(|f| f(graph, node, facts))
}
