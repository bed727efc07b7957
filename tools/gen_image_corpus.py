#!/usr/bin/env python3
"""Unseen real-data conformance cases: 8- and 16-bit images (and float32 ones) resized by the
real OpenCV, PyTorch, Pillow and TensorFlow, in the `resize-conformance/1` format.

Every `expected` is the library's own output on a random image of random size, channel count
and factor, so the corpus checks halfpixel on cases it was not built on. Run one library per
process (PyTorch and TensorFlow abort when imported together); `--append` adds to an existing
corpus:

    python tools/gen_image_corpus.py --out /tmp/imgcorpus --only opencv --seed 7
    python tools/gen_image_corpus.py --out /tmp/imgcorpus --only torch --seed 7 --append
    python tools/gen_image_corpus.py --out /tmp/imgcorpus --only pillow --seed 7 --append
    python tools/gen_image_corpus.py --out /tmp/imgcorpus --only tf --seed 7 --append
    cargo run --release -- conformance --corpus /tmp/imgcorpus --backend cpu

Needs (pip): numpy, and the library asked for: opencv-python, torch, pillow, tensorflow.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import numpy as np

CV_FLAGS = ["INTER_NEAREST", "INTER_NEAREST_EXACT", "INTER_LINEAR", "INTER_LINEAR_EXACT",
            "INTER_CUBIC", "INTER_AREA", "INTER_LANCZOS4"]
PIL_FILTERS = ["NEAREST", "BILINEAR", "BICUBIC", "LANCZOS", "BOX", "HAMMING"]
TF_METHODS = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
              "mitchellcubic"]


class Corpus:
    def __init__(self, root: str, append: bool):
        self.root = root
        path = os.path.join(root, "manifest.json")
        if append and os.path.exists(path):
            with open(path) as f:
                self.manifest = json.load(f)
        else:
            if os.path.exists(root):
                shutil.rmtree(root)
            os.makedirs(os.path.join(root, "data"))
            self.manifest = {"format": "resize-conformance/1", "generated_by": "", "cases": []}
        self.ids = {c["id"] for c in self.manifest["cases"]}

    def save_array(self, name: str, a: np.ndarray) -> str:
        rel = f"data/{name}.npy"
        np.save(os.path.join(self.root, rel), np.ascontiguousarray(a))
        return rel

    def add(self, case: dict, x: np.ndarray, y: np.ndarray, input_name: str | None = None):
        cid = case["id"]
        k = 1
        while cid in self.ids:
            k += 1
            cid = f"{case['id']}.{k}"
        case["id"] = cid
        self.ids.add(cid)
        case["input"] = input_name or self.save_array(cid + ".input", x)
        case["expected"] = self.save_array(cid + ".expected", y)
        self.manifest["cases"].append(case)

    def finish(self, versions: str):
        gb = self.manifest.get("generated_by", "")
        self.manifest["generated_by"] = (gb + "; " if gb else "") + versions
        with open(os.path.join(self.root, "manifest.json"), "w") as f:
            json.dump(self.manifest, f, indent=1)


def random_image(rng, dtype, h, w, c):
    kind = rng.integers(0, 3)
    hi = 255 if dtype == np.uint8 else 65535
    if dtype == np.float32:
        return rng.standard_normal((h, w, c)).astype(np.float32)
    if kind == 0:  # noise
        return rng.integers(0, hi + 1, (h, w, c)).astype(dtype)
    if kind == 1:  # extremes, where saturation and overshoot show
        return (rng.integers(0, 2, (h, w, c)) * hi).astype(dtype)
    # smooth ramps with noise, like photos
    yy, xx = np.mgrid[0:h, 0:w]
    base = (np.sin(yy / (3 + rng.random() * 20)) + np.cos(xx / (3 + rng.random() * 20)) + 2) / 4
    img = base[:, :, None] * hi + rng.normal(0, hi * 0.05, (h, w, c))
    return np.clip(np.rint(img), 0, hi).astype(dtype)


def random_size(rng, lo=1, hi=500):
    return int(rng.integers(lo, hi + 1))


def gen_opencv(corpus: Corpus, rng, n: int):
    import cv2
    for i in range(n):
        dtype = [np.uint8, np.uint8, np.uint16, np.float32][rng.integers(0, 4)]
        c = int(rng.integers(1, 5))
        h, w = random_size(rng, 1, 400), random_size(rng, 1, 400)
        x = random_image(rng, dtype, h, w, c)
        flag = CV_FLAGS[rng.integers(0, len(CV_FLAGS))]
        if dtype == np.float32 and flag == "INTER_LINEAR_EXACT":
            flag = "INTER_LINEAR"
        form = rng.integers(0, 3)
        if form == 0:
            dsize = [random_size(rng, 1, 500), random_size(rng, 1, 500)]
            fx = fy = 0.0
        elif form == 1:  # integer shrink factors (area fast paths)
            f = int(rng.integers(2, 6))
            dsize = None
            fx = fy = 1.0 / f
        else:
            dsize = None
            fx = float(np.round(rng.uniform(0.2, 3.0), 3))
            fy = float(np.round(rng.uniform(0.2, 3.0), 3))
        if dsize is None and (round(w * fx) < 1 or round(h * fy) < 1):
            continue
        use_ipp = bool(rng.integers(0, 2))
        cv2.ipp.setUseIPP(use_ipp)
        src = x[:, :, 0] if c == 1 else x
        y = cv2.resize(src, None if dsize is None else tuple(dsize), fx=fx, fy=fy,
                       interpolation=getattr(cv2, flag))
        cv2.ipp.setUseIPP(False)
        portable = cv2.resize(src, None if dsize is None else tuple(dsize), fx=fx, fy=fy,
                              interpolation=getattr(cv2, flag))
        y = y.reshape(y.shape[0], y.shape[1], c)
        portable = portable.reshape(y.shape)
        diff = float(np.max(np.abs(y.astype(np.float64) - portable.astype(np.float64)))) if y.size else 0.0
        tol = diff if dtype != np.float32 else max(diff, 1e-3)
        note = None
        if use_ipp:
            frac = float(np.mean(y != portable)) * 100 if y.size else 0.0
            note = (f"IPP on ({cv2.ipp.getIppVersion()}): differs from the IPP-off result by at "
                    f"most {diff:g} on {frac:.2f}% of values; tolerance = that difference")
        tag = {np.uint8: "u8", np.uint16: "u16", np.float32: "f32"}[dtype]
        case = {
            "id": f"cv2.{flag.lower()}.{'ipp' if use_ipp else 'noipp'}.{tag}.c{c}.{h}x{w}.{i}",
            "reference": f"opencv-python {cv2.__version__} cv2.resize (seed case {i})",
            "op": "resize", "layout": "NHWC",
            "tolerance": {"max_abs": tol},
            "call": {"framework": "opencv", "function": "resize",
                     "args": {"dsize": dsize, "fx": fx, "fy": fy, "interpolation": flag,
                              "use_ipp": use_ipp}},
        }
        if note:
            case["note"] = note
        corpus.add(case, x[None], y[None])
    return f"opencv {cv2.__version__}"


def gen_torch(corpus: Corpus, rng, n: int):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    modes = ["nearest", "nearest-exact", "bilinear", "bicubic"]
    for i in range(n):
        dtype = [np.uint8, np.uint8, np.uint8, np.float32][rng.integers(0, 4)]
        c = int(rng.integers(1, 7))
        h, w = random_size(rng, 1, 300), random_size(rng, 1, 300)
        x = random_image(rng, dtype, h, w, c).transpose(2, 0, 1)[None].copy()
        mode = modes[rng.integers(0, len(modes))]
        align = None
        aa = False
        if mode in ("bilinear", "bicubic"):
            align = bool(rng.integers(0, 2))
            aa = bool(rng.integers(0, 2))
        if rng.integers(0, 2) == 0:
            size = [random_size(rng, 1, 400), random_size(rng, 1, 400)]
            sf = None
        else:
            size = None
            sf = [float(np.round(rng.uniform(0.3, 3.0), 3)), float(np.round(rng.uniform(0.3, 3.0), 3))]
            if int(h * sf[0]) < 1 or int(w * sf[1]) < 1:
                continue
        try:
            y = F.interpolate(torch.from_numpy(x), size=size, scale_factor=sf, mode=mode,
                              align_corners=align, antialias=aa).numpy()
        except Exception:
            continue
        tag = "u8" if dtype == np.uint8 else "f32"
        case = {
            "id": f"torch.{mode}{'.aa' if aa else ''}{'.ac1' if align else ''}.{tag}.c{c}.{h}x{w}.{i}",
            "reference": f"torch {torch.__version__} F.interpolate (seed case {i})",
            "op": "resize", "layout": "NCHW",
            "tolerance": {"max_abs": 0.0 if dtype == np.uint8 else 1e-3},
            "call": {"framework": "torch", "function": "interpolate",
                     "args": {"size": size, "scale_factor": sf, "mode": mode,
                              "align_corners": align, "recompute_scale_factor": None,
                              "antialias": aa}},
        }
        corpus.add(case, x, y)
    return f"torch {torch.__version__}"


def gen_pillow(corpus: Corpus, rng, n: int):
    import PIL
    from PIL import Image
    for i in range(n):
        mode = ["L", "RGB", "RGBA", "RGBA", "F"][rng.integers(0, 5)]
        c = {"L": 1, "RGB": 3, "RGBA": 4, "F": 1}[mode]
        dtype = np.float32 if mode == "F" else np.uint8
        h, w = random_size(rng, 1, 300), random_size(rng, 1, 300)
        x = random_image(rng, dtype, h, w, c)
        if mode == "RGBA" and rng.integers(0, 2):
            # alpha with many 0 and 255 values, where premultiplication matters most
            x[:, :, 3] = rng.choice([0, 255, 1, 128, 254], size=(h, w)).astype(np.uint8)
        img = Image.fromarray(x[:, :, 0] if c == 1 else x, mode=mode)
        size = [random_size(rng, 1, 400), random_size(rng, 1, 400)]
        flt = PIL_FILTERS[rng.integers(0, len(PIL_FILTERS))]
        y = np.asarray(img.resize(tuple(size), getattr(Image.Resampling, flt)))
        y = y.reshape(size[1], size[0], c)
        case = {
            "id": f"pillow.{flt.lower()}.{mode}.{h}x{w}.{i}",
            "reference": f"Pillow {PIL.__version__} Image.resize (seed case {i})",
            "op": "resize", "layout": "NHWC",
            "tolerance": {"max_abs": 1e-3 if mode == "F" else 0.0},
            "call": {"framework": "pillow", "function": "Image.resize",
                     "args": {"size": size, "resample": flt, "mode": mode}},
        }
        corpus.add(case, x[None], y[None])
    return f"pillow {PIL.__version__}"


def gen_tf(corpus: Corpus, rng, n: int):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    for i in range(n):
        c = int(rng.integers(1, 5))
        h, w = random_size(rng, 1, 300), random_size(rng, 1, 300)
        x = random_image(rng, np.uint8, h, w, c)
        method = TF_METHODS[rng.integers(0, len(TF_METHODS))]
        aa = bool(rng.integers(0, 2)) and method != "nearest"
        size = [random_size(rng, 1, 400), random_size(rng, 1, 400)]
        y = tf.image.resize(x[None], size, method=method, antialias=aa).numpy()
        case = {
            "id": f"tf.v2.{method}{'.aa' if aa else ''}.u8.c{c}.{h}x{w}.{i}",
            "reference": f"tensorflow {tf.__version__} tf.image.resize (seed case {i})",
            "op": "resize", "layout": "NHWC",
            "tolerance": {"max_abs": 0.0 if method == "nearest" else 1e-3},
            "call": {"framework": "tf", "function": "image.resize",
                     "args": {"size": size, "method": method, "antialias": aa}},
        }
        corpus.add(case, x[None], y)
    return f"tensorflow {tf.__version__}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", required=True, choices=["opencv", "torch", "pillow", "tf"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--append", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    corpus = Corpus(a.out, a.append)
    gen = {"opencv": gen_opencv, "torch": gen_torch, "pillow": gen_pillow, "tf": gen_tf}[a.only]
    before = len(corpus.manifest["cases"])
    versions = gen(corpus, rng, a.cases)
    corpus.finish(versions)
    print(f"{a.only}: {len(corpus.manifest['cases']) - before} cases -> {a.out}")


if __name__ == "__main__":
    main()
