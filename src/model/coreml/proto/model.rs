//! `Model.proto` and `FeatureTypes.proto` (package `CoreML.Specification`): the model container,
//! its description and the feature types of its inputs. Field numbers are Apple's; only the
//! fields the reader uses are declared (prost skips the others).

use super::mil::Program;
use super::neural_network::NeuralNetwork;

/// `Model`: a specification version, a description and one model type.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Model {
    /// `specificationVersion` (1: iOS 11 … 6: iOS 15, first ML Program … 10: iOS 26).
    #[prost(int32, tag = "1")]
    pub specification_version: i32,
    /// `description`: inputs, outputs, metadata.
    #[prost(message, optional, tag = "2")]
    pub description: Option<ModelDescription>,
    /// The `Type` oneof.
    #[prost(
        oneof = "ModelType",
        tags = "200, 201, 202, 300, 301, 302, 303, 304, 400, 401, 402, 403, 404, 500, 501, 502, \
                555, 556, 560, 600, 601, 602, 603, 604, 606, 607, 609, 610, 900, 2000, 2001, \
                2002, 2003, 2004, 2005, 2006, 3000"
    )]
    pub r#type: Option<ModelType>,
}

/// A message whose fields the reader does not need.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct Skipped {}

/// The `Model.Type` oneof. The neural and pipeline kinds are decoded; every other kind is kept
/// by name only, so that a file of another kind gets a message naming it.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ModelType {
    /// `pipelineClassifier` (200).
    #[prost(message, tag = "200")]
    PipelineClassifier(PipelineContainer),
    /// `pipelineRegressor` (201).
    #[prost(message, tag = "201")]
    PipelineRegressor(PipelineContainer),
    /// `pipeline` (202).
    #[prost(message, tag = "202")]
    Pipeline(Pipeline),
    /// `glmRegressor` (300).
    #[prost(message, tag = "300")]
    GlmRegressor(Skipped),
    /// `supportVectorRegressor` (301).
    #[prost(message, tag = "301")]
    SupportVectorRegressor(Skipped),
    /// `treeEnsembleRegressor` (302).
    #[prost(message, tag = "302")]
    TreeEnsembleRegressor(Skipped),
    /// `neuralNetworkRegressor` (303).
    #[prost(message, tag = "303")]
    NeuralNetworkRegressor(NeuralNetwork),
    /// `bayesianProbitRegressor` (304).
    #[prost(message, tag = "304")]
    BayesianProbitRegressor(Skipped),
    /// `glmClassifier` (400).
    #[prost(message, tag = "400")]
    GlmClassifier(Skipped),
    /// `supportVectorClassifier` (401).
    #[prost(message, tag = "401")]
    SupportVectorClassifier(Skipped),
    /// `treeEnsembleClassifier` (402).
    #[prost(message, tag = "402")]
    TreeEnsembleClassifier(Skipped),
    /// `neuralNetworkClassifier` (403). Its layers, preprocessing and shape mappings share the
    /// field numbers of `NeuralNetwork`; the class labels are not needed.
    #[prost(message, tag = "403")]
    NeuralNetworkClassifier(NeuralNetwork),
    /// `kNearestNeighborsClassifier` (404).
    #[prost(message, tag = "404")]
    KNearestNeighborsClassifier(Skipped),
    /// `neuralNetwork` (500).
    #[prost(message, tag = "500")]
    NeuralNetwork(NeuralNetwork),
    /// `itemSimilarityRecommender` (501).
    #[prost(message, tag = "501")]
    ItemSimilarityRecommender(Skipped),
    /// `mlProgram` (502): a `MILSpec.Program`.
    #[prost(message, tag = "502")]
    MlProgram(Program),
    /// `customModel` (555).
    #[prost(message, tag = "555")]
    CustomModel(Skipped),
    /// `linkedModel` (556).
    #[prost(message, tag = "556")]
    LinkedModel(Skipped),
    /// `classConfidenceThresholding` (560).
    #[prost(message, tag = "560")]
    ClassConfidenceThresholding(Skipped),
    /// `oneHotEncoder` (600).
    #[prost(message, tag = "600")]
    OneHotEncoder(Skipped),
    /// `imputer` (601).
    #[prost(message, tag = "601")]
    Imputer(Skipped),
    /// `featureVectorizer` (602).
    #[prost(message, tag = "602")]
    FeatureVectorizer(Skipped),
    /// `dictVectorizer` (603).
    #[prost(message, tag = "603")]
    DictVectorizer(Skipped),
    /// `scaler` (604).
    #[prost(message, tag = "604")]
    Scaler(Skipped),
    /// `categoricalMapping` (606).
    #[prost(message, tag = "606")]
    CategoricalMapping(Skipped),
    /// `normalizer` (607).
    #[prost(message, tag = "607")]
    Normalizer(Skipped),
    /// `arrayFeatureExtractor` (609).
    #[prost(message, tag = "609")]
    ArrayFeatureExtractor(Skipped),
    /// `nonMaximumSuppression` (610).
    #[prost(message, tag = "610")]
    NonMaximumSuppression(Skipped),
    /// `identity` (900).
    #[prost(message, tag = "900")]
    Identity(Skipped),
    /// `textClassifier` (2000).
    #[prost(message, tag = "2000")]
    TextClassifier(Skipped),
    /// `wordTagger` (2001).
    #[prost(message, tag = "2001")]
    WordTagger(Skipped),
    /// `visionFeaturePrint` (2002).
    #[prost(message, tag = "2002")]
    VisionFeaturePrint(Skipped),
    /// `soundAnalysisPreprocessing` (2003).
    #[prost(message, tag = "2003")]
    SoundAnalysisPreprocessing(Skipped),
    /// `gazetteer` (2004).
    #[prost(message, tag = "2004")]
    Gazetteer(Skipped),
    /// `wordEmbedding` (2005).
    #[prost(message, tag = "2005")]
    WordEmbedding(Skipped),
    /// `audioFeaturePrint` (2006).
    #[prost(message, tag = "2006")]
    AudioFeaturePrint(Skipped),
    /// `serializedModel` (3000).
    #[prost(message, tag = "3000")]
    SerializedModel(Skipped),
}

