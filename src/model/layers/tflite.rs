//! TFLite layers: `RESIZE_BILINEAR`, `RESIZE_NEAREST_NEIGHBOR` (their `size` input and the
//! `align_corners` / `half_pixel_centers` options), `DEPTH_TO_SPACE` and `SPACE_TO_DEPTH`
//! (`block_size`). Tensors are NHWC.

use serde_json::json;

use super::{new_layer, resolve_output, Found};
use crate::conformance::Op;
use crate::model::fold::Facts;
use crate::model::graph::{Attr, ElementKind, Graph, Node};
use crate::presets::Call;
use crate::spec::Layout;

fn flag(node: &Node, name: &str) -> bool {
    matches!(node.attr(name), Some(Attr::Bool(true)))
}

/// The output shape of a resize-like operator (for the folding step).
pub fn output_shape(node: &Node, facts: &Facts) -> Option<Vec<Option<usize>>> {
    let f = layer(
        &Graph::new(crate::model::ModelFormat::TfLite),
        0,
        node,
        facts,
    )?;
    f.output
}

/// The layer of operator `k`, if it is resize-like.
pub fn layer(_graph: &Graph, k: usize, node: &Node, facts: &Facts) -> Option<Found> {
    let op = match node.op.as_str() {
        "RESIZE_BILINEAR" | "RESIZE_NEAREST_NEIGHBOR" => Op::Resize,
        "DEPTH_TO_SPACE" => Op::DepthToSpace,
        "SPACE_TO_DEPTH" => Op::SpaceToDepth,
        _ => return None,
    };
    let input_tensor = node.inputs.first().cloned().unwrap_or_default();
    let output_tensor = node.outputs.first().cloned().unwrap_or_default();
    let mut unknowns = Vec::new();
    let args = match op {
        Op::Resize => {
            let size = node.inputs.get(1).filter(|t| !t.is_empty());
            let value = size.and_then(|t| facts.value(t)).and_then(|v| v.ints());
            match (size, value) {
                (Some(_), Some(v)) if v.len() == 2 => Some(json!({
                    "size": v,
                    "align_corners": flag(node, "align_corners"),
                    "half_pixel_centers": flag(node, "half_pixel_centers"),
                })),
                (Some(t), Some(v)) => {
                    unknowns.push(format!("size ('{t}') holds {} values, not 2", v.len()));
                    None
                }
                (Some(t), None) => {
                    unknowns.push(format!(
                        "size ('{t}') cannot be worked out: {}",
                        facts.why(t)
                    ));
                    None
                }
                (None, _) => {
                    unknowns.push("the size input is missing".into());
                    None
                }
            }
        }
        _ => match node.attr("block_size") {
            Some(Attr::Int(b)) => Some(json!({"block_size": b})),
            _ => {
                unknowns.push("the options table has no block_size".into());
                None
            }
        },
    };
    let call = args.map(|args| Call {
        framework: "tflite".into(),
        function: node.op.clone(),
        args,
    });
    let input = facts.shape(&input_tensor).cloned();
    if input.as_ref().is_none_or(|s| s.iter().any(Option::is_none)) {
        unknowns.push(format!("input shape: {}", facts.shape_why(&input_tensor)));
    }
    let output = resolve_output(
        call.as_ref(),
        Layout::Nhwc,
        &input,
        facts.shape(&output_tensor),
        &mut unknowns,
    );
    let mut l = new_layer(
        &node.name,
        &node.op,
        op,
        Layout::Nhwc,
        &input,
        &output,
        call,
        unknowns,
    );
    if facts.element(&input_tensor) == Some(ElementKind::F16) {
        l.precision = Some("float16".into());
    }
    Some(Found {
        layer: l,
        node: k,
        input_tensor,
        output_tensor,
        input,
        output,
        scale_hint: None,
    })
}
