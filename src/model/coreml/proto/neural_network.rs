//! `NeuralNetwork.proto` (package `CoreML.Specification`): the NeuralNetwork container, its
//! layers and the parameters of the layers whose attributes the reader keeps. Field numbers are
//! Apple's. Every layer kind of the `NeuralNetworkLayer.layer` oneof is declared, so that each
//! layer is known by its kind name; kinds whose parameters do not matter for resizes or shapes are
//! [`Skipped`].

use super::model::Skipped;

/// `NeuralNetwork` (also the field-compatible `NeuralNetworkClassifier` and
/// `NeuralNetworkRegressor`, whose class labels the reader does not need).
#[derive(Clone, PartialEq, prost::Message)]
pub struct NeuralNetwork {
    /// `layers`, in execution order.
    #[prost(message, repeated, tag = "1")]
    pub layers: Vec<NeuralNetworkLayer>,
    /// `arrayInputShapeMapping`: `RANK5_ARRAY_MAPPING` (0) or `EXACT_ARRAY_MAPPING` (1).
    #[prost(int32, tag = "5")]
    pub array_input_shape_mapping: i32,
    /// `imageInputShapeMapping`: `RANK5_IMAGE_MAPPING` (0) or `RANK4_IMAGE_MAPPING` (1).
    #[prost(int32, tag = "6")]
    pub image_input_shape_mapping: i32,
}

/// `NeuralNetworkLayer`: a named layer with its input and output blob names and its kind.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NeuralNetworkLayer {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `input`: blob names.
    #[prost(string, repeated, tag = "2")]
    pub input: Vec<String>,
    /// `output`: blob names.
    #[prost(string, repeated, tag = "3")]
    pub output: Vec<String>,
    /// `inputTensor`: rank and shape of each input, where the converter wrote them.
    #[prost(message, repeated, tag = "4")]
    pub input_tensor: Vec<Tensor>,
    /// `outputTensor`: rank and shape of each output, where the converter wrote them.
    #[prost(message, repeated, tag = "5")]
    pub output_tensor: Vec<Tensor>,
    /// The `layer` oneof: the layer kind and its parameters.
    #[prost(
        oneof = "LayerParams",
        tags = "100, 120, 130, 140, 150, 160, 165, 170, 175, 180, 190, 200, 210, 211, 212, 220, \
                230, 231, 240, 245, 250, 260, 261, 270, 280, 290, 300, 301, 310, 320, 330, 340, \
                345, 350, 400, 410, 420, 430, 500, 600, 605, 615, 620, 625, 635, 640, 660, 665, \
                670, 680, 685, 700, 710, 715, 720, 730, 735, 740, 750, 755, 760, 770, 775, 780, \
                790, 795, 815, 820, 825, 827, 830, 832, 840, 845, 850, 855, 865, 870, 875, 880, \
                885, 890, 895, 900, 905, 920, 925, 930, 935, 940, 945, 950, 952, 954, 960, 965, \
                975, 980, 985, 995, 1000, 1005, 1015, 1020, 1025, 1040, 1045, 1065, 1070, 1080, \
                1085, 1090, 1100, 1105, 1110, 1120, 1125, 1130, 1135, 1140, 1145, 1150, 1155, 1170, \
                1175, 1180, 1190, 1195, 1200, 1210, 1215, 1220, 1230, 1250, 1255, 1260, 1265, 1270, \
                1275, 1280, 1285, 1290, 1295, 1313, 1315, 1320, 1325, 1330, 1350, 1400, 1450, 1455, \
                1460, 1461, 1465, 1466, 1470, 1471"
    )]
    pub layer: Option<LayerParams>,
}

/// `Tensor`: a rank and dimensions (`dimValue`, -1 for unknown).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Tensor {
    /// `rank`.
    #[prost(uint32, tag = "1")]
    pub rank: u32,
    /// `dimValue`.
    #[prost(int64, repeated, tag = "2")]
    pub dim_value: Vec<i64>,
}

