//! The Keras reader: a Keras 3 `.keras` archive (a zip holding `config.json`) to a [`Graph`].
//!
//! A Keras model is a list of layers, each with its class name and config, wired by
//! `inbound_nodes` (Functional models) or in order (Sequential models). Each layer becomes a
//! node whose op is the class name (`UpSampling2D`, `Resizing`), whose attributes are the
//! layer's config entries (nested objects flattened with dots: `dtype.config.name`), and whose
//! output tensor is named `<layer>:0`. The shape each layer was built for
//! (`build_config.input_shape`) becomes the declared type of its input; `InputLayer`'s
//! `batch_shape` that of the graph input. Models nested as layers are flattened in place.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use serde_json::Value;

use super::graph::{Attr, Dim, ElementKind, Graph, ModelFormat, Node, TensorType};
use super::limits::{MAX_KERAS_CONFIG_BYTES, MAX_RANK};
use crate::error::{Error, Result};

/// Reads a Keras 3 archive from its bytes; `path` names the file in errors.
pub fn read(path: &str, bytes: &[u8]) -> Result<Graph> {
    let err = |reason: String| Error::Model {
        path: path.to_string(),
        reason,
    };
    let text = config_json(bytes).map_err(&err)?;
    let config: Value = serde_json::from_str(&text)
        .map_err(|e| err(format!("config.json is not valid JSON: {e}")))?;
    from_config(&config).map_err(|r| err(format!("config.json: {r}")))
}

/// The text of `config.json` in a zip archive.
pub fn config_json(bytes: &[u8]) -> std::result::Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))?;
    let mut file = archive
        .by_name("config.json")
        .map_err(|_| "the archive has no config.json: not a Keras 3 .keras file".to_string())?;
    if file.size() > MAX_KERAS_CONFIG_BYTES {
        return Err(format!(
            "config.json is {} bytes, more than the {MAX_KERAS_CONFIG_BYTES} read",
            file.size()
        ));
    }
    let mut raw = Vec::new();
    (&mut file)
        .take(MAX_KERAS_CONFIG_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("config.json cannot be extracted: {e}"))?;
    if raw.len() as u64 > MAX_KERAS_CONFIG_BYTES {
        return Err("config.json is larger than its header says".into());
    }
    String::from_utf8(raw).map_err(|_| "config.json is not UTF-8".to_string())
}

/// Builds the graph of a parsed `config.json`.
pub fn from_config(config: &Value) -> std::result::Result<Graph, String> {
    let class = config
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or("no class_name at the top: not a saved Keras model")?;
    let mut g = Graph::new(ModelFormat::Keras);
    g.producer = format!("Keras {class}");
    let mut walk = Walk {
        graph: &mut g,
        depth: 0,
    };
    let outputs = walk.model(config, &[])?;
    g.outputs = outputs;
    if g.nodes.is_empty() {
        return Err(format!("the {class} model has no layers"));
    }
    Ok(g)
}

struct Walk<'a> {
    graph: &'a mut Graph,
    depth: usize,
}

/// The output tensor of a layer.
fn tensor(layer: &str, index: u64) -> String {
    format!("{layer}:{index}")
}

fn shape_of(v: &Value) -> Option<Vec<Dim>> {
    let a = v.as_array()?;
    if a.len() > MAX_RANK {
        return None;
    }
    Some(
        a.iter()
            .map(|d| match d.as_u64() {
                Some(n) => Dim::Known(n as usize),
                None => Dim::Unknown,
            })
            .collect(),
    )
}

