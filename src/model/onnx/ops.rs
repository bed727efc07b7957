//! ONNX ops read through [`Canon`]: the table of what each default-domain op computes, for
//! folding shape arithmetic, propagating shapes and running data-movement patterns.

use super::super::fold::{Facts, Shape};
use super::super::graph::{Attr, Graph, Node};
use super::super::ops::{BinOp, Canon, Param, UnOp};
use super::elem_kind;

fn int(node: &Node, name: &str) -> Option<i64> {
    match node.attr(name)? {
        Attr::Int(i) => Some(*i),
        _ => None,
    }
}

fn ints(node: &Node, name: &str) -> Option<Vec<i64>> {
    match node.attr(name)? {
        Attr::Ints(v) => Some(v.clone()),
        Attr::Int(i) => Some(vec![*i]),
        _ => None,
    }
}

fn has_input(node: &Node, k: usize) -> bool {
    node.inputs.get(k).is_some_and(|s| !s.is_empty())
}

/// Unary elementwise ops whose output has the input's shape.
const SAME_SHAPE: &[&str] = &[
    "Relu",
    "LeakyRelu",
    "Sigmoid",
    "Tanh",
    "Elu",
    "Selu",
    "Celu",
    "HardSigmoid",
    "HardSwish",
    "Softplus",
    "Softsign",
    "Clip",
    "Exp",
    "Log",
    "Erf",
    "Not",
    "Sign",
    "Sin",
    "Cos",
    "Softmax",
    "LogSoftmax",
    "Hardmax",
    "Gelu",
    "Mish",
    "ThresholdedRelu",
    "Dropout",
    "BatchNormalization",
    "InstanceNormalization",
    "LayerNormalization",
    "LRN",
    "IsNaN",
    "IsInf",
    "QuantizeLinear",
    "DequantizeLinear",
    "CumSum",
    "Shrink",
    "Trilu",
    "MeanVarianceNormalization",
];

/// Elementwise ops over several inputs (numpy broadcasting).
const BROADCAST: &[&str] = &[
    "Equal",
    "Less",
    "Greater",
    "LessOrEqual",
    "GreaterOrEqual",
    "And",
    "Or",
    "Xor",
    "Where",
    "PRelu",
    "Sum",
    "Mean",
    "BitShift",
    "BitwiseAnd",
    "BitwiseOr",
    "BitwiseXor",
];

