//! NeuralNetwork models (`NeuralNetwork.proto`): each layer becomes a [`Node`] with its kind
//! name (`upsample`, `reorganizeData`, …), its blob names and its parameters as attributes named
//! as in the proto (`scalingFactor`, `fractionalScalingFactor`, `mode`, …; enums by their value
//! names). `loadConstant` / `loadConstantND` data also land in [`Graph::constants`] under the
//! layer's output name.

use std::collections::BTreeMap;

use super::proto::neural_network::{
    BorderAmounts, ConvolutionPadding, LayerParams, NeuralNetwork, NeuralNetworkLayer,
    PoolingPadding, SamplingMode, Tensor, WeightParams,
};
use crate::model::{Attr, Constant, Dim, ElementKind, Graph, Node, TensorType, Values};

/// An enum value by its name in the proto, or its number when the proto has no such value.
fn enum_attr(value: i32, names: &[&str]) -> Attr {
    usize::try_from(value)
        .ok()
        .and_then(|k| names.get(k))
        .map(|n| Attr::Text((*n).to_string()))
        .unwrap_or(Attr::Int(value as i64))
}

fn uints(v: &[u64]) -> Attr {
    Attr::Ints(v.iter().map(|&x| x.min(i64::MAX as u64) as i64).collect())
}

fn uint(v: u64) -> Attr {
    Attr::Int(v.min(i64::MAX as u64) as i64)
}

/// `SamplingMode.Method` names.
const SAMPLING_METHODS: [&str; 4] = [
    "STRICT_ALIGN_ENDPOINTS_MODE",
    "ALIGN_ENDPOINTS_MODE",
    "UPSAMPLE_MODE",
    "ROI_ALIGN_MODE",
];

fn sampling(mode: &Option<SamplingMode>) -> Attr {
    enum_attr(
        mode.map(|m| m.sampling_method).unwrap_or(0),
        &SAMPLING_METHODS,
    )
}

/// `BorderAmounts` as `[top, bottom, left, right]` (`[H, W]` start/end pairs).
fn border(b: &Option<BorderAmounts>) -> Attr {
    let mut v = Vec::with_capacity(4);
    for e in b.iter().flat_map(|b| b.border_amounts.iter()) {
        v.push(e.start_edge_size);
        v.push(e.end_edge_size);
    }
    uints(&v)
}