/// The `NeuralNetworkLayer.layer` oneof, one variant per layer kind of `NeuralNetwork.proto`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum LayerParams {
    /// `convolution` (100).
    #[prost(message, tag = "100")]
    Convolution(ConvolutionLayerParams),
    /// `pooling` (120).
    #[prost(message, tag = "120")]
    Pooling(PoolingLayerParams),
    /// `activation` (130).
    #[prost(message, tag = "130")]
    Activation(Skipped),
    /// `innerProduct` (140).
    #[prost(message, tag = "140")]
    InnerProduct(InnerProductLayerParams),
    /// `embedding` (150).
    #[prost(message, tag = "150")]
    Embedding(Skipped),
    /// `batchnorm` (160).
    #[prost(message, tag = "160")]
    Batchnorm(Skipped),
    /// `mvn` (165).
    #[prost(message, tag = "165")]
    Mvn(Skipped),
    /// `l2normalize` (170).
    #[prost(message, tag = "170")]
    L2normalize(Skipped),
    /// `softmax` (175).
    #[prost(message, tag = "175")]
    Softmax(Skipped),
    /// `lrn` (180).
    #[prost(message, tag = "180")]
    Lrn(Skipped),
    /// `crop` (190).
    #[prost(message, tag = "190")]
    Crop(CropLayerParams),
    /// `padding` (200).
    #[prost(message, tag = "200")]
    Padding(PaddingLayerParams),
    /// `upsample` (210).
    #[prost(message, tag = "210")]
    Upsample(UpsampleLayerParams),
    /// `resizeBilinear` (211).
    #[prost(message, tag = "211")]
    ResizeBilinear(ResizeBilinearLayerParams),
    /// `cropResize` (212).
    #[prost(message, tag = "212")]
    CropResize(CropResizeLayerParams),
    /// `unary` (220).
    #[prost(message, tag = "220")]
    Unary(Skipped),
    /// `add` (230).
    #[prost(message, tag = "230")]
    Add(Skipped),
    /// `multiply` (231).
    #[prost(message, tag = "231")]
    Multiply(Skipped),
    /// `average` (240).
    #[prost(message, tag = "240")]
    Average(Skipped),
    /// `scale` (245).
    #[prost(message, tag = "245")]
    Scale(Skipped),
    /// `bias` (250).
    #[prost(message, tag = "250")]
    Bias(Skipped),
    /// `max` (260).
    #[prost(message, tag = "260")]
    Max(Skipped),
    /// `min` (261).
    #[prost(message, tag = "261")]
    Min(Skipped),
    /// `dot` (270).
    #[prost(message, tag = "270")]
    Dot(Skipped),
    /// `reduce` (280).
    #[prost(message, tag = "280")]
    Reduce(ReduceLayerParams),
    /// `loadConstant` (290).
    #[prost(message, tag = "290")]
    LoadConstant(LoadConstantLayerParams),
    /// `reshape` (300).
    #[prost(message, tag = "300")]
    Reshape(ReshapeLayerParams),
    /// `flatten` (301).
    #[prost(message, tag = "301")]
    Flatten(FlattenLayerParams),
    /// `permute` (310).
    #[prost(message, tag = "310")]
    Permute(PermuteLayerParams),
    /// `concat` (320).
    #[prost(message, tag = "320")]
    Concat(ConcatLayerParams),
    /// `split` (330).
    #[prost(message, tag = "330")]
    Split(SplitLayerParams),
    /// `sequenceRepeat` (340).
    #[prost(message, tag = "340")]
    SequenceRepeat(Skipped),
    /// `reorganizeData` (345).
    #[prost(message, tag = "345")]
    ReorganizeData(ReorganizeDataLayerParams),
    /// `slice` (350).
    #[prost(message, tag = "350")]
    Slice(SliceLayerParams),
    /// `simpleRecurrent` (400).
    #[prost(message, tag = "400")]
    SimpleRecurrent(Skipped),
    /// `gru` (410).
    #[prost(message, tag = "410")]
    Gru(Skipped),
    /// `uniDirectionalLSTM` (420).
    #[prost(message, tag = "420")]
    UniDirectionalLSTM(Skipped),
    /// `biDirectionalLSTM` (430).
    #[prost(message, tag = "430")]
    BiDirectionalLSTM(Skipped),
    /// `custom` (500).
    #[prost(message, tag = "500")]
    Custom(Skipped),
    /// `copy` (600).
    #[prost(message, tag = "600")]
    Copy(Skipped),
    /// `branch` (605).
    #[prost(message, tag = "605")]
    Branch(BranchLayerParams),
    /// `loop` (615).
    #[prost(message, tag = "615")]
    Loop(LoopLayerParams),
    /// `loopBreak` (620).
    #[prost(message, tag = "620")]
    LoopBreak(Skipped),
    /// `loopContinue` (625).
    #[prost(message, tag = "625")]
    LoopContinue(Skipped),
    /// `rangeStatic` (635).
    #[prost(message, tag = "635")]
    RangeStatic(Skipped),
    /// `rangeDynamic` (640).
    #[prost(message, tag = "640")]
    RangeDynamic(Skipped),
    /// `clip` (660).
    #[prost(message, tag = "660")]
    Clip(Skipped),
    /// `ceil` (665).
    #[prost(message, tag = "665")]
    Ceil(Skipped),
    /// `floor` (670).
    #[prost(message, tag = "670")]
    Floor(Skipped),
    /// `sign` (680).
    #[prost(message, tag = "680")]
    Sign(Skipped),
    /// `round` (685).
    #[prost(message, tag = "685")]
    Round(Skipped),
    /// `exp2` (700).
    #[prost(message, tag = "700")]
    Exp2(Skipped),
    /// `sin` (710).
    #[prost(message, tag = "710")]
    Sin(Skipped),
    /// `cos` (715).
    #[prost(message, tag = "715")]
    Cos(Skipped),
    /// `tan` (720).
    #[prost(message, tag = "720")]
    Tan(Skipped),
    /// `asin` (730).
    #[prost(message, tag = "730")]
    Asin(Skipped),
    /// `acos` (735).
    #[prost(message, tag = "735")]
    Acos(Skipped),
    /// `atan` (740).
    #[prost(message, tag = "740")]
    Atan(Skipped),
    /// `sinh` (750).
    #[prost(message, tag = "750")]
    Sinh(Skipped),
    /// `cosh` (755).
    #[prost(message, tag = "755")]
    Cosh(Skipped),
    /// `tanh` (760).
    #[prost(message, tag = "760")]
    Tanh(Skipped),
    /// `asinh` (770).
    #[prost(message, tag = "770")]
    Asinh(Skipped),
    /// `acosh` (775).
    #[prost(message, tag = "775")]
    Acosh(Skipped),
    /// `atanh` (780).
    #[prost(message, tag = "780")]
    Atanh(Skipped),
    /// `erf` (790).
    #[prost(message, tag = "790")]
    Erf(Skipped),
    /// `gelu` (795).
    #[prost(message, tag = "795")]
    Gelu(Skipped),
    /// `equal` (815).
    #[prost(message, tag = "815")]
    Equal(Skipped),
    /// `notEqual` (820).
    #[prost(message, tag = "820")]
    NotEqual(Skipped),
    /// `lessThan` (825).
    #[prost(message, tag = "825")]
    LessThan(Skipped),
    /// `lessEqual` (827).
    #[prost(message, tag = "827")]
    LessEqual(Skipped),
    /// `greaterThan` (830).
    #[prost(message, tag = "830")]
    GreaterThan(Skipped),
    /// `greaterEqual` (832).
    #[prost(message, tag = "832")]
    GreaterEqual(Skipped),
    /// `logicalOr` (840).
    #[prost(message, tag = "840")]
    LogicalOr(Skipped),
    /// `logicalXor` (845).
    #[prost(message, tag = "845")]
    LogicalXor(Skipped),
    /// `logicalNot` (850).
    #[prost(message, tag = "850")]
    LogicalNot(Skipped),
    /// `logicalAnd` (855).
    #[prost(message, tag = "855")]
    LogicalAnd(Skipped),
    /// `modBroadcastable` (865).
    #[prost(message, tag = "865")]
    ModBroadcastable(Skipped),
    /// `minBroadcastable` (870).
    #[prost(message, tag = "870")]
    MinBroadcastable(Skipped),
    /// `maxBroadcastable` (875).
    #[prost(message, tag = "875")]
    MaxBroadcastable(Skipped),
    /// `addBroadcastable` (880).
    #[prost(message, tag = "880")]
    AddBroadcastable(Skipped),
    /// `powBroadcastable` (885).
    #[prost(message, tag = "885")]
    PowBroadcastable(Skipped),
    /// `divideBroadcastable` (890).
    #[prost(message, tag = "890")]
    DivideBroadcastable(Skipped),
    /// `floorDivBroadcastable` (895).
    #[prost(message, tag = "895")]
    FloorDivBroadcastable(Skipped),
    /// `multiplyBroadcastable` (900).
    #[prost(message, tag = "900")]
    MultiplyBroadcastable(Skipped),
    /// `subtractBroadcastable` (905).
    #[prost(message, tag = "905")]
    SubtractBroadcastable(Skipped),
    /// `tile` (920).
    #[prost(message, tag = "920")]
    Tile(TileLayerParams),
    /// `stack` (925).
    #[prost(message, tag = "925")]
    Stack(AxisLayerParams),
    /// `gather` (930).
    #[prost(message, tag = "930")]
    Gather(AxisLayerParams),
    /// `scatter` (935).
    #[prost(message, tag = "935")]
    Scatter(Skipped),
    /// `gatherND` (940).
    #[prost(message, tag = "940")]
    GatherNd(Skipped),
    /// `scatterND` (945).
    #[prost(message, tag = "945")]
    ScatterNd(Skipped),
    /// `softmaxND` (950).
    #[prost(message, tag = "950")]
    SoftmaxNd(Skipped),
    /// `gatherAlongAxis` (952).
    #[prost(message, tag = "952")]
    GatherAlongAxis(AxisLayerParams),
    /// `scatterAlongAxis` (954).
    #[prost(message, tag = "954")]
    ScatterAlongAxis(Skipped),
    /// `reverse` (960).
    #[prost(message, tag = "960")]
    Reverse(Skipped),
    /// `reverseSeq` (965).
    #[prost(message, tag = "965")]
    ReverseSeq(Skipped),
    /// `splitND` (975).
    #[prost(message, tag = "975")]
    SplitNd(SplitNdLayerParams),
    /// `concatND` (980).
    #[prost(message, tag = "980")]
    ConcatNd(ConcatNdLayerParams),
    /// `transpose` (985).
    #[prost(message, tag = "985")]
    Transpose(TransposeLayerParams),
    /// `sliceStatic` (995).
    #[prost(message, tag = "995")]
    SliceStatic(SliceStaticLayerParams),
    /// `sliceDynamic` (1000).
    #[prost(message, tag = "1000")]
    SliceDynamic(SliceDynamicLayerParams),
    /// `slidingWindows` (1005).
    #[prost(message, tag = "1005")]
    SlidingWindows(Skipped),
    /// `topK` (1015).
    #[prost(message, tag = "1015")]
    TopK(Skipped),
    /// `argMin` (1020).
    #[prost(message, tag = "1020")]
    ArgMin(Skipped),
    /// `argMax` (1025).
    #[prost(message, tag = "1025")]
    ArgMax(Skipped),
    /// `embeddingND` (1040).
    #[prost(message, tag = "1040")]
    EmbeddingNd(Skipped),
    /// `batchedMatmul` (1045).
    #[prost(message, tag = "1045")]
    BatchedMatmul(Skipped),
    /// `getShape` (1065).
    #[prost(message, tag = "1065")]
    GetShape(Skipped),
    /// `loadConstantND` (1070).
    #[prost(message, tag = "1070")]
    LoadConstantNd(LoadConstantLayerParams),
    /// `fillLike` (1080).
    #[prost(message, tag = "1080")]
    FillLike(Skipped),
    /// `fillStatic` (1085).
    #[prost(message, tag = "1085")]
    FillStatic(Skipped),
    /// `fillDynamic` (1090).
    #[prost(message, tag = "1090")]
    FillDynamic(Skipped),
    /// `broadcastToLike` (1100).
    #[prost(message, tag = "1100")]
    BroadcastToLike(Skipped),
    /// `broadcastToStatic` (1105).
    #[prost(message, tag = "1105")]
    BroadcastToStatic(BroadcastToStaticLayerParams),
    /// `broadcastToDynamic` (1110).
    #[prost(message, tag = "1110")]
    BroadcastToDynamic(Skipped),
    /// `squeeze` (1120).
    #[prost(message, tag = "1120")]
    Squeeze(SqueezeLayerParams),
    /// `expandDims` (1125).
    #[prost(message, tag = "1125")]
    ExpandDims(ExpandDimsLayerParams),
    /// `flattenTo2D` (1130).
    #[prost(message, tag = "1130")]
    FlattenTo2D(AxisLayerParams),
    /// `reshapeLike` (1135).
    #[prost(message, tag = "1135")]
    ReshapeLike(Skipped),
    /// `reshapeStatic` (1140).
    #[prost(message, tag = "1140")]
    ReshapeStatic(ReshapeStaticLayerParams),
    /// `reshapeDynamic` (1145).
    #[prost(message, tag = "1145")]
    ReshapeDynamic(Skipped),
    /// `rankPreservingReshape` (1150).
    #[prost(message, tag = "1150")]
    RankPreservingReshape(ReshapeStaticLayerParams),
    /// `constantPad` (1155).
    #[prost(message, tag = "1155")]
    ConstantPad(ConstantPaddingLayerParams),
    /// `randomNormalLike` (1170).
    #[prost(message, tag = "1170")]
    RandomNormalLike(Skipped),
    /// `randomNormalStatic` (1175).
    #[prost(message, tag = "1175")]
    RandomNormalStatic(Skipped),
    /// `randomNormalDynamic` (1180).
    #[prost(message, tag = "1180")]
    RandomNormalDynamic(Skipped),
    /// `randomUniformLike` (1190).
    #[prost(message, tag = "1190")]
    RandomUniformLike(Skipped),
    /// `randomUniformStatic` (1195).
    #[prost(message, tag = "1195")]
    RandomUniformStatic(Skipped),
    /// `randomUniformDynamic` (1200).
    #[prost(message, tag = "1200")]
    RandomUniformDynamic(Skipped),
    /// `randomBernoulliLike` (1210).
    #[prost(message, tag = "1210")]
    RandomBernoulliLike(Skipped),
    /// `randomBernoulliStatic` (1215).
    #[prost(message, tag = "1215")]
    RandomBernoulliStatic(Skipped),
    /// `randomBernoulliDynamic` (1220).
    #[prost(message, tag = "1220")]
    RandomBernoulliDynamic(Skipped),
    /// `categoricalDistribution` (1230).
    #[prost(message, tag = "1230")]
    CategoricalDistribution(Skipped),
    /// `reduceL1` (1250).
    #[prost(message, tag = "1250")]
    ReduceL1(ReduceNdLayerParams),
    /// `reduceL2` (1255).
    #[prost(message, tag = "1255")]
    ReduceL2(ReduceNdLayerParams),
    /// `reduceMax` (1260).
    #[prost(message, tag = "1260")]
    ReduceMax(ReduceNdLayerParams),
    /// `reduceMin` (1265).
    #[prost(message, tag = "1265")]
    ReduceMin(ReduceNdLayerParams),
    /// `reduceSum` (1270).
    #[prost(message, tag = "1270")]
    ReduceSum(ReduceNdLayerParams),
    /// `reduceProd` (1275).
    #[prost(message, tag = "1275")]
    ReduceProd(ReduceNdLayerParams),
    /// `reduceMean` (1280).
    #[prost(message, tag = "1280")]
    ReduceMean(ReduceNdLayerParams),
    /// `reduceLogSum` (1285).
    #[prost(message, tag = "1285")]
    ReduceLogSum(ReduceNdLayerParams),
    /// `reduceSumSquare` (1290).
    #[prost(message, tag = "1290")]
    ReduceSumSquare(ReduceNdLayerParams),
    /// `reduceLogSumExp` (1295).
    #[prost(message, tag = "1295")]
    ReduceLogSumExp(ReduceNdLayerParams),
    /// `whereNonZero` (1313).
    #[prost(message, tag = "1313")]
    WhereNonZero(Skipped),
    /// `matrixBandPart` (1315).
    #[prost(message, tag = "1315")]
    MatrixBandPart(Skipped),
    /// `lowerTriangular` (1320).
    #[prost(message, tag = "1320")]
    LowerTriangular(Skipped),
    /// `upperTriangular` (1325).
    #[prost(message, tag = "1325")]
    UpperTriangular(Skipped),
    /// `whereBroadcastable` (1330).
    #[prost(message, tag = "1330")]
    WhereBroadcastable(Skipped),
    /// `layerNormalization` (1350).
    #[prost(message, tag = "1350")]
    LayerNormalization(Skipped),
    /// `NonMaximumSuppression` (1400).
    #[prost(message, tag = "1400")]
    NonMaximumSuppression(Skipped),
    /// `oneHot` (1450).
    #[prost(message, tag = "1450")]
    OneHot(Skipped),
    /// `cumSum` (1455).
    #[prost(message, tag = "1455")]
    CumSum(Skipped),
    /// `clampedReLU` (1460).
    #[prost(message, tag = "1460")]
    ClampedReLU(Skipped),
    /// `argSort` (1461).
    #[prost(message, tag = "1461")]
    ArgSort(Skipped),
    /// `pooling3d` (1465).
    #[prost(message, tag = "1465")]
    Pooling3d(Skipped),
    /// `globalPooling3d` (1466).
    #[prost(message, tag = "1466")]
    GlobalPooling3d(Skipped),
    /// `sliceBySize` (1470).
    #[prost(message, tag = "1470")]
    SliceBySize(SliceBySizeLayerParams),
    /// `convolution3d` (1471).
    #[prost(message, tag = "1471")]
    Convolution3d(Skipped),
}

