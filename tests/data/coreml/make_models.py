"""Regenerates the Core ML models of tests/models_coreml.rs (`unseen_models_read_correctly`) and
their expected layers, with coremltools (not with halfpixel).

    python tests/data/coreml/make_models.py      # coremltools 9.0, torch 2.15 (CPU)

These are models the corpus (tests/models) does not have: other factors and sizes, a pixel
shuffle of 3, a conv/pool/concat network, a NeuralNetwork classifier, a pipeline, an image input,
flexible input shapes, iOS16/iOS17 ML Programs, a float32 ML Program, and MIL programs built op by
op (resize_bilinear in every sampling mode, crop_resize, resize, depth_to_space, …) converted to
both backends. A zipped copy of one package is made by the test itself.

expected.json lists, per file, every resize-like layer as coremltools reads the file back: the
NeuralNetwork layer's name and parameters (proto field names), or the ML Program op's first
output name and its inputs other than `x` as stored. Shapes come from PyTorch (the tensors
around F.interpolate / pixel_shuffle in an eager run) or from the ML Program's declared types.
"""

import json
import os
import shutil
import sys
import warnings

# coremltools imports TensorFlow when it is installed; keep it out of this (PyTorch) process.
sys.modules["tensorflow"] = None

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore")

import coremltools as ct  # noqa: E402
from coremltools.converters.mil import Builder as mb  # noqa: E402
from coremltools.proto import NeuralNetwork_pb2 as NN  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "models")
expected = []


def norm_shape(s):
    s = list(int(d) for d in s)
    while len(s) > 4 and s[0] == 1:
        s = s[1:]
    if len(s) == 3:
        s = [1] + s
    return s


# ---------------------------------------------------------------- reading the files back


def nn_call(layer):
    kind = layer.WhichOneof("layer")
    if kind == "upsample":
        p = layer.upsample
        args = {}
        if len(p.fractionalScalingFactor):
            args["fractionalScalingFactor"] = [float(v) for v in p.fractionalScalingFactor]
        if len(p.scalingFactor) or not len(p.fractionalScalingFactor):
            args["scalingFactor"] = [int(v) for v in p.scalingFactor] or [1, 1]
        args["mode"] = NN.UpsampleLayerParams.InterpolationMode.Name(p.mode)
        if args["mode"] == "BILINEAR":
            args["linearUpsampleMode"] = NN.UpsampleLayerParams.LinearUpsampleMode.Name(
                p.linearUpsampleMode
            )
        return "resize", "NeuralNetwork.Upsample", args
    if kind == "resizeBilinear":
        p = layer.resizeBilinear
        return "resize", "NeuralNetwork.ResizeBilinear", {
            "targetSize": [int(v) for v in p.targetSize] or [1, 1],
            "mode": NN.SamplingMode.Method.Name(p.mode.samplingMethod),
        }
    if kind == "reorganizeData":
        p = layer.reorganizeData
        mode = NN.ReorganizeDataLayerParams.ReorganizationType.Name(p.mode)
        op = "space_to_depth" if mode == "SPACE_TO_DEPTH" else "depth_to_space"
        return op, "NeuralNetwork.ReorganizeData", {"mode": mode, "blockSize": int(p.blockSize)}
    if kind == "cropResize":
        p = layer.cropResize
        return "resize", "NeuralNetwork.CropResize", {
            "targetSize": [int(v) for v in p.targetSize] or [1, 1],
            "normalizedCoordinates": bool(p.normalizedCoordinates),
            "mode": NN.SamplingMode.Method.Name(p.mode.samplingMethod),
            "boxIndicesMode": NN.BoxCoordinatesMode.Coordinates.Name(p.boxIndicesMode.boxMode),
            "spatialScale": float(p.spatialScale),
            "roi": None,  # filled from the loadConstantND that feeds it
        }
    return None


