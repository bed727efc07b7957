//! ONNX layers: `Resize` (opsets 10–19+), `Upsample` (7–9), `DepthToSpace`, `SpaceToDepth`.
//!
//! The call is exactly what the node encodes: `opset` (the model's default-domain opset),
//! every attribute the node carries, and the `roi`, `scales` and `sizes` inputs read from
//! initializers, `Constant` nodes or the shape arithmetic that computes them (an omitted or
//! empty input is `null`).

use serde_json::{json, Map, Value};

use super::{attr_json, float_json, new_layer, resolve_output, Found};
use crate::conformance::Op;
use crate::model::fold::{Facts, Shape};
use crate::model::graph::{ElementKind, Graph, Node};
use crate::presets::Call;
use crate::spec::Layout;

/// What a resize-like node reads as.
struct Read {
    op: Op,
    call: Option<Call>,
    layout: Layout,
    unknowns: Vec<String>,
    computed: Vec<String>,
    scale_hint: Option<[f64; 2]>,
}

fn is_resize_like(node: &Node) -> Option<Op> {
    if !node.domain.is_empty() {
        return None;
    }
    match node.op.as_str() {
        "Resize" | "Upsample" => Some(Op::Resize),
        "DepthToSpace" => Some(Op::DepthToSpace),
        "SpaceToDepth" => Some(Op::SpaceToDepth),
        _ => None,
    }
}

/// The input tensor of role `what` at index `k`: its value as JSON (`null` when omitted or
/// empty), whether it was computed from a shape, or why it is not known.
fn input_value(
    node: &Node,
    k: usize,
    what: &str,
    facts: &Facts,
    integers: bool,
) -> Result<(Value, bool, Option<Vec<f64>>), String> {
    let Some(name) = node.inputs.get(k).filter(|n| !n.is_empty()) else {
        return Ok((Value::Null, false, None));
    };
    let Some(v) = facts.value(name) else {
        return Err(format!(
            "{what} ('{name}') cannot be worked out: {}",
            facts.why(name)
        ));
    };
    if v.is_empty() {
        return Ok((Value::Null, v.computed, None));
    }
    let json = if integers {
        match v.ints() {
            Some(i) => json!(i),
            None => return Err(format!("{what} ('{name}') holds non-integer values")),
        }
    } else {
        Value::Array(v.floats().into_iter().map(float_json).collect())
    };
    Ok((json, v.computed, Some(v.floats())))
}

fn layout_of(node: &Node, facts: &Facts, factors: Option<&[f64]>, sizes: Option<&[f64]>) -> Layout {
    // Which axes change: 2 and 3 (NCHW) or 1 and 2 (NHWC).
    let input = node.inputs.first().and_then(|t| facts.shape(t));
    let changes = |k: usize| -> Option<bool> {
        if let Some(f) = factors.filter(|f| f.len() == 4) {
            return Some(f[k] != 1.0);
        }
        let s = sizes.filter(|s| s.len() == 4)?;
        let d = input?.get(k).copied().flatten()?;
        Some(s[k] != d as f64)
    };
    if changes(1) == Some(true) && changes(3) == Some(false) {
        Layout::Nhwc
    } else {
        Layout::Nchw
    }
}