impl LayerParams {
    /// The kind name: the oneof field name, as `NeuralNetwork.proto` spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            LayerParams::Convolution(_) => "convolution",
            LayerParams::Pooling(_) => "pooling",
            LayerParams::Activation(_) => "activation",
            LayerParams::InnerProduct(_) => "innerProduct",
            LayerParams::Embedding(_) => "embedding",
            LayerParams::Batchnorm(_) => "batchnorm",
            LayerParams::Mvn(_) => "mvn",
            LayerParams::L2normalize(_) => "l2normalize",
            LayerParams::Softmax(_) => "softmax",
            LayerParams::Lrn(_) => "lrn",
            LayerParams::Crop(_) => "crop",
            LayerParams::Padding(_) => "padding",
            LayerParams::Upsample(_) => "upsample",
            LayerParams::ResizeBilinear(_) => "resizeBilinear",
            LayerParams::CropResize(_) => "cropResize",
            LayerParams::Unary(_) => "unary",
            LayerParams::Add(_) => "add",
            LayerParams::Multiply(_) => "multiply",
            LayerParams::Average(_) => "average",
            LayerParams::Scale(_) => "scale",
            LayerParams::Bias(_) => "bias",
            LayerParams::Max(_) => "max",
            LayerParams::Min(_) => "min",
            LayerParams::Dot(_) => "dot",
            LayerParams::Reduce(_) => "reduce",
            LayerParams::LoadConstant(_) => "loadConstant",
            LayerParams::Reshape(_) => "reshape",
            LayerParams::Flatten(_) => "flatten",
            LayerParams::Permute(_) => "permute",
            LayerParams::Concat(_) => "concat",
            LayerParams::Split(_) => "split",
            LayerParams::SequenceRepeat(_) => "sequenceRepeat",
            LayerParams::ReorganizeData(_) => "reorganizeData",
            LayerParams::Slice(_) => "slice",
            LayerParams::SimpleRecurrent(_) => "simpleRecurrent",
            LayerParams::Gru(_) => "gru",
            LayerParams::UniDirectionalLSTM(_) => "uniDirectionalLSTM",
            LayerParams::BiDirectionalLSTM(_) => "biDirectionalLSTM",
            LayerParams::Custom(_) => "custom",
            LayerParams::Copy(_) => "copy",
            LayerParams::Branch(_) => "branch",
            LayerParams::Loop(_) => "loop",
            LayerParams::LoopBreak(_) => "loopBreak",
            LayerParams::LoopContinue(_) => "loopContinue",
            LayerParams::RangeStatic(_) => "rangeStatic",
            LayerParams::RangeDynamic(_) => "rangeDynamic",
            LayerParams::Clip(_) => "clip",
            LayerParams::Ceil(_) => "ceil",
            LayerParams::Floor(_) => "floor",
            LayerParams::Sign(_) => "sign",
            LayerParams::Round(_) => "round",
            LayerParams::Exp2(_) => "exp2",
            LayerParams::Sin(_) => "sin",
            LayerParams::Cos(_) => "cos",
            LayerParams::Tan(_) => "tan",
            LayerParams::Asin(_) => "asin",
            LayerParams::Acos(_) => "acos",
            LayerParams::Atan(_) => "atan",
            LayerParams::Sinh(_) => "sinh",
            LayerParams::Cosh(_) => "cosh",
            LayerParams::Tanh(_) => "tanh",
            LayerParams::Asinh(_) => "asinh",
            LayerParams::Acosh(_) => "acosh",
            LayerParams::Atanh(_) => "atanh",
            LayerParams::Erf(_) => "erf",
            LayerParams::Gelu(_) => "gelu",
            LayerParams::Equal(_) => "equal",
            LayerParams::NotEqual(_) => "notEqual",
            LayerParams::LessThan(_) => "lessThan",
            LayerParams::LessEqual(_) => "lessEqual",
            LayerParams::GreaterThan(_) => "greaterThan",
            LayerParams::GreaterEqual(_) => "greaterEqual",
            LayerParams::LogicalOr(_) => "logicalOr",
            LayerParams::LogicalXor(_) => "logicalXor",
            LayerParams::LogicalNot(_) => "logicalNot",
            LayerParams::LogicalAnd(_) => "logicalAnd",
            LayerParams::ModBroadcastable(_) => "modBroadcastable",
            LayerParams::MinBroadcastable(_) => "minBroadcastable",
            LayerParams::MaxBroadcastable(_) => "maxBroadcastable",
            LayerParams::AddBroadcastable(_) => "addBroadcastable",
            LayerParams::PowBroadcastable(_) => "powBroadcastable",
            LayerParams::DivideBroadcastable(_) => "divideBroadcastable",
            LayerParams::FloorDivBroadcastable(_) => "floorDivBroadcastable",
            LayerParams::MultiplyBroadcastable(_) => "multiplyBroadcastable",
            LayerParams::SubtractBroadcastable(_) => "subtractBroadcastable",
            LayerParams::Tile(_) => "tile",
            LayerParams::Stack(_) => "stack",
            LayerParams::Gather(_) => "gather",
            LayerParams::Scatter(_) => "scatter",
            LayerParams::GatherNd(_) => "gatherND",
            LayerParams::ScatterNd(_) => "scatterND",
            LayerParams::SoftmaxNd(_) => "softmaxND",
            LayerParams::GatherAlongAxis(_) => "gatherAlongAxis",
            LayerParams::ScatterAlongAxis(_) => "scatterAlongAxis",
            LayerParams::Reverse(_) => "reverse",
            LayerParams::ReverseSeq(_) => "reverseSeq",
            LayerParams::SplitNd(_) => "splitND",
            LayerParams::ConcatNd(_) => "concatND",
            LayerParams::Transpose(_) => "transpose",
            LayerParams::SliceStatic(_) => "sliceStatic",
            LayerParams::SliceDynamic(_) => "sliceDynamic",
            LayerParams::SlidingWindows(_) => "slidingWindows",
            LayerParams::TopK(_) => "topK",
            LayerParams::ArgMin(_) => "argMin",
            LayerParams::ArgMax(_) => "argMax",
            LayerParams::EmbeddingNd(_) => "embeddingND",
            LayerParams::BatchedMatmul(_) => "batchedMatmul",
            LayerParams::GetShape(_) => "getShape",
            LayerParams::LoadConstantNd(_) => "loadConstantND",
            LayerParams::FillLike(_) => "fillLike",
            LayerParams::FillStatic(_) => "fillStatic",
            LayerParams::FillDynamic(_) => "fillDynamic",
            LayerParams::BroadcastToLike(_) => "broadcastToLike",
            LayerParams::BroadcastToStatic(_) => "broadcastToStatic",
            LayerParams::BroadcastToDynamic(_) => "broadcastToDynamic",
            LayerParams::Squeeze(_) => "squeeze",
            LayerParams::ExpandDims(_) => "expandDims",
            LayerParams::FlattenTo2D(_) => "flattenTo2D",
            LayerParams::ReshapeLike(_) => "reshapeLike",
            LayerParams::ReshapeStatic(_) => "reshapeStatic",
            LayerParams::ReshapeDynamic(_) => "reshapeDynamic",
            LayerParams::RankPreservingReshape(_) => "rankPreservingReshape",
            LayerParams::ConstantPad(_) => "constantPad",
            LayerParams::RandomNormalLike(_) => "randomNormalLike",
            LayerParams::RandomNormalStatic(_) => "randomNormalStatic",
            LayerParams::RandomNormalDynamic(_) => "randomNormalDynamic",
            LayerParams::RandomUniformLike(_) => "randomUniformLike",
            LayerParams::RandomUniformStatic(_) => "randomUniformStatic",
            LayerParams::RandomUniformDynamic(_) => "randomUniformDynamic",
            LayerParams::RandomBernoulliLike(_) => "randomBernoulliLike",
            LayerParams::RandomBernoulliStatic(_) => "randomBernoulliStatic",
            LayerParams::RandomBernoulliDynamic(_) => "randomBernoulliDynamic",
            LayerParams::CategoricalDistribution(_) => "categoricalDistribution",
            LayerParams::ReduceL1(_) => "reduceL1",
            LayerParams::ReduceL2(_) => "reduceL2",
            LayerParams::ReduceMax(_) => "reduceMax",
            LayerParams::ReduceMin(_) => "reduceMin",
            LayerParams::ReduceSum(_) => "reduceSum",
            LayerParams::ReduceProd(_) => "reduceProd",
            LayerParams::ReduceMean(_) => "reduceMean",
            LayerParams::ReduceLogSum(_) => "reduceLogSum",
            LayerParams::ReduceSumSquare(_) => "reduceSumSquare",
            LayerParams::ReduceLogSumExp(_) => "reduceLogSumExp",
            LayerParams::WhereNonZero(_) => "whereNonZero",
            LayerParams::MatrixBandPart(_) => "matrixBandPart",
            LayerParams::LowerTriangular(_) => "lowerTriangular",
            LayerParams::UpperTriangular(_) => "upperTriangular",
            LayerParams::WhereBroadcastable(_) => "whereBroadcastable",
            LayerParams::LayerNormalization(_) => "layerNormalization",
            LayerParams::NonMaximumSuppression(_) => "NonMaximumSuppression",
            LayerParams::OneHot(_) => "oneHot",
            LayerParams::CumSum(_) => "cumSum",
            LayerParams::ClampedReLU(_) => "clampedReLU",
            LayerParams::ArgSort(_) => "argSort",
            LayerParams::Pooling3d(_) => "pooling3d",
            LayerParams::GlobalPooling3d(_) => "globalPooling3d",
            LayerParams::SliceBySize(_) => "sliceBySize",
            LayerParams::Convolution3d(_) => "convolution3d",
        }
    }
}

