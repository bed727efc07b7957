//! Facts from the TFLite schema (`tensorflow/lite/schema/schema.fbs`): field ids of the tables
//! the reader walks, the builtin operator names by code, tensor types, and the options tables
//! of the ops whose options matter to the audit.

/// `Model` fields.
pub mod model {
    /// `Model.version` (field id 0).
    pub const VERSION: usize = 0;
    /// `Model.operator_codes` (field id 1).
    pub const OPERATOR_CODES: usize = 1;
    /// `Model.subgraphs` (field id 2).
    pub const SUBGRAPHS: usize = 2;
    /// `Model.description` (field id 3).
    pub const DESCRIPTION: usize = 3;
    /// `Model.buffers` (field id 4).
    pub const BUFFERS: usize = 4;
}

/// `OperatorCode` fields. The builtin code is the larger of `deprecated_builtin_code` (a byte,
/// 127 = `PLACEHOLDER_FOR_GREATER_OP_CODES`) and `builtin_code` (an int, from schema 3a).
pub mod operator_code {
    /// `OperatorCode.deprecated_builtin_code` (field id 0).
    pub const DEPRECATED_BUILTIN_CODE: usize = 0;
    /// `OperatorCode.custom_code` (field id 1).
    pub const CUSTOM_CODE: usize = 1;
    /// `OperatorCode.builtin_code` (field id 3).
    pub const BUILTIN_CODE: usize = 3;
}

/// `SubGraph` fields.
pub mod subgraph {
    /// `SubGraph.tensors` (field id 0).
    pub const TENSORS: usize = 0;
    /// `SubGraph.inputs` (field id 1).
    pub const INPUTS: usize = 1;
    /// `SubGraph.outputs` (field id 2).
    pub const OUTPUTS: usize = 2;
    /// `SubGraph.operators` (field id 3).
    pub const OPERATORS: usize = 3;
}

/// `Tensor` fields.
pub mod tensor {
    /// `Tensor.shape` (field id 0).
    pub const SHAPE: usize = 0;
    /// `Tensor.type` (field id 1).
    pub const TYPE: usize = 1;
    /// `Tensor.buffer` (field id 2).
    pub const BUFFER: usize = 2;
    /// `Tensor.name` (field id 3).
    pub const NAME: usize = 3;
    /// `Tensor.shape_signature` (field id 7).
    pub const SHAPE_SIGNATURE: usize = 7;
}

/// `Operator` fields (`builtin_options` is a union: its type byte, then its table).
pub mod operator {
    /// `Operator.opcode_index` (field id 0).
    pub const OPCODE_INDEX: usize = 0;
    /// `Operator.inputs` (field id 1).
    pub const INPUTS: usize = 1;
    /// `Operator.outputs` (field id 2).
    pub const OUTPUTS: usize = 2;
    /// `Operator.builtin_options_type` (field id 3).
    pub const BUILTIN_OPTIONS_TYPE: usize = 3;
    /// `Operator.builtin_options` (field id 4).
    pub const BUILTIN_OPTIONS: usize = 4;
}

/// `Buffer` fields: inline `data`, or `offset`/`size` into the file for models past 2 GB.
pub mod buffer {
    /// `Buffer.data` (field id 0).
    pub const DATA: usize = 0;
    /// `Buffer.offset` (field id 1).
    pub const OFFSET: usize = 1;
    /// `Buffer.size` (field id 2).
    pub const SIZE: usize = 2;
}

/// `TensorType` values: the element type and its size in bytes.
pub fn tensor_type(code: u8) -> (super::super::graph::ElementKind, Option<usize>) {
    use super::super::graph::ElementKind as E;
    match code {
        0 => (E::F32, Some(4)),
        1 => (E::F16, Some(2)),
        2 => (E::Int(32), Some(4)),
        3 => (E::UInt(8), Some(1)),
        4 => (E::Int(64), Some(8)),
        5 => (E::String, None),
        6 => (E::Bool, Some(1)),
        7 => (E::Int(16), Some(2)),
        9 => (E::Int(8), Some(1)),
        10 => (E::F64, Some(8)),
        12 => (E::UInt(64), Some(8)),
        15 => (E::UInt(32), Some(4)),
        16 => (E::UInt(16), Some(2)),
        18 => (E::Bf16, Some(2)),
        _ => (E::Other, None),
    }
}

