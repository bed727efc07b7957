//! Resize-like layers of a graph, each as the `call` it encodes.
//!
//! One module per format knows which native ops are resizes, upsamples or pixel shuffles and
//! reads their attributes and constant inputs into the `call` vocabulary of the conformance
//! format: [`onnx`], [`tflite`], [`keras`]; Core ML's is the Core ML reader's own
//! ([`crate::model::coreml::located_layers`]). Shapes come from [`super::fold`]; the output
//! shape of a layer whose input shape is known comes from the preset its call names, so the
//! semantics live in one place.

pub mod keras;
pub mod onnx;
pub mod tflite;

use serde_json::{json, Value};

use super::fold::{Facts, InputShape, Shape};
use super::graph::{Attr, Graph, ModelFormat};
use super::layer::Layer;
use crate::conformance::Op;
use crate::op::InputDesc;
use crate::presets::{from_call, Call};
use crate::spec::Layout;

/// A layer found in a graph, with what the later steps need besides the [`Layer`].
#[derive(Debug, Clone)]
pub struct Found {
    /// The layer as reported.
    pub layer: Layer,
    /// The node that produces its output (for a pattern, its last node): the execution order.
    pub node: usize,
    /// The tensor it reads.
    pub input_tensor: String,
    /// The tensor it produces.
    pub output_tensor: String,
    /// Its input shape, as far as known.
    pub input: Option<Shape>,
    /// Its output shape, as far as known.
    pub output: Option<Shape>,
    /// Scale factors the file states (ONNX `scales`, Core ML factors), for finding the
    /// equivalent calls of frameworks that take scale factors.
    pub scale_hint: Option<[f64; 2]>,
}

/// Every resize-like node of a graph, in execution order. `given` are the input shapes the
/// user gave (the Core ML step works its shapes out itself, from them).
///
/// Errors: input shapes that do not fit a Core ML model ([`crate::Error::InvalidArgument`]).
pub fn extract(graph: &Graph, facts: &Facts, given: &[InputShape]) -> crate::Result<Vec<Found>> {
    if matches!(
        graph.format,
        ModelFormat::CoreMlNeuralNetwork | ModelFormat::CoreMlProgram
    ) {
        return coreml_layers(graph, given);
    }
    let mut found = Vec::new();
    for (k, node) in graph.nodes.iter().enumerate() {
        let f = match graph.format {
            ModelFormat::Onnx => onnx::layer(graph, k, node, facts),
            ModelFormat::TfLite => tflite::layer(graph, k, node, facts),
            ModelFormat::Keras => keras::layer(graph, k, node, facts),
            _ => None,
        };
        found.extend(f);
    }
    Ok(found)
}

/// The Core ML reader's layer step ([`crate::model::coreml::located_layers`]), which propagates
/// NeuralNetwork shapes with Core ML's own rules.
fn coreml_layers(graph: &Graph, given: &[InputShape]) -> crate::Result<Vec<Found>> {
    let inputs: Vec<crate::model::coreml::InputShape> = given
        .iter()
        .map(|g| crate::model::coreml::InputShape {
            name: g.name.clone(),
            dims: g.dims.clone(),
        })
        .collect();
    let shape = |s: &Option<Vec<usize>>| s.as_ref().map(|v| v.iter().map(|&d| Some(d)).collect());
    Ok(crate::model::coreml::located_layers(graph, &inputs)?
        .into_iter()
        .map(|l| Found {
            input: shape(&l.layer.input_shape),
            output: shape(&l.layer.output_shape),
            layer: l.layer,
            node: l.node,
            input_tensor: l.input_tensor,
            output_tensor: l.output_tensor,
            scale_hint: l.scale_hint,
        })
        .collect())
}

/// An attribute as JSON, as the file stores it: integers as integers, floats as floats (a
/// float32 widened exactly), strings, lists.
pub fn attr_json(a: &Attr) -> Option<Value> {
    Some(match a {
        Attr::Int(i) => json!(i),
        Attr::Float(f) => float_json(*f),
        Attr::Text(s) => json!(s),
        Attr::Bool(b) => json!(b),
        Attr::Ints(v) => json!(v),
        Attr::Floats(v) => Value::Array(v.iter().map(|&f| float_json(f)).collect()),
        Attr::Texts(v) => json!(v),
        Attr::Tensor(_) => return None,
    })
}

/// A float as a JSON number (`null` for NaN and infinities, which JSON cannot hold).
pub fn float_json(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}