/// `WeightParams`: constant data as float32, float16 bytes or raw bytes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WeightParams {
    /// `floatValue`.
    #[prost(float, repeated, tag = "1")]
    pub float_value: Vec<f32>,
    /// `float16Value`: little-endian IEEE half floats.
    #[prost(bytes = "vec", tag = "2")]
    pub float16_value: Vec<u8>,
    /// `rawValue`: bytes whose meaning depends on the layer (e.g. quantized weights).
    #[prost(bytes = "vec", tag = "30")]
    pub raw_value: Vec<u8>,
    /// `int8RawValue`.
    #[prost(bytes = "vec", tag = "31")]
    pub int8_raw_value: Vec<u8>,
}

/// `BorderAmounts.EdgeSizes`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct EdgeSizes {
    /// `startEdgeSize`.
    #[prost(uint64, tag = "1")]
    pub start_edge_size: u64,
    /// `endEdgeSize`.
    #[prost(uint64, tag = "2")]
    pub end_edge_size: u64,
}

/// `BorderAmounts`: `[H, W]` start/end amounts.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BorderAmounts {
    /// `borderAmounts`.
    #[prost(message, repeated, tag = "10")]
    pub border_amounts: Vec<EdgeSizes>,
}

/// `ValidPadding`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValidPadding {
    /// `paddingAmounts`.
    #[prost(message, optional, tag = "1")]
    pub padding_amounts: Option<BorderAmounts>,
}

