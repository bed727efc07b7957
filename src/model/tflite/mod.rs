//! The TFLite reader: a `.tflite` flatbuffer to a [`Graph`].
//!
//! The file is walked with a bounds-checked table reader ([`flatbuf`]) using the field ids of
//! the official schema ([`schema`]); nothing is generated at build time. The graph is the main
//! subgraph (index 0): its operators in order, named by their first output tensor, with the
//! builtin op's name (`RESIZE_BILINEAR`; custom ops as `CUSTOM:<code>`) and the fields of the
//! options tables halfpixel reads flattened into attributes; constant tensors (those with a
//! buffer) with their values; every tensor's declared type, its shape taken from
//! `shape_signature` when the file has one (`-1`: a dimension fixed only at run time).
//!
//! Tensor names are the graph's tensor ids. TFLite does not require them to be unique; a name
//! seen again gets `#<tensor index>` appended.

pub mod flatbuf;
pub mod ops;
pub mod schema;

use std::collections::{BTreeMap, HashMap};

use flatbuf::Table;

use super::graph::{
    Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType, Values,
};
use super::limits::{keeps_values, MAX_RANK};
use crate::error::{Error, Result};

/// The file identifier TFLite flatbuffers carry at bytes 4..8.
pub const FILE_IDENTIFIER: &[u8; 4] = b"TFL3";

/// Reads a TFLite model from its bytes; `path` names the file in errors.
pub fn read(path: &str, bytes: &[u8]) -> Result<Graph> {
    read_inner(bytes).map_err(|reason| Error::Model {
        path: path.to_string(),
        reason,
    })
}

fn at(place: &str) -> impl Fn(String) -> String + '_ {
    move |fault| format!("{place}: {fault}")
}

struct TensorInfo {
    id: String,
    element: ElementKind,
    elem_size: Option<usize>,
    dims: Vec<usize>,
    buffer: u32,
}

