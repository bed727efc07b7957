//! Core ML layers: NeuralNetwork `upsample`, `resizeBilinear`, `cropResize` and
//! `reorganizeData`, and the MIL resize and pixel ops of an ML Program.
//!
//! The graph convention this step reads (the Core ML reader, `model::coreml`, produces it):
//! - a NeuralNetwork layer is a node whose op is the layer kind as the proto's `layer` oneof
//!   names it (`upsample`, `resizeBilinear`, `cropResize`, `reorganizeData`), named by the
//!   layer's name, with the fields of its params message as attributes by their proto names
//!   (`scalingFactor` ints, `fractionalScalingFactor` floats, `mode`, `linearUpsampleMode`,
//!   `targetSize`, `blockSize`; enums by name or by number; a nested message's fields with dots:
//!   `mode.samplingMethod`);
//! - a MIL op is a node whose op is the MIL op type (`upsample_bilinear`), named by its first
//!   output, whose inputs are bound by parameter name ([`crate::model::Node::input_names`]) to
//!   tensors the `const` ops define ([`crate::model::Graph::constants`]), or carried as
//!   attributes when the file holds them as immediate values.
//!
//! The call is what the file encodes: NeuralNetwork layers as `NeuralNetwork.Upsample`,
//! `NeuralNetwork.ResizeBilinear`, `NeuralNetwork.ReorganizeData` with the proto's field names;
//! MIL ops with their inputs as stored (coremltools stores defaults too). Layout NCHW.

use serde_json::{json, Map, Value};

use super::{attr_json, float_json, new_layer, resolve_output, Found};
use crate::conformance::Op;
use crate::model::fold::Facts;
use crate::model::graph::{Attr, ElementKind, Graph, Node, Values};
use crate::presets::Call;
use crate::spec::Layout;

/// An enum attribute by name, whether the reader kept its name or its number (`names` in the
/// proto's numbering).
fn enum_attr(node: &Node, key: &str, names: &[&str]) -> Option<String> {
    match node.attr(key)? {
        Attr::Text(s) => Some(s.clone()),
        Attr::Int(i) => names.get(usize::try_from(*i).ok()?).map(|s| s.to_string()),
        _ => None,
    }
}

fn non_empty(v: Option<Value>) -> Option<Value> {
    v.filter(|v| v.as_array().is_none_or(|a| !a.is_empty()))
}