/// `SamePadding`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SamePadding {
    /// `asymmetryMode`: `BOTTOM_RIGHT_HEAVY` (0) or `TOP_LEFT_HEAVY` (1).
    #[prost(int32, tag = "1")]
    pub asymmetry_mode: i32,
}

/// `ConvolutionLayerParams` (without its weights).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConvolutionLayerParams {
    /// `outputChannels`.
    #[prost(uint64, tag = "1")]
    pub output_channels: u64,
    /// `kernelChannels`.
    #[prost(uint64, tag = "2")]
    pub kernel_channels: u64,
    /// `nGroups`.
    #[prost(uint64, tag = "10")]
    pub n_groups: u64,
    /// `kernelSize` `[H, W]` (default `[3, 3]`).
    #[prost(uint64, repeated, tag = "20")]
    pub kernel_size: Vec<u64>,
    /// `stride` `[H, W]` (default `[1, 1]`).
    #[prost(uint64, repeated, tag = "30")]
    pub stride: Vec<u64>,
    /// `dilationFactor` `[H, W]` (default `[1, 1]`).
    #[prost(uint64, repeated, tag = "40")]
    pub dilation_factor: Vec<u64>,
    /// The `ConvolutionPaddingType` oneof.
    #[prost(oneof = "ConvolutionPadding", tags = "50, 51")]
    pub padding: Option<ConvolutionPadding>,
    /// `isDeconvolution`.
    #[prost(bool, tag = "60")]
    pub is_deconvolution: bool,
    /// `outputShape` `[H, W]` (deconvolution only).
    #[prost(uint64, repeated, tag = "100")]
    pub output_shape: Vec<u64>,
}

