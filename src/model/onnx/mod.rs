//! The ONNX reader: an `.onnx` file (a `ModelProto`) to a [`Graph`].
//!
//! The messages are declared by hand in [`proto`] with the field numbers of `onnx/onnx.proto`;
//! prost decodes them with no code generation. What the graph keeps: every node of the main
//! graph in order with its attributes, initializers and `Constant` nodes as constants (weights
//! larger than a resize ever needs, and tensors stored as external data, are kept without their
//! values), the declared types of inputs, outputs and `value_info`, and the default domain's
//! opset as [`Graph::version`]. Subgraphs of control-flow nodes (`If`, `Loop`, `Scan`) are not
//! read.

pub mod ops;
pub mod proto;

use std::collections::BTreeMap;
use std::path::Path;

use prost::Message;

use super::graph::{
    Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType, Values,
};
use super::limits::{keeps_values, MAX_NAME_BYTES};
use crate::error::{Error, Result};
use proto::{attribute_type as at, data_location, data_type as dt};

/// Reads an ONNX model from its bytes; `path` names the file in errors. Small tensors stored
/// as external data are read from `dir` (the model's folder), where the file is; larger ones,
/// and any whose file is missing, keep no values.
pub fn read(path: &str, bytes: &[u8], dir: Option<&Path>) -> Result<Graph> {
    let err = |reason: String| Error::Model {
        path: path.to_string(),
        reason,
    };
    let model = proto::ModelProto::decode(bytes)
        .map_err(|e| err(format!("not a valid ONNX ModelProto: {e}")))?;
    let graph = model.graph.as_ref().ok_or_else(|| {
        err("the ModelProto has no graph (field 7): not an ONNX model, or an empty one".into())
    })?;
    let mut g = Graph::new(ModelFormat::Onnx);
    g.producer = [
        model.producer_name.as_deref().unwrap_or(""),
        model.producer_version.as_deref().unwrap_or(""),
    ]
    .join(" ")
    .trim()
    .to_string();
    g.version = model
        .opset_import
        .iter()
        .find(|o| matches!(o.domain.as_deref(), None | Some("") | Some("ai.onnx")))
        .and_then(|o| o.version);
    if g.version.is_none() && model.opset_import.is_empty() {
        return Err(err(
            "the ModelProto declares no opset (opset_import is empty)".into(),
        ));
    }
    for (k, t) in graph.initializer.iter().enumerate() {
        let name = t.name.clone().unwrap_or_default();
        let c =
            constant(t, dir).map_err(|r| err(format!("graph.initializer[{k}] '{name}': {r}")))?;
        g.constants.insert(name, c);
    }
    let declared = |v: &proto::ValueInfoProto| -> (String, TensorType) {
        (v.name.clone().unwrap_or_default(), tensor_type(v))
    };
    for v in &graph.input {
        let (name, ty) = declared(v);
        if !g.constants.contains_key(&name) {
            g.inputs.push((name, ty));
        }
    }
    for v in graph.output.iter().chain(&graph.value_info) {
        let (name, ty) = declared(v);
        g.types.insert(name, ty);
    }
    g.outputs = graph
        .output
        .iter()
        .map(|v| v.name.clone().unwrap_or_default())
        .collect();
    for (k, n) in graph.node.iter().enumerate() {
        let node = node(n).map_err(|r| err(format!("graph.node[{k}]: {r}")))?;
        if node.op == "Constant" && node.domain.is_empty() {
            if let (Some(out), Some(c)) = (node.outputs.first(), constant_node_value(&node)) {
                g.constants.insert(out.clone(), c);
            }
        }
        g.nodes.push(node);
    }
    Ok(g)
}

pub(crate) fn elem_kind(data_type: i32) -> ElementKind {
    match data_type {
        dt::FLOAT => ElementKind::F32,
        dt::FLOAT16 => ElementKind::F16,
        dt::DOUBLE => ElementKind::F64,
        dt::BFLOAT16 => ElementKind::Bf16,
        dt::INT8 => ElementKind::Int(8),
        dt::INT16 => ElementKind::Int(16),
        dt::INT32 => ElementKind::Int(32),
        dt::INT64 => ElementKind::Int(64),
        dt::UINT8 => ElementKind::UInt(8),
        dt::UINT16 => ElementKind::UInt(16),
        dt::UINT32 => ElementKind::UInt(32),
        dt::UINT64 => ElementKind::UInt(64),
        dt::BOOL => ElementKind::Bool,
        dt::STRING => ElementKind::String,
        _ => ElementKind::Other,
    }
}

