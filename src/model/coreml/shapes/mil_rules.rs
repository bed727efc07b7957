//! Output shapes of ML Program ops whose declared type leaves a dimension unknown (a flexible
//! input): the element-wise ops, `conv`, and the resize and pixel ops, from the op definitions
//! of coremltools (`mil/ops/defs/iOS15…iOS17`).

use super::{broadcast, Shapes};
use crate::model::{Graph, Node, Values};

type Out = std::result::Result<Vec<Vec<usize>>, String>;

/// Ops whose output has the shape of their `x` input.
const SAME_SHAPE: &[&str] = &[
    "cast",
    "identity",
    "relu",
    "relu6",
    "leaky_relu",
    "elu",
    "gelu",
    "silu",
    "sigmoid",
    "sigmoid_hard",
    "softplus",
    "softsign",
    "tanh",
    "clip",
    "clamped_relu",
    "prelu",
    "scaled_tanh",
    "thresholded_relu",
    "linear_activation",
    "softmax",
    "abs",
    "ceil",
    "floor",
    "round",
    "sign",
    "sqrt",
    "rsqrt",
    "exp",
    "exp2",
    "log",
    "erf",
    "sin",
    "cos",
    "tan",
    "inverse",
    "square",
    "threshold",
    "logical_not",
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "l2_norm",
    "local_response_norm",
];

/// Ops that broadcast `x` and `y`.
const BINARY: &[&str] = &[
    "add",
    "sub",
    "mul",
    "real_div",
    "floor_div",
    "mod",
    "pow",
    "maximum",
    "minimum",
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
];

/// The values of a named input that is a constant.
fn const_values<'a>(node: &Node, graph: &'a Graph, param: &str) -> Option<&'a Values> {
    let name = node.named_input(param)?;
    Some(&graph.constants.get(name)?.values)
}

fn const_f64(node: &Node, graph: &Graph, param: &str) -> std::result::Result<f64, String> {
    const_values(node, graph, param)
        .and_then(Values::as_f64)
        .and_then(|v| v.first().copied())
        .ok_or_else(|| format!("'{param}' of {} is not a constant", node.op))
}

fn const_ints(node: &Node, graph: &Graph, param: &str) -> std::result::Result<Vec<i64>, String> {
    const_values(node, graph, param)
        .and_then(Values::as_i64)
        .ok_or_else(|| format!("'{param}' of {} is not an integer constant", node.op))
}

fn shape_of<'a>(
    node: &Node,
    shapes: &'a Shapes,
    param: &str,
) -> std::result::Result<&'a Vec<usize>, String> {
    let name = node
        .named_input(param)
        .ok_or_else(|| format!("{} has no '{param}' input", node.op))?;
    shapes.get(name)
}

fn spatial(x: &[usize]) -> std::result::Result<usize, String> {
    if x.len() < 3 {
        return Err(format!("expected rank 3 or more, got {x:?}"));
    }
    Ok(x.len() - 2)
}

fn floor_len(x: usize, f: f64) -> std::result::Result<usize, String> {
    let v = (x as f64 * f).floor();
    if (1.0..1e15).contains(&v) {
        Ok(v as usize)
    } else {
        Err(format!("{x} scaled by {f} is no valid length"))
    }
}

fn positive(v: i64, what: &str) -> std::result::Result<usize, String> {
    if v >= 1 {
        Ok(v as usize)
    } else {
        Err(format!("{what} is {v}"))
    }
}