fn read_inner(bytes: &[u8]) -> std::result::Result<Graph, String> {
    if bytes.len() < 8 {
        return Err(format!(
            "{} bytes: too short for a TFLite flatbuffer",
            bytes.len()
        ));
    }
    let root = Table::root(bytes).map_err(at("root table"))?;
    let mut g = Graph::new(ModelFormat::TfLite);
    g.version = root
        .u32(schema::model::VERSION)
        .map_err(at("version"))?
        .map(i64::from);
    g.producer = root
        .string(schema::model::DESCRIPTION)
        .map_err(at("description"))?
        .unwrap_or_default();
    let codes = op_codes(&root)?;
    let buffers = root.tables(schema::model::BUFFERS).map_err(at("buffers"))?;
    let subgraphs = root
        .tables(schema::model::SUBGRAPHS)
        .map_err(at("subgraphs"))?;
    let main = subgraphs
        .first()
        .ok_or_else(|| "the model has no subgraph".to_string())?;

    // Tensors: unique ids, declared types, constants.
    let tensors = main
        .tables(schema::subgraph::TENSORS)
        .map_err(at("subgraphs[0].tensors"))?;
    let mut infos = Vec::with_capacity(tensors.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, t) in tensors.iter().enumerate() {
        let place = format!("subgraphs[0].tensors[{k}]");
        let name = t
            .string(schema::tensor::NAME)
            .map_err(at(&place))?
            .unwrap_or_default();
        let id = if seen.contains_key(&name) || name.is_empty() {
            format!("{name}#{k}")
        } else {
            name.clone()
        };
        seen.insert(name, k);
        let (element, elem_size) =
            schema::tensor_type(t.u8(schema::tensor::TYPE).map_err(at(&place))?.unwrap_or(0));
        let shape = t.i32s(schema::tensor::SHAPE).map_err(at(&place))?;
        let signature = t
            .i32s(schema::tensor::SHAPE_SIGNATURE)
            .map_err(at(&place))?;
        if shape.as_ref().is_some_and(|s| s.len() > MAX_RANK) {
            return Err(format!("{place}: rank above {MAX_RANK}"));
        }
        let declared: Option<Vec<Dim>> = match (&signature, &shape) {
            (Some(sig), _) if !sig.is_empty() => Some(sig.iter().map(|&d| dim(d)).collect()),
            (_, Some(s)) => Some(s.iter().map(|&d| dim(d)).collect()),
            _ => None,
        };
        let dims: Vec<usize> = shape
            .unwrap_or_default()
            .iter()
            .map(|&d| d.max(0) as usize)
            .collect();
        g.types.insert(
            id.clone(),
            TensorType {
                element: Some(element),
                shape: declared,
            },
        );
        let buffer = t
            .u32(schema::tensor::BUFFER)
            .map_err(at(&place))?
            .unwrap_or(0);
        infos.push(TensorInfo {
            id,
            element,
            elem_size,
            dims,
            buffer,
        });
    }
    for info in &infos {
        if info.buffer == 0 {
            continue;
        }
        let place = format!("buffers[{}] (tensor '{}')", info.buffer, info.id);
        let b = buffers.get(info.buffer as usize).ok_or_else(|| {
            format!(
                "tensor '{}' names buffer {} of {}",
                info.id,
                info.buffer,
                buffers.len()
            )
        })?;
        if let Some(c) = buffer_constant(bytes, b, info).map_err(at(&place))? {
            g.constants.insert(info.id.clone(), c);
        }
    }
    let name_of = |k: i32, place: &str| -> std::result::Result<String, String> {
        if k < 0 {
            return Ok(String::new());
        }
        infos
            .get(k as usize)
            .map(|t| t.id.clone())
            .ok_or_else(|| format!("{place}: tensor index {k} of {}", infos.len()))
    };
    for k in main
        .i32s(schema::subgraph::INPUTS)
        .map_err(at("subgraphs[0].inputs"))?
        .unwrap_or_default()
    {
        let id = name_of(k, "subgraphs[0].inputs")?;
        let ty = g.types.get(&id).cloned().unwrap_or_default();
        if !g.constants.contains_key(&id) {
            g.inputs.push((id, ty));
        }
    }
    for k in main
        .i32s(schema::subgraph::OUTPUTS)
        .map_err(at("subgraphs[0].outputs"))?
        .unwrap_or_default()
    {
        g.outputs.push(name_of(k, "subgraphs[0].outputs")?);
    }

    let operators = main
        .tables(schema::subgraph::OPERATORS)
        .map_err(at("subgraphs[0].operators"))?;
    for (k, op) in operators.iter().enumerate() {
        let place = format!("subgraphs[0].operators[{k}]");
        let index = op
            .u32(schema::operator::OPCODE_INDEX)
            .map_err(at(&place))?
            .unwrap_or(0);
        let code = codes.get(index as usize).ok_or_else(|| {
            format!(
                "{place}: opcode_index {index} of {} operator codes",
                codes.len()
            )
        })?;
        let tensor_list = |id: usize, what: &str| -> std::result::Result<Vec<String>, String> {
            op.i32s(id)
                .map_err(at(&format!("{place}.{what}")))?
                .unwrap_or_default()
                .into_iter()
                .map(|t| name_of(t, &format!("{place}.{what}")))
                .collect()
        };
        let inputs = tensor_list(schema::operator::INPUTS, "inputs")?;
        let outputs = tensor_list(schema::operator::OUTPUTS, "outputs")?;
        // A node is named by its first output tensor's name as the file has it.
        let name = op
            .i32s(schema::operator::OUTPUTS)
            .ok()
            .flatten()
            .and_then(|o| o.first().copied())
            .filter(|&t| t >= 0)
            .and_then(|t| tensors.get(t as usize))
            .and_then(|t| t.string(schema::tensor::NAME).ok().flatten())
            .unwrap_or_else(|| format!("operator {k}"));
        let mut node = Node::new(name, code.clone());
        node.inputs = inputs;
        node.outputs = outputs;
        node.attrs = options(op, code).map_err(at(&place))?;
        g.nodes.push(node);
    }
    Ok(g)
}

fn dim(d: i32) -> Dim {
    if d < 0 {
        Dim::Unknown
    } else {
        Dim::Known(d as usize)
    }
}

fn op_codes(root: &Table<'_>) -> std::result::Result<Vec<String>, String> {
    let mut codes = Vec::new();
    for (k, c) in root
        .tables(schema::model::OPERATOR_CODES)
        .map_err(at("operator_codes"))?
        .iter()
        .enumerate()
    {
        let place = format!("operator_codes[{k}]");
        let deprecated = c
            .u8(schema::operator_code::DEPRECATED_BUILTIN_CODE)
            .map_err(at(&place))?
            .unwrap_or(0) as i8 as i32;
        let code = c
            .i32(schema::operator_code::BUILTIN_CODE)
            .map_err(at(&place))?
            .unwrap_or(0);
        let code = code.max(deprecated);
        let name = match schema::builtin_name(code) {
            Some("CUSTOM") => {
                let custom = c
                    .string(schema::operator_code::CUSTOM_CODE)
                    .map_err(at(&place))?
                    .unwrap_or_default();
                format!("CUSTOM:{custom}")
            }
            Some(n) => n.to_string(),
            None => format!("BUILTIN_{code}"),
        };
        codes.push(name);
    }
    Ok(codes)
}