/// What an ONNX node computes.
pub fn normalise(graph: &Graph, node: &Node, facts: &Facts) -> Option<Canon> {
    if !node.domain.is_empty() {
        return None;
    }
    let opset = graph.version.unwrap_or(1);
    let c = match node.op.as_str() {
        "Identity" => Canon::Identity,
        "Cast" => Canon::Cast {
            to: int(node, "to").map(|t| elem_kind(t as i32)),
        },
        "CastLike" => Canon::Cast {
            to: node.inputs.get(1).and_then(|t| facts.element(t)),
        },
        "Shape" => Canon::Shape {
            start: int(node, "start").unwrap_or(0),
            end: int(node, "end"),
        },
        "Reshape" => Canon::Reshape {
            shape: if opset < 5 {
                Param::Ints(ints(node, "shape")?)
            } else {
                Param::Input(1)
            },
            allowzero: int(node, "allowzero").unwrap_or(0) != 0,
        },
        "Flatten" => {
            let d = facts.known_shape(node.inputs.first()?)?;
            let a = int(node, "axis").unwrap_or(1);
            let a = super::super::tensor::axis(a, d.len() + 1).ok()?;
            let outer = d[..a].iter().try_fold(1usize, |p, &x| p.checked_mul(x))?;
            let inner = d[a..].iter().try_fold(1usize, |p, &x| p.checked_mul(x))?;
            Canon::Reshape {
                shape: Param::Ints(vec![outer as i64, inner as i64]),
                allowzero: false,
            }
        }
        "Transpose" => Canon::Transpose {
            perm: ints(node, "perm").map(Param::Ints),
        },
        "Squeeze" => Canon::Squeeze {
            axes: if opset < 13 {
                ints(node, "axes").map(Param::Ints)
            } else {
                has_input(node, 1).then_some(Param::Input(1))
            },
        },
        "Unsqueeze" => Canon::Unsqueeze {
            axes: if opset < 13 {
                Param::Ints(ints(node, "axes")?)
            } else {
                Param::Input(1)
            },
        },
        "Gather" => Canon::Gather {
            axis: int(node, "axis").unwrap_or(0),
        },
        "GatherND" => Canon::GatherNd {
            batch_dims: int(node, "batch_dims").unwrap_or(0).max(0) as usize,
        },
        "Tile" => Canon::Tile {
            repeats: Param::Input(1),
        },
        "Expand" => Canon::Expand {
            shape: Param::Input(1),
        },
        "Slice" => {
            if opset < 10 {
                Canon::Slice {
                    starts: Param::Ints(ints(node, "starts")?),
                    ends: Param::Ints(ints(node, "ends")?),
                    axes: ints(node, "axes").map(Param::Ints),
                    steps: None,
                }
            } else {
                Canon::Slice {
                    starts: Param::Input(1),
                    ends: Param::Input(2),
                    axes: has_input(node, 3).then_some(Param::Input(3)),
                    steps: has_input(node, 4).then_some(Param::Input(4)),
                }
            }
        }
        "Concat" => Canon::Concat {
            axis: int(node, "axis")?,
        },
        "Add" => Canon::Binary(BinOp::Add),
        "Sub" => Canon::Binary(BinOp::Sub),
        "Mul" => Canon::Binary(BinOp::Mul),
        "Div" => Canon::Binary(BinOp::Div),
        "Pow" => Canon::Binary(BinOp::Pow),
        "Max" if node.inputs.len() == 2 => Canon::Binary(BinOp::Max),
        "Min" if node.inputs.len() == 2 => Canon::Binary(BinOp::Min),
        "Mod" if int(node, "fmod").unwrap_or(0) == 0 => Canon::Binary(BinOp::Mod),
        "Max" | "Min" | "Mod" => Canon::Elementwise {
            inputs: (0..node.inputs.len()).collect(),
        },
        "Floor" => Canon::Unary(UnOp::Floor),
        "Ceil" => Canon::Unary(UnOp::Ceil),
        "Round" => Canon::Unary(UnOp::Round),
        "Neg" => Canon::Unary(UnOp::Neg),
        "Abs" => Canon::Unary(UnOp::Abs),
        "Sqrt" => Canon::Unary(UnOp::Sqrt),
        "Reciprocal" => Canon::Unary(UnOp::Reciprocal),
        "ConstantOfShape" => {
            let (value, element) = match node.attr("value") {
                Some(Attr::Tensor(c)) => (
                    c.values
                        .as_f64()
                        .and_then(|v| v.first().copied())
                        .unwrap_or(0.0),
                    c.element,
                ),
                _ => (0.0, super::super::graph::ElementKind::F32),
            };
            Canon::ConstantOfShape { value, element }
        }
        "Range" => Canon::Range,
        op if SAME_SHAPE.contains(&op) => Canon::Elementwise { inputs: vec![0] },
        op if BROADCAST.contains(&op) => Canon::Elementwise {
            inputs: (0..node.inputs.len())
                .filter(|&k| has_input(node, k))
                .collect(),
        },
        "Conv" | "ConvInteger" | "QLinearConv" => Canon::Shaped(vec![conv(node, facts, false)]),
        "ConvTranspose" => Canon::Shaped(vec![conv(node, facts, true)]),
        "MaxPool" | "AveragePool" | "LpPool" => Canon::Shaped(vec![pool(node, facts)]),
        "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => {
            let d = facts.shape(node.inputs.first()?)?;
            let mut out: Shape = d.clone();
            for x in out.iter_mut().skip(2) {
                *x = Some(1);
            }
            Canon::Shaped(vec![Some(out)])
        }
        "MatMul" => Canon::Shaped(vec![matmul(node, facts)]),
        "Gemm" => {
            let a = facts.shape(node.inputs.first()?)?;
            let b = facts.shape(node.inputs.get(1)?)?;
            if a.len() != 2 || b.len() != 2 {
                return None;
            }
            let m = if int(node, "transA").unwrap_or(0) != 0 {
                a[1]
            } else {
                a[0]
            };
            let n = if int(node, "transB").unwrap_or(0) != 0 {
                b[0]
            } else {
                b[1]
            };
            Canon::Shaped(vec![Some(vec![m, n])])
        }
        "Resize" | "Upsample" | "DepthToSpace" | "SpaceToDepth" => {
            Canon::Shaped(vec![super::super::layers::onnx::output_shape(
                graph, node, facts,
            )])
        }
        "Pad" => Canon::Shaped(vec![pad(node, facts, opset)]),
        _ => return None,
    };
    Some(c)
}

fn spatial(node: &Node, name: &str, n: usize, default: i64) -> Vec<i64> {
    ints(node, name)
        .filter(|v| v.len() == n)
        .unwrap_or_else(|| vec![default; n])
}

/// Output length of a window op on one axis (ONNX Conv/Pool formulas).
fn window_out(
    len: usize,
    k: i64,
    stride: i64,
    dil: i64,
    pads: (i64, i64),
    auto: &str,
    ceil: bool,
) -> Option<usize> {
    // Checked throughout: attributes come from the file.
    let (len, stride) = (i64::try_from(len).ok()?, stride.max(1));
    let eff = dil.checked_mul(k.checked_sub(1)?)?.checked_add(1)?;
    let out = match auto {
        "SAME_UPPER" | "SAME_LOWER" => len.checked_add(stride - 1)? / stride,
        "VALID" => len.checked_sub(eff)? / stride + 1,
        _ => {
            let span = len
                .checked_add(pads.0)?
                .checked_add(pads.1)?
                .checked_sub(eff)?;
            if span < 0 {
                return None;
            }
            if ceil {
                span.checked_add(stride - 1)? / stride + 1
            } else {
                span / stride + 1
            }
        }
    };
    usize::try_from(out).ok().filter(|&o| o > 0)
}

