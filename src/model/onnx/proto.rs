//! The ONNX protobuf messages halfpixel reads, declared by hand with the field numbers of
//! `onnx/onnx.proto` (IR version 10). Only what the reader uses is declared; prost skips every
//! other field, so newer files still decode. Sparse initializers, training info, functions'
//! bodies and type protos other than tensors are skipped.

/// `ModelProto`: the top-level message of an `.onnx` file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    /// `ir_version` (field 1).
    #[prost(int64, optional, tag = "1")]
    pub ir_version: Option<i64>,
    /// `opset_import` (field 8).
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
    /// `producer_name` (field 2).
    #[prost(string, optional, tag = "2")]
    pub producer_name: Option<String>,
    /// `producer_version` (field 3).
    #[prost(string, optional, tag = "3")]
    pub producer_version: Option<String>,
    /// `domain` (field 4).
    #[prost(string, optional, tag = "4")]
    pub domain: Option<String>,
    /// `model_version` (field 5).
    #[prost(int64, optional, tag = "5")]
    pub model_version: Option<i64>,
    /// `graph` (field 7).
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    /// `functions` (field 25).
    #[prost(message, repeated, tag = "25")]
    pub functions: Vec<FunctionProto>,
}

/// `OperatorSetIdProto`: a domain and its opset version.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    /// `domain` (field 1).
    #[prost(string, optional, tag = "1")]
    pub domain: Option<String>,
    /// `version` (field 2).
    #[prost(int64, optional, tag = "2")]
    pub version: Option<i64>,
}

/// `GraphProto`: nodes in topological order, initializers, inputs, outputs, value_info.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    /// `node` (field 1).
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// `name` (field 2).
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    /// `initializer` (field 5).
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// `input` (field 11).
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// `output` (field 12).
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
    /// `value_info` (field 13).
    #[prost(message, repeated, tag = "13")]
    pub value_info: Vec<ValueInfoProto>,
}

/// `NodeProto`: one op.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    /// `input` (field 1).
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// `output` (field 2).
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// `name` (field 3).
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    /// `op_type` (field 4).
    #[prost(string, optional, tag = "4")]
    pub op_type: Option<String>,
    /// `domain` (field 7).
    #[prost(string, optional, tag = "7")]
    pub domain: Option<String>,
    /// `attribute` (field 5).
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
}

/// `FunctionProto`: a model-local function (only its name and domain are read: a node calling
/// one is reported as an op the audit does not look into).
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionProto {
    /// `name` (field 1).
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `domain` (field 10).
    #[prost(string, optional, tag = "10")]
    pub domain: Option<String>,
}

/// `AttributeProto.AttributeType`.
pub mod attribute_type {
    /// `FLOAT` = 1.
    pub const FLOAT: i32 = 1;
    /// `INT` = 2.
    pub const INT: i32 = 2;
    /// `STRING` = 3.
    pub const STRING: i32 = 3;
    /// `TENSOR` = 4.
    pub const TENSOR: i32 = 4;
    /// `GRAPH` = 5.
    pub const GRAPH: i32 = 5;
    /// `FLOATS` = 6.
    pub const FLOATS: i32 = 6;
    /// `INTS` = 7.
    pub const INTS: i32 = 7;
    /// `STRINGS` = 8.
    pub const STRINGS: i32 = 8;
    /// `TENSORS` = 9.
    pub const TENSORS: i32 = 9;
    /// `GRAPHS` = 10.
    pub const GRAPHS: i32 = 10;
}

/// `AttributeProto`: a named attribute value; `type` says which field holds it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    /// `name` (field 1).
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `ref_attr_name` (field 21).
    #[prost(string, optional, tag = "21")]
    pub ref_attr_name: Option<String>,
    /// `type` (field 20).
    #[prost(int32, optional, tag = "20")]
    pub r#type: Option<i32>,
    /// `f` (field 2).
    #[prost(float, optional, tag = "2")]
    pub f: Option<f32>,
    /// `i` (field 3).
    #[prost(int64, optional, tag = "3")]
    pub i: Option<i64>,
    /// `s` (field 4).
    #[prost(bytes = "vec", optional, tag = "4")]
    pub s: Option<Vec<u8>>,
    /// `t` (field 5).
    #[prost(message, optional, tag = "5")]
    pub t: Option<TensorProto>,
    /// `floats` (field 7).
    #[prost(float, repeated, packed = "false", tag = "7")]
    pub floats: Vec<f32>,
    /// `ints` (field 8).
    #[prost(int64, repeated, packed = "false", tag = "8")]
    pub ints: Vec<i64>,
    /// `strings` (field 9).
    #[prost(bytes = "vec", repeated, tag = "9")]
    pub strings: Vec<Vec<u8>>,
}