fn conv(node: &Node, graph: &Graph, x: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let w = node
        .named_input("weight")
        .and_then(|w| graph.constants.get(w))
        .map(|c| c.dims.clone())
        .ok_or("conv weight is not a constant")?;
    if x.len() < 3 || w.len() != x.len() {
        return Err(format!("conv weight {w:?} for input {x:?}"));
    }
    let spatial = x.len() - 2;
    let strides = const_ints(node, graph, "strides").unwrap_or_default();
    let dil = const_ints(node, graph, "dilations").unwrap_or_default();
    let pad = const_ints(node, graph, "pad").unwrap_or_default();
    let pad_type = match const_values(node, graph, "pad_type") {
        Some(Values::Text(t)) => t.first().cloned().unwrap_or_default(),
        _ => "valid".to_string(),
    };
    let mut out = vec![x[0], w[0]];
    for k in 0..spatial {
        // In i128 every step below is exact for lengths and parameters of 64 bits.
        let len = x[2 + k] as i128;
        let s = positive(*strides.get(k).unwrap_or(&1), "conv stride")? as i128;
        let d = positive(*dil.get(k).unwrap_or(&1), "conv dilation")? as i128;
        let kd = (w[2 + k].max(1) as i128 - 1) * d + 1;
        let o = match pad_type.as_str() {
            "same" | "same_lower" => (len + s - 1) / s,
            _ => {
                let p = if pad_type == "custom" {
                    pad.get(2 * k).copied().unwrap_or(0) as i128
                        + pad.get(2 * k + 1).copied().unwrap_or(0) as i128
                } else {
                    0
                };
                if len + p < kd {
                    return Err("conv kernel larger than its padded input".into());
                }
                (len + p - kd) / s + 1
            }
        };
        out.push(usize::try_from(o).map_err(|_| "conv output length overflows")?);
    }
    Ok(out)
}

fn pool(node: &Node, graph: &Graph, x: &[usize]) -> std::result::Result<Vec<usize>, String> {
    if x.len() < 3 {
        return Err(format!("{} of rank {}", node.op, x.len()));
    }
    let spatial = x.len() - 2;
    let kernel = const_ints(node, graph, "kernel_sizes")?;
    let strides = const_ints(node, graph, "strides").unwrap_or_default();
    let pad = const_ints(node, graph, "pad").unwrap_or_default();
    let ceil_mode = matches!(const_values(node, graph, "ceil_mode"), Some(Values::Int(v)) if v.first() == Some(&1));
    let pad_type = match const_values(node, graph, "pad_type") {
        Some(Values::Text(t)) => t.first().cloned().unwrap_or_default(),
        _ => "valid".to_string(),
    };
    let mut out = x[..2].to_vec();
    for k in 0..spatial {
        let len = x[2 + k] as i128;
        let kk = positive(
            *kernel.get(k).ok_or("pool kernel_sizes too short")?,
            "kernel",
        )? as i128;
        let s = positive(*strides.get(k).unwrap_or(&1), "pool stride")? as i128;
        let o = match pad_type.as_str() {
            "same" | "same_lower" => (len + s - 1) / s,
            _ => {
                let p = if pad_type == "custom" {
                    pad.get(2 * k).copied().unwrap_or(0) as i128
                        + pad.get(2 * k + 1).copied().unwrap_or(0) as i128
                } else {
                    0
                };
                let span = len + p - kk;
                if span < 0 {
                    return Err("pool kernel larger than its padded input".into());
                }
                if ceil_mode {
                    (span + s - 1) / s + 1
                } else {
                    span / s + 1
                }
            }
        };
        out.push(usize::try_from(o).map_err(|_| "pool output length overflows")?);
    }
    Ok(out)
}

fn concat(node: &Node, graph: &Graph, shapes: &Shapes) -> std::result::Result<Vec<usize>, String> {
    let values: Vec<&Vec<usize>> = node
        .input_names
        .iter()
        .zip(&node.inputs)
        .filter(|(n, _)| *n == "values")
        .map(|(_, t)| shapes.get(t))
        .collect::<Result<_, _>>()?;
    let first = values.first().ok_or("concat of nothing")?;
    let axis = super::axis(const_f64(node, graph, "axis")? as i64, first.len())?;
    let mut out = first.to_vec();
    for v in &values[1..] {
        if v.len() != out.len() {
            return Err(format!("concat of shapes of different ranks {values:?}"));
        }
        out[axis] = out[axis]
            .checked_add(v[axis])
            .ok_or("concat length overflows")?;
    }
    Ok(out)
}