fn read(graph: &Graph, node: &Node, facts: &Facts) -> Option<Read> {
    let op = is_resize_like(node)?;
    let opset = graph.version.unwrap_or(1);
    let mut attributes = Map::new();
    for (k, a) in &node.attrs {
        if let Some(v) = attr_json(a) {
            attributes.insert(k.clone(), v);
        }
    }
    let mut unknowns = Vec::new();
    let mut computed = Vec::new();
    let mut inputs = Map::new();
    let mut layout = Layout::Nchw;
    let mut scale_hint = None;
    let mut take = |k: usize,
                    what: &str,
                    integers: bool,
                    inputs: &mut Map<String, Value>|
     -> Option<Vec<f64>> {
        match input_value(node, k, what, facts, integers) {
            Ok((v, c, raw)) => {
                if c {
                    computed.push(what.to_string());
                }
                inputs.insert(what.to_string(), v);
                raw
            }
            Err(why) => {
                unknowns.push(why);
                None
            }
        }
    };
    match node.op.as_str() {
        "Resize" => {
            let (scales, sizes) = if opset >= 11 {
                take(1, "roi", false, &mut inputs);
                (
                    take(2, "scales", false, &mut inputs),
                    take(3, "sizes", true, &mut inputs),
                )
            } else {
                inputs.insert("roi".into(), Value::Null);
                let s = take(1, "scales", false, &mut inputs);
                inputs.insert("sizes".into(), Value::Null);
                (s, None)
            };
            let axes = node.attr("axes").is_some();
            if !axes {
                layout = layout_of(node, facts, scales.as_deref(), sizes.as_deref());
            } else if let Some(crate::model::graph::Attr::Ints(a)) = node.attr("axes") {
                if a.len() == 2 && a.iter().all(|&x| x == 1 || x == 2 || x == -3 || x == -2) {
                    layout = Layout::Nhwc;
                }
            }
            if let Some(s) = scales.filter(|s| s.len() == 4) {
                scale_hint = Some(match layout {
                    Layout::Nchw => [s[2], s[3]],
                    Layout::Nhwc => [s[1], s[2]],
                });
            }
        }
        "Upsample" => {
            if opset >= 9 {
                let s = take(1, "scales", false, &mut inputs);
                layout = layout_of(node, facts, s.as_deref(), None);
                scale_hint = s.filter(|s| s.len() == 4).map(|s| [s[2], s[3]]);
            } else if let Some(crate::model::graph::Attr::Floats(s)) = node.attr("scales") {
                layout = layout_of(node, facts, Some(s), None);
                scale_hint = (s.len() == 4).then(|| [s[2], s[3]]);
            }
        }
        _ => {}
    }
    let call = unknowns.is_empty().then(|| Call {
        framework: "onnx".into(),
        function: node.op.clone(),
        args: json!({"opset": opset, "attributes": attributes, "inputs": inputs}),
    });
    Some(Read {
        op,
        call,
        layout,
        unknowns,
        computed,
        scale_hint,
    })
}

/// The output shape of a resize-like node (for the folding step).
pub fn output_shape(graph: &Graph, node: &Node, facts: &Facts) -> Option<Shape> {
    let r = read(graph, node, facts)?;
    let input = node.inputs.first().and_then(|t| facts.shape(t)).cloned();
    resolve_output(r.call.as_ref(), r.layout, &input, None, &mut Vec::new())
}

/// The layer of node `k`, if it is resize-like.
pub fn layer(graph: &Graph, k: usize, node: &Node, facts: &Facts) -> Option<Found> {
    let r = read(graph, node, facts)?;
    let input_tensor = node.inputs.first().cloned().unwrap_or_default();
    let output_tensor = node.outputs.first().cloned().unwrap_or_default();
    let input = facts.shape(&input_tensor).cloned();
    let mut unknowns = r.unknowns;
    if input.as_ref().is_none_or(|s| s.iter().any(Option::is_none)) {
        unknowns.push(format!("input shape: {}", facts.shape_why(&input_tensor)));
    }
    let output = resolve_output(
        r.call.as_ref(),
        r.layout,
        &input,
        facts.shape(&output_tensor),
        &mut unknowns,
    );
    let mut l = new_layer(
        &node.name, &node.op, r.op, r.layout, &input, &output, r.call, unknowns,
    );
    l.computed_inputs = r.computed;
    l.precision = match facts.element(&input_tensor) {
        Some(ElementKind::F16) => Some("float16".into()),
        Some(ElementKind::Bf16) => Some("bfloat16".into()),
        _ => None,
    };
    Some(Found {
        layer: l,
        node: k,
        input_tensor,
        output_tensor,
        input,
        output,
        scale_hint: r.scale_hint,
    })
}