fn tensor_type(v: &proto::ValueInfoProto) -> TensorType {
    let Some(t) = v.r#type.as_ref().and_then(|t| t.tensor_type.as_ref()) else {
        return TensorType::default();
    };
    TensorType {
        element: t.elem_type.map(elem_kind),
        shape: t.shape.as_ref().map(|s| {
            s.dim
                .iter()
                .map(|d| match (d.dim_value, &d.dim_param) {
                    (Some(v), _) if v >= 0 => Dim::Known(v as usize),
                    (_, Some(p)) if !p.is_empty() => Dim::Symbol(p.clone()),
                    _ => Dim::Unknown,
                })
                .collect()
        }),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_NAME_BYTES)]).into_owned()
}

fn node(n: &proto::NodeProto) -> std::result::Result<Node, String> {
    let op = n.op_type.clone().unwrap_or_default();
    if op.is_empty() {
        return Err("the node has no op_type".into());
    }
    let first_output = n.output.first().cloned().unwrap_or_default();
    let name = match n.name.as_deref() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => first_output,
    };
    let mut node = Node::new(name, op);
    node.domain = match n.domain.as_deref() {
        Some("ai.onnx") | None => String::new(),
        Some(d) => d.to_string(),
    };
    node.inputs = n.input.clone();
    node.outputs = n.output.clone();
    let mut attrs = BTreeMap::new();
    for (k, a) in n.attribute.iter().enumerate() {
        let name = a.name.clone().unwrap_or_default();
        if let Some(value) = attribute(a).map_err(|r| format!("attribute[{k}] '{name}': {r}"))? {
            attrs.insert(name, value);
        }
    }
    node.attrs = attrs;
    Ok(node)
}

/// An attribute's value by its declared type (files from before IR 3 have no `type`: the field
/// that is set decides). Graph attributes are not read (`None`).
fn attribute(a: &proto::AttributeProto) -> std::result::Result<Option<Attr>, String> {
    let ty = a.r#type.unwrap_or_else(|| {
        if a.f.is_some() {
            at::FLOAT
        } else if a.i.is_some() {
            at::INT
        } else if a.s.is_some() {
            at::STRING
        } else if a.t.is_some() {
            at::TENSOR
        } else if !a.floats.is_empty() {
            at::FLOATS
        } else if !a.ints.is_empty() {
            at::INTS
        } else if !a.strings.is_empty() {
            at::STRINGS
        } else {
            0
        }
    });
    Ok(Some(match ty {
        at::FLOAT => Attr::Float(a.f.unwrap_or(0.0) as f64),
        at::INT => Attr::Int(a.i.unwrap_or(0)),
        at::STRING => Attr::Text(text(a.s.as_deref().unwrap_or_default())),
        at::TENSOR => match &a.t {
            Some(t) => Attr::Tensor(constant(t, None)?),
            None => return Err("a TENSOR attribute without its tensor (field 5)".into()),
        },
        at::FLOATS => Attr::Floats(a.floats.iter().map(|&f| f as f64).collect()),
        at::INTS => Attr::Ints(a.ints.clone()),
        at::STRINGS => Attr::Texts(a.strings.iter().map(|s| text(s)).collect()),
        at::GRAPH | at::GRAPHS | at::TENSORS => return Ok(None),
        _ => return Ok(None),
    }))
}

/// The value of a `Constant` node (`value`, `value_float(s)`, `value_int(s)`).
fn constant_node_value(node: &Node) -> Option<Constant> {
    match node.attrs.iter().next()? {
        (_, Attr::Tensor(c)) => Some(c.clone()),
        (k, Attr::Float(f)) if k == "value_float" => Some(Constant::f32(vec![], vec![*f])),
        (k, Attr::Floats(v)) if k == "value_floats" => {
            Some(Constant::f32(vec![v.len()], v.clone()))
        }
        (k, Attr::Int(i)) if k == "value_int" => Some(Constant::i64(vec![], vec![*i])),
        (k, Attr::Ints(v)) if k == "value_ints" => Some(Constant::i64(vec![v.len()], v.clone())),
        _ => None,
    }
}