fn options(op: &Table<'_>, code: &str) -> std::result::Result<BTreeMap<String, Attr>, String> {
    let mut attrs = BTreeMap::new();
    let Some(spec) = schema::OPTIONS.iter().find(|o| o.op == code) else {
        return Ok(attrs);
    };
    let ty = op.u8(schema::operator::BUILTIN_OPTIONS_TYPE)?.unwrap_or(0);
    if ty == 0 {
        return Ok(attrs);
    }
    if ty != spec.union_type {
        return Err(format!(
            "{code} carries builtin_options of union type {ty}, not its own options table ({})",
            spec.union_type
        ));
    }
    let Some(table) = op.table(schema::operator::BUILTIN_OPTIONS)? else {
        return Ok(attrs);
    };
    for &(id, name, kind) in spec.fields {
        let value = match kind {
            schema::Field::Bool => table.u8(id)?.map(|b| Attr::Bool(b != 0)),
            schema::Field::Int => table.i32(id)?.map(|v| Attr::Int(v as i64)),
            schema::Field::Byte => table.u8(id)?.map(|v| Attr::Int(v as i64)),
            schema::Field::Ints => table
                .i32s(id)?
                .map(|v| Attr::Ints(v.into_iter().map(i64::from).collect())),
        };
        if let Some(v) = value {
            attrs.insert(name.to_string(), v);
        }
    }
    Ok(attrs)
}

/// A tensor's constant data, from its buffer's inline `data` or from `offset`/`size` into the
/// file. An empty buffer is no constant.
fn buffer_constant(
    file: &[u8],
    b: &Table<'_>,
    info: &TensorInfo,
) -> std::result::Result<Option<Constant>, String> {
    let data: &[u8] = match b.bytes(schema::buffer::DATA)? {
        Some(d) if !d.is_empty() => d,
        _ => {
            let offset = b.u64(schema::buffer::OFFSET)?.unwrap_or(0);
            let size = b.u64(schema::buffer::SIZE)?.unwrap_or(0);
            if offset <= 1 || size == 0 {
                return Ok(None);
            }
            let end = offset.checked_add(size).ok_or("offset + size overflows")?;
            if end > file.len() as u64 {
                return Err(format!(
                    "data at offset {offset}, size {size}, runs past the end of the file ({} bytes)",
                    file.len()
                ));
            }
            &file[offset as usize..end as usize]
        }
    };
    let count = info
        .dims
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or("the tensor's dims overflow")?;
    let values = match info.elem_size {
        Some(size) if keeps_values(info.element, count) => {
            if data.len() != count.saturating_mul(size) {
                return Err(format!(
                    "{} bytes for a tensor of {count} elements of {size} bytes",
                    data.len()
                ));
            }
            decode(info.element, data)
        }
        _ => Values::Absent,
    };
    Ok(Some(Constant {
        element: info.element,
        dims: info.dims.clone(),
        values,
    }))
}

fn decode(element: ElementKind, data: &[u8]) -> Values {
    fn le<const N: usize>(c: &[u8]) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(c);
        a
    }
    match element {
        ElementKind::F32 => Values::Float(
            data.chunks_exact(4)
                .map(|c| f32::from_le_bytes(le(c)) as f64)
                .collect(),
        ),
        ElementKind::F64 => Values::Float(
            data.chunks_exact(8)
                .map(|c| f64::from_le_bytes(le(c)))
                .collect(),
        ),
        ElementKind::F16 => Values::Float(
            data.chunks_exact(2)
                .map(|c| half::f16::from_bits(u16::from_le_bytes(le(c))).to_f64())
                .collect(),
        ),
        ElementKind::Bf16 => Values::Float(
            data.chunks_exact(2)
                .map(|c| f32::from_bits((u16::from_le_bytes(le(c)) as u32) << 16) as f64)
                .collect(),
        ),
        ElementKind::Int(64) => Values::Int(
            data.chunks_exact(8)
                .map(|c| i64::from_le_bytes(le(c)))
                .collect(),
        ),
        ElementKind::UInt(64) => Values::Int(
            data.chunks_exact(8)
                .map(|c| u64::from_le_bytes(le(c)) as i64)
                .collect(),
        ),
        ElementKind::Int(32) => Values::Int(
            data.chunks_exact(4)
                .map(|c| i32::from_le_bytes(le(c)) as i64)
                .collect(),
        ),
        ElementKind::UInt(32) => Values::Int(
            data.chunks_exact(4)
                .map(|c| u32::from_le_bytes(le(c)) as i64)
                .collect(),
        ),
        ElementKind::Int(16) => Values::Int(
            data.chunks_exact(2)
                .map(|c| i16::from_le_bytes(le(c)) as i64)
                .collect(),
        ),
        ElementKind::UInt(16) => Values::Int(
            data.chunks_exact(2)
                .map(|c| u16::from_le_bytes(le(c)) as i64)
                .collect(),
        ),
        ElementKind::Int(8) => Values::Int(data.iter().map(|&b| b as i8 as i64).collect()),
        ElementKind::UInt(8) | ElementKind::Bool => {
            Values::Int(data.iter().map(|&b| b as i64).collect())
        }
        _ => Values::Absent,
    }
}