/// `ConvolutionLayerParams.ConvolutionPaddingType`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ConvolutionPadding {
    /// `valid`.
    #[prost(message, tag = "50")]
    Valid(ValidPadding),
    /// `same`.
    #[prost(message, tag = "51")]
    Same(SamePadding),
}

/// `PoolingLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PoolingLayerParams {
    /// `type`: `MAX` (0), `AVERAGE` (1), `L2` (2).
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    /// `kernelSize` `[H, W]` (default `[3, 3]`).
    #[prost(uint64, repeated, tag = "10")]
    pub kernel_size: Vec<u64>,
    /// `stride` `[H, W]` (default `[1, 1]`).
    #[prost(uint64, repeated, tag = "20")]
    pub stride: Vec<u64>,
    /// The `PoolingPaddingType` oneof.
    #[prost(oneof = "PoolingPadding", tags = "30, 31, 32")]
    pub padding: Option<PoolingPadding>,
    /// `globalPooling`.
    #[prost(bool, tag = "60")]
    pub global_pooling: bool,
}

/// `PoolingLayerParams.PoolingPaddingType`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum PoolingPadding {
    /// `valid`.
    #[prost(message, tag = "30")]
    Valid(ValidPadding),
    /// `same`.
    #[prost(message, tag = "31")]
    Same(SamePadding),
    /// `includeLastPixel` (`ValidCompletePadding`).
    #[prost(message, tag = "32")]
    IncludeLastPixel(ValidCompletePadding),
}

/// `PoolingLayerParams.ValidCompletePadding`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValidCompletePadding {
    /// `paddingAmounts` `[H, W]`.
    #[prost(uint64, repeated, tag = "10")]
    pub padding_amounts: Vec<u64>,
}

/// `InnerProductLayerParams` (without its weights).
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct InnerProductLayerParams {
    /// `inputChannels`.
    #[prost(uint64, tag = "1")]
    pub input_channels: u64,
    /// `outputChannels`.
    #[prost(uint64, tag = "2")]
    pub output_channels: u64,
}

/// `CropLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CropLayerParams {
    /// `cropAmounts`.
    #[prost(message, optional, tag = "1")]
    pub crop_amounts: Option<BorderAmounts>,
    /// `offset` `[H, W]` (two-input form).
    #[prost(uint64, repeated, tag = "5")]
    pub offset: Vec<u64>,
}

/// `PaddingLayerParams` (the padding kind is not needed for shapes).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PaddingLayerParams {
    /// `paddingAmounts`.
    #[prost(message, optional, tag = "10")]
    pub padding_amounts: Option<BorderAmounts>,
}

/// `UpsampleLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UpsampleLayerParams {
    /// `scalingFactor` `[H, W]` (integers; default `[1, 1]`).
    #[prost(uint64, repeated, tag = "1")]
    pub scaling_factor: Vec<u64>,
    /// `mode`: `NN` (0) or `BILINEAR` (1).
    #[prost(int32, tag = "5")]
    pub mode: i32,
    /// `linearUpsampleMode`: `DEFAULT` (0), `ALIGN_CORNERS_TRUE` (1), `ALIGN_CORNERS_FALSE` (2).
    #[prost(int32, tag = "6")]
    pub linear_upsample_mode: i32,
    /// `fractionalScalingFactor` `[H, W]` (float32; mutually exclusive with `scalingFactor`).
    #[prost(float, repeated, tag = "7")]
    pub fractional_scaling_factor: Vec<f32>,
}