def nn_layers(spec):
    """Resize-like layers of a NeuralNetwork (or classifier, or pipeline of them), in order."""
    found = []
    constants = {}

    def walk(net):
        for layer in net.layers:
            kind = layer.WhichOneof("layer")
            if kind in ("loadConstantND", "loadConstant"):
                p = getattr(layer, kind)
                vals = np.array(p.data.floatValue, dtype=np.float64).reshape([int(d) for d in p.shape])
                constants[layer.output[0]] = vals.tolist()
            c = nn_call(layer)
            if c:
                op, fn, args = c
                if fn == "NeuralNetwork.CropResize":
                    args["roi"] = constants[layer.input[1]]
                found.append({"name": layer.name, "op": op, "call": {"framework": "coreml", "function": fn, "args": args}})

    def model(m):
        k = m.WhichOneof("Type")
        if k in ("neuralNetwork", "neuralNetworkClassifier", "neuralNetworkRegressor"):
            walk(getattr(m, k))
        elif k == "pipeline":
            for sub in m.pipeline.models:
                model(sub)
        elif k in ("pipelineClassifier", "pipelineRegressor"):
            for sub in getattr(m, k).pipeline.models:
                model(sub)

    model(spec)
    return found


MIL_OPS = {
    "upsample_bilinear": "resize",
    "upsample_nearest_neighbor": "resize",
    "resize_bilinear": "resize",
    "resize_nearest_neighbor": "resize",
    "resize": "resize",
    "crop_resize": "resize",
    "pixel_shuffle": "depth_to_space",
    "depth_to_space": "depth_to_space",
    "pixel_unshuffle": "space_to_depth",
    "space_to_depth": "space_to_depth",
}


def mil_value(v, ttype):
    t = v.immediateValue.tensor
    kind = t.WhichOneof("value")
    dt = ttype.dataType
    if kind == "floats":
        vals = [float(x) for x in t.floats.values]
    elif kind == "doubles":
        vals = [float(x) for x in t.doubles.values]
    elif kind == "ints":
        vals = [int(x) for x in t.ints.values]
    elif kind == "longInts":
        vals = [int(x) for x in t.longInts.values]
    elif kind == "bools":
        vals = [bool(x) for x in t.bools.values]
    elif kind == "strings":
        vals = [str(x) for x in t.strings.values]
    elif kind == "bytes":
        raw = t.bytes.values
        np_type = {10: np.float16, 11: np.float32, 21: np.int8, 22: np.int16, 23: np.int32, 24: np.int64,
                   31: np.uint8, 32: np.uint16, 33: np.uint32, 34: np.uint64}[dt]
        vals = [x.item() for x in np.frombuffer(raw, dtype=np_type)]
        vals = [float(x) if isinstance(x, float) else int(x) for x in vals]
    else:
        raise ValueError(kind)
    dims = [int(d.constant.size) for d in ttype.dimensions]
    if not dims:
        return vals[0]
    return np.array(vals, dtype=object).reshape(dims).tolist()


def mil_types(block, types, dtypes):
    for op in block.operations:
        for o in op.outputs:
            tt = o.type.tensorType
            types[o.name] = [int(d.constant.size) for d in tt.dimensions]
            dtypes[o.name] = tt.dataType


