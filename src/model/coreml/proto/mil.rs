//! `MIL.proto` (package `CoreML.Specification.MILSpec`): the ML Program. Field numbers are
//! Apple's. Protobuf maps are declared as their wire form (repeated key/value entries), which
//! keeps the file's order and lets the reader see duplicate keys.

/// `Program`: functions by name.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Program {
    /// `version`.
    #[prost(int64, tag = "1")]
    pub version: i64,
    /// `functions`, a `map<string, Function>`.
    #[prost(message, repeated, tag = "2")]
    pub functions: Vec<FunctionEntry>,
    /// `attributes`, a `map<string, Value>` (coremltools writes `buildInfo` here).
    #[prost(message, repeated, tag = "4")]
    pub attributes: Vec<ValueEntry>,
}

/// An entry of `Program.functions`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionEntry {
    /// The function name (`main`).
    #[prost(string, tag = "1")]
    pub key: String,
    /// The function.
    #[prost(message, optional, tag = "2")]
    pub value: Option<Function>,
}

/// `Function`: typed inputs and one block per opset.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// `inputs`.
    #[prost(message, repeated, tag = "1")]
    pub inputs: Vec<NamedValueType>,
    /// `opset`: the key of the active block in `block_specializations` (`CoreML5` … `CoreML9`).
    #[prost(string, tag = "2")]
    pub opset: String,
    /// `block_specializations`, a `map<string, Block>`.
    #[prost(message, repeated, tag = "3")]
    pub block_specializations: Vec<BlockEntry>,
}

/// An entry of `Function.block_specializations`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlockEntry {
    /// The opset name.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The block.
    #[prost(message, optional, tag = "2")]
    pub value: Option<Block>,
}

/// `Block`: topologically sorted operations.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Block {
    /// `inputs` (for nested blocks: loop variables and the like).
    #[prost(message, repeated, tag = "1")]
    pub inputs: Vec<NamedValueType>,
    /// `outputs`: names of values the block returns.
    #[prost(string, repeated, tag = "2")]
    pub outputs: Vec<String>,
    /// `operations`, in execution order.
    #[prost(message, repeated, tag = "3")]
    pub operations: Vec<Operation>,
}

/// `Argument`: one or more bindings (several for variadic inputs such as `concat.values`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Argument {
    /// `arguments`.
    #[prost(message, repeated, tag = "1")]
    pub arguments: Vec<Binding>,
}

/// `Argument.Binding`: a value's name or an immediate value.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Binding {
    /// The `binding` oneof.
    #[prost(oneof = "BindingKind", tags = "1, 2")]
    pub binding: Option<BindingKind>,
}

/// The `Argument.Binding.binding` oneof.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum BindingKind {
    /// `name`: an earlier op's output, a function input or a block input.
    #[prost(string, tag = "1")]
    Name(String),
    /// `value`: an immediate value.
    #[prost(message, tag = "2")]
    Value(Value),
}

/// `Operation`: a typed op with named inputs, typed outputs and optional nested blocks.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Operation {
    /// `type`: the MIL op name (`upsample_bilinear`, `const`, …).
    #[prost(string, tag = "1")]
    pub r#type: String,
    /// `inputs`, a `map<string, Argument>`.
    #[prost(message, repeated, tag = "2")]
    pub inputs: Vec<ArgumentEntry>,
    /// `outputs`.
    #[prost(message, repeated, tag = "3")]
    pub outputs: Vec<NamedValueType>,
    /// `blocks` (control flow: `cond`, `while_loop`).
    #[prost(message, repeated, tag = "4")]
    pub blocks: Vec<Block>,
    /// `attributes`, a `map<string, Value>` (`name`; a `const` op's `val`).
    #[prost(message, repeated, tag = "5")]
    pub attributes: Vec<ValueEntry>,
}

/// An entry of `Operation.inputs`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ArgumentEntry {
    /// The parameter name (`x`, `scale_factor_height`, …).
    #[prost(string, tag = "1")]
    pub key: String,
    /// The argument.
    #[prost(message, optional, tag = "2")]
    pub value: Option<Argument>,
}

/// An entry of a `map<string, Value>`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueEntry {
    /// The key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The value.
    #[prost(message, optional, tag = "2")]
    pub value: Option<Value>,
}

/// `NamedValueType`: a name and its type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NamedValueType {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `type`.
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<ValueType>,
}