/// `SamplingMode`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SamplingMode {
    /// `samplingMethod`: `STRICT_ALIGN_ENDPOINTS_MODE` (0), `ALIGN_ENDPOINTS_MODE` (1),
    /// `UPSAMPLE_MODE` (2), `ROI_ALIGN_MODE` (3).
    #[prost(int32, tag = "1")]
    pub sampling_method: i32,
}

/// `BoxCoordinatesMode`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct BoxCoordinatesMode {
    /// `boxMode`: `CORNERS_HEIGHT_FIRST` (0), `CORNERS_WIDTH_FIRST` (1),
    /// `CENTER_SIZE_HEIGHT_FIRST` (2), `CENTER_SIZE_WIDTH_FIRST` (3).
    #[prost(int32, tag = "1")]
    pub box_mode: i32,
}

/// `ResizeBilinearLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ResizeBilinearLayerParams {
    /// `targetSize` `[H, W]` (default `[1, 1]`).
    #[prost(uint64, repeated, tag = "1")]
    pub target_size: Vec<u64>,
    /// `mode`.
    #[prost(message, optional, tag = "2")]
    pub mode: Option<SamplingMode>,
}

/// `CropResizeLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CropResizeLayerParams {
    /// `targetSize` `[H, W]` (default `[1, 1]`).
    #[prost(uint64, repeated, tag = "1")]
    pub target_size: Vec<u64>,
    /// `normalizedCoordinates`.
    #[prost(bool, tag = "2")]
    pub normalized_coordinates: bool,
    /// `mode`.
    #[prost(message, optional, tag = "3")]
    pub mode: Option<SamplingMode>,
    /// `boxIndicesMode`.
    #[prost(message, optional, tag = "4")]
    pub box_indices_mode: Option<BoxCoordinatesMode>,
    /// `spatialScale` (0 or unset means 1).
    #[prost(float, tag = "5")]
    pub spatial_scale: f32,
}

/// `ReorganizeDataLayerParams`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ReorganizeDataLayerParams {
    /// `mode`: `SPACE_TO_DEPTH` (0), `DEPTH_TO_SPACE` (1), `PIXEL_SHUFFLE` (2).
    #[prost(int32, tag = "1")]
    pub mode: i32,
    /// `blockSize`.
    #[prost(uint64, tag = "2")]
    pub block_size: u64,
}

/// `LoadConstantLayerParams` and `LoadConstantNDLayerParams` (same field numbers).
#[derive(Clone, PartialEq, prost::Message)]
pub struct LoadConstantLayerParams {
    /// `shape` (`[C, H, W]` for `loadConstant`, any rank for `loadConstantND`).
    #[prost(uint64, repeated, tag = "1")]
    pub shape: Vec<u64>,
    /// `data`.
    #[prost(message, optional, tag = "2")]
    pub data: Option<WeightParams>,
}

/// `ReshapeLayerParams` (rank-5 semantics).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReshapeLayerParams {
    /// `targetShape`: `[C, H, W]` or `[Seq, C, H, W]`.
    #[prost(int64, repeated, tag = "1")]
    pub target_shape: Vec<i64>,
    /// `mode`: `CHANNEL_FIRST` (0) or `CHANNEL_LAST` (1).
    #[prost(int32, tag = "2")]
    pub mode: i32,
}

/// `ReshapeStaticLayerParams` and `RankPreservingReshapeLayerParams` (same field numbers).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReshapeStaticLayerParams {
    /// `targetShape`.
    #[prost(int64, repeated, tag = "1")]
    pub target_shape: Vec<i64>,
}

/// `FlattenLayerParams`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct FlattenLayerParams {
    /// `mode`: `CHANNEL_FIRST` (0) or `CHANNEL_LAST` (1).
    #[prost(int32, tag = "1")]
    pub mode: i32,
}

/// `PermuteLayerParams`: a permutation of `[Seq, C, H, W]` (rank-5 semantics).
#[derive(Clone, PartialEq, prost::Message)]
pub struct PermuteLayerParams {
    /// `axis`.
    #[prost(uint64, repeated, tag = "1")]
    pub axis: Vec<u64>,
}

/// `TransposeLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TransposeLayerParams {
    /// `axes`.
    #[prost(uint64, repeated, tag = "1")]
    pub axes: Vec<u64>,
}

/// `ConcatLayerParams`: along the channel axis (-3), or the sequence axis (-5).
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ConcatLayerParams {
    /// `sequenceConcat`.
    #[prost(bool, tag = "100")]
    pub sequence_concat: bool,
}

/// `ConcatNDLayerParams`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ConcatNdLayerParams {
    /// `axis`.
    #[prost(int64, tag = "1")]
    pub axis: i64,
    /// `interleave`.
    #[prost(bool, tag = "2")]
    pub interleave: bool,
}

/// `SplitLayerParams`: along the channel axis.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SplitLayerParams {
    /// `nOutputs`.
    #[prost(uint64, tag = "1")]
    pub n_outputs: u64,
}

/// `SplitNDLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SplitNdLayerParams {
    /// `axis`.
    #[prost(int64, tag = "1")]
    pub axis: i64,
    /// `numSplits`.
    #[prost(uint64, tag = "2")]
    pub num_splits: u64,
    /// `splitSizes`.
    #[prost(uint64, repeated, tag = "3")]
    pub split_sizes: Vec<u64>,
}

/// `SliceLayerParams`: one of the channel, height or width axes.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SliceLayerParams {
    /// `startIndex`.
    #[prost(int64, tag = "1")]
    pub start_index: i64,
    /// `endIndex` (exclusive; negative counts from the end).
    #[prost(int64, tag = "2")]
    pub end_index: i64,
    /// `stride`.
    #[prost(uint64, tag = "3")]
    pub stride: u64,
    /// `axis`: `CHANNEL_AXIS` (0), `HEIGHT_AXIS` (1), `WIDTH_AXIS` (2).
    #[prost(int32, tag = "4")]
    pub axis: i32,
}