/// Bytes per element of a raw_data encoding, for the types whose values are read.
fn element_bytes(data_type: i32) -> Option<usize> {
    Some(match data_type {
        dt::FLOAT | dt::INT32 | dt::UINT32 => 4,
        dt::DOUBLE | dt::INT64 | dt::UINT64 => 8,
        dt::FLOAT16 | dt::BFLOAT16 | dt::INT16 | dt::UINT16 => 2,
        dt::INT8 | dt::UINT8 | dt::BOOL => 1,
        _ => return None,
    })
}

/// A `TensorProto` as a [`Constant`]: dims checked, values decoded from the typed field or
/// `raw_data` when the tensor is small enough to matter ([`keeps_values`]).
fn constant(t: &proto::TensorProto, dir: Option<&Path>) -> std::result::Result<Constant, String> {
    let data_type = t.data_type.unwrap_or(0);
    let element = elem_kind(data_type);
    let mut dims = Vec::with_capacity(t.dims.len().min(64));
    let mut count: usize = 1;
    for &d in &t.dims {
        if d < 0 {
            return Err(format!("negative dim {d}"));
        }
        let d = usize::try_from(d).map_err(|_| format!("dim {d} does not fit in memory"))?;
        count = count
            .checked_mul(d)
            .ok_or_else(|| format!("dims {:?} overflow", t.dims))?;
        dims.push(d);
    }
    let external = t.data_location == Some(data_location::EXTERNAL);
    if external && keeps_values(element, count) {
        if let (Some(dir), Some(size)) = (dir, element_bytes(data_type)) {
            if let Some(raw) = external_bytes(t, dir, count.saturating_mul(size))? {
                return Ok(Constant {
                    element,
                    dims,
                    values: decode_raw(data_type, &raw),
                });
            }
        }
    }
    if external || !keeps_values(element, count) {
        return Ok(Constant {
            element,
            dims,
            values: Values::Absent,
        });
    }
    let wrong_len = |what: &str, got: usize| {
        format!(
            "{what} holds {got} values for dims {:?} ({count} elements)",
            t.dims
        )
    };
    if let Some(raw) = t
        .raw_data
        .as_deref()
        .filter(|r| !r.is_empty() || count == 0)
    {
        let Some(size) = element_bytes(data_type) else {
            return Ok(Constant {
                element,
                dims,
                values: Values::Absent,
            });
        };
        if raw.len() != count.saturating_mul(size) {
            return Err(format!(
                "raw_data has {} bytes, {count} elements of {size} bytes need {}",
                raw.len(),
                count.saturating_mul(size)
            ));
        }
        let values = decode_raw(data_type, raw);
        return Ok(Constant {
            element,
            dims,
            values,
        });
    }
    let values = match data_type {
        dt::FLOAT => Values::Float(t.float_data.iter().map(|&f| f as f64).collect()),
        dt::FLOAT16 | dt::BFLOAT16 => Values::Float(
            t.int32_data
                .iter()
                .map(|&bits| half_bits(data_type, bits as u16))
                .collect(),
        ),
        dt::DOUBLE => Values::Float(t.double_data.clone()),
        dt::INT64 => Values::Int(t.int64_data.clone()),
        dt::UINT32 | dt::UINT64 => Values::Int(t.uint64_data.iter().map(|&v| v as i64).collect()),
        dt::INT32 | dt::INT16 | dt::INT8 | dt::UINT16 | dt::UINT8 | dt::BOOL => {
            Values::Int(t.int32_data.iter().map(|&v| v as i64).collect())
        }
        dt::STRING => Values::Text(t.string_data.iter().map(|s| text(s)).collect()),
        _ => Values::Absent,
    };
    if !matches!(values, Values::Absent) && values.len() != count {
        let field = match data_type {
            dt::FLOAT => "float_data",
            dt::DOUBLE => "double_data",
            dt::INT64 => "int64_data",
            dt::UINT32 | dt::UINT64 => "uint64_data",
            dt::STRING => "string_data",
            _ => "int32_data",
        };
        return Err(wrong_len(field, values.len()));
    }
    Ok(Constant {
        element,
        dims,
        values,
    })
}