/// `ValueType`: tensor, list, tuple, dictionary or state.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueType {
    /// The `type` oneof.
    #[prost(oneof = "ValueTypeKind", tags = "1, 2, 3, 4, 5")]
    pub kind: Option<ValueTypeKind>,
}

/// The `ValueType.type` oneof. Only tensor types carry what the reader needs.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ValueTypeKind {
    /// `tensorType`.
    #[prost(message, tag = "1")]
    Tensor(TensorType),
    /// `listType`.
    #[prost(message, tag = "2")]
    List(super::model::Skipped),
    /// `tupleType`.
    #[prost(message, tag = "3")]
    Tuple(super::model::Skipped),
    /// `dictionaryType`.
    #[prost(message, tag = "4")]
    Dictionary(super::model::Skipped),
    /// `stateType` (wraps a `ValueType` in its field 1).
    #[prost(message, tag = "5")]
    State(StateType),
}

/// `StateType`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StateType {
    /// `wrappedType`.
    #[prost(message, optional, boxed, tag = "1")]
    pub wrapped_type: Option<Box<ValueType>>,
}

/// `DataType` numbers of `MIL.proto`.
pub mod data_type {
    /// `BOOL`.
    pub const BOOL: i32 = 1;
    /// `STRING`.
    pub const STRING: i32 = 2;
    /// `FLOAT16`.
    pub const FLOAT16: i32 = 10;
    /// `FLOAT32`.
    pub const FLOAT32: i32 = 11;
    /// `FLOAT64`.
    pub const FLOAT64: i32 = 12;
    /// `BFLOAT16`.
    pub const BFLOAT16: i32 = 13;
    /// `INT8`.
    pub const INT8: i32 = 21;
    /// `INT16`.
    pub const INT16: i32 = 22;
    /// `INT32`.
    pub const INT32: i32 = 23;
    /// `INT64`.
    pub const INT64: i32 = 24;
    /// `INT4`.
    pub const INT4: i32 = 25;
    /// `UINT8`.
    pub const UINT8: i32 = 31;
    /// `UINT16`.
    pub const UINT16: i32 = 32;
    /// `UINT32`.
    pub const UINT32: i32 = 33;
    /// `UINT64`.
    pub const UINT64: i32 = 34;
    /// `UINT4`.
    pub const UINT4: i32 = 35;
    /// `UINT2`.
    pub const UINT2: i32 = 36;
    /// `UINT1`.
    pub const UINT1: i32 = 37;
    /// `UINT6`.
    pub const UINT6: i32 = 38;
    /// `UINT3`.
    pub const UINT3: i32 = 39;
    /// `FLOAT8E4M3FN`.
    pub const FLOAT8E4M3FN: i32 = 40;
    /// `FLOAT8E5M2`.
    pub const FLOAT8E5M2: i32 = 41;
}

/// `TensorType`: element type, rank and dimensions.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorType {
    /// `dataType` (see [`data_type`]).
    #[prost(int32, tag = "1")]
    pub data_type: i32,
    /// `rank` (-1 when unknown).
    #[prost(int64, tag = "2")]
    pub rank: i64,
    /// `dimensions`.
    #[prost(message, repeated, tag = "3")]
    pub dimensions: Vec<Dimension>,
}

/// `Dimension`: a constant size or an unknown one.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct Dimension {
    /// The `dimension` oneof.
    #[prost(oneof = "DimensionKind", tags = "1, 2")]
    pub kind: Option<DimensionKind>,
}

/// The `Dimension.dimension` oneof.
#[derive(Clone, Copy, PartialEq, prost::Oneof)]
pub enum DimensionKind {
    /// `constant`.
    #[prost(message, tag = "1")]
    Constant(ConstantDimension),
    /// `unknown`.
    #[prost(message, tag = "2")]
    Unknown(UnknownDimension),
}

/// `Dimension.ConstantDimension`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ConstantDimension {
    /// `size`.
    #[prost(uint64, tag = "1")]
    pub size: u64,
}

/// `Dimension.UnknownDimension`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct UnknownDimension {
    /// `variadic`.
    #[prost(bool, tag = "1")]
    pub variadic: bool,
}