/// What an option field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `[int]`.
    Ints,
    /// A byte (`TensorType`, `Padding`), as an integer.
    Byte,
}

/// The options table of a builtin op: the `BuiltinOptions` union type it carries and the fields
/// the audit reads, `(field id, attribute name, kind)`. Attribute names are the schema's field
/// names.
pub struct Options {
    /// The builtin op.
    pub op: &'static str,
    /// Its `BuiltinOptions` union type.
    pub union_type: u8,
    /// The fields read.
    pub fields: &'static [(usize, &'static str, Field)],
}

/// The option tables read, by op.
pub const OPTIONS: &[Options] = &[
    Options {
        op: "RESIZE_BILINEAR",
        union_type: 15,
        fields: &[
            (2, "align_corners", Field::Bool),
            (3, "half_pixel_centers", Field::Bool),
        ],
    },
    Options {
        op: "RESIZE_NEAREST_NEIGHBOR",
        union_type: 74,
        fields: &[
            (0, "align_corners", Field::Bool),
            (1, "half_pixel_centers", Field::Bool),
        ],
    },
    Options {
        op: "DEPTH_TO_SPACE",
        union_type: 94,
        fields: &[(0, "block_size", Field::Int)],
    },
    Options {
        op: "SPACE_TO_DEPTH",
        union_type: 19,
        fields: &[(0, "block_size", Field::Int)],
    },
    Options {
        op: "RESHAPE",
        union_type: 17,
        fields: &[(0, "new_shape", Field::Ints)],
    },
    Options {
        op: "CONCATENATION",
        union_type: 10,
        fields: &[(0, "axis", Field::Int)],
    },
    Options {
        op: "GATHER",
        union_type: 23,
        fields: &[(0, "axis", Field::Int), (1, "batch_dims", Field::Int)],
    },
    Options {
        op: "SQUEEZE",
        union_type: 30,
        fields: &[(0, "squeeze_dims", Field::Ints)],
    },
    Options {
        op: "STRIDED_SLICE",
        union_type: 32,
        fields: &[
            (0, "begin_mask", Field::Int),
            (1, "end_mask", Field::Int),
            (2, "ellipsis_mask", Field::Int),
            (3, "new_axis_mask", Field::Int),
            (4, "shrink_axis_mask", Field::Int),
            (5, "offset", Field::Bool),
        ],
    },
    Options {
        op: "PACK",
        union_type: 59,
        fields: &[(0, "values_count", Field::Int), (1, "axis", Field::Int)],
    },
    Options {
        op: "UNPACK",
        union_type: 64,
        fields: &[(0, "num", Field::Int), (1, "axis", Field::Int)],
    },
    Options {
        op: "SHAPE",
        union_type: 55,
        fields: &[(0, "out_type", Field::Byte)],
    },
    Options {
        op: "CAST",
        union_type: 37,
        fields: &[
            (0, "in_data_type", Field::Byte),
            (1, "out_data_type", Field::Byte),
        ],
    },
    Options {
        op: "CONV_2D",
        union_type: 1,
        fields: &[
            (0, "padding", Field::Byte),
            (1, "stride_w", Field::Int),
            (2, "stride_h", Field::Int),
            (4, "dilation_w_factor", Field::Int),
            (5, "dilation_h_factor", Field::Int),
        ],
    },
    Options {
        op: "DEPTHWISE_CONV_2D",
        union_type: 2,
        fields: &[
            (0, "padding", Field::Byte),
            (1, "stride_w", Field::Int),
            (2, "stride_h", Field::Int),
            (3, "depth_multiplier", Field::Int),
            (5, "dilation_w_factor", Field::Int),
            (6, "dilation_h_factor", Field::Int),
        ],
    },
    Options {
        op: "AVERAGE_POOL_2D",
        union_type: 5,
        fields: &[
            (0, "padding", Field::Byte),
            (1, "stride_w", Field::Int),
            (2, "stride_h", Field::Int),
            (3, "filter_width", Field::Int),
            (4, "filter_height", Field::Int),
        ],
    },
    Options {
        op: "MAX_POOL_2D",
        union_type: 5,
        fields: &[
            (0, "padding", Field::Byte),
            (1, "stride_w", Field::Int),
            (2, "stride_h", Field::Int),
            (3, "filter_width", Field::Int),
            (4, "filter_height", Field::Int),
        ],
    },
];