/// `SliceStaticLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SliceStaticLayerParams {
    /// `beginIds`.
    #[prost(int64, repeated, tag = "1")]
    pub begin_ids: Vec<i64>,
    /// `beginMasks`.
    #[prost(bool, repeated, tag = "2")]
    pub begin_masks: Vec<bool>,
    /// `endIds`.
    #[prost(int64, repeated, tag = "3")]
    pub end_ids: Vec<i64>,
    /// `endMasks`.
    #[prost(bool, repeated, tag = "4")]
    pub end_masks: Vec<bool>,
    /// `strides`.
    #[prost(int64, repeated, tag = "5")]
    pub strides: Vec<i64>,
    /// `squeezeMasks`.
    #[prost(bool, repeated, tag = "6")]
    pub squeeze_masks: Vec<bool>,
}

/// `SliceDynamicLayerParams` (begin ids come from an input).
#[derive(Clone, PartialEq, prost::Message)]
pub struct SliceDynamicLayerParams {
    /// `beginMasks`.
    #[prost(bool, repeated, tag = "2")]
    pub begin_masks: Vec<bool>,
    /// `endIds`.
    #[prost(int64, repeated, tag = "3")]
    pub end_ids: Vec<i64>,
    /// `endMasks`.
    #[prost(bool, repeated, tag = "4")]
    pub end_masks: Vec<bool>,
    /// `strides`.
    #[prost(int64, repeated, tag = "5")]
    pub strides: Vec<i64>,
    /// `squeezeMasks`.
    #[prost(bool, repeated, tag = "6")]
    pub squeeze_masks: Vec<bool>,
}

/// `SliceBySizeLayerParams`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SliceBySizeLayerParams {
    /// `size`.
    #[prost(int64, tag = "2")]
    pub size: i64,
    /// `axis`.
    #[prost(int64, tag = "3")]
    pub axis: i64,
}

/// `TileLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TileLayerParams {
    /// `reps`.
    #[prost(uint64, repeated, tag = "1")]
    pub reps: Vec<u64>,
}

/// A layer whose only parameter is `int64 axis = 1`: `GatherLayerParams`,
/// `GatherAlongAxisLayerParams`, `StackLayerParams`, `FlattenTo2DLayerParams`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct AxisLayerParams {
    /// `axis`.
    #[prost(int64, tag = "1")]
    pub axis: i64,
}

/// `BroadcastToStaticLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BroadcastToStaticLayerParams {
    /// `targetShape`.
    #[prost(uint64, repeated, tag = "1")]
    pub target_shape: Vec<u64>,
}

/// `SqueezeLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SqueezeLayerParams {
    /// `axes`.
    #[prost(int64, repeated, tag = "1")]
    pub axes: Vec<i64>,
    /// `squeezeAll`.
    #[prost(bool, tag = "2")]
    pub squeeze_all: bool,
}

/// `ExpandDimsLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExpandDimsLayerParams {
    /// `axes` (positions in the output).
    #[prost(int64, repeated, tag = "1")]
    pub axes: Vec<i64>,
}

/// `ConstantPaddingLayerParams`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConstantPaddingLayerParams {
    /// `value`.
    #[prost(float, tag = "1")]
    pub value: f32,
    /// `padAmounts`: start/end pairs per axis, counted from the last `len/2` axes.
    #[prost(uint64, repeated, tag = "2")]
    pub pad_amounts: Vec<u64>,
    /// `padToGivenOutputSizeMode`.
    #[prost(bool, tag = "3")]
    pub pad_to_given_output_size_mode: bool,
}

/// `ReduceLayerParams` (rank-5 semantics).
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ReduceLayerParams {
    /// `mode`.
    #[prost(int32, tag = "1")]
    pub mode: i32,
    /// `axis`: `CHW` (0), `HW` (1), `C` (2), `H` (3), `W` (4).
    #[prost(int32, tag = "3")]
    pub axis: i32,
}

/// The ND reductions (`ReduceSumLayerParams`, `ReduceMeanLayerParams`, … same field numbers).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReduceNdLayerParams {
    /// `axes`.
    #[prost(int64, repeated, tag = "1")]
    pub axes: Vec<i64>,
    /// `keepDims`.
    #[prost(bool, tag = "2")]
    pub keep_dims: bool,
    /// `reduceAll`.
    #[prost(bool, tag = "3")]
    pub reduce_all: bool,
}

/// `BranchLayerParams`: two nested networks.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BranchLayerParams {
    /// `ifBranch`.
    #[prost(message, optional, boxed, tag = "1")]
    pub if_branch: Option<Box<NeuralNetwork>>,
    /// `elseBranch`.
    #[prost(message, optional, boxed, tag = "2")]
    pub else_branch: Option<Box<NeuralNetwork>>,
}

/// `LoopLayerParams`: a condition network and a body network.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LoopLayerParams {
    /// `conditionNetwork`.
    #[prost(message, optional, boxed, tag = "3")]
    pub condition_network: Option<Box<NeuralNetwork>>,
    /// `bodyNetwork`.
    #[prost(message, optional, boxed, tag = "4")]
    pub body_network: Option<Box<NeuralNetwork>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    /// A layer whose only field is an empty `layer` oneof member with this tag.
    fn layer_with(tag: u32) -> Vec<u8> {
        let mut bytes = Vec::new();
        prost::encoding::encode_key(tag, prost::encoding::WireType::LengthDelimited, &mut bytes);
        bytes.push(0);
        bytes
    }

    #[test]
    fn every_layer_kind_of_the_proto_is_decoded() {
        let mut kinds = Vec::new();
        for tag in 6..=2000 {
            let layer = NeuralNetworkLayer::decode(layer_with(tag).as_slice()).expect("decodes");
            if let Some(p) = layer.layer {
                kinds.push((tag, p.kind()));
            }
        }
        // NeuralNetwork.proto declares 158 layer kinds (coremltools 9.0).
        assert_eq!(kinds.len(), 158);
        let mut names: Vec<&str> = kinds.iter().map(|k| k.1).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 158, "kind names are unique");
        for (tag, name) in [
            (100, "convolution"),
            (210, "upsample"),
            (211, "resizeBilinear"),
            (212, "cropResize"),
            (345, "reorganizeData"),
            (940, "gatherND"),
            (1070, "loadConstantND"),
            (1400, "NonMaximumSuppression"),
            (1471, "convolution3d"),
        ] {
            assert!(kinds.contains(&(tag, name)), "{tag} {name}");
        }
    }
}