fn conv(node: &Node, facts: &Facts, transpose: bool) -> Option<Shape> {
    let x = facts.shape(node.inputs.first()?)?;
    let w = facts.shape(node.inputs.get(1)?)?;
    if x.len() < 3 || w.len() != x.len() {
        return None;
    }
    let n = x.len() - 2;
    let kernel: Vec<i64> = match ints(node, "kernel_shape") {
        Some(k) if k.len() == n => k,
        _ => w[2..]
            .iter()
            .map(|d| d.map(|d| d as i64))
            .collect::<Option<_>>()?,
    };
    let strides = spatial(node, "strides", n, 1);
    let dil = spatial(node, "dilations", n, 1);
    let pads = spatial(node, "pads", 2 * n, 0);
    let auto = match node.attr("auto_pad") {
        Some(Attr::Text(s)) => s.clone(),
        _ => "NOTSET".into(),
    };
    let group = int(node, "group").unwrap_or(1).max(1) as usize;
    let channels = if transpose {
        w[1].map(|c| c * group)
    } else {
        w[0]
    };
    let mut out: Shape = vec![x[0], channels];
    for k in 0..n {
        let len = x[2 + k];
        out.push(len.and_then(|len| {
            if transpose {
                if let Some(os) = ints(node, "output_shape").filter(|v| v.len() == n) {
                    return usize::try_from(os[k]).ok();
                }
                let op = spatial(node, "output_padding", n, 0)[k];
                let v = strides[k]
                    .checked_mul(len as i64 - 1)?
                    .checked_add(op)?
                    .checked_add(kernel[k].checked_sub(1)?.checked_mul(dil[k])?)?
                    .checked_add(1)?
                    .checked_sub(pads[k])?
                    .checked_sub(pads[n + k])?;
                usize::try_from(v).ok()
            } else {
                window_out(
                    len,
                    kernel[k],
                    strides[k],
                    dil[k],
                    (pads[k], pads[n + k]),
                    &auto,
                    false,
                )
            }
        }));
    }
    Some(out)
}

fn pool(node: &Node, facts: &Facts) -> Option<Shape> {
    let x = facts.shape(node.inputs.first()?)?;
    let kernel = ints(node, "kernel_shape")?;
    let n = kernel.len();
    if x.len() != n + 2 {
        return None;
    }
    let strides = spatial(node, "strides", n, 1);
    let dil = spatial(node, "dilations", n, 1);
    let pads = spatial(node, "pads", 2 * n, 0);
    let auto = match node.attr("auto_pad") {
        Some(Attr::Text(s)) => s.clone(),
        _ => "NOTSET".into(),
    };
    let ceil = int(node, "ceil_mode").unwrap_or(0) != 0;
    let mut out: Shape = vec![x[0], x[1]];
    for k in 0..n {
        out.push(x[2 + k].and_then(|len| {
            window_out(
                len,
                kernel[k],
                strides[k],
                dil[k],
                (pads[k], pads[n + k]),
                &auto,
                ceil,
            )
        }));
    }
    Some(out)
}

fn matmul(node: &Node, facts: &Facts) -> Option<Shape> {
    let a = facts.shape(node.inputs.first()?)?;
    let b = facts.shape(node.inputs.get(1)?)?;
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let batch_a = &a[..a.len() - 2];
    let batch_b = &b[..b.len() - 2];
    let rank = batch_a.len().max(batch_b.len());
    let get = |s: &[Option<usize>], k: usize| {
        if k < rank - s.len() {
            Some(1)
        } else {
            s[k - (rank - s.len())]
        }
    };
    let mut out: Shape = (0..rank)
        .map(|k| match (get(batch_a, k), get(batch_b, k)) {
            (Some(1), y) => y,
            (x, Some(1)) => x,
            (x, _) => x,
        })
        .collect();
    out.push(a[a.len() - 2]);
    out.push(b[b.len() - 1]);
    Some(out)
}

fn pad(node: &Node, facts: &Facts, opset: i64) -> Option<Shape> {
    let x = facts.shape(node.inputs.first()?)?;
    let pads = if opset < 11 {
        ints(node, "pads")?
    } else {
        facts.value(node.inputs.get(1)?)?.ints()?
    };
    let n = x.len();
    if pads.len() != 2 * n || has_input(node, 3) {
        return None;
    }
    Some(
        (0..n)
            .map(|k| {
                x[k].and_then(|d| {
                    let v = (d as i64).checked_add(pads[k])?.checked_add(pads[n + k])?;
                    usize::try_from(v).ok()
                })
            })
            .collect(),
    )
}