/// A shape whose dims are all known.
pub fn known(shape: &Option<Shape>) -> Option<Vec<usize>> {
    shape.as_ref()?.iter().copied().collect()
}

/// The longest axis the audit evaluates a call on: longer axes (which no image has) would make
/// a small file claim large tap tables.
pub const MAX_AUDIT_AXIS: usize = 1 << 14;

/// A length or a scaled length a call names beyond [`MAX_AUDIT_AXIS`], if any: integers are
/// sizes, targets or blocks; numbers under a key that names a scale multiply the input.
fn oversized(args: &Value, longest_input: usize) -> Option<String> {
    fn walk(v: &Value, key: &str, longest: f64, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        let limit = MAX_AUDIT_AXIS as f64;
        let k = key.to_ascii_lowercase();
        match v {
            Value::Number(n) => {
                let x = n.as_f64()?.abs();
                let scale = k.contains("scal") || k == "fx" || k == "fy";
                let too = if scale {
                    x * longest > limit
                } else {
                    n.is_i64() && x > limit
                };
                too.then(|| format!("{key} = {n} reaches past {MAX_AUDIT_AXIS} pixels"))
            }
            Value::Array(a) => a.iter().find_map(|x| walk(x, key, longest, depth + 1)),
            Value::Object(m) => m.iter().find_map(|(k, x)| walk(x, k, longest, depth + 1)),
            _ => None,
        }
    }
    walk(args, "", longest_input as f64, 0)
}

/// The output shape a call gives for a 4-D input in a layout, from its preset.
pub fn output_of(call: &Call, layout: Layout, input: &[usize]) -> Result<Vec<usize>, String> {
    let dims: [usize; 4] = input
        .try_into()
        .map_err(|_| format!("a rank-{} tensor (halfpixel runs 4-D tensors)", input.len()))?;
    if let Some(d) = dims.iter().find(|&&d| d > MAX_AUDIT_AXIS) {
        return Err(format!(
            "an axis of {d} is longer than halfpixel evaluates ({MAX_AUDIT_AXIS})"
        ));
    }
    if let Some(why) = oversized(&call.args, dims.iter().copied().max().unwrap_or(1)) {
        return Err(format!("not evaluated: {why}"));
    }
    let op = from_call(call).map_err(|e| e.to_string())?;
    let out = op
        .output_dims(&InputDesc {
            dims: layout.nchw(dims),
            layout,
        })
        .map_err(|e| e.to_string())?;
    Ok(layout.shape(out).to_vec())
}

/// A [`Layer`] with the fields every format fills the same way.
#[allow(clippy::too_many_arguments)]
pub fn new_layer(
    name: &str,
    native_op: &str,
    op: Op,
    layout: Layout,
    input: &Option<Shape>,
    output: &Option<Shape>,
    call: Option<Call>,
    unknowns: Vec<String>,
) -> Layer {
    Layer {
        name: name.to_string(),
        native_op: native_op.to_string(),
        op,
        layout,
        input_shape: known(input),
        output_shape: known(output),
        call,
        pattern: None,
        precision: None,
        computed_inputs: Vec::new(),
        unknowns,
    }
}

/// The output shape of a layer: from its call's preset when the input is known, else what the
/// graph declares; and why not, when neither.
pub fn resolve_output(
    call: Option<&Call>,
    layout: Layout,
    input: &Option<Shape>,
    declared: Option<&Shape>,
    unknowns: &mut Vec<String>,
) -> Option<Shape> {
    if let (Some(call), Some(dims)) = (call, known(input)) {
        match output_of(call, layout, &dims) {
            Ok(out) => return Some(out.into_iter().map(Some).collect()),
            Err(e) => unknowns.push(format!("output shape: {e}")),
        }
    }
    // Only the batch unknown: every call keeps the batch, so the other dims are known (an
    // ONNX call names the batch in `sizes` and is left to the declared shape).
    if let (Some(call), Some(shape)) = (call, input) {
        let rest_known =
            shape.len() == 4 && shape[1..].iter().all(Option::is_some) && shape[0].is_none();
        if rest_known && call.framework != "onnx" {
            let dims: Vec<usize> = std::iter::once(1)
                .chain(shape[1..].iter().flatten().copied())
                .collect();
            if let Ok(out) = output_of(call, layout, &dims) {
                return Some(
                    std::iter::once(None)
                        .chain(out[1..].iter().map(|&d| Some(d)))
                        .collect(),
                );
            }
        }
    }
    declared.cloned()
}