impl ModelType {
    /// The oneof field name, as `Model.proto` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            ModelType::PipelineClassifier(_) => "pipelineClassifier",
            ModelType::PipelineRegressor(_) => "pipelineRegressor",
            ModelType::Pipeline(_) => "pipeline",
            ModelType::GlmRegressor(_) => "glmRegressor",
            ModelType::SupportVectorRegressor(_) => "supportVectorRegressor",
            ModelType::TreeEnsembleRegressor(_) => "treeEnsembleRegressor",
            ModelType::NeuralNetworkRegressor(_) => "neuralNetworkRegressor",
            ModelType::BayesianProbitRegressor(_) => "bayesianProbitRegressor",
            ModelType::GlmClassifier(_) => "glmClassifier",
            ModelType::SupportVectorClassifier(_) => "supportVectorClassifier",
            ModelType::TreeEnsembleClassifier(_) => "treeEnsembleClassifier",
            ModelType::NeuralNetworkClassifier(_) => "neuralNetworkClassifier",
            ModelType::KNearestNeighborsClassifier(_) => "kNearestNeighborsClassifier",
            ModelType::NeuralNetwork(_) => "neuralNetwork",
            ModelType::ItemSimilarityRecommender(_) => "itemSimilarityRecommender",
            ModelType::MlProgram(_) => "mlProgram",
            ModelType::CustomModel(_) => "customModel",
            ModelType::LinkedModel(_) => "linkedModel",
            ModelType::ClassConfidenceThresholding(_) => "classConfidenceThresholding",
            ModelType::OneHotEncoder(_) => "oneHotEncoder",
            ModelType::Imputer(_) => "imputer",
            ModelType::FeatureVectorizer(_) => "featureVectorizer",
            ModelType::DictVectorizer(_) => "dictVectorizer",
            ModelType::Scaler(_) => "scaler",
            ModelType::CategoricalMapping(_) => "categoricalMapping",
            ModelType::Normalizer(_) => "normalizer",
            ModelType::ArrayFeatureExtractor(_) => "arrayFeatureExtractor",
            ModelType::NonMaximumSuppression(_) => "nonMaximumSuppression",
            ModelType::Identity(_) => "identity",
            ModelType::TextClassifier(_) => "textClassifier",
            ModelType::WordTagger(_) => "wordTagger",
            ModelType::VisionFeaturePrint(_) => "visionFeaturePrint",
            ModelType::SoundAnalysisPreprocessing(_) => "soundAnalysisPreprocessing",
            ModelType::Gazetteer(_) => "gazetteer",
            ModelType::WordEmbedding(_) => "wordEmbedding",
            ModelType::AudioFeaturePrint(_) => "audioFeaturePrint",
            ModelType::SerializedModel(_) => "serializedModel",
        }
    }
}