def mil_layers(spec):
    prog = spec.mlProgram
    f = prog.functions["main"]
    block = f.block_specializations[f.opset]
    consts = {}
    types, dtypes = {}, {}
    for i in f.inputs:
        types[i.name] = [int(d.constant.size) for d in i.type.tensorType.dimensions]
        dtypes[i.name] = i.type.tensorType.dataType
    mil_types(block, types, dtypes)
    found = []
    for op in block.operations:
        if op.type == "const":
            if op.attributes["val"].WhichOneof("value") != "immediateValue":
                continue  # weights in the blob file
            consts[op.outputs[0].name] = mil_value(op.attributes["val"], op.outputs[0].type.tensorType)
            continue
        if op.type not in MIL_OPS:
            continue
        args = {}
        for k, arg in op.inputs.items():
            if k == "x":
                continue
            vals = [consts[b.name] for b in arg.arguments]
            args[k] = vals[0] if len(vals) == 1 else vals
        x = op.inputs["x"].arguments[0].name
        out = op.outputs[0].name
        precision = {10: "float16", 11: "float32"}.get(dtypes[x])
        found.append({
            "name": out,
            "op": MIL_OPS[op.type],
            "call": {"framework": "coreml", "function": op.type, "args": args},
            "input_shape": norm_shape(types[x]) if all(types[x]) else None,
            "output_shape": norm_shape(types[out]) if all(types[out]) else None,
            "precision": precision,
        })
    return found


def save(model, name):
    ext = ".mlpackage" if model.get_spec().WhichOneof("Type") == "mlProgram" else ".mlmodel"
    path = os.path.join(out_dir, name + ext)
    if os.path.isdir(path):
        shutil.rmtree(path)
    model.save(path)
    return name + ext


def record(file, layers, note, input_shapes=None):
    entry = {"file": file, "note": note, "layers": layers}
    if input_shapes:
        entry["input_shapes"] = input_shapes
    expected.append(entry)
    print(file, [l["call"]["function"] for l in layers])


# ---------------------------------------------------------------- torch programs


class Captured:
    """Records (input shape, output shape) of every F.interpolate / pixel (un)shuffle call."""

    def __init__(self):
        self.shapes = []

    def __enter__(self):
        self.saved = (F.interpolate, F.pixel_shuffle, F.pixel_unshuffle)

        def wrap(fn):
            def inner(x, *a, **k):
                y = fn(x, *a, **k)
                self.shapes.append((list(x.shape), list(y.shape)))
                return y
            return inner

        F.interpolate, F.pixel_shuffle, F.pixel_unshuffle = (wrap(f) for f in self.saved)
        return self

    def __exit__(self, *exc):
        F.interpolate, F.pixel_shuffle, F.pixel_unshuffle = self.saved


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


class ConvPoolUp(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3)

    def forward(self, x):
        y = torch.relu(self.conv(x))            # [1, 8, 9, 12]
        y = F.max_pool2d(y, 2)                  # [1, 8, 4, 6]
        y = torch.cat([y, y * 2], dim=1)        # [1, 16, 4, 6]
        y = F.pixel_shuffle(y, 2)               # [1, 4, 8, 12]
        y = F.interpolate(y, scale_factor=(3, 2), mode="nearest")  # [1, 4, 24, 24]
        y = F.interpolate(y, size=(10, 13), mode="bilinear", align_corners=False)
        return y