/// `Value`: a type and an immediate value or a reference into a weight blob file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Value {
    /// `type`.
    #[prost(message, optional, tag = "2")]
    pub r#type: Option<ValueType>,
    /// The `value` oneof.
    #[prost(oneof = "ValueKind", tags = "3, 5")]
    pub value: Option<ValueKind>,
}

/// The `Value.value` oneof.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ValueKind {
    /// `immediateValue`.
    #[prost(message, tag = "3")]
    Immediate(ImmediateValue),
    /// `blobFileValue`.
    #[prost(message, tag = "5")]
    BlobFile(BlobFileValue),
}

/// `Value.ImmediateValue`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ImmediateValue {
    /// The `value` oneof.
    #[prost(oneof = "ImmediateKind", tags = "1, 2, 3, 4")]
    pub value: Option<ImmediateKind>,
}

/// The `Value.ImmediateValue.value` oneof.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ImmediateKind {
    /// `tensor`.
    #[prost(message, tag = "1")]
    Tensor(TensorValue),
    /// `tuple` (a `TupleValue`: repeated `Value` in field 1).
    #[prost(message, tag = "2")]
    Tuple(ValueList),
    /// `list` (a `ListValue`: repeated `Value` in field 1).
    #[prost(message, tag = "3")]
    List(ValueList),
    /// `dictionary`.
    #[prost(message, tag = "4")]
    Dictionary(super::model::Skipped),
}

/// `TupleValue` and `ListValue`: repeated `Value` in field 1.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueList {
    /// `values`.
    #[prost(message, repeated, tag = "1")]
    pub values: Vec<Value>,
}

/// `Value.BlobFileValue`: the value lives in a weight file of the package.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BlobFileValue {
    /// `fileName` (`@model_path/weights/weight.bin`).
    #[prost(string, tag = "1")]
    pub file_name: String,
    /// `offset`.
    #[prost(uint64, tag = "2")]
    pub offset: u64,
}

/// `TensorValue`: the values of a tensor, by storage kind.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorValue {
    /// The `value` oneof.
    #[prost(oneof = "TensorValues", tags = "1, 2, 3, 4, 5, 6, 7")]
    pub values: Option<TensorValues>,
}

/// The `TensorValue.value` oneof.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum TensorValues {
    /// `floats` (packed float).
    #[prost(message, tag = "1")]
    Floats(RepeatedFloats),
    /// `ints` (packed int32).
    #[prost(message, tag = "2")]
    Ints(RepeatedInts),
    /// `bools` (packed bool).
    #[prost(message, tag = "3")]
    Bools(RepeatedBools),
    /// `strings`.
    #[prost(message, tag = "4")]
    Strings(RepeatedStrings),
    /// `longInts` (packed int64).
    #[prost(message, tag = "5")]
    LongInts(RepeatedLongInts),
    /// `doubles` (packed double).
    #[prost(message, tag = "6")]
    Doubles(RepeatedDoubles),
    /// `bytes`: raw little-endian storage (float16, 8- and 16-bit integers, sub-byte types).
    #[prost(message, tag = "7")]
    Bytes(RepeatedBytes),
}

/// `TensorValue.RepeatedFloats`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedFloats {
    /// `values`.
    #[prost(float, repeated, tag = "1")]
    pub values: Vec<f32>,
}

/// `TensorValue.RepeatedDoubles`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedDoubles {
    /// `values`.
    #[prost(double, repeated, tag = "1")]
    pub values: Vec<f64>,
}

/// `TensorValue.RepeatedInts`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedInts {
    /// `values`.
    #[prost(int32, repeated, tag = "1")]
    pub values: Vec<i32>,
}

/// `TensorValue.RepeatedLongInts`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedLongInts {
    /// `values`.
    #[prost(int64, repeated, tag = "1")]
    pub values: Vec<i64>,
}

/// `TensorValue.RepeatedBools`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedBools {
    /// `values`.
    #[prost(bool, repeated, tag = "1")]
    pub values: Vec<bool>,
}

/// `TensorValue.RepeatedStrings`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedStrings {
    /// `values`.
    #[prost(string, repeated, tag = "1")]
    pub values: Vec<String>,
}

/// `TensorValue.RepeatedBytes` (a single `bytes` field, despite its name).
#[derive(Clone, PartialEq, prost::Message)]
pub struct RepeatedBytes {
    /// `values`.
    #[prost(bytes = "vec", tag = "1")]
    pub values: Vec<u8>,
}