/// `Pipeline`: models run in order, each reading features the earlier ones produce.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Pipeline {
    /// `models`.
    #[prost(message, repeated, tag = "1")]
    pub models: Vec<Model>,
    /// `names` (optional, one per model).
    #[prost(string, repeated, tag = "2")]
    pub names: Vec<String>,
}

/// `PipelineClassifier` / `PipelineRegressor`: a `Pipeline` in field 1.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PipelineContainer {
    /// `pipeline`.
    #[prost(message, optional, tag = "1")]
    pub pipeline: Option<Pipeline>,
}

/// `ModelDescription`: the model's inputs and outputs (model level, or per function).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelDescription {
    /// `input`.
    #[prost(message, repeated, tag = "1")]
    pub input: Vec<FeatureDescription>,
    /// `output`.
    #[prost(message, repeated, tag = "10")]
    pub output: Vec<FeatureDescription>,
    /// `functions` (multi-function ML Programs, iOS 18).
    #[prost(message, repeated, tag = "20")]
    pub functions: Vec<FunctionDescription>,
    /// `defaultFunctionName`.
    #[prost(string, tag = "21")]
    pub default_function_name: String,
    /// `metadata`.
    #[prost(message, optional, tag = "100")]
    pub metadata: Option<Metadata>,
}

/// `FunctionDescription`: one function's inputs and outputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionDescription {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `input`.
    #[prost(message, repeated, tag = "2")]
    pub input: Vec<FeatureDescription>,
    /// `output`.
    #[prost(message, repeated, tag = "3")]
    pub output: Vec<FeatureDescription>,
}

/// `Metadata`: who made the model (coremltools writes its version into `userDefined`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Metadata {
    /// `shortDescription`.
    #[prost(string, tag = "1")]
    pub short_description: String,
    /// `versionString`.
    #[prost(string, tag = "2")]
    pub version_string: String,
    /// `author`.
    #[prost(string, tag = "3")]
    pub author: String,
    /// `userDefined`, a `map<string, string>` read as its entries in file order.
    #[prost(message, repeated, tag = "100")]
    pub user_defined: Vec<StringEntry>,
}

/// A `map<string, string>` entry.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StringEntry {
    /// The key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `FeatureDescription`: a named input or output.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureDescription {
    /// `name`.
    #[prost(string, tag = "1")]
    pub name: String,
    /// `type`.
    #[prost(message, optional, tag = "3")]
    pub r#type: Option<FeatureType>,
}

/// `FeatureType`: the kind of a feature.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureType {
    /// The `Type` oneof.
    #[prost(oneof = "FeatureKind", tags = "1, 2, 3, 4, 5, 6, 7, 8")]
    pub kind: Option<FeatureKind>,
    /// `isOptional`.
    #[prost(bool, tag = "1000")]
    pub is_optional: bool,
}

/// The `FeatureType.Type` oneof.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum FeatureKind {
    /// `int64Type`.
    #[prost(message, tag = "1")]
    Int64(Skipped),
    /// `doubleType`.
    #[prost(message, tag = "2")]
    Double(Skipped),
    /// `stringType`.
    #[prost(message, tag = "3")]
    String(Skipped),
    /// `imageType`.
    #[prost(message, tag = "4")]
    Image(ImageFeatureType),
    /// `multiArrayType`.
    #[prost(message, tag = "5")]
    MultiArray(ArrayFeatureType),
    /// `dictionaryType`.
    #[prost(message, tag = "6")]
    Dictionary(Skipped),
    /// `sequenceType`.
    #[prost(message, tag = "7")]
    Sequence(Skipped),
    /// `stateType` (wraps an `ArrayFeatureType` in its field 1).
    #[prost(message, tag = "8")]
    State(StateFeatureType),
}