/// The name of a builtin operator code (`None` past the known codes).
pub fn builtin_name(code: i32) -> Option<&'static str> {
    usize::try_from(code)
        .ok()
        .and_then(|c| BUILTIN_OPERATORS.get(c))
        .copied()
}

/// `BuiltinOperator` names, by code.
pub const BUILTIN_OPERATORS: [&str; 210] = [
    "ADD",
    "AVERAGE_POOL_2D",
    "CONCATENATION",
    "CONV_2D",
    "DEPTHWISE_CONV_2D",
    "DEPTH_TO_SPACE",
    "DEQUANTIZE",
    "EMBEDDING_LOOKUP",
    "FLOOR",
    "FULLY_CONNECTED",
    "HASHTABLE_LOOKUP",
    "L2_NORMALIZATION",
    "L2_POOL_2D",
    "LOCAL_RESPONSE_NORMALIZATION",
    "LOGISTIC",
    "LSH_PROJECTION",
    "LSTM",
    "MAX_POOL_2D",
    "MUL",
    "RELU",
    "RELU_N1_TO_1",
    "RELU6",
    "RESHAPE",
    "RESIZE_BILINEAR",
    "RNN",
    "SOFTMAX",
    "SPACE_TO_DEPTH",
    "SVDF",
    "TANH",
    "CONCAT_EMBEDDINGS",
    "SKIP_GRAM",
    "CALL",
    "CUSTOM",
    "EMBEDDING_LOOKUP_SPARSE",
    "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN",
    "GATHER",
    "BATCH_TO_SPACE_ND",
    "SPACE_TO_BATCH_ND",
    "TRANSPOSE",
    "MEAN",
    "SUB",
    "DIV",
    "SQUEEZE",
    "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "STRIDED_SLICE",
    "BIDIRECTIONAL_SEQUENCE_RNN",
    "EXP",
    "TOPK_V2",
    "SPLIT",
    "LOG_SOFTMAX",
    "DELEGATE",
    "BIDIRECTIONAL_SEQUENCE_LSTM",
    "CAST",
    "PRELU",
    "MAXIMUM",
    "ARG_MAX",
    "MINIMUM",
    "LESS",
    "NEG",
    "PADV2",
    "GREATER",
    "GREATER_EQUAL",
    "LESS_EQUAL",
    "SELECT",
    "SLICE",
    "SIN",
    "TRANSPOSE_CONV",
    "SPARSE_TO_DENSE",
    "TILE",
    "EXPAND_DIMS",
    "EQUAL",
    "NOT_EQUAL",
    "LOG",
    "SUM",
    "SQRT",
    "RSQRT",
    "SHAPE",
    "POW",
    "ARG_MIN",
    "FAKE_QUANT",
    "REDUCE_PROD",
    "REDUCE_MAX",
    "PACK",
    "LOGICAL_OR",
    "ONE_HOT",
    "LOGICAL_AND",
    "LOGICAL_NOT",
    "UNPACK",
    "REDUCE_MIN",
    "FLOOR_DIV",
    "REDUCE_ANY",
    "SQUARE",
    "ZEROS_LIKE",
    "FILL",
    "FLOOR_MOD",
    "RANGE",
    "RESIZE_NEAREST_NEIGHBOR",
    "LEAKY_RELU",
    "SQUARED_DIFFERENCE",
    "MIRROR_PAD",
    "ABS",
    "SPLIT_V",
    "UNIQUE",
    "CEIL",
    "REVERSE_V2",
    "ADD_N",
    "GATHER_ND",
    "COS",
    "WHERE",
    "RANK",
    "ELU",
    "REVERSE_SEQUENCE",
    "MATRIX_DIAG",
    "QUANTIZE",
    "MATRIX_SET_DIAG",
    "ROUND",
    "HARD_SWISH",
    "IF",
    "WHILE",
    "NON_MAX_SUPPRESSION_V4",
    "NON_MAX_SUPPRESSION_V5",
    "SCATTER_ND",
    "SELECT_V2",
    "DENSIFY",
    "SEGMENT_SUM",
    "BATCH_MATMUL",
    "PLACEHOLDER_FOR_GREATER_OP_CODES",
    "CUMSUM",
    "CALL_ONCE",
    "BROADCAST_TO",
    "RFFT2D",
    "CONV_3D",
    "IMAG",
    "REAL",
    "COMPLEX_ABS",
    "HASHTABLE",
    "HASHTABLE_FIND",
    "HASHTABLE_IMPORT",
    "HASHTABLE_SIZE",
    "REDUCE_ALL",
    "CONV_3D_TRANSPOSE",
    "VAR_HANDLE",
    "READ_VARIABLE",
    "ASSIGN_VARIABLE",
    "BROADCAST_ARGS",
    "RANDOM_STANDARD_NORMAL",
    "BUCKETIZE",
    "RANDOM_UNIFORM",
    "MULTINOMIAL",
    "GELU",
    "DYNAMIC_UPDATE_SLICE",
    "RELU_0_TO_1",
    "UNSORTED_SEGMENT_PROD",
    "UNSORTED_SEGMENT_MAX",
    "UNSORTED_SEGMENT_SUM",
    "ATAN2",
    "UNSORTED_SEGMENT_MIN",
    "SIGN",
    "BITCAST",
    "BITWISE_XOR",
    "RIGHT_SHIFT",
    "STABLEHLO_LOGISTIC",
    "STABLEHLO_ADD",
    "STABLEHLO_DIVIDE",
    "STABLEHLO_MULTIPLY",
    "STABLEHLO_MAXIMUM",
    "STABLEHLO_RESHAPE",
    "STABLEHLO_CLAMP",
    "STABLEHLO_CONCATENATE",
    "STABLEHLO_BROADCAST_IN_DIM",
    "STABLEHLO_CONVOLUTION",
    "STABLEHLO_SLICE",
    "STABLEHLO_CUSTOM_CALL",
    "STABLEHLO_REDUCE",
    "STABLEHLO_ABS",
    "STABLEHLO_AND",
    "STABLEHLO_COSINE",
    "STABLEHLO_EXPONENTIAL",
    "STABLEHLO_FLOOR",
    "STABLEHLO_LOG",
    "STABLEHLO_MINIMUM",
    "STABLEHLO_NEGATE",
    "STABLEHLO_OR",
    "STABLEHLO_POWER",
    "STABLEHLO_REMAINDER",
    "STABLEHLO_RSQRT",
    "STABLEHLO_SELECT",
    "STABLEHLO_SUBTRACT",
    "STABLEHLO_TANH",
    "STABLEHLO_SCATTER",
    "STABLEHLO_COMPARE",
    "STABLEHLO_CONVERT",
    "STABLEHLO_DYNAMIC_SLICE",
    "STABLEHLO_DYNAMIC_UPDATE_SLICE",
    "STABLEHLO_PAD",
    "STABLEHLO_IOTA",
    "STABLEHLO_DOT_GENERAL",
    "STABLEHLO_REDUCE_WINDOW",
    "STABLEHLO_SORT",
    "STABLEHLO_WHILE",
    "STABLEHLO_GATHER",
    "STABLEHLO_TRANSPOSE",
    "DILATE",
    "STABLEHLO_RNG_BIT_GENERATOR",
    "REDUCE_WINDOW",
    "STABLEHLO_COMPOSITE",
    "STABLEHLO_SHIFT_LEFT",
    "STABLEHLO_CBRT",
    "STABLEHLO_CASE",
];
