#!/usr/bin/env python3
"""Builds a small corpus of model files halfpixel has never seen, in the resize-models/1 layout,
to check `halfpixel audit` on other shapes, factors and programs than tests/models.

    python tools/gen_unseen_models.py --out /tmp/unseen --seed 1
    HALFPIXEL_UNSEEN_MODELS=/tmp/unseen cargo test --test models unseen

Needs torch, onnx, onnxruntime, tensorflow (pip install torch onnx onnxruntime tensorflow-cpu).
PyTorch and TensorFlow run in separate processes (`--phase torch`, `--phase tf`). Each model's
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase", choices=["torch", "tf"])
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, "models"), exist_ok=True)
    os.makedirs(os.path.join(a.out, "data"), exist_ok=True)
    if a.phase:
        models = torch_phase(a.out, a.seed) if a.phase == "torch" else tf_phase(a.out, a.seed)
        json.dump(models, open(os.path.join(a.out, f"{a.phase}.json"), "w"))
        return
    models = []
    for phase in ["torch", "tf"]:
        subprocess.run([sys.executable, __file__, "--out", a.out, "--seed", str(a.seed), "--phase", phase], check=True)
        models += json.load(open(os.path.join(a.out, f"{phase}.json")))
    json.dump({"format": "resize-models/1", "generated_by": "tools/gen_unseen_models.py", "models": models, "pairs": [], "refused": []},
              open(os.path.join(a.out, "manifest.json"), "w"), indent=1)
    print(f"{len(models)} models in {a.out}")


if __name__ == "__main__":
    main()