/// `StateFeatureType`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StateFeatureType {
    /// `arrayType`.
    #[prost(message, optional, tag = "1")]
    pub array_type: Option<ArrayFeatureType>,
}

/// `SizeRange`: `[lowerBound, upperBound]`, a negative upper bound meaning unbounded.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct SizeRange {
    /// `lowerBound`.
    #[prost(uint64, tag = "1")]
    pub lower_bound: u64,
    /// `upperBound`.
    #[prost(int64, tag = "2")]
    pub upper_bound: i64,
}

/// `ImageFeatureType`: an image input (a `[1, C, H, W]` tensor to the network).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ImageFeatureType {
    /// `width`.
    #[prost(int64, tag = "1")]
    pub width: i64,
    /// `height`.
    #[prost(int64, tag = "2")]
    pub height: i64,
    /// `colorSpace` (`GRAYSCALE` 10, `RGB` 20, `BGR` 30, `GRAYSCALE_FLOAT16` 40).
    #[prost(int32, tag = "3")]
    pub color_space: i32,
    /// The `SizeFlexibility` oneof.
    #[prost(oneof = "ImageFlexibility", tags = "21, 31")]
    pub flexibility: Option<ImageFlexibility>,
}

/// `ImageFeatureType.SizeFlexibility`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ImageFlexibility {
    /// `enumeratedSizes`.
    #[prost(message, tag = "21")]
    EnumeratedSizes(EnumeratedImageSizes),
    /// `imageSizeRange`.
    #[prost(message, tag = "31")]
    ImageSizeRange(ImageSizeRange),
}

/// `ImageFeatureType.ImageSize`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ImageSize {
    /// `width`.
    #[prost(uint64, tag = "1")]
    pub width: u64,
    /// `height`.
    #[prost(uint64, tag = "2")]
    pub height: u64,
}

/// `ImageFeatureType.EnumeratedImageSizes`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EnumeratedImageSizes {
    /// `sizes`.
    #[prost(message, repeated, tag = "1")]
    pub sizes: Vec<ImageSize>,
}

/// `ImageFeatureType.ImageSizeRange`.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct ImageSizeRange {
    /// `widthRange`.
    #[prost(message, optional, tag = "1")]
    pub width_range: Option<SizeRange>,
    /// `heightRange`.
    #[prost(message, optional, tag = "2")]
    pub height_range: Option<SizeRange>,
}

/// `ArrayFeatureType`: a multi-array input with its default shape and flexibility.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ArrayFeatureType {
    /// `shape` (the default shape when the input is flexible).
    #[prost(int64, repeated, tag = "1")]
    pub shape: Vec<i64>,
    /// `dataType` (`FLOAT32` 65568, `DOUBLE` 65600, `INT32` 131104, `INT8` 131080, `FLOAT16`
    /// 65552).
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    /// The `ShapeFlexibility` oneof.
    #[prost(oneof = "ArrayFlexibility", tags = "21, 31")]
    pub flexibility: Option<ArrayFlexibility>,
}

/// `ArrayFeatureType.ShapeFlexibility`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum ArrayFlexibility {
    /// `enumeratedShapes`.
    #[prost(message, tag = "21")]
    EnumeratedShapes(EnumeratedShapes),
    /// `shapeRange`.
    #[prost(message, tag = "31")]
    ShapeRange(ShapeRange),
}

/// `ArrayFeatureType.Shape`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ArrayShape {
    /// `shape`.
    #[prost(int64, repeated, tag = "1")]
    pub shape: Vec<i64>,
}

/// `ArrayFeatureType.EnumeratedShapes`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct EnumeratedShapes {
    /// `shapes`.
    #[prost(message, repeated, tag = "1")]
    pub shapes: Vec<ArrayShape>,
}

/// `ArrayFeatureType.ShapeRange`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ShapeRange {
    /// `sizeRanges`, one per axis.
    #[prost(message, repeated, tag = "1")]
    pub size_ranges: Vec<SizeRange>,
}
