//! Keras layers: `UpSampling2D` (`size`, `interpolation`) and `Resizing` (`height`, `width`,
//! `interpolation`, `crop_to_aspect_ratio`; `antialias` and `pad_to_aspect_ratio` when set).
//! The layout follows `data_format` (`channels_last`, Keras's default, is NHWC).

use serde_json::{json, Map, Value};

use super::{attr_json, new_layer, resolve_output, Found};
use crate::conformance::Op;
use crate::model::fold::Facts;
use crate::model::graph::{Attr, Graph, Node};
use crate::presets::Call;
use crate::spec::Layout;

/// The batch of the model's first input, where known.
fn graph_batch(graph: &Graph, facts: &Facts) -> Option<usize> {
    let (name, _) = graph.inputs.first()?;
    facts.shape(name)?.first().copied().flatten()
}

/// The layer of node `k`, if it is `UpSampling2D` or `Resizing`.
pub fn layer(graph: &Graph, k: usize, node: &Node, facts: &Facts) -> Option<Found> {
    let (function, keys, optional): (&str, &[&str], &[(&str, Value)]) = match node.op.as_str() {
        "UpSampling2D" => ("layers.UpSampling2D", &["size", "interpolation"], &[]),
        "Resizing" => (
            "layers.Resizing",
            &["height", "width", "interpolation", "crop_to_aspect_ratio"],
            &[
                ("antialias", Value::Bool(false)),
                ("pad_to_aspect_ratio", Value::Bool(false)),
            ],
        ),
        _ => return None,
    };
    let mut args = Map::new();
    let mut unknowns = Vec::new();
    for key in keys {
        match node.attr(key).and_then(attr_json) {
            Some(v) => {
                args.insert((*key).into(), v);
            }
            None => unknowns.push(format!("the layer's config has no '{key}'")),
        }
    }
    // Arguments beyond the four of the call vocabulary appear when they change the result.
    for (key, default) in optional {
        if let Some(v) = node.attr(key).and_then(attr_json) {
            if &v != default {
                args.insert((*key).into(), v);
            }
        }
    }
    if args.get("pad_to_aspect_ratio") == Some(&Value::Bool(true)) {
        if let Some(v) = node.attr("fill_value").and_then(attr_json) {
            args.insert("fill_value".into(), v);
        }
    }
    let layout = match node.attr("data_format") {
        Some(Attr::Text(f)) if f == "channels_first" => Layout::Nchw,
        _ => Layout::Nhwc,
    };
    let call = unknowns.is_empty().then(|| Call {
        framework: "keras".into(),
        function: function.into(),
        args: json!(args),
    });
    let input_tensor = node.inputs.first().cloned().unwrap_or_default();
    let output_tensor = node.outputs.first().cloned().unwrap_or_default();
    let input = facts.shape(&input_tensor).cloned().or_else(|| {
        match node.attr("build_config.input_shape") {
            Some(Attr::Ints(v)) => Some(v.iter().map(|&d| usize::try_from(d).ok()).collect()),
            _ => None,
        }
    });
    // Keras layers share the batch of the model's input: a batch given there (or declared)
    // fills the `None` of the shape a layer was built for.
    let batch = graph_batch(graph, facts);
    let input = input.map(|mut s| {
        if let (Some(None), Some(b)) = (s.first(), batch) {
            s[0] = Some(b);
        }
        s
    });
    if input.as_ref().is_none_or(|s| s.iter().any(Option::is_none)) {
        unknowns.push(format!(
            "input shape: the layer was built for {} (give --input-shape)",
            input
                .as_ref()
                .map_or("an unknown shape".into(), |s| format!(
                    "[{}]",
                    s.iter()
                        .map(|d| d.map_or("None".into(), |d| d.to_string()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
        ));
    }
    let output = resolve_output(call.as_ref(), layout, &input, None, &mut unknowns);
    let op = Op::Resize;
    let scale_hint = match (node.op.as_str(), node.attr("size")) {
        ("UpSampling2D", Some(Attr::Ints(s))) if s.len() == 2 => Some([s[0] as f64, s[1] as f64]),
        _ => None,
    };
    let l = new_layer(
        &node.name, &node.op, op, layout, &input, &output, call, unknowns,
    );
    Some(Found {
        layer: l,
        node: k,
        input_tensor,
        output_tensor,
        input,
        output,
        scale_hint,
    })
}