class FlexNet(nn.Module):
    """Only scale-based resizes, so that it converts with flexible height and width."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)

    def forward(self, x):
        y = F.max_pool2d(torch.relu(self.conv(x)), 2)
        y = F.pixel_shuffle(torch.cat([y, y * 2], dim=1), 2)
        y = F.interpolate(y, scale_factor=(3, 2), mode="nearest")
        return F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=True)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        y = F.interpolate(torch.relu(self.conv(x)), scale_factor=2, mode="bilinear", align_corners=True)
        y = F.adaptive_avg_pool2d(y, 1).flatten(1)
        return torch.softmax(self.fc(y), dim=1)


def torch_shapes(module, shape):
    with Captured() as c, torch.no_grad():
        module(torch.randn(*shape))
    return [(norm_shape(i), norm_shape(o)) for i, o in c.shapes]


def with_shapes(layers, shapes):
    assert len(layers) == len(shapes), (layers, shapes)
    for l, (i, o) in zip(layers, shapes):
        l["input_shape"], l["output_shape"] = i, o
        l.setdefault("precision", None)
    return layers


def convert(module, shape, target, **kw):
    traced = torch.jit.trace(module.eval(), torch.randn(*shape))
    inputs = kw.pop("inputs", [ct.TensorType(name="x", shape=shape)])
    return ct.convert(traced, inputs=inputs, convert_to=target, **kw)


def torch_case(name, module, shape, targets=("neuralnetwork", "mlprogram"), **kw):
    shapes = torch_shapes(module, shape)
    for target in targets:
        m = convert(module, shape, target, **dict(kw))
        short = "nn" if target == "neuralnetwork" else "mlp"
        file = save(m, f"{short}.{name}")
        spec = m.get_spec()
        if target == "neuralnetwork":
            layers = with_shapes(nn_layers(spec), shapes)
        else:
            layers = mil_layers(spec)
        record(file, layers, f"torch {name} -> {target}")


def main():
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    torch_case("nearest_x3", Fn(lambda x: F.interpolate(x, scale_factor=3, mode="nearest")), (1, 2, 5, 7))
    torch_case(
        "bilinear_ac1_down",
        Fn(lambda x: F.interpolate(x, size=(4, 5), mode="bilinear", align_corners=True)),
        (1, 3, 9, 11),
    )
    torch_case(
        "bilinear_scale_1_5",
        Fn(lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=False)),
        (1, 2, 6, 8),
    )
    torch_case("pixel_shuffle_3", Fn(lambda x: F.pixel_shuffle(x, 3)), (1, 18, 4, 5))
    torch_case("conv_pool_up", ConvPoolUp(), (1, 3, 17, 23))
    torch_case(
        "pixel_unshuffle_2_ios16",
        Fn(lambda x: F.pixel_unshuffle(x, 2)),
        (1, 2, 6, 8),
        targets=("mlprogram",),
        minimum_deployment_target=ct.target.iOS16,
    )
    torch_case(
        "bilinear_x2_ios16",
        Fn(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)),
        (1, 2, 5, 6),
        targets=("mlprogram",),
        minimum_deployment_target=ct.target.iOS16,
    )
    torch_case(
        "nearest_size_ios17",
        Fn(lambda x: F.interpolate(x, size=(11, 9), mode="nearest")),
        (1, 2, 5, 6),
        targets=("mlprogram",),
        minimum_deployment_target=ct.target.iOS17,
    )
    torch_case(
        "bilinear_size_fp32",
        Fn(lambda x: F.interpolate(x, size=(7, 13), mode="bilinear", align_corners=False)),
        (1, 2, 5, 6),
        targets=("mlprogram",),
        compute_precision=ct.precision.FLOAT32,
    )

    # An image input (RGB, 8x10): a [1, 3, 8, 10] tensor to the network.
    up = Fn(lambda x: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False))
    shapes = torch_shapes(up, (1, 3, 8, 10))
    for target in ("neuralnetwork", "mlprogram"):
        m = convert(up, (1, 3, 8, 10), target, inputs=[ct.ImageType(name="image", shape=(1, 3, 8, 10))])
        short = "nn" if target == "neuralnetwork" else "mlp"
        file = save(m, f"{short}.image_input")
        spec = m.get_spec()
        layers = with_shapes(nn_layers(spec), shapes) if target == "neuralnetwork" else mil_layers(spec)
        record(file, layers, f"image input -> {target}")

    # A NeuralNetwork classifier.
    cls = Classifier()
    shapes = torch_shapes(cls, (1, 3, 6, 7))
    m = convert(cls, (1, 3, 6, 7), "neuralnetwork", classifier_config=ct.ClassifierConfig(["a", "b", "c"]))
    assert m.get_spec().WhichOneof("Type") == "neuralNetworkClassifier"
    record(save(m, "nn.classifier"), with_shapes(nn_layers(m.get_spec()), shapes), "NeuralNetwork classifier")

    # A pipeline of two NeuralNetwork models: x3 nearest, then a 2x2 pixel shuffle.
    first = Fn(lambda x: F.interpolate(x, scale_factor=3, mode="nearest"))
    second = Fn(lambda x: F.pixel_shuffle(x, 2))
    m1 = convert(first, (1, 8, 2, 3), "neuralnetwork")
    m2 = convert(second, (1, 8, 6, 9), "neuralnetwork", inputs=[ct.TensorType(name="y", shape=(1, 8, 6, 9))])
    s1, s2 = m1.get_spec(), m2.get_spec()
    out1 = s1.description.output[0].name
    s2.description.input[0].name = out1
    for layer in s2.neuralNetwork.layers:
        for k, i in enumerate(layer.input):
            if i == "y":
                layer.input[k] = out1
    s1.description.output[0].type.multiArrayType.shape.extend([1, 8, 6, 9])
    s1.description.output[0].type.multiArrayType.dataType = ct.proto.FeatureTypes_pb2.ArrayFeatureType.FLOAT32
    pipe = ct.models.pipeline.Pipeline(
        input_features=[("x", ct.models.datatypes.Array(1, 8, 2, 3))],
        output_features=[s2.description.output[0].name],
    )
    pipe.add_model(s1)
    pipe.add_model(s2)
    pipe.spec.specificationVersion = max(s1.specificationVersion, s2.specificationVersion)
    spec = pipe.spec
    pm = ct.models.MLModel(spec, skip_model_load=True)
    shapes = torch_shapes(first, (1, 8, 2, 3)) + torch_shapes(second, (1, 8, 6, 9))
    record(save(pm, "nn.pipeline"), with_shapes(nn_layers(spec), shapes), "pipeline of two NeuralNetworks")

    # Flexible input shapes: the layers need --input-shape.
    flex = Fn(lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
    shape = ct.Shape(shape=(1, 2, ct.RangeDim(4, 64, default=5), ct.RangeDim(4, 64, default=7)))
    for target in ("neuralnetwork", "mlprogram"):
        m = convert(flex, (1, 2, 5, 7), target, inputs=[ct.TensorType(name="x", shape=shape)])
        short = "nn" if target == "neuralnetwork" else "mlp"
        spec = m.get_spec()
        layers = nn_layers(spec) if target == "neuralnetwork" else mil_layers(spec)
        # At the shape given to the test: [1, 2, 9, 11] -> [1, 2, 18, 22].
        for l in layers:
            l["input_shape"], l["output_shape"] = [1, 2, 9, 11], [1, 2, 18, 22]
            l.setdefault("precision", None)
        record(save(m, f"{short}.flexible"), layers, f"flexible H, W -> {target}", input_shapes={"x": [1, 2, 9, 11]})

    # Flexible input shapes through conv, pool, concat and pixel shuffle.
    flexnet = FlexNet()
    at = (1, 3, 34, 46)
    shapes = torch_shapes(flexnet, at)
    shape = ct.Shape(shape=(1, 3, ct.RangeDim(16, 256, default=32), ct.RangeDim(16, 256, default=40)))
    for target in ("neuralnetwork", "mlprogram"):
        m = convert(flexnet, (1, 3, 32, 40), target, inputs=[ct.TensorType(name="x", shape=shape)])
        short = "nn" if target == "neuralnetwork" else "mlp"
        spec = m.get_spec()
        if target == "neuralnetwork":
            layers = with_shapes(nn_layers(spec), shapes)
        else:
            layers = mil_layers(spec)
            for l, (i, o) in zip(layers, shapes):
                l["input_shape"], l["output_shape"] = i, o
        record(save(m, f"{short}.flexible_conv"), layers, f"flexible conv net -> {target}",
               input_shapes={"x": list(at)})

    # MIL programs built op by op, converted to both backends.
    def mil_case(name, build, shape, nn_too=True, target=ct.target.iOS15):
        @mb.program(input_specs=[mb.TensorSpec(shape=shape)], opset_version=target)
        def prog(x):
            return build(x)

        mlp = ct.convert(prog, convert_to="mlprogram", minimum_deployment_target=target,
                         compute_precision=ct.precision.FLOAT32)
        mlp_layers = mil_layers(mlp.get_spec())
        record(save(mlp, f"mlp.mil_{name}"), mlp_layers, f"MIL {name} -> mlprogram")
        if nn_too:
            @mb.program(input_specs=[mb.TensorSpec(shape=shape)])
            def prog_nn(x):
                return build(x)

            m = ct.convert(prog_nn, convert_to="neuralnetwork")
            layers = nn_layers(m.get_spec())
            assert len(layers) == len(mlp_layers), name
            for l, ref in zip(layers, mlp_layers):
                l["input_shape"], l["output_shape"], l["precision"] = ref["input_shape"], ref["output_shape"], None
            record(save(m, f"nn.mil_{name}"), layers, f"MIL {name} -> neuralnetwork")

    def resize_modes(x):
        outs = []
        for mode in ["STRICT_ALIGN_CORNERS", "ALIGN_CORNERS", "DEFAULT", "OFFSET_CORNERS"]:
            outs.append(mb.resize_bilinear(x=x, target_size_height=7, target_size_width=3, sampling_mode=mode))
        return outs

    mil_case("resize_bilinear_modes", resize_modes, (1, 2, 4, 5))
    mil_case(
        "resize_bilinear_unalign",
        lambda x: mb.resize_bilinear(x=x, target_size_height=9, target_size_width=2, sampling_mode="UNALIGN_CORNERS"),
        (1, 2, 4, 5),
        nn_too=False,
    )
    mil_case("resize_nearest", lambda x: mb.resize_nearest_neighbor(x=x, target_size_height=8, target_size_width=15), (1, 2, 4, 5))
    mil_case(
        "upsample_nearest_int",
        lambda x: mb.upsample_nearest_neighbor(x=x, scale_factor_height=2, scale_factor_width=3),
        (1, 2, 4, 5),
    )
    mil_case(
        "crop_resize",
        lambda x: mb.crop_resize(
            x=x,
            roi=np.array([[[[[0.1]], [[0.2]], [[0.7]], [[0.9]]]]], dtype=np.float32),
            target_height=3,
            target_width=4,
            normalized_coordinates=True,
            box_coordinate_mode="CORNERS_HEIGHT_FIRST",
            sampling_mode="ALIGN_CORNERS",
        ),
        (1, 2, 6, 7),
    )
    mil_case(
        "d2s_s2d",
        lambda x: mb.space_to_depth(x=mb.depth_to_space(x=x, block_size=2), block_size=3),
        (1, 36, 3, 3),
    )
    mil_case(
        "resize_ios17",
        lambda x: mb.resize(x=x, shape=np.array([0, 0, 9, 4], dtype=np.int32), resized_dims=np.uint32(2),
                            interpolation_mode="NEAREST_NEIGHBOR", sampling_mode="DEFAULT"),
        (1, 2, 4, 5),
        nn_too=False,
        target=ct.target.iOS17,
    )
    mil_case(
        "crop_resize_ios17",
        lambda x: mb.crop_resize(
            x=x,
            boxes=np.array([[1.0, 0.5, 4.0, 5.5]], dtype=np.float32),
            box_indices=np.array([0], dtype=np.int32),
            target_height=4,
            target_width=3,
            normalized_coordinates=False,
            box_coordinate_mode="CORNERS_HEIGHT_FIRST",
            sampling_mode="STRICT_ALIGN_CORNERS",
            pad_value=0.5,
        ),
        (1, 2, 6, 7),
        nn_too=False,
        target=ct.target.iOS17,
    )

    with open(os.path.join(here, "expected.json"), "w") as f:
        json.dump({"generated_by": f"coremltools {ct.__version__}, torch {torch.__version__}", "models": expected}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