/// The bytes of a tensor stored as external data (`location`, `offset`, `length` relative to the
/// model's folder), when the file is there: `None` when it is not. A location that leaves the
/// folder, or data shorter than the tensor needs, is an error.
fn external_bytes(
    t: &proto::TensorProto,
    dir: &Path,
    need: usize,
) -> std::result::Result<Option<Vec<u8>>, String> {
    use std::io::{Read, Seek, SeekFrom};
    let entry = |key: &str| {
        t.external_data
            .iter()
            .find(|e| e.key.as_deref() == Some(key))
            .and_then(|e| e.value.clone())
    };
    let Some(location) = entry("location") else {
        return Err("external data without a location".into());
    };
    let rel = Path::new(&location);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(format!(
            "external data location {location:?} leaves the model's folder"
        ));
    }
    let number = |key: &str| -> std::result::Result<Option<u64>, String> {
        entry(key)
            .map(|v| {
                v.parse::<u64>()
                    .map_err(|_| format!("external data {key} {v:?} is not a number"))
            })
            .transpose()
    };
    let offset = number("offset")?.unwrap_or(0);
    if let Some(length) = number("length")? {
        if length != need as u64 {
            return Err(format!(
                "external data of {length} bytes for a tensor of {need} bytes"
            ));
        }
    }
    let Ok(mut file) = std::fs::File::open(dir.join(rel)) else {
        return Ok(None);
    };
    let mut raw = vec![0u8; need];
    file.seek(SeekFrom::Start(offset))
        .and_then(|_| file.read_exact(&mut raw))
        .map_err(|e| format!("external data {location:?} at offset {offset}: {e}"))?;
    Ok(Some(raw))
}

fn half_bits(data_type: i32, bits: u16) -> f64 {
    if data_type == dt::BFLOAT16 {
        f32::from_bits((bits as u32) << 16) as f64
    } else {
        half::f16::from_bits(bits).to_f64()
    }
}

fn decode_raw(data_type: i32, raw: &[u8]) -> Values {
    fn chunks<const N: usize>(raw: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
        raw.chunks_exact(N).map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            a
        })
    }
    match data_type {
        dt::FLOAT => Values::Float(
            chunks::<4>(raw)
                .map(|b| f32::from_le_bytes(b) as f64)
                .collect(),
        ),
        dt::DOUBLE => Values::Float(chunks::<8>(raw).map(f64::from_le_bytes).collect()),
        dt::FLOAT16 | dt::BFLOAT16 => Values::Float(
            chunks::<2>(raw)
                .map(|b| half_bits(data_type, u16::from_le_bytes(b)))
                .collect(),
        ),
        dt::INT64 => Values::Int(chunks::<8>(raw).map(i64::from_le_bytes).collect()),
        dt::UINT64 => Values::Int(
            chunks::<8>(raw)
                .map(|b| u64::from_le_bytes(b) as i64)
                .collect(),
        ),
        dt::INT32 => Values::Int(
            chunks::<4>(raw)
                .map(|b| i32::from_le_bytes(b) as i64)
                .collect(),
        ),
        dt::UINT32 => Values::Int(
            chunks::<4>(raw)
                .map(|b| u32::from_le_bytes(b) as i64)
                .collect(),
        ),
        dt::INT16 => Values::Int(
            chunks::<2>(raw)
                .map(|b| i16::from_le_bytes(b) as i64)
                .collect(),
        ),
        dt::UINT16 => Values::Int(
            chunks::<2>(raw)
                .map(|b| u16::from_le_bytes(b) as i64)
                .collect(),
        ),
        dt::INT8 => Values::Int(raw.iter().map(|&b| b as i8 as i64).collect()),
        dt::UINT8 | dt::BOOL => Values::Int(raw.iter().map(|&b| b as i64).collect()),
        _ => Values::Absent,
    }
}
