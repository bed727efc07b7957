//! ML Programs (`MIL.proto`): the main function's block for its opset becomes the graph. Every
//! op but `const` becomes a [`Node`] named after its first output, with its named inputs in
//! file order ([`Node::input_names`]); `const` ops and immediate argument values become
//! [`Graph::constants`]; every op output's declared type goes into [`Graph::types`].

use super::proto::mil::{
    data_type as dt, Argument, BindingKind, Block, DimensionKind, Function, ImmediateKind,
    NamedValueType, Operation, Program, TensorValues, Value, ValueKind, ValueType, ValueTypeKind,
};
use crate::model::{Attr, Constant, Dim, ElementKind, Graph, Node, TensorType, Values};

/// `MIL.proto` `DataType` → element kind.
fn element(data_type: i32) -> ElementKind {
    match data_type {
        dt::BOOL => ElementKind::Bool,
        dt::STRING => ElementKind::String,
        dt::FLOAT16 => ElementKind::F16,
        dt::FLOAT32 => ElementKind::F32,
        dt::FLOAT64 => ElementKind::F64,
        dt::BFLOAT16 => ElementKind::Bf16,
        dt::INT8 => ElementKind::Int(8),
        dt::INT16 => ElementKind::Int(16),
        dt::INT32 => ElementKind::Int(32),
        dt::INT64 => ElementKind::Int(64),
        dt::INT4 => ElementKind::Int(4),
        dt::UINT8 => ElementKind::UInt(8),
        dt::UINT16 => ElementKind::UInt(16),
        dt::UINT32 => ElementKind::UInt(32),
        dt::UINT64 => ElementKind::UInt(64),
        dt::UINT4 => ElementKind::UInt(4),
        dt::UINT2 => ElementKind::UInt(2),
        dt::UINT1 => ElementKind::UInt(1),
        dt::UINT6 => ElementKind::UInt(6),
        dt::UINT3 => ElementKind::UInt(3),
        dt::FLOAT8E4M3FN | dt::FLOAT8E5M2 => ElementKind::Other,
        _ => ElementKind::Other,
    }
}

/// The `TensorType` of a `ValueType` (lists, tuples and dictionaries have none).
fn tensor_type(t: Option<&ValueType>) -> Option<&super::proto::mil::TensorType> {
    match t?.kind.as_ref()? {
        ValueTypeKind::Tensor(t) => Some(t),
        ValueTypeKind::State(s) => tensor_type(s.wrapped_type.as_deref()),
        _ => None,
    }
}

/// A MIL value type as the common graph's type. Unknown MIL dimensions carry no name:
/// [`Dim::Unknown`].
pub(crate) fn graph_type(t: Option<&ValueType>) -> TensorType {
    let Some(t) = tensor_type(t) else {
        return TensorType::default();
    };
    let shape = if t.rank < 0 || t.dimensions.len() as i64 != t.rank {
        None
    } else {
        Some(
            t.dimensions
                .iter()
                .map(|d| match d.kind {
                    Some(DimensionKind::Constant(c)) => usize::try_from(c.size)
                        .map(Dim::Known)
                        .unwrap_or(Dim::Unknown),
                    _ => Dim::Unknown,
                })
                .collect(),
        )
    };
    TensorType {
        element: Some(element(t.data_type)),
        shape,
    }
}