/// The parameters of a layer as attributes.
fn layer_attrs(params: &LayerParams, attrs: &mut BTreeMap<String, Attr>) {
    let mut set = |k: &str, v: Attr| {
        attrs.insert(k.to_string(), v);
    };
    match params {
        LayerParams::Upsample(p) => {
            if !p.scaling_factor.is_empty() {
                set("scalingFactor", uints(&p.scaling_factor));
            }
            if !p.fractional_scaling_factor.is_empty() {
                set(
                    "fractionalScalingFactor",
                    Attr::Floats(
                        p.fractional_scaling_factor
                            .iter()
                            .map(|&f| f as f64)
                            .collect(),
                    ),
                );
            }
            set("mode", enum_attr(p.mode, &["NN", "BILINEAR"]));
            set(
                "linearUpsampleMode",
                enum_attr(
                    p.linear_upsample_mode,
                    &["DEFAULT", "ALIGN_CORNERS_TRUE", "ALIGN_CORNERS_FALSE"],
                ),
            );
        }
        LayerParams::ResizeBilinear(p) => {
            set("targetSize", uints(&p.target_size));
            set("mode", sampling(&p.mode));
        }
        LayerParams::CropResize(p) => {
            set("targetSize", uints(&p.target_size));
            set(
                "normalizedCoordinates",
                Attr::Bool(p.normalized_coordinates),
            );
            set("mode", sampling(&p.mode));
            set(
                "boxIndicesMode",
                enum_attr(
                    p.box_indices_mode.map(|m| m.box_mode).unwrap_or(0),
                    &[
                        "CORNERS_HEIGHT_FIRST",
                        "CORNERS_WIDTH_FIRST",
                        "CENTER_SIZE_HEIGHT_FIRST",
                        "CENTER_SIZE_WIDTH_FIRST",
                    ],
                ),
            );
            set("spatialScale", Attr::Float(p.spatial_scale as f64));
        }
        LayerParams::ReorganizeData(p) => {
            set(
                "mode",
                enum_attr(
                    p.mode,
                    &["SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "PIXEL_SHUFFLE"],
                ),
            );
            set("blockSize", uint(p.block_size));
        }
        LayerParams::Convolution(p) => {
            set("outputChannels", uint(p.output_channels));
            set("kernelChannels", uint(p.kernel_channels));
            set("nGroups", uint(p.n_groups));
            set("kernelSize", uints(&p.kernel_size));
            set("stride", uints(&p.stride));
            set("dilationFactor", uints(&p.dilation_factor));
            set("isDeconvolution", Attr::Bool(p.is_deconvolution));
            set("outputShape", uints(&p.output_shape));
            match &p.padding {
                Some(ConvolutionPadding::Same(s)) => {
                    set("padding", Attr::Text("same".into()));
                    set(
                        "asymmetryMode",
                        enum_attr(s.asymmetry_mode, &["BOTTOM_RIGHT_HEAVY", "TOP_LEFT_HEAVY"]),
                    );
                }
                Some(ConvolutionPadding::Valid(v)) => {
                    set("padding", Attr::Text("valid".into()));
                    set("paddingAmounts", border(&v.padding_amounts));
                }
                None => set("padding", Attr::Text("valid".into())),
            }
        }
        LayerParams::Pooling(p) => {
            set("type", enum_attr(p.r#type, &["MAX", "AVERAGE", "L2"]));
            set("kernelSize", uints(&p.kernel_size));
            set("stride", uints(&p.stride));
            set("globalPooling", Attr::Bool(p.global_pooling));
            match &p.padding {
                Some(PoolingPadding::Same(_)) => set("padding", Attr::Text("same".into())),
                Some(PoolingPadding::Valid(v)) => {
                    set("padding", Attr::Text("valid".into()));
                    set("paddingAmounts", border(&v.padding_amounts));
                }
                Some(PoolingPadding::IncludeLastPixel(v)) => {
                    set("padding", Attr::Text("includeLastPixel".into()));
                    set("paddingAmounts", uints(&v.padding_amounts));
                }
                None => set("padding", Attr::Text("valid".into())),
            }
        }
        LayerParams::InnerProduct(p) => {
            set("inputChannels", uint(p.input_channels));
            set("outputChannels", uint(p.output_channels));
        }
        LayerParams::Crop(p) => {
            set("cropAmounts", border(&p.crop_amounts));
            set("offset", uints(&p.offset));
        }
        LayerParams::Padding(p) => set("paddingAmounts", border(&p.padding_amounts)),
        LayerParams::LoadConstant(p) | LayerParams::LoadConstantNd(p) => {
            set("shape", uints(&p.shape))
        }
        LayerParams::Reshape(p) => {
            set("targetShape", Attr::Ints(p.target_shape.clone()));
            set(
                "mode",
                enum_attr(p.mode, &["CHANNEL_FIRST", "CHANNEL_LAST"]),
            );
        }
        LayerParams::ReshapeStatic(p) | LayerParams::RankPreservingReshape(p) => {
            set("targetShape", Attr::Ints(p.target_shape.clone()))
        }
        LayerParams::Flatten(p) => set(
            "mode",
            enum_attr(p.mode, &["CHANNEL_FIRST", "CHANNEL_LAST"]),
        ),
        LayerParams::Permute(p) => set("axis", uints(&p.axis)),
        LayerParams::Transpose(p) => set("axes", uints(&p.axes)),
        LayerParams::Concat(p) => set("sequenceConcat", Attr::Bool(p.sequence_concat)),
        LayerParams::ConcatNd(p) => {
            set("axis", Attr::Int(p.axis));
            set("interleave", Attr::Bool(p.interleave));
        }
        LayerParams::Split(p) => set("nOutputs", uint(p.n_outputs)),
        LayerParams::SplitNd(p) => {
            set("axis", Attr::Int(p.axis));
            set("numSplits", uint(p.num_splits));
            set("splitSizes", uints(&p.split_sizes));
        }
        LayerParams::Slice(p) => {
            set("startIndex", Attr::Int(p.start_index));
            set("endIndex", Attr::Int(p.end_index));
            set("stride", uint(p.stride));
            set(
                "axis",
                enum_attr(p.axis, &["CHANNEL_AXIS", "HEIGHT_AXIS", "WIDTH_AXIS"]),
            );
        }
        LayerParams::SliceStatic(p) => {
            set("beginIds", Attr::Ints(p.begin_ids.clone()));
            set("beginMasks", bools(&p.begin_masks));
            set("endIds", Attr::Ints(p.end_ids.clone()));
            set("endMasks", bools(&p.end_masks));
            set("strides", Attr::Ints(p.strides.clone()));
            set("squeezeMasks", bools(&p.squeeze_masks));
        }
        LayerParams::SliceDynamic(p) => {
            set("beginMasks", bools(&p.begin_masks));
            set("endIds", Attr::Ints(p.end_ids.clone()));
            set("endMasks", bools(&p.end_masks));
            set("strides", Attr::Ints(p.strides.clone()));
            set("squeezeMasks", bools(&p.squeeze_masks));
        }
        LayerParams::SliceBySize(p) => {
            set("size", Attr::Int(p.size));
            set("axis", Attr::Int(p.axis));
        }
        LayerParams::Tile(p) => set("reps", uints(&p.reps)),
        LayerParams::Gather(p)
        | LayerParams::GatherAlongAxis(p)
        | LayerParams::Stack(p)
        | LayerParams::FlattenTo2D(p) => set("axis", Attr::Int(p.axis)),
        LayerParams::BroadcastToStatic(p) => set("targetShape", uints(&p.target_shape)),
        LayerParams::Squeeze(p) => {
            set("axes", Attr::Ints(p.axes.clone()));
            set("squeezeAll", Attr::Bool(p.squeeze_all));
        }
        LayerParams::ExpandDims(p) => set("axes", Attr::Ints(p.axes.clone())),
        LayerParams::ConstantPad(p) => {
            set("value", Attr::Float(p.value as f64));
            set("padAmounts", uints(&p.pad_amounts));
            set(
                "padToGivenOutputSizeMode",
                Attr::Bool(p.pad_to_given_output_size_mode),
            );
        }
        LayerParams::Reduce(p) => {
            set(
                "mode",
                enum_attr(
                    p.mode,
                    &[
                        "SUM",
                        "AVG",
                        "PROD",
                        "LOGSUM",
                        "SUMSQUARE",
                        "L1",
                        "L2",
                        "MAX",
                        "MIN",
                        "ARGMAX",
                    ],
                ),
            );
            set("axis", enum_attr(p.axis, &["CHW", "HW", "C", "H", "W"]));
        }
        LayerParams::ReduceL1(p)
        | LayerParams::ReduceL2(p)
        | LayerParams::ReduceMax(p)
        | LayerParams::ReduceMin(p)
        | LayerParams::ReduceSum(p)
        | LayerParams::ReduceProd(p)
        | LayerParams::ReduceMean(p)
        | LayerParams::ReduceLogSum(p)
        | LayerParams::ReduceSumSquare(p)
        | LayerParams::ReduceLogSumExp(p) => {
            set("axes", Attr::Ints(p.axes.clone()));
            set("keepDims", Attr::Bool(p.keep_dims));
            set("reduceAll", Attr::Bool(p.reduce_all));
        }
        _ => {}
    }
}

fn bools(v: &[bool]) -> Attr {
    Attr::Ints(v.iter().map(|&b| b as i64).collect())
}

/// `WeightParams` as values: float32 or float16 data; raw bytes (quantized or typed by the
/// layer) are not interpreted.
fn weight_values(w: &WeightParams) -> (ElementKind, Values) {
    if !w.float16_value.is_empty() {
        let v = w
            .float16_value
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f64())
            .collect();
        (ElementKind::F16, Values::Float(v))
    } else if !w.raw_value.is_empty() || !w.int8_raw_value.is_empty() {
        (ElementKind::Other, Values::Absent)
    } else {
        (
            ElementKind::F32,
            Values::Float(w.float_value.iter().map(|&f| f as f64).collect()),
        )
    }
}

/// A declared `Tensor` (rank and `dimValue`) as a type, when it carries dims.
fn declared(t: &Tensor) -> Option<TensorType> {
    if t.dim_value.is_empty() {
        return None;
    }
    Some(TensorType {
        element: None,
        shape: Some(
            t.dim_value
                .iter()
                .map(|&d| {
                    if d > 0 {
                        Dim::Known(d as usize)
                    } else {
                        Dim::Unknown
                    }
                })
                .collect(),
        ),
    })
}

/// The node of one layer (without nested networks).
fn layer_node(layer: &NeuralNetworkLayer) -> Node {
    let kind = layer
        .layer
        .as_ref()
        .map(LayerParams::kind)
        .unwrap_or("unknown");
    let mut node = Node::new(layer.name.clone(), kind);
    node.inputs = layer.input.clone();
    node.outputs = layer.output.clone();
    if let Some(p) = &layer.layer {
        layer_attrs(p, &mut node.attrs);
    }
    node
}

/// Appends the layers of a network (and of the networks nested in its branch and loop layers,
/// after the layer that holds them) to the graph.
pub(crate) fn read_network(nn: &NeuralNetwork, graph: &mut Graph) {
    for layer in &nn.layers {
        let node = layer_node(layer);
        for (name, t) in layer.input.iter().zip(&layer.input_tensor) {
            if let Some(t) = declared(t) {
                graph.types.entry(name.clone()).or_insert(t);
            }
        }
        for (name, t) in layer.output.iter().zip(&layer.output_tensor) {
            if let Some(t) = declared(t) {
                graph.types.insert(name.clone(), t);
            }
        }
        match &layer.layer {
            Some(LayerParams::LoadConstant(p)) | Some(LayerParams::LoadConstantNd(p)) => {
                if let Some(out) = layer.output.first() {
                    let dims: Vec<usize> = p
                        .shape
                        .iter()
                        .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
                        .collect();
                    let (element, mut values) = p
                        .data
                        .as_ref()
                        .map(weight_values)
                        .unwrap_or((ElementKind::F32, Values::Absent));
                    let count = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
                    if count != Some(values.len()) || dims.len() > super::shapes::MAX_RANK {
                        values = Values::Absent;
                    }
                    graph.constants.insert(
                        out.clone(),
                        Constant {
                            element,
                            dims,
                            values,
                        },
                    );
                }
            }
            _ => {}
        }
        graph.nodes.push(node);
        match &layer.layer {
            Some(LayerParams::Branch(b)) => {
                for n in [&b.if_branch, &b.else_branch].into_iter().flatten() {
                    read_network(n, graph);
                }
            }
            Some(LayerParams::Loop(l)) => {
                for n in [&l.condition_network, &l.body_network]
                    .into_iter()
                    .flatten()
                {
                    read_network(n, graph);
                }
            }
            _ => {}
        }
    }
}