fn pixel(
    node: &Node,
    graph: &Graph,
    x: &[usize],
    up: bool,
) -> std::result::Result<Vec<usize>, String> {
    let param = match node.op.as_str() {
        "pixel_shuffle" => "upscale_factor",
        "pixel_unshuffle" => "downscale_factor",
        _ => "block_size",
    };
    let b = positive(const_f64(node, graph, param)? as i64, param)?;
    if x.len() != 4 {
        return Err(format!("{} of rank {}", node.op, x.len()));
    }
    let overflow = || format!("{} with {param} {b} overflows on {x:?}", node.op);
    let bb = b.checked_mul(b).ok_or_else(overflow)?;
    if up && x[1].is_multiple_of(bb) {
        let h = x[2].checked_mul(b).ok_or_else(overflow)?;
        let w = x[3].checked_mul(b).ok_or_else(overflow)?;
        Ok(vec![x[0], x[1] / bb, h, w])
    } else if !up && x[2].is_multiple_of(b) && x[3].is_multiple_of(b) {
        let c = x[1].checked_mul(bb).ok_or_else(overflow)?;
        Ok(vec![x[0], c, x[2] / b, x[3] / b])
    } else {
        Err(format!("{} with {param} {b} does not fit {x:?}", node.op))
    }
}

/// The output shapes of an ML Program op for its input shapes.
pub(super) fn outputs(node: &Node, graph: &Graph, shapes: &Shapes) -> Out {
    let op = node.op.as_str();
    let one = |s: Vec<usize>| Ok(vec![s]);
    if SAME_SHAPE.contains(&op) {
        return one(shape_of(node, shapes, "x")?.clone());
    }
    if BINARY.contains(&op) {
        return one(broadcast(&[
            shape_of(node, shapes, "x")?,
            shape_of(node, shapes, "y")?,
        ])?);
    }
    if op == "concat" {
        return one(concat(node, graph, shapes)?);
    }
    let x = shape_of(node, shapes, "x")?;
    let with_hw = |h: usize, w: usize| -> std::result::Result<Vec<usize>, String> {
        let k = spatial(x)?;
        let mut o = x.clone();
        o[k] = h;
        o[k + 1] = w;
        Ok(o)
    };
    match op {
        "upsample_bilinear" | "upsample_nearest_neighbor" => {
            let k = spatial(x)?;
            let fh = const_f64(node, graph, "scale_factor_height").unwrap_or(1.0);
            let fw = const_f64(node, graph, "scale_factor_width").unwrap_or(1.0);
            one(with_hw(floor_len(x[k], fh)?, floor_len(x[k + 1], fw)?)?)
        }
        "resize_bilinear" | "resize_nearest_neighbor" => {
            let h = const_f64(node, graph, "target_size_height").unwrap_or(1.0) as i64;
            let w = const_f64(node, graph, "target_size_width").unwrap_or(1.0) as i64;
            one(with_hw(positive(h, "target_size_height")?, positive(w, "target_size_width")?)?)
        }
        "resize" => {
            let shape = const_ints(node, graph, "shape")?;
            let dims = const_ints(node, graph, "resized_dims")
                .ok()
                .and_then(|v| v.first().copied())
                .unwrap_or(shape.len() as i64);
            if dims < 1 || dims as usize > shape.len() || dims as usize > x.len() {
                return Err(format!("resize with resized_dims {dims} and shape {shape:?}"));
            }
            let mut o = x.clone();
            let (r, d) = (x.len(), dims as usize);
            for k in 0..d {
                let v = shape[shape.len() - d + k];
                if v != 0 {
                    o[r - d + k] = positive(v, "resize shape entry")?;
                }
            }
            one(o)
        }
        "pixel_shuffle" | "depth_to_space" => one(pixel(node, graph, x, true)?),
        "pixel_unshuffle" | "space_to_depth" => one(pixel(node, graph, x, false)?),
        "conv" => one(conv(node, graph, x)?),
        "max_pool" | "avg_pool" | "l2_pool" => one(pool(node, graph, x)?),
        other => Err(format!(
            "the type of '{}' is not fully declared and halfpixel has no shape rule for MIL '{other}'",
            node.name
        )),
    }
}