/// The NeuralNetwork layer's call, or why not.
fn neural_network(node: &Node) -> Result<(Op, Call), String> {
    let call = |function: &str, args: Map<String, Value>| Call {
        framework: "coreml".into(),
        function: function.into(),
        args: Value::Object(args),
    };
    let mut args = Map::new();
    match node.op.as_str() {
        "upsample" => {
            let mode = enum_attr(node, "mode", &["NN", "BILINEAR"]).unwrap_or_else(|| "NN".into());
            args.insert("mode".into(), json!(mode));
            if let Some(f) = non_empty(node.attr("scalingFactor").and_then(attr_json)) {
                args.insert("scalingFactor".into(), f);
            } else if let Some(f) =
                non_empty(node.attr("fractionalScalingFactor").and_then(attr_json))
            {
                args.insert("fractionalScalingFactor".into(), f);
            }
            if mode == "BILINEAR" {
                let m = enum_attr(
                    node,
                    "linearUpsampleMode",
                    &["DEFAULT", "ALIGN_CORNERS_TRUE", "ALIGN_CORNERS_FALSE"],
                )
                .unwrap_or_else(|| "DEFAULT".into());
                args.insert("linearUpsampleMode".into(), json!(m));
            }
            Ok((Op::Resize, call("NeuralNetwork.Upsample", args)))
        }
        "resizeBilinear" => {
            let size = node
                .attr("targetSize")
                .and_then(attr_json)
                .ok_or("resizeBilinear has no targetSize")?;
            args.insert("targetSize".into(), size);
            let methods = [
                "STRICT_ALIGN_ENDPOINTS_MODE",
                "ALIGN_ENDPOINTS_MODE",
                "UPSAMPLE_MODE",
                "ROI_ALIGN_MODE",
            ];
            let mode = enum_attr(node, "mode.samplingMethod", &methods)
                .or_else(|| enum_attr(node, "mode", &methods))
                .unwrap_or_else(|| methods[0].into());
            args.insert("mode".into(), json!(mode));
            Ok((Op::Resize, call("NeuralNetwork.ResizeBilinear", args)))
        }
        "reorganizeData" => {
            let mode = enum_attr(
                node,
                "mode",
                &["SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "PIXEL_SHUFFLE"],
            )
            .unwrap_or_else(|| "SPACE_TO_DEPTH".into());
            let block = node
                .attr("blockSize")
                .and_then(attr_json)
                .ok_or("reorganizeData has no blockSize")?;
            let op = if mode == "SPACE_TO_DEPTH" {
                Op::SpaceToDepth
            } else {
                Op::DepthToSpace
            };
            args.insert("mode".into(), json!(mode));
            args.insert("blockSize".into(), block);
            Ok((op, call("NeuralNetwork.ReorganizeData", args)))
        }
        _ => Err(
            "cropResize reads its boxes from a model input; halfpixel has no call for it".into(),
        ),
    }
}

/// A constant's values as JSON: a scalar for a 0-d tensor, else a flat list; booleans as
/// booleans, float32 widened exactly.
fn constant_json(graph: &Graph, facts: &Facts, tensor: &str) -> Option<Value> {
    if let Some(c) = graph.constants.get(tensor) {
        let scalar = c.dims.is_empty();
        let list: Vec<Value> = match &c.values {
            Values::Text(v) => v.iter().map(|s| json!(s)).collect(),
            Values::Int(v) if c.element == ElementKind::Bool => {
                v.iter().map(|&b| json!(b != 0)).collect()
            }
            Values::Int(v) => v.iter().map(|&i| json!(i)).collect(),
            Values::Float(v) => v.iter().map(|&f| float_json(f)).collect(),
            Values::Absent => return None,
        };
        return Some(if scalar && list.len() == 1 {
            list[0].clone()
        } else {
            Value::Array(list)
        });
    }
    let v = facts.value(tensor)?;
    let list: Vec<Value> = match (&v.data, v.element) {
        (crate::model::fold::Data::Int(d), ElementKind::Bool) => {
            d.iter().map(|&b| json!(b != 0)).collect()
        }
        (crate::model::fold::Data::Int(d), _) => d.iter().map(|&i| json!(i)).collect(),
        (crate::model::fold::Data::Float(d), _) => d.iter().map(|&f| float_json(f)).collect(),
    };
    Some(if v.dims.is_empty() && list.len() == 1 {
        list[0].clone()
    } else {
        Value::Array(list)
    })
}

const MIL: &[(&str, Op)] = &[
    ("upsample_bilinear", Op::Resize),
    ("upsample_nearest_neighbor", Op::Resize),
    ("resize_bilinear", Op::Resize),
    ("resize_nearest_neighbor", Op::Resize),
    ("resize", Op::Resize),
    ("crop_resize", Op::Resize),
    ("pixel_shuffle", Op::DepthToSpace),
    ("depth_to_space", Op::DepthToSpace),
    ("pixel_unshuffle", Op::SpaceToDepth),
    ("space_to_depth", Op::SpaceToDepth),
];

/// The MIL op's call, or why not.
fn mil(graph: &Graph, node: &Node, facts: &Facts, op: Op) -> Result<(Op, Call), String> {
    let mut args = Map::new();
    for (k, a) in &node.attrs {
        if let Some(v) = attr_json(a) {
            args.insert(k.clone(), v);
        }
    }
    for (name, tensor) in node.input_names.iter().zip(&node.inputs) {
        if name == "x" || tensor.is_empty() {
            continue;
        }
        let v = constant_json(graph, facts, tensor).ok_or_else(|| {
            format!(
                "{name} ('{tensor}') cannot be worked out: {}",
                facts.why(tensor)
            )
        })?;
        args.insert(name.clone(), v);
    }
    Ok((
        op,
        Call {
            framework: "coreml".into(),
            function: node.op.clone(),
            args: Value::Object(args),
        },
    ))
}

/// The layer of node `k`, if it is resize-like.
pub fn layer(graph: &Graph, k: usize, node: &Node, facts: &Facts) -> Option<Found> {
    let read = if matches!(
        node.op.as_str(),
        "upsample" | "resizeBilinear" | "cropResize" | "reorganizeData"
    ) {
        neural_network(node)
    } else {
        let op = MIL.iter().find(|(name, _)| *name == node.op)?.1;
        mil(graph, node, facts, op)
    };
    let input_tensor = node
        .named_input("x")
        .map(String::from)
        .or_else(|| node.inputs.first().cloned())
        .unwrap_or_default();
    let output_tensor = node.outputs.first().cloned().unwrap_or_default();
    let mut unknowns = Vec::new();
    let (op, call) = match read {
        Ok((op, call)) => (op, Some(call)),
        Err(why) => {
            unknowns.push(why);
            (
                if node.op == "reorganizeData" {
                    Op::DepthToSpace
                } else {
                    Op::Resize
                },
                None,
            )
        }
    };
    let input = facts.shape(&input_tensor).cloned();
    if input.as_ref().is_none_or(|s| s.iter().any(Option::is_none)) {
        unknowns.push(format!("input shape: {}", facts.shape_why(&input_tensor)));
    }
    let output = resolve_output(
        call.as_ref(),
        Layout::Nchw,
        &input,
        facts.shape(&output_tensor),
        &mut unknowns,
    );
    let scale_hint = call.as_ref().and_then(|c| {
        let a = &c.args;
        let pair = |v: &Value| Some([v.get(0)?.as_f64()?, v.get(1)?.as_f64()?]);
        pair(&a["scalingFactor"])
            .or_else(|| pair(&a["fractionalScalingFactor"]))
            .or_else(|| {
                Some([
                    a["scale_factor_height"].as_f64()?,
                    a["scale_factor_width"].as_f64()?,
                ])
            })
    });
    let mut l = new_layer(
        &node.name,
        &node.op,
        op,
        Layout::Nchw,
        &input,
        &output,
        call,
        unknowns,
    );
    l.precision = match facts.element(&input_tensor) {
        Some(ElementKind::F16) => Some("float16".into()),
        Some(ElementKind::F32) if graph.format == crate::model::ModelFormat::CoreMlProgram => {
            Some("float32".into())
        }
        _ => None,
    };
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