/// Little-endian storage of `bytes` values, by element type.
fn bytes_values(data_type: i32, bytes: &[u8]) -> Values {
    fn ints<const N: usize>(b: &[u8], f: fn([u8; N]) -> i64) -> Values {
        Values::Int(
            b.chunks_exact(N)
                .map(|c| f(c.try_into().unwrap_or([0; N])))
                .collect(),
        )
    }
    fn floats<const N: usize>(b: &[u8], f: fn([u8; N]) -> f64) -> Values {
        Values::Float(
            b.chunks_exact(N)
                .map(|c| f(c.try_into().unwrap_or([0; N])))
                .collect(),
        )
    }
    match data_type {
        dt::FLOAT16 => floats::<2>(bytes, |b| half::f16::from_le_bytes(b).to_f64()),
        dt::BFLOAT16 => floats::<2>(bytes, |b| half::bf16::from_le_bytes(b).to_f64()),
        dt::FLOAT32 => floats::<4>(bytes, |b| f32::from_le_bytes(b) as f64),
        dt::FLOAT64 => floats::<8>(bytes, f64::from_le_bytes),
        dt::INT8 => ints::<1>(bytes, |b| b[0] as i8 as i64),
        dt::UINT8 | dt::BOOL => ints::<1>(bytes, |b| b[0] as i64),
        dt::INT16 => ints::<2>(bytes, |b| i16::from_le_bytes(b) as i64),
        dt::UINT16 => ints::<2>(bytes, |b| u16::from_le_bytes(b) as i64),
        dt::INT32 => ints::<4>(bytes, |b| i32::from_le_bytes(b) as i64),
        dt::UINT32 => ints::<4>(bytes, |b| u32::from_le_bytes(b) as i64),
        dt::INT64 => ints::<8>(bytes, i64::from_le_bytes),
        // Sub-byte and 8-bit float types: not needed for resize parameters.
        _ => Values::Absent,
    }
}