/// `TensorProto.DataType`.
pub mod data_type {
    /// `FLOAT` = 1.
    pub const FLOAT: i32 = 1;
    /// `UINT8` = 2.
    pub const UINT8: i32 = 2;
    /// `INT8` = 3.
    pub const INT8: i32 = 3;
    /// `UINT16` = 4.
    pub const UINT16: i32 = 4;
    /// `INT16` = 5.
    pub const INT16: i32 = 5;
    /// `INT32` = 6.
    pub const INT32: i32 = 6;
    /// `INT64` = 7.
    pub const INT64: i32 = 7;
    /// `STRING` = 8.
    pub const STRING: i32 = 8;
    /// `BOOL` = 9.
    pub const BOOL: i32 = 9;
    /// `FLOAT16` = 10.
    pub const FLOAT16: i32 = 10;
    /// `DOUBLE` = 11.
    pub const DOUBLE: i32 = 11;
    /// `UINT32` = 12.
    pub const UINT32: i32 = 12;
    /// `UINT64` = 13.
    pub const UINT64: i32 = 13;
    /// `BFLOAT16` = 16.
    pub const BFLOAT16: i32 = 16;
}

/// `TensorProto.DataLocation`.
pub mod data_location {
    /// `EXTERNAL` = 1.
    pub const EXTERNAL: i32 = 1;
}

/// `TensorProto`: dims, type and values (typed fields or little-endian `raw_data`, or a
/// reference to external data).
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// `dims` (field 1).
    #[prost(int64, repeated, packed = "false", tag = "1")]
    pub dims: Vec<i64>,
    /// `data_type` (field 2).
    #[prost(int32, optional, tag = "2")]
    pub data_type: Option<i32>,
    /// `float_data` (field 4).
    #[prost(float, repeated, tag = "4")]
    pub float_data: Vec<f32>,
    /// `int32_data` (field 5).
    #[prost(int32, repeated, tag = "5")]
    pub int32_data: Vec<i32>,
    /// `string_data` (field 6).
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub string_data: Vec<Vec<u8>>,
    /// `int64_data` (field 7).
    #[prost(int64, repeated, tag = "7")]
    pub int64_data: Vec<i64>,
    /// `name` (field 8).
    #[prost(string, optional, tag = "8")]
    pub name: Option<String>,
    /// `raw_data` (field 9).
    #[prost(bytes = "vec", optional, tag = "9")]
    pub raw_data: Option<Vec<u8>>,
    /// `double_data` (field 10).
    #[prost(double, repeated, tag = "10")]
    pub double_data: Vec<f64>,
    /// `uint64_data` (field 11).
    #[prost(uint64, repeated, tag = "11")]
    pub uint64_data: Vec<u64>,
    /// `external_data` (field 13).
    #[prost(message, repeated, tag = "13")]
    pub external_data: Vec<StringStringEntryProto>,
    /// `data_location` (field 14).
    #[prost(int32, optional, tag = "14")]
    pub data_location: Option<i32>,
}

/// `StringStringEntryProto`: a key-value pair (external data location, metadata).
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringStringEntryProto {
    /// `key` (field 1).
    #[prost(string, optional, tag = "1")]
    pub key: Option<String>,
    /// `value` (field 2).
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// `ValueInfoProto`: a tensor's name and declared type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    /// `name` (field 1).
    #[prost(string, optional, tag = "1")]
    pub name: Option<String>,
    /// `type` (field 2).
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<TypeProto>,
}

/// `TypeProto`: only the tensor case (`tensor_type`) is read.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProto {
    /// `tensor_type` (field 1).
    #[prost(message, optional, tag = "1")]
    pub tensor_type: Option<TypeProtoTensor>,
}

/// `TypeProto.Tensor`: element type and shape.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypeProtoTensor {
    /// `elem_type` (field 1).
    #[prost(int32, optional, tag = "1")]
    pub elem_type: Option<i32>,
    /// `shape` (field 2).
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
}

/// `TensorShapeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// `dim` (field 1).
    #[prost(message, repeated, tag = "1")]
    pub dim: Vec<Dimension>,
}

/// `TensorShapeProto.Dimension`: `dim_value` or `dim_param` (a oneof; both are read as
/// optional fields, the later one on the wire wins as in the oneof).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dimension {
    /// `dim_value` (field 1).
    #[prost(int64, optional, tag = "1")]
    pub dim_value: Option<i64>,
    /// `dim_param` (field 2).
    #[prost(string, optional, tag = "2")]
    pub dim_param: Option<String>,
}