impl Walk<'_> {
    /// Adds a model's layers; `inputs` are the tensors feeding a nested model's inputs. Returns
    /// the model's output tensors.
    fn model(
        &mut self,
        model: &Value,
        inputs: &[String],
    ) -> std::result::Result<Vec<String>, String> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("models nested more than 32 deep".into());
        }
        let class = model
            .get("class_name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let config = model
            .get("config")
            .ok_or(format!("the {class} model has no config"))?;
        let layers = config
            .get("layers")
            .and_then(Value::as_array)
            .ok_or(format!("the {class} model has no layer list"))?;
        let sequential = class == "Sequential";
        let mut previous: Vec<String> = inputs.to_vec();
        let mut input_index = 0usize;
        let mut last = Vec::new();
        for (k, layer) in layers.iter().enumerate() {
            let lclass = layer
                .get("class_name")
                .and_then(Value::as_str)
                .ok_or(format!("layers[{k}] has no class_name"))?;
            let lconfig = layer.get("config").cloned().unwrap_or(Value::Null);
            let name = layer
                .get("name")
                .or_else(|| lconfig.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let name = if name.is_empty() {
                format!("layer_{k}")
            } else {
                name
            };
            // Where this layer's inputs come from.
            let wired = if sequential {
                previous.clone()
            } else {
                inbound(layer)
            };
            if lclass == "InputLayer" {
                let out = tensor(&name, 0);
                let shape = lconfig
                    .get("batch_shape")
                    .or_else(|| lconfig.get("batch_input_shape"))
                    .and_then(shape_of);
                if let Some(feed) = inputs.get(input_index) {
                    // A nested model's input: an identity from the outer tensor.
                    let mut node = Node::new(name.clone(), "InputLayer");
                    node.inputs = vec![feed.clone()];
                    node.outputs = vec![out.clone()];
                    self.graph.nodes.push(node);
                } else {
                    self.graph.inputs.push((
                        out.clone(),
                        TensorType {
                            element: Some(ElementKind::F32),
                            shape: shape.clone(),
                        },
                    ));
                }
                self.graph.types.insert(
                    out.clone(),
                    TensorType {
                        element: Some(ElementKind::F32),
                        shape,
                    },
                );
                input_index += 1;
                previous = vec![out.clone()];
                last = vec![out];
                continue;
            }
            if matches!(lclass, "Functional" | "Sequential" | "Model")
                && lconfig.get("layers").is_some()
            {
                let outs = self.model(layer, &wired)?;
                previous = outs.clone();
                last = outs;
                continue;
            }
            let mut node = Node::new(name.clone(), lclass);
            node.inputs = wired.clone();
            node.outputs = vec![tensor(&name, 0)];
            let mut attrs = BTreeMap::new();
            flatten("", &lconfig, &mut attrs, 0);
            node.attrs = attrs;
            if let Some(shape) = layer
                .get("build_config")
                .and_then(|b| b.get("input_shape"))
                .and_then(shape_of)
            {
                if let Some(input) = wired.first() {
                    self.graph.types.entry(input.clone()).or_insert(TensorType {
                        element: Some(ElementKind::F32),
                        shape: Some(shape.clone()),
                    });
                }
                node.attrs
                    .insert("build_config.input_shape".into(), dims_attr(&shape));
            }
            previous = node.outputs.clone();
            last = node.outputs.clone();
            self.graph.nodes.push(node);
        }
        self.depth -= 1;
        // A functional model names its outputs.
        let outputs = config
            .get("output_layers")
            .map(history_list)
            .filter(|o| !o.is_empty())
            .unwrap_or(last);
        Ok(outputs)
    }
}

fn dims_attr(shape: &[Dim]) -> Attr {
    Attr::Ints(
        shape
            .iter()
            .map(|d| d.known().map_or(-1, |n| n as i64))
            .collect(),
    )
}

/// `["layer", node, tensor]` or a list of them, as tensor names.
fn history_list(v: &Value) -> Vec<String> {
    let Some(a) = v.as_array() else {
        return Vec::new();
    };
    if let (Some(layer), Some(t)) = (
        a.first().and_then(Value::as_str),
        a.get(2).and_then(Value::as_u64),
    ) {
        return vec![tensor(layer, t)];
    }
    a.iter().flat_map(history_list).collect()
}

/// The tensors a Functional layer reads: every `keras_history` in its first inbound node.
fn inbound(layer: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(first) = layer
        .get("inbound_nodes")
        .and_then(Value::as_array)
        .and_then(|n| n.first())
    {
        collect_history(first, &mut out, 0);
    }
    out
}

fn collect_history(v: &Value, out: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    match v {
        Value::Object(m) => {
            if let Some(h) = m.get("keras_history") {
                out.extend(history_list(h));
                return;
            }
            for x in m.values() {
                collect_history(x, out, depth + 1);
            }
        }
        Value::Array(a) => {
            // Keras 2 style: [["layer", 0, 0, {}], ...]
            if let (Some(layer), Some(t)) = (
                a.first().and_then(Value::as_str),
                a.get(2).and_then(Value::as_u64),
            ) {
                out.push(tensor(layer, t));
                return;
            }
            for x in a {
                collect_history(x, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Config entries as attributes: numbers, booleans, strings and flat lists; objects flattened
/// with dotted keys.
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, Attr>, depth: usize) {
    if depth > 8 {
        return;
    }
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match x {
                    Value::Object(_) => flatten(&key(k), x, out, depth + 1),
                    _ => {
                        if let Some(a) = attr(x) {
                            out.insert(key(k), a);
                        }
                    }
                }
            }
        }
        _ => {
            if let Some(a) = attr(v) {
                out.insert(prefix.to_string(), a);
            }
        }
    }
}

fn attr(v: &Value) -> Option<Attr> {
    match v {
        Value::Bool(b) => Some(Attr::Bool(*b)),
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Attr::Int(i),
            None => Attr::Float(n.as_f64()?),
        }),
        Value::String(s) => Some(Attr::Text(s.clone())),
        Value::Array(a) => {
            if a.iter().all(|x| x.as_i64().is_some()) {
                Some(Attr::Ints(a.iter().filter_map(Value::as_i64).collect()))
            } else if a.iter().all(Value::is_number) {
                Some(Attr::Floats(a.iter().filter_map(Value::as_f64).collect()))
            } else if a.iter().all(Value::is_string) {
                Some(Attr::Texts(
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect(),
                ))
            } else {
                None
            }
        }
        Value::Null | Value::Object(_) => None,
    }
}
