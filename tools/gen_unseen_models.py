#!/usr/bin/env python3
"""Builds a small corpus of model files halfpixel has never seen, in the resize-models/1 layout,
to check `halfpixel audit` on other shapes, factors and programs than tests/models.

    python tools/gen_unseen_models.py --out /tmp/unseen --seed 1
    HALFPIXEL_UNSEEN_MODELS=/tmp/unseen cargo test --test models unseen

Needs torch, onnx, onnxruntime, tensorflow, coremltools (pip install torch onnx onnxruntime
tensorflow-cpu coremltools). PyTorch, TensorFlow and coremltools run in separate processes
(`--phase torch`, `--phase tf`, `--phase coreml`). Each model's
layers carry op, layout, shapes and, where the model is the layer alone, the runtime's input
and output tensors (onnxruntime, the TFLite interpreter, Keras). Names and calls are not
recorded: the check is that audit finds the layers and that the calls it reads reproduce the
runtimes.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np


def save(out, name, arr):
    path = os.path.join("data", name)
    np.save(os.path.join(out, path), np.ascontiguousarray(arr, dtype=np.float32))
    return path


def layer(op, layout, x, y, input_path=None, expected_path=None, tol=1e-5, pattern=False):
    d = {"op": op, "layout": layout, "input_shape": list(x.shape), "output_shape": list(y.shape),
         "tolerance": {"max_abs": tol}, "pattern": pattern}
    if input_path:
        d["input"], d["expected"] = input_path, expected_path
    return d


def torch_phase(out, seed):
    import onnxruntime as ort
    import torch
    import torch.nn.functional as F

    rng = np.random.RandomState(seed)
    models = []

    class M(torch.nn.Module):
        def __init__(self, f):
            super().__init__()
            self.f = f

        def forward(self, x):
            return self.f(x)

    def sz(lo, hi):
        return int(rng.randint(lo, hi))

    progs = [
        ("bilinear_size", lambda x: F.interpolate(x, size=(sz(13, 19), sz(5, 9)), mode="bilinear", align_corners=False), (1, 3, sz(7, 11), sz(9, 13)), "resize"),
        ("bilinear_ac1_scale", lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear", align_corners=True), (1, 2, sz(6, 10), sz(6, 10)), "resize"),
        ("nearest_x3", lambda x: F.interpolate(x, scale_factor=3, mode="nearest"), (1, 2, sz(4, 7), sz(4, 7)), "resize"),
        ("nearest_size", lambda x: F.interpolate(x, size=(sz(11, 17), sz(3, 5)), mode="nearest"), (1, 2, sz(5, 9), sz(6, 9)), "resize"),
        ("bicubic_down", lambda x: F.interpolate(x, size=(sz(5, 8), sz(5, 8)), mode="bicubic", align_corners=False), (1, 2, sz(12, 16), sz(12, 16)), "resize"),
        ("bicubic_aa_down", lambda x: F.interpolate(x, size=(sz(5, 8), sz(6, 9)), mode="bicubic", antialias=True), (1, 2, sz(17, 23), sz(17, 23)), "resize"),
        ("nearest_exact_x3", lambda x: F.interpolate(x, scale_factor=3, mode="nearest-exact"), (1, 2, sz(4, 7), sz(4, 7)), "resize"),
        ("pixel_shuffle_3", lambda x: F.pixel_shuffle(x, 3), (1, 18, sz(3, 6), sz(3, 6)), "depth_to_space"),
        ("pixel_unshuffle_3", lambda x: F.pixel_unshuffle(x, 3), (1, 2, 9, 12), "space_to_depth"),
        ("size_from_shape", lambda x: F.interpolate(x, size=(x.shape[2] * 2 + 1, x.shape[3] // 2), mode="bilinear", align_corners=False), (1, 3, sz(6, 9), sz(8, 13)), "resize"),
    ]
    exports = {
        "bilinear_size": [("ts13", False, 13), ("dynamo18", True, 18)],
        "bilinear_ac1_scale": [("ts11", False, 11)],
        "nearest_x3": [("dynamo18", True, 18), ("ts17", False, 17)],
        "nearest_size": [("ts11", False, 11)],
        "bicubic_down": [("ts17", False, 17)],
        "bicubic_aa_down": [("dynamo18", True, 18)],
        "nearest_exact_x3": [("dynamo18", True, 18)],
        "pixel_shuffle_3": [("ts11", False, 11)],
        "pixel_unshuffle_3": [("dynamo18", True, 18), ("ts13", False, 13)],
        "size_from_shape": [("ts13.dynamic", False, 13)],
    }
    for name, f, shape, op in progs:
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        m = M(f).eval()
        for tag, dynamo, opset in exports[name]:
            mid = f"torch2onnx.{tag}.{name}"
            path = os.path.join("models", mid + ".onnx")
            kwargs = {}
            if tag.endswith("dynamic"):
                kwargs["dynamic_axes"] = {"x": {2: "h", 3: "w"}}
            torch.onnx.export(m, (torch.from_numpy(x),), os.path.join(out, path), input_names=["x"],
                              output_names=["y"], opset_version=opset, dynamo=dynamo, **kwargs)
            sess = ort.InferenceSession(os.path.join(out, path), providers=["CPUExecutionProvider"])
            y = sess.run(None, {sess.get_inputs()[0].name: x})[0]
            ip, ep = save(out, mid + ".0.input.npy", x), save(out, mid + ".0.expected.npy", y)
            models.append({"id": mid, "file": path, "format": "onnx", "input_shape": list(x.shape),
                           "layers": [layer(op, "NCHW", x, y, ip, ep, 1e-5 if op == "resize" else 0.0)]})
    return models


def tf_phase(out, seed):
    import keras
    import tensorflow as tf

    rng = np.random.RandomState(seed + 1)
    models = []

    def sz(lo, hi):
        return int(rng.randint(lo, hi))

    def tflite(mid, fn, x, op, pattern=False):
        conc = fn.get_concrete_function(tf.TensorSpec(x.shape, tf.float32))
        data = tf.lite.TFLiteConverter.from_concrete_functions([conc], fn).convert()
        path = os.path.join("models", mid + ".tflite")
        open(os.path.join(out, path), "wb").write(data)
        it = tf.lite.Interpreter(model_content=data)
        it.allocate_tensors()
        it.set_tensor(it.get_input_details()[0]["index"], x)
        it.invoke()
        y = it.get_tensor(it.get_output_details()[0]["index"])
        ip, ep = save(out, mid + ".0.input.npy", x), save(out, mid + ".0.expected.npy", y)
        tol = 1e-5 if op == "resize" else 0.0
        models.append({"id": mid, "file": path, "format": "tflite", "input_shape": list(x.shape),
                       "layers": [layer(op, "NHWC", x, y, ip, ep, tol, pattern)]})

    def fn(f):
        return tf.function(f)

    h, w = sz(7, 12), sz(7, 12)
    x = rng.uniform(-1, 1, (1, h, w, 3)).astype(np.float32)
    tflite("tf2tflite.tf2_bilinear_odd", fn(lambda t: tf.image.resize(t, (sz(15, 21), sz(4, 7)), method="bilinear")), x, "resize")
    tflite("tf2tflite.tf1_nearest_tt", fn(lambda t: tf.compat.v1.image.resize_nearest_neighbor(t, (sz(13, 17), sz(13, 17)), align_corners=True)), x, "resize")
    tflite("tf2tflite.tf1_bilinear_ac", fn(lambda t: tf.compat.v1.image.resize_bilinear(t, (sz(4, 6), sz(14, 19)), align_corners=True)), x, "resize")
    tflite("tf2tflite.tf2_nearest_down", fn(lambda t: tf.image.resize(t, (sz(3, 6), sz(3, 6)), method="nearest")), x, "resize")
    x9 = rng.uniform(-1, 1, (1, 3, 4, 18)).astype(np.float32)
    tflite("tf2tflite.depth_to_space_3", fn(lambda t: tf.nn.depth_to_space(t, 3)), x9, "depth_to_space")
    x6 = rng.uniform(-1, 1, (1, 9, 6, 2)).astype(np.float32)
    tflite("tf2tflite.space_to_depth_3", fn(lambda t: tf.nn.space_to_depth(t, 3)), x6, "space_to_depth")

    def keras_model(mid, lyr, shape, op, tflite_too=True, layout="NHWC"):
        xk = rng.uniform(-1, 1, shape).astype(np.float32)
        inp = keras.Input(batch_shape=shape)
        model = keras.Model(inp, lyr(inp))
        path = os.path.join("models", mid + ".keras")
        model.save(os.path.join(out, path))
        y = np.asarray(model(xk))
        ip, ep = save(out, mid + ".0.input.npy", xk), save(out, mid + ".0.expected.npy", y)
        models.append({"id": mid, "file": path, "format": "keras", "input_shape": list(shape),
                       "layers": [layer(op, layout, xk, y, ip, ep, 1e-5)]})
        if tflite_too:
            f = tf.function(lambda t: model(t))
            tflite(mid.replace("keras.", "keras2tflite."), f, xk, op, pattern="nearest" in mid)

    keras_model("keras.upsampling2d_nearest_32", keras.layers.UpSampling2D((3, 2)), (1, sz(4, 7), sz(4, 7), 2), "resize")
    keras_model("keras.upsampling2d_bicubic", keras.layers.UpSampling2D((2, 3), interpolation="bicubic"), (1, sz(4, 7), sz(4, 7), 2), "resize", tflite_too=False)
    keras_model("keras.resizing_crop", keras.layers.Resizing(sz(9, 14), sz(4, 8), crop_to_aspect_ratio=True), (1, sz(10, 15), sz(10, 15), 3), "resize", tflite_too=False)
    keras_model("keras.resizing_bicubic", keras.layers.Resizing(sz(9, 14), sz(15, 20), interpolation="bicubic"), (1, sz(6, 9), sz(6, 9), 3), "resize", tflite_too=False)
    keras_model("keras.resizing_area", keras.layers.Resizing(sz(3, 5), sz(3, 5), interpolation="area"), (1, sz(9, 14), sz(9, 14), 2), "resize", tflite_too=False)
    keras_model("keras.resizing_aa", keras.layers.Resizing(sz(3, 5), sz(4, 6), antialias=True), (1, sz(11, 16), sz(11, 16), 2), "resize", tflite_too=False)
    keras_model("keras.upsampling2d_cf", keras.layers.UpSampling2D((2, 2), data_format="channels_first", interpolation="bilinear"), (1, 2, sz(4, 7), sz(4, 7)), "resize", tflite_too=False, layout="NCHW")
    return models


def coreml_phase(out, seed):
    """PyTorch programs converted by coremltools to a NeuralNetwork .mlmodel and an ML Program
    .mlpackage. Core ML runs only on Apple platforms, so these layers carry no tensors: each
    records its op, shapes, precision and the call read back from the spec with coremltools' own
    protobuf classes (the check is that `audit` reads the same)."""
    # coremltools imports TensorFlow when it is installed, and TensorFlow and PyTorch abort in
    # one process (an LLVM option clash): hide TensorFlow from this phase.
    for mod in ("tensorflow", "keras"):
        sys.modules[mod] = None
    import coremltools as ct
    import torch
    import torch.nn.functional as F

    rng = np.random.RandomState(seed + 2)
    models = []

    class M(torch.nn.Module):
        def __init__(self, f):
            super().__init__()
            self.f = f

        def forward(self, x):
            return self.f(x)

    def sz(lo, hi):
        return int(rng.randint(lo, hi))

    progs = [
        # Sizes are drawn once, outside the lambdas: tracing runs the program several times.
        ("bilinear_ac0_x3", lambda x: F.interpolate(x, scale_factor=3, mode="bilinear", align_corners=False), (1, 3, sz(5, 9), sz(5, 9)), "resize"),
        ("bilinear_ac1_size", lambda x, s=(sz(11, 19), sz(7, 13)): F.interpolate(x, size=s, mode="bilinear", align_corners=True), (1, 2, sz(5, 9), sz(5, 9)), "resize"),
        ("bilinear_ac0_size_frac", lambda x, s=(sz(11, 17), sz(9, 15)): F.interpolate(x, size=s, mode="bilinear", align_corners=False), (1, 2, sz(6, 9), sz(5, 8)), "resize"),
        ("nearest_x2x3", lambda x: F.interpolate(x, scale_factor=(2, 3), mode="nearest"), (1, 4, sz(4, 8), sz(4, 8)), "resize"),
        ("nearest_size_frac", lambda x, s=(sz(11, 15), sz(13, 17)): F.interpolate(x, size=s, mode="nearest"), (1, 2, sz(6, 9), sz(6, 9)), "resize"),
        ("bilinear_down", lambda x, s=(sz(4, 7), sz(4, 7)): F.interpolate(x, size=s, mode="bilinear", align_corners=False), (1, 2, sz(11, 17), sz(11, 17)), "resize"),
        ("pixel_shuffle_3", lambda x: F.pixel_shuffle(x, 3), (1, 18, sz(3, 6), sz(3, 6)), "depth_to_space"),
    ]

    def mil_value(v):
        # A MIL Value's immediate tensor as a Python scalar or list.
        t = v.immediateValue.tensor
        for kind in ("floats", "ints", "bools", "longInts", "doubles", "strings"):
            vals = list(getattr(t, kind).values)
            if vals:
                if kind == "strings":
                    vals = [str(x) for x in vals]
                return vals[0] if len(vals) == 1 and not v.type.tensorType.dimensions else vals
        return None

    def mil_layers(spec):
        ops = spec.mlProgram.functions["main"].block_specializations
        block = next(iter(ops.values()))
        consts = {}
        found = []
        for op in block.operations:
            if op.type == "const":
                consts[op.outputs[0].name] = mil_value(op.attributes["val"])
                continue
            if op.type in ("upsample_bilinear", "upsample_nearest_neighbor", "resize_bilinear",
                           "resize_nearest_neighbor", "resize", "crop_resize", "pixel_shuffle",
                           "pixel_unshuffle", "depth_to_space", "space_to_depth"):
                args = {}
                for name, arg in op.inputs.items():
                    if name == "x":
                        continue
                    b = arg.arguments[0]
                    args[name] = consts[b.name] if b.name else mil_value(b.value)
                found.append((op.outputs[0].name, op.type, args))
        return found

    def nn_layers(spec):
        found = []
        for l in spec.neuralNetwork.layers:
            kind = l.WhichOneof("layer")
            if kind == "upsample":
                u = l.upsample
                args = {"mode": ["NN", "BILINEAR"][u.mode]}
                if u.fractionalScalingFactor:
                    args["fractionalScalingFactor"] = [float(v) for v in u.fractionalScalingFactor]
                else:
                    args["scalingFactor"] = [int(v) for v in u.scalingFactor] or [1, 1]
                if u.mode == 1:
                    args["linearUpsampleMode"] = ["DEFAULT", "ALIGN_CORNERS_TRUE", "ALIGN_CORNERS_FALSE"][u.linearUpsampleMode]
                found.append((l.name, "NeuralNetwork.Upsample", args))
            elif kind == "reorganizeData":
                r = l.reorganizeData
                found.append((l.name, "NeuralNetwork.ReorganizeData",
                              {"mode": ["SPACE_TO_DEPTH", "DEPTH_TO_SPACE", "PIXEL_SHUFFLE"][r.mode], "blockSize": int(r.blockSize)}))
            elif kind == "resizeBilinear":
                r = l.resizeBilinear
                found.append((l.name, "NeuralNetwork.ResizeBilinear",
                              {"targetSize": [int(v) for v in r.targetSize],
                               "mode": ["STRICT_ALIGN_ENDPOINTS_MODE", "ALIGN_ENDPOINTS_MODE", "UPSAMPLE_MODE", "ROI_ALIGN_MODE"][r.mode.samplingMethod]}))
        return found

    for name, f, shape, op in progs:
        x = rng.uniform(-1, 1, shape).astype(np.float32)
        m = M(f).eval()
        traced = torch.jit.trace(m, torch.from_numpy(x))
        y = m(torch.from_numpy(x)).detach().numpy()
        for target, ext in (("neuralnetwork", ".mlmodel"), ("mlprogram", ".mlpackage")):
            mid = f"torch2coreml.{target}.{name}"
            path = os.path.join("models", mid + ext)
            try:
                mlm = ct.convert(traced, inputs=[ct.TensorType(name="x", shape=x.shape)], convert_to=target)
            except Exception as e:  # the converter refuses some programs: nothing to check
                print(f"{mid}: coremltools refused: {e}", file=sys.stderr)
                continue
            mlm.save(os.path.join(out, path))
            spec = mlm.get_spec()
            found = nn_layers(spec) if target == "neuralnetwork" else mil_layers(spec)
            layers = []
            for lname, function, args in found:
                d = layer(op, "NCHW", x, y)
                d["name"] = lname
                d["call"] = {"framework": "coreml", "function": function, "args": args}
                if target == "mlprogram":
                    d["precision"] = "float16"
                layers.append(d)
            models.append({"id": mid, "file": path, "format": "coreml", "input_shape": list(x.shape),
                           "layers": layers})
    return models


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase", choices=["torch", "tf", "coreml"])
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "models"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "data"), exist_ok=True)
    if a.phase:
        models = {"torch": torch_phase, "tf": tf_phase, "coreml": coreml_phase}[a.phase](a.out, a.seed)
        json.dump(models, open(os.path.join(a.out, f"{a.phase}.json"), "w"))
        return
    models = []
    for phase in ["torch", "tf", "coreml"]:
        subprocess.run([sys.executable, __file__, "--out", a.out, "--seed", str(a.seed), "--phase", phase], check=True)
        models += json.load(open(os.path.join(a.out, f"{phase}.json")))
    json.dump({"format": "resize-models/1", "generated_by": "tools/gen_unseen_models.py", "models": models, "pairs": [], "refused": []},
              open(os.path.join(a.out, "manifest.json"), "w"), indent=1)
    print(f"{len(models)} models in {a.out}")


if __name__ == "__main__":
    main()
