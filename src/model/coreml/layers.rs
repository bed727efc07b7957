//! The resize, upsample and pixel-shuffle layers of a Core ML graph as conformance calls.
//!
//! NeuralNetwork layers become `NeuralNetwork.Upsample`, `NeuralNetwork.ResizeBilinear`,
//! `NeuralNetwork.CropResize` and `NeuralNetwork.ReorganizeData` calls with the proto's field
//! names; ML Program ops become calls named after the op with every input but `x` as stored
//! (coremltools stores defaults too).

use serde_json::{json, Map, Value as Json};

use super::shapes::{tensor_shapes, InputShape, Shapes};
use crate::conformance::Op;
use crate::error::{Error, Result};
use crate::model::{Attr, Constant, ElementKind, Graph, Layer, ModelFormat, Node, Values};
use crate::presets::Call;
use crate::spec::Layout;

/// MIL resize and pixel ops, with the kind of layer each is.
const MIL_OPS: &[(&str, Op)] = &[
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

/// A call's arguments, or why it cannot be written.
type Args = std::result::Result<Map<String, Json>, String>;

fn coreml_call(function: &str, args: Map<String, Json>) -> Call {
    Call {
        framework: "coreml".into(),
        function: function.into(),
        args: Json::Object(args),
    }
}

/// A shape as the layer reports it: NCHW of rank 4 where the file's rank differs only by
/// leading ones (Core ML's rank-5 blobs) or a missing batch axis (`[C, H, W]`).
fn layer_shape(s: &[usize]) -> Vec<usize> {
    let mut s = s;
    while s.len() > 4 && s[0] == 1 {
        s = &s[1..];
    }
    if s.len() == 3 {
        let mut v = vec![1];
        v.extend_from_slice(s);
        return v;
    }
    s.to_vec()
}

/// The shapes of a layer's data input and first output, noting why either is unknown.
fn layer_shapes(
    data_input: Option<&str>,
    node: &Node,
    shapes: &Shapes,
    unknowns: &mut Vec<String>,
) -> (Option<Vec<usize>>, Option<Vec<usize>>) {
    let mut get = |what: &str, t: Option<&str>| match t {
        Some(t) => match shapes.get(t) {
            Ok(s) => Some(layer_shape(s)),
            Err(why) => {
                unknowns.push(format!("{what}: {why}"));
                None
            }
        },
        None => {
            unknowns.push(format!("{what}: the layer names no tensor"));
            None
        }
    };
    let input = get("input_shape", data_input);
    let output = get("output_shape", node.outputs.first().map(String::as_str));
    (input, output)
}

/// A text attribute that must be one of the proto's enum names.
fn enum_text(node: &Node, key: &str) -> std::result::Result<String, String> {
    match node.attr(key) {
        Some(Attr::Text(s)) => Ok(s.clone()),
        Some(Attr::Int(v)) => Err(format!(
            "'{key}' holds {v}, a value NeuralNetwork.proto does not define"
        )),
        _ => Err(format!("'{key}' is missing")),
    }
}

/// An integer pair attribute, with the proto's default when the file leaves it empty.
fn pair_or(node: &Node, key: &str, default: [i64; 2]) -> Json {
    match node.attr(key) {
        Some(Attr::Ints(v)) if !v.is_empty() => json!(v),
        _ => json!(default),
    }
}

/// A constant tensor as JSON: a scalar for rank 0, else nested lists by its dims.
fn constant_json(c: &Constant) -> Option<Json> {
    let flat: Vec<Json> = match (&c.values, c.element) {
        (Values::Int(v), ElementKind::Bool) => v.iter().map(|&b| Json::Bool(b != 0)).collect(),
        (Values::Int(v), _) => v.iter().map(|&i| json!(i)).collect(),
        (Values::Float(v), _) => v.iter().map(|&f| json!(f)).collect(),
        (Values::Text(v), _) => v.iter().map(|s| json!(s)).collect(),
        (Values::Absent, _) => return None,
    };
    if c.dims.contains(&0) {
        return Some(Json::Array(Vec::new()));
    }
    fn nest(flat: &[Json], dims: &[usize]) -> Json {
        match dims {
            [] => flat.first().cloned().unwrap_or(Json::Null),
            [_] => Json::Array(flat.to_vec()),
            [n, rest @ ..] => {
                let step = rest.iter().product::<usize>().max(1);
                Json::Array(
                    (0..*n)
                        .map(|k| nest(flat.get(k * step..(k + 1) * step).unwrap_or(&[]), rest))
                        .collect(),
                )
            }
        }
    }
    Some(nest(&flat, &c.dims))
}

/// Why an input of an op is not a value the reader holds.
fn not_constant(graph: &Graph, param: &str, tensor: &str) -> String {
    if let Some(c) = graph.constants.get(tensor) {
        if matches!(c.values, Values::Absent) {
            return format!(
                "input '{param}' ({tensor}) is stored in the weight file, not in the model"
            );
        }
    }
    match graph.producer_of(tensor) {
        Some(p) => format!(
            "input '{param}' ({tensor}) is computed by '{}' ({}), not a constant",
            p.name, p.op
        ),
        None => format!("input '{param}' ({tensor}) is a model input, not a constant"),
    }
}

fn nn_upsample_args(node: &Node) -> Args {
    let mut a = Map::new();
    let fractional =
        matches!(node.attr("fractionalScalingFactor"), Some(Attr::Floats(f)) if !f.is_empty());
    let integer = matches!(node.attr("scalingFactor"), Some(Attr::Ints(f)) if !f.is_empty());
    if let Some(Attr::Floats(f)) = node.attr("fractionalScalingFactor").filter(|_| fractional) {
        a.insert("fractionalScalingFactor".into(), json!(f));
    }
    if integer || !fractional {
        a.insert(
            "scalingFactor".into(),
            pair_or(node, "scalingFactor", [1, 1]),
        );
    }
    let mode = enum_text(node, "mode")?;
    if mode == "BILINEAR" {
        a.insert(
            "linearUpsampleMode".into(),
            json!(enum_text(node, "linearUpsampleMode")?),
        );
    }
    a.insert("mode".into(), json!(mode));
    Ok(a)
}

fn nn_crop_resize_args(node: &Node, graph: &Graph) -> Args {
    let mut a = Map::new();
    a.insert("targetSize".into(), pair_or(node, "targetSize", [1, 1]));
    let normalized = matches!(node.attr("normalizedCoordinates"), Some(Attr::Bool(true)));
    a.insert("normalizedCoordinates".into(), json!(normalized));
    a.insert("mode".into(), json!(enum_text(node, "mode")?));
    a.insert(
        "boxIndicesMode".into(),
        json!(enum_text(node, "boxIndicesMode")?),
    );
    let scale = match node.attr("spatialScale") {
        Some(Attr::Float(f)) => *f,
        _ => 0.0,
    };
    a.insert("spatialScale".into(), json!(scale));
    let roi = node.inputs.get(1).ok_or("the layer has no RoI input")?;
    let values = graph
        .constants
        .get(roi)
        .and_then(constant_json)
        .ok_or_else(|| not_constant(graph, "roi", roi))?;
    a.insert("roi".into(), values);
    Ok(a)
}

fn nn_layer(node: &Node, graph: &Graph, shapes: &Shapes) -> Option<Layer> {
    let (function, op, args) = match node.op.as_str() {
        "upsample" => ("NeuralNetwork.Upsample", Op::Resize, nn_upsample_args(node)),
        "resizeBilinear" => (
            "NeuralNetwork.ResizeBilinear",
            Op::Resize,
            enum_text(node, "mode").map(|mode| {
                let mut a = Map::new();
                a.insert("targetSize".into(), pair_or(node, "targetSize", [1, 1]));
                a.insert("mode".into(), json!(mode));
                a
            }),
        ),
        "cropResize" => (
            "NeuralNetwork.CropResize",
            Op::Resize,
            nn_crop_resize_args(node, graph),
        ),
        "reorganizeData" => {
            let mode = enum_text(node, "mode");
            let op = match mode.as_deref() {
                Ok("SPACE_TO_DEPTH") => Op::SpaceToDepth,
                _ => Op::DepthToSpace,
            };
            let block = match node.attr("blockSize") {
                Some(Attr::Int(b)) => *b,
                _ => 0,
            };
            let args = mode.map(|m| {
                let mut a = Map::new();
                a.insert("mode".into(), json!(m));
                a.insert("blockSize".into(), json!(block));
                a
            });
            ("NeuralNetwork.ReorganizeData", op, args)
        }
        _ => return None,
    };
    let mut unknowns = Vec::new();
    let (input_shape, output_shape) = layer_shapes(
        node.inputs.first().map(String::as_str),
        node,
        shapes,
        &mut unknowns,
    );
    let call = match args {
        Ok(a) => Some(coreml_call(function, a)),
        Err(why) => {
            unknowns.push(format!("call: {why}"));
            None
        }
    };
    Some(Layer {
        name: node.name.clone(),
        native_op: node.op.clone(),
        op,
        layout: Layout::Nchw,
        input_shape,
        output_shape,
        call,
        pattern: None,
        precision: None,
        computed_inputs: Vec::new(),
        unknowns,
    })
}

/// The arguments of a MIL op: every named input but `x`, as its constant value (a list for a
/// variadic input).
fn mil_args(node: &Node, graph: &Graph) -> Args {
    let mut a = Map::new();
    let mut k = 0;
    while k < node.input_names.len() {
        let param = &node.input_names[k];
        let mut end = k + 1;
        while end < node.input_names.len() && node.input_names[end] == *param {
            end += 1;
        }
        if param != "x" {
            let values = node
                .inputs
                .get(k..end)
                .unwrap_or_default()
                .iter()
                .map(|t| {
                    graph
                        .constants
                        .get(t)
                        .and_then(constant_json)
                        .ok_or_else(|| not_constant(graph, param, t))
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let value = if values.len() == 1 {
                values.into_iter().next().unwrap_or(Json::Null)
            } else {
                Json::Array(values)
            };
            a.insert(param.clone(), value);
        }
        k = end;
    }
    Ok(a)
}

fn mil_layer(node: &Node, graph: &Graph, shapes: &Shapes) -> Option<Layer> {
    let op = MIL_OPS.iter().find(|(n, _)| *n == node.op)?.1;
    let mut unknowns = Vec::new();
    let x = node.named_input("x");
    let (input_shape, output_shape) = layer_shapes(x, node, shapes, &mut unknowns);
    let call = match mil_args(node, graph) {
        Ok(a) => Some(coreml_call(&node.op, a)),
        Err(why) => {
            unknowns.push(format!("call: {why}"));
            None
        }
    };
    let precision = x
        .and_then(|x| graph.types.get(x))
        .and_then(|t| t.element)
        .and_then(|e| match e {
            ElementKind::F16 => Some("float16"),
            ElementKind::F32 => Some("float32"),
            ElementKind::F64 => Some("float64"),
            ElementKind::Bf16 => Some("bfloat16"),
            _ => None,
        })
        .map(str::to_string);
    Some(Layer {
        name: node.name.clone(),
        native_op: node.op.clone(),
        op,
        layout: Layout::Nchw,
        input_shape,
        output_shape,
        call,
        pattern: None,
        precision,
        computed_inputs: Vec::new(),
        unknowns,
    })
}

/// A layer with where it sits in the graph, for the steps after [`layers`] (patterns, pairing).
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedLayer {
    /// The layer as reported.
    pub layer: Layer,
    /// Its node's index in [`Graph::nodes`] (the execution order).
    pub node: usize,
    /// The tensor it reads (NeuralNetwork: the layer's first input; MIL: its `x`).
    pub input_tensor: String,
    /// The tensor it produces (its first output).
    pub output_tensor: String,
    /// The scale factors `[h, w]` the file states (NeuralNetwork `scalingFactor` or
    /// `fractionalScalingFactor`; MIL `scale_factor_height` / `scale_factor_width`), where it
    /// states them.
    pub scale_hint: Option<[f64; 2]>,
}

/// The scale factors a node states, where it states them.
fn scale_hint(node: &Node, graph: &Graph) -> Option<[f64; 2]> {
    let pair = |v: &[f64]| (v.len() == 2).then(|| [v[0], v[1]]);
    match node.op.as_str() {
        "upsample" => match node.attr("fractionalScalingFactor") {
            Some(Attr::Floats(f)) if !f.is_empty() => pair(f),
            _ => match node.attr("scalingFactor") {
                Some(Attr::Ints(v)) if !v.is_empty() => {
                    pair(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())
                }
                _ => Some([1.0, 1.0]),
            },
        },
        "upsample_bilinear" | "upsample_nearest_neighbor" => {
            let get = |p: &str| {
                node.named_input(p)
                    .and_then(|t| graph.constants.get(t))
                    .and_then(|c| c.values.as_f64())
                    .and_then(|v| v.first().copied())
                    .unwrap_or(1.0)
            };
            Some([get("scale_factor_height"), get("scale_factor_width")])
        }
        _ => None,
    }
}

/// Every resize, upsample and pixel-shuffle layer of a Core ML graph with its place in the
/// graph; see [`layers`].
///
/// Errors: as [`layers`].
pub fn located_layers(graph: &Graph, inputs: &[InputShape]) -> Result<Vec<LocatedLayer>> {
    if !matches!(
        graph.format,
        ModelFormat::CoreMlNeuralNetwork | ModelFormat::CoreMlProgram
    ) {
        return Err(Error::unsupported(format!(
            "Core ML layers of a {} graph",
            graph.format
        )));
    }
    let shapes = tensor_shapes(graph, inputs)?;
    Ok(graph
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(k, node)| {
            let (layer, input) = if node.domain.is_empty() {
                (nn_layer(node, graph, &shapes)?, node.inputs.first())
            } else {
                let x = node.input_names.iter().position(|n| n == "x");
                (
                    mil_layer(node, graph, &shapes)?,
                    x.and_then(|k| node.inputs.get(k)),
                )
            };
            Some(LocatedLayer {
                layer,
                node: k,
                input_tensor: input.cloned().unwrap_or_default(),
                output_tensor: node.outputs.first().cloned().unwrap_or_default(),
                scale_hint: scale_hint(node, graph),
            })
        })
        .collect())
}

/// Every resize, upsample and pixel-shuffle layer of a Core ML graph, in execution order, with
/// its shapes (propagated from the input shapes: the declared ones, filled in by `inputs`) and
/// the call the file encodes.
///
/// NeuralNetwork layers are named by their layer name and report no precision (the runtime
/// chooses it); ML Program ops are named by their first output and report the type their `x`
/// input has (`float16` when the converter inserted casts).
///
/// Errors: a graph of another format ([`Error::Unsupported`]); input shapes that name no input
/// or contradict the model ([`Error::InvalidArgument`]).
pub fn layers(graph: &Graph, inputs: &[InputShape]) -> Result<Vec<Layer>> {
    Ok(located_layers(graph, inputs)?
        .into_iter()
        .map(|l| l.layer)
        .collect())
}