/// A `Value` as a constant, typed by its own type or else by the declared one. Blob-file values
/// (weights in the package's `weights/` file) are [`Values::Absent`].
pub(crate) fn constant(value: &Value, declared: Option<&ValueType>) -> Constant {
    let t = tensor_type(value.r#type.as_ref()).or_else(|| tensor_type(declared));
    let data_type = t.map(|t| t.data_type).unwrap_or(0);
    let dims: Option<Vec<usize>> = t.and_then(|t| {
        t.dimensions
            .iter()
            .map(|d| match d.kind {
                Some(DimensionKind::Constant(c)) => usize::try_from(c.size).ok(),
                _ => None,
            })
            .collect()
    });
    let values = match &value.value {
        Some(ValueKind::Immediate(im)) => match &im.value {
            Some(ImmediateKind::Tensor(t)) => match &t.values {
                Some(TensorValues::Floats(v)) => {
                    Values::Float(v.values.iter().map(|&f| f as f64).collect())
                }
                Some(TensorValues::Doubles(v)) => Values::Float(v.values.clone()),
                Some(TensorValues::Ints(v)) => {
                    Values::Int(v.values.iter().map(|&i| i as i64).collect())
                }
                Some(TensorValues::LongInts(v)) => Values::Int(v.values.clone()),
                Some(TensorValues::Bools(v)) => {
                    Values::Int(v.values.iter().map(|&b| b as i64).collect())
                }
                Some(TensorValues::Strings(v)) => Values::Text(v.values.clone()),
                Some(TensorValues::Bytes(v)) => bytes_values(data_type, &v.values),
                None => Values::Absent,
            },
            _ => Values::Absent,
        },
        _ => Values::Absent,
    };
    let dims = dims.unwrap_or_else(|| match values.len() {
        1 => Vec::new(),
        n => vec![n],
    });
    let count = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let values = if dims.len() > super::shapes::MAX_RANK {
        Values::Absent
    } else if matches!(values, Values::Absent) || count == Some(values.len()) {
        values
    } else {
        Values::Absent
    };
    Constant {
        element: element(data_type),
        dims,
        values,
    }
}

/// The name an immediate argument value gets in [`Graph::constants`]: `OP_OUTPUT#param` (with
/// `[k]` for the k-th binding of a variadic argument). `#` cannot occur in a MIL identifier.
fn immediate_name(op_name: &str, param: &str, k: usize, n: usize) -> String {
    if n == 1 {
        format!("{op_name}#{param}")
    } else {
        format!("{op_name}#{param}[{k}]")
    }
}

fn record_types(values: &[NamedValueType], graph: &mut Graph) {
    for v in values {
        graph
            .types
            .insert(v.name.clone(), graph_type(v.r#type.as_ref()));
    }
}

/// Appends a block's operations to the graph. Ops of nested blocks come before the op that
/// holds them (their results feed it).
fn read_block(block: &Block, opset: &str, graph: &mut Graph) {
    record_types(&block.inputs, graph);
    for op in &block.operations {
        read_op(op, opset, graph);
    }
}

fn read_op(op: &Operation, opset: &str, graph: &mut Graph) {
    record_types(&op.outputs, graph);
    if op.r#type == "const" {
        let val = op.attributes.iter().rev().find(|a| a.key == "val");
        if let (Some(out), Some(val)) = (op.outputs.first(), val.and_then(|a| a.value.as_ref())) {
            graph
                .constants
                .insert(out.name.clone(), constant(val, out.r#type.as_ref()));
        }
        return;
    }
    for b in &op.blocks {
        read_block(b, opset, graph);
    }
    let name = op
        .outputs
        .first()
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let mut node = Node::new(name.clone(), op.r#type.clone());
    node.domain = opset.to_string();
    node.outputs = op.outputs.iter().map(|o| o.name.clone()).collect();
    for entry in &op.inputs {
        let empty = Argument::default();
        let arg = entry.value.as_ref().unwrap_or(&empty);
        let n = arg.arguments.len();
        for (k, binding) in arg.arguments.iter().enumerate() {
            let input = match &binding.binding {
                Some(BindingKind::Name(s)) => s.clone(),
                Some(BindingKind::Value(v)) => {
                    let cname = immediate_name(&name, &entry.key, k, n);
                    graph.constants.insert(cname.clone(), constant(v, None));
                    cname
                }
                None => String::new(),
            };
            node.inputs.push(input);
            node.input_names.push(entry.key.clone());
        }
    }
    if !op.blocks.is_empty() {
        node.attrs
            .insert("blocks".into(), Attr::Int(op.blocks.len() as i64));
    }
    graph.nodes.push(node);
}

/// The function to read: the one named `default`, else `main`, else the only one.
pub(crate) fn main_function<'a>(
    program: &'a Program,
    default: &str,
) -> std::result::Result<(&'a str, &'a Function), String> {
    let functions: Vec<(&str, &Function)> = program
        .functions
        .iter()
        .filter_map(|e| e.value.as_ref().map(|f| (e.key.as_str(), f)))
        .collect();
    let pick = |name: &str| functions.iter().rev().find(|(n, _)| *n == name).copied();
    if let Some(f) = (!default.is_empty()).then(|| pick(default)).flatten() {
        return Ok(f);
    }
    if let Some(f) = pick("main") {
        return Ok(f);
    }
    match functions.as_slice() {
        [only] => Ok(*only),
        [] => Err("the ML Program has no functions".into()),
        many => Err(format!(
            "the ML Program has no 'main' function (it has {})",
            many.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Reads a program's function into the graph: input types, the block for the function's
/// opset, and the block's outputs as graph outputs when the description names none.
pub(crate) fn read_program(
    program: &Program,
    default_function: &str,
    graph: &mut Graph,
) -> std::result::Result<(), String> {
    let (fname, function) = main_function(program, default_function)?;
    let block = function
        .block_specializations
        .iter()
        .rev()
        .find(|b| b.key == function.opset)
        .and_then(|b| b.value.as_ref())
        .ok_or_else(|| {
            let have: Vec<&str> = function
                .block_specializations
                .iter()
                .map(|b| b.key.as_str())
                .collect();
            format!(
                "function '{fname}' names opset '{}' but has no block for it (blocks: {})",
                function.opset,
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            )
        })?;
    record_types(&function.inputs, graph);
    if graph.inputs.is_empty() {
        graph.inputs = function
            .inputs
            .iter()
            .map(|i| (i.name.clone(), graph_type(i.r#type.as_ref())))
            .collect();
    }
    read_block(block, &function.opset, graph);
    if graph.outputs.is_empty() {
        graph.outputs = block.outputs.clone();
    }
    Ok(())
}
