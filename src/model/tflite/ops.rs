//! TFLite builtin ops read through [`Canon`]: the table of what each computes, for folding
//! shape arithmetic, propagating shapes and running data-movement patterns. TFLite tensors
//! declare their shapes, so most ops need no shape rule here.

use super::super::fold::Facts;
use super::super::graph::{Attr, Graph, Node};
use super::super::ops::{BinOp, Canon, Param, UnOp};
use super::schema::tensor_type;

fn int(node: &Node, name: &str) -> Option<i64> {
    match node.attr(name)? {
        Attr::Int(i) => Some(*i),
        Attr::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn ints(node: &Node, name: &str) -> Option<Vec<i64>> {
    match node.attr(name)? {
        Attr::Ints(v) => Some(v.clone()),
        _ => None,
    }
}

/// Elementwise ops (activations, quantization, comparisons) over the listed inputs.
const ELEMENTWISE: &[(&str, usize)] = &[
    ("RELU", 1),
    ("RELU6", 1),
    ("RELU_N1_TO_1", 1),
    ("RELU_0_TO_1", 1),
    ("LOGISTIC", 1),
    ("TANH", 1),
    ("ELU", 1),
    ("LEAKY_RELU", 1),
    ("HARD_SWISH", 1),
    ("GELU", 1),
    ("EXP", 1),
    ("LOG", 1),
    ("SOFTMAX", 1),
    ("LOG_SOFTMAX", 1),
    ("QUANTIZE", 1),
    ("DEQUANTIZE", 1),
    ("SQUARE", 1),
    ("RSQRT", 1),
    ("SIN", 1),
    ("COS", 1),
    ("LOGICAL_NOT", 1),
    ("PRELU", 2),
    ("EQUAL", 2),
    ("NOT_EQUAL", 2),
    ("LESS", 2),
    ("LESS_EQUAL", 2),
    ("GREATER", 2),
    ("GREATER_EQUAL", 2),
    ("LOGICAL_AND", 2),
    ("LOGICAL_OR", 2),
    ("SQUARED_DIFFERENCE", 2),
    ("SELECT", 3),
    ("SELECT_V2", 3),
];

/// What a TFLite operator computes.
pub fn normalise(_graph: &Graph, node: &Node, facts: &Facts) -> Option<Canon> {
    let c = match node.op.as_str() {
        "RESHAPE" => {
            // The new shape is input 1 when present (and constant), else the options table.
            let from_input = node
                .inputs
                .get(1)
                .is_some_and(|t| !t.is_empty() && facts.value(t).is_some());
            Canon::Reshape {
                shape: if from_input {
                    Param::Input(1)
                } else {
                    Param::Ints(ints(node, "new_shape")?)
                },
                allowzero: true,
            }
        }
        "TRANSPOSE" => Canon::Transpose {
            perm: Some(Param::Input(1)),
        },
        "SQUEEZE" => Canon::Squeeze {
            axes: ints(node, "squeeze_dims")
                .filter(|v| !v.is_empty())
                .map(Param::Ints),
        },
        "EXPAND_DIMS" => Canon::Unsqueeze {
            axes: Param::Input(1),
        },
        "GATHER" if int(node, "batch_dims").unwrap_or(0) == 0 => Canon::Gather {
            axis: int(node, "axis").unwrap_or(0),
        },
        "GATHER_ND" => Canon::GatherNd { batch_dims: 0 },
        "TILE" => Canon::Tile {
            repeats: Param::Input(1),
        },
        "BROADCAST_TO" => Canon::Expand {
            shape: Param::Input(1),
        },
        "SLICE" => Canon::TfSlice {
            begin: Param::Input(1),
            size: Param::Input(2),
        },
        "STRIDED_SLICE" => Canon::StridedSlice {
            begin: Param::Input(1),
            end: Param::Input(2),
            strides: node
                .inputs
                .get(3)
                .filter(|t| !t.is_empty())
                .map(|_| Param::Input(3)),
            begin_mask: int(node, "begin_mask").unwrap_or(0),
            end_mask: int(node, "end_mask").unwrap_or(0),
            ellipsis_mask: int(node, "ellipsis_mask").unwrap_or(0),
            new_axis_mask: int(node, "new_axis_mask").unwrap_or(0),
            shrink_axis_mask: int(node, "shrink_axis_mask").unwrap_or(0),
            offset: int(node, "offset").unwrap_or(0) != 0,
        },
        "CONCATENATION" => Canon::Concat {
            axis: int(node, "axis").unwrap_or(0),
        },
        "PACK" => Canon::Pack {
            axis: int(node, "axis").unwrap_or(0),
        },
        "UNPACK" => Canon::Unpack {
            axis: int(node, "axis").unwrap_or(0),
        },
        "SHAPE" => Canon::Shape {
            start: 0,
            end: None,
        },
        "CAST" => Canon::Cast {
            to: node
                .outputs
                .first()
                .and_then(|o| facts.element(o))
                .or_else(|| int(node, "out_data_type").map(|t| tensor_type(t as u8).0)),
        },
        "ADD" => Canon::Binary(BinOp::Add),
        "SUB" => Canon::Binary(BinOp::Sub),
        "MUL" => Canon::Binary(BinOp::Mul),
        "DIV" => Canon::Binary(BinOp::Div),
        "FLOOR_DIV" => Canon::Binary(BinOp::FloorDiv),
        "FLOOR_MOD" => Canon::Binary(BinOp::Mod),
        "MAXIMUM" => Canon::Binary(BinOp::Max),
        "MINIMUM" => Canon::Binary(BinOp::Min),
        "POW" => Canon::Binary(BinOp::Pow),
        "FLOOR" => Canon::Unary(UnOp::Floor),
        "CEIL" => Canon::Unary(UnOp::Ceil),
        "ROUND" => Canon::Unary(UnOp::Round),
        "NEG" => Canon::Unary(UnOp::Neg),
        "ABS" => Canon::Unary(UnOp::Abs),
        "SQRT" => Canon::Unary(UnOp::Sqrt),
        "FILL" => Canon::Fill,
        "RANGE" => Canon::Range,
        "RESIZE_BILINEAR" | "RESIZE_NEAREST_NEIGHBOR" | "DEPTH_TO_SPACE" | "SPACE_TO_DEPTH" => {
            Canon::Shaped(vec![super::super::layers::tflite::output_shape(
                node, facts,
            )])
        }
        "CONV_2D" | "DEPTHWISE_CONV_2D" | "AVERAGE_POOL_2D" | "MAX_POOL_2D" => {
            Canon::Shaped(vec![window(node, facts)])
        }
        op => {
            let (_, n) = ELEMENTWISE.iter().find(|(name, _)| *name == op)?;
            Canon::Elementwise {
                inputs: (0..*n)
                    .filter(|&k| node.inputs.get(k).is_some_and(|t| !t.is_empty()))
                    .collect(),
            }
        }
    };
    Some(c)
}

/// The output of a TFLite convolution or pool (NHWC): `SAME` padding gives `⌈in/stride⌉`,
/// `VALID` gives `⌈(in − (k − 1)·dilation)/stride⌉`.
fn window(node: &Node, facts: &Facts) -> Option<Vec<Option<usize>>> {
    let x = facts.shape(node.inputs.first()?)?;
    if x.len() != 4 {
        return None;
    }
    let (kh, kw, channels) = match node.op.as_str() {
        "CONV_2D" | "DEPTHWISE_CONV_2D" => {
            let f = facts.shape(node.inputs.get(1)?)?;
            if f.len() != 4 {
                return None;
            }
            let c = if node.op == "CONV_2D" { f[0] } else { f[3] };
            (f[1]?, f[2]?, c)
        }
        _ => (
            usize::try_from(int(node, "filter_height")?).ok()?,
            usize::try_from(int(node, "filter_width")?).ok()?,
            x[3],
        ),
    };
    let axis = |len: Option<usize>, k: usize, stride: &str, dil: &str| -> Option<usize> {
        let len = len?;
        let s = usize::try_from(int(node, stride).unwrap_or(1)).ok()?.max(1);
        let d = usize::try_from(int(node, dil).unwrap_or(1)).ok()?.max(1);
        match int(node, "padding").unwrap_or(0) {
            0 => Some(len.div_ceil(s)),
            _ => {
                let eff = k.checked_sub(1)?.checked_mul(d)?;
                Some(len.checked_sub(eff)?.div_ceil(s)).filter(|&o| o > 0)
            }
        }
    };
    Some(vec![
        x[0],
        axis(x[1], kh, "stride_h", "dilation_h_factor"),
        axis(x[2], kw, "stride_w", "dilation_w_factor"),
        channels,
    ])
}
