#!/usr/bin/env python3
"""Differential conformance corpus generator for halfpixel.

Builds a corpus in the `resize-conformance/1` format (tests/corpus/FORMAT.md) whose every
`expected` comes from the real framework, with random shapes, sizes and scale factors that the
shipped corpus does not contain. Cases carry `call` only (no portable `resize` block).

    python tools/gen_diff_corpus.py --out /tmp/diffcorpus/corpus [--seed N] [--only torch,tf,...]
    cargo run --release -q -- conformance --corpus /tmp/diffcorpus/corpus -v

Needs (pip): numpy onnx onnxruntime opencv-python-headless tensorflow-cpu torch.
A framework that is not importable is skipped. Calls that the framework rejects (raise) are
counted as "rejected" and not recorded. Ground truth for `onnx` cases is
`onnx.reference.ReferenceEvaluator` (onnxruntime only annotates disagreements in `note`), except
the few `tf_half_pixel_for_nn` cases the reference cannot run, recorded from onnxruntime and
marked so in `reference`.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import traceback
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

TOL_EXACT = 0.0
TOL_WEIGHTED = 1e-5


def fmt(v) -> str:
    """Short token for ids: 1.5 -> 1p5, -0.75 -> 0p75n."""
    if isinstance(v, float):
        s = f"{abs(v):.4g}".replace(".", "p")
        return s + ("n" if v < 0 else "")
    return str(v)


def f32(v: float) -> float:
    return float(np.float32(v))


class Corpus:
    def __init__(self, root: str):
        self.root = root
        if os.path.exists(root):
            shutil.rmtree(root)
        os.makedirs(os.path.join(root, "data"))
        self.cases: list[dict] = []
        self.ids: set[str] = set()
        self.rejected = Counter()
        self.reject_examples: dict[str, list[str]] = {}
        self.versions: dict[str, str] = {}

    def reject(self, group: str, what: str, err: BaseException):
        self.rejected[group] += 1
        ex = self.reject_examples.setdefault(group, [])
        if len(ex) < 6:
            ex.append(f"{what}: {type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}")

    def add(self, cid, reference, op, layout, x, y, call, tol, note=None, block_size=None,
            order=None):
        base = cid
        k = 2
        while cid in self.ids:
            cid = f"{base}.v{k}"
            k += 1
        self.ids.add(cid)
        x = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
        y = np.ascontiguousarray(np.asarray(y, dtype=np.float32))
        if not np.all(np.isfinite(y)):
            note = ((note + " | ") if note else "") + "expected contains non-finite values"
        inp = f"data/{cid}.input.npy"
        exp = f"data/{cid}.expected.npy"
        np.save(os.path.join(self.root, inp), x)
        np.save(os.path.join(self.root, exp), y)
        case = {
            "id": cid,
            "reference": reference,
            "op": op,
            "layout": layout,
            "input": inp,
            "expected": exp,
            "call": call,
        }
        if block_size is not None:
            case["block_size"] = block_size
            case["order"] = order
        case["tolerance"] = {"max_abs": tol}
        if note:
            case["note"] = note
        self.cases.append(case)

    def write(self):
        gen = "tools/gen_diff_corpus.py; " + ", ".join(f"{k} {v}" for k, v in self.versions.items())
        with open(os.path.join(self.root, "manifest.json"), "w") as f:
            json.dump({"format": "resize-conformance/1", "generated_by": gen, "cases": self.cases},
                      f, indent=1)


# --------------------------------------------------------------------------------------------
# random helpers

class R:
    def __init__(self, seed):
        self.g = np.random.default_rng(seed)

    def int(self, lo, hi):  # inclusive
        return int(self.g.integers(lo, hi + 1))

    def choice(self, seq):
        return seq[int(self.g.integers(0, len(seq)))]

    def coin(self, p=0.5):
        return bool(self.g.random() < p)

    def channels(self):
        return self.choice([1, 1, 2, 3, 3, 4, 4, 5, 6, 7, 8, 16, 67])

    def batch(self):
        return self.choice([1, 1, 1, 2, 3])

    def length(self):
        # 1..20, length 1 now and then
        return self.choice([1] + list(range(2, 21)) + [2, 3, 4, 5, 6, 7, 8, 9, 10])

    def data(self, shape):
        return self.g.standard_normal(shape).astype(np.float32)

    def scale(self):
        return self.choice([0.3, 0.45, 0.5, 0.7, 0.75, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0, 1 / 3, 4.0,
                            0.25, 0.6, 0.8, 1.25, 1.7, 2.3, 0.9, 1.1,
                            round(float(self.g.uniform(0.2, 4.0)), 2)])

    def out_len(self, in_len):
        k = self.int(0, 9)
        if k == 0:
            return 1
        if k <= 3:  # downscale
            return self.int(1, max(1, in_len))
        if k <= 7:  # upscale
            return self.int(in_len, max(in_len, 3 * in_len + 2))
        return self.int(1, 24)


# --------------------------------------------------------------------------------------------
# torch

def gen_torch(C: Corpus, r: R, n_cases: int, n_edge: int):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    ver = torch.__version__
    C.versions["torch"] = ver
    modes = ["nearest", "nearest-exact", "bilinear", "bicubic", "area"]

    def run(x, args):
        t = torch.from_numpy(x)
        y = F.interpolate(t, **args)
        return y.numpy()

    def ref_str(args):
        parts = []
        if args.get("size") is not None:
            parts.append(f"size={tuple(args['size'])}")
        if args.get("scale_factor") is not None:
            parts.append(f"scale_factor={tuple(args['scale_factor'])}")
        parts.append(f"mode={args['mode']!r}")
        for k in ("align_corners", "recompute_scale_factor"):
            if args.get(k) is not None:
                parts.append(f"{k}={args[k]}")
        if args.get("antialias"):
            parts.append("antialias=True")
        return f"torch {ver} F.interpolate(x, {', '.join(parts)})"

    def case(x, args, tag=""):
        """Runs one interpolate call and records it; False when torch rejects it."""
        n, c, h, w = x.shape
        try:
            y = run(x, args)
            if y.size == 0:
                raise ValueError(f"empty output {list(y.shape)}")
        except Exception as e:  # framework rejects the call
            C.reject("torch.interpolate", json.dumps(args), e)
            return False
        mode = args["mode"]
        tol = TOL_EXACT if mode in ("nearest", "nearest-exact") else TOL_WEIGHTED
        ac = {None: "", False: ".ac0", True: ".ac1"}[args["align_corners"]]
        aa = ".aa" if args["antialias"] else ""
        if args["size"] is not None:
            geo = f"size{args['size'][0]}x{args['size'][1]}"
        else:
            geo = f"scale{fmt(args['scale_factor'][0])}x{fmt(args['scale_factor'][1])}"
            geo += {None: "", False: ".rc0", True: ".rc1"}[args["recompute_scale_factor"]]
        cid = f"torch{tag}.{mode.replace('-', '_')}{ac}{aa}.{geo}.n{n}c{c}h{h}w{w}"
        note = None
        if y.shape[2] + y.shape[3] > 128:
            note = "out_h + out_w > 128 (PyTorch's generic CPU kernel)"
        C.add(cid, ref_str(args), "resize", "NCHW", x, y,
              {"framework": "torch", "function": "interpolate", "args": args}, tol, note)
        return True

    def base_args(mode):
        return {"size": None, "scale_factor": None, "mode": mode, "align_corners": None,
                "recompute_scale_factor": None, "antialias": False}

    count = 0
    attempts = 0
    while count < n_cases and attempts < n_cases * 5:
        attempts += 1
        mode = modes[count % len(modes)]
        big = r.coin(0.12)
        n, c = r.batch(), r.channels()
        if big:
            c = r.choice([1, 2, 3, 4, 5])
            h, w = r.int(4, 20), r.int(4, 20)
        else:
            h, w = r.length(), r.length()
        if c >= 16:
            n = 1
            h, w = min(h, 8), min(w, 8)
        args = base_args(mode)
        use_size = r.coin(0.5) or big
        if use_size:
            if big:
                oh, ow = r.int(40, 90), r.int(40, 90)
                if r.coin(0.3):
                    oh = r.int(1, 10)
                    ow = r.int(129, 140)
            else:
                oh, ow = r.out_len(h), r.out_len(w)
            args["size"] = [oh, ow]
        else:
            sh = r.scale()
            sw = sh if r.coin(0.5) else r.scale()
            args["scale_factor"] = [float(sh), float(sw)]
            args["recompute_scale_factor"] = r.choice([None, None, False, True])
        if mode in ("bilinear", "bicubic"):
            args["align_corners"] = r.choice([None, False, True])
            args["antialias"] = r.coin(0.35)
        if case(r.data((n, c, h, w)), args):
            count += 1

    # edge sweep: tiny and unit lengths, every mode / align_corners / antialias
    lens_in = [1, 2, 3, 5, 8]
    lens_out = [1, 2, 3, 4, 7, 10, 16]
    for k in range(n_edge):
        mode = modes[k % len(modes)]
        args = base_args(mode)
        h, w = r.choice(lens_in), r.choice(lens_in)
        if r.coin(0.7):
            args["size"] = [r.choice(lens_out), r.choice(lens_out)]
        else:
            args["scale_factor"] = [float(r.choice([0.5, 1.0, 1.5, 2.0, 3.0, 0.75, 2.5])),
                                    float(r.choice([0.5, 1.0, 1.5, 2.0, 3.0, 0.75, 2.5]))]
            args["recompute_scale_factor"] = r.choice([None, False, True])
        if mode in ("bilinear", "bicubic"):
            args["align_corners"] = r.choice([None, False, True])
            args["antialias"] = r.coin(0.5)
        case(r.data((r.choice([1, 2]), r.choice([1, 3, 4, 8]), h, w)), args, ".edge")

    # deliberately invalid calls: must be rejected by torch (sanity)
    for args in [
        {"size": [4, 4], "scale_factor": None, "mode": "nearest", "align_corners": True,
         "recompute_scale_factor": None, "antialias": False},
        {"size": [4, 4], "scale_factor": None, "mode": "area", "align_corners": None,
         "recompute_scale_factor": None, "antialias": True},
        {"size": [4, 4], "scale_factor": [2.0, 2.0], "mode": "bilinear", "align_corners": None,
         "recompute_scale_factor": None, "antialias": False},
    ]:
        try:
            run(r.data((1, 2, 3, 3)), args)
            print("WARNING torch accepted an invalid call", args, file=sys.stderr)
        except Exception as e:
            C.reject("torch.interpolate(invalid-by-design)", json.dumps(args), e)

    # pixel_shuffle / pixel_unshuffle
    for i in range(24):
        b = r.choice([1, 2, 2, 3, 4])
        n = r.batch()
        if i % 2 == 0:
            c = r.int(1, 4) * b * b
            h, w = r.int(1, 6), r.int(1, 6)
            x = r.data((n, c, h, w))
            y = F.pixel_shuffle(torch.from_numpy(x), b).numpy()
            C.add(f"torch.pixel_shuffle.b{b}.n{n}c{c}h{h}w{w}",
                  f"torch {ver} torch.nn.functional.pixel_shuffle(x, {b})", "depth_to_space",
                  "NCHW", x, y, {"framework": "torch", "function": "pixel_shuffle",
                                 "args": {"upscale_factor": b}}, TOL_EXACT, block_size=b,
                  order="CRD")
        else:
            c = r.int(1, 5)
            h, w = b * r.int(1, 5), b * r.int(1, 5)
            x = r.data((n, c, h, w))
            y = F.pixel_unshuffle(torch.from_numpy(x), b).numpy()
            C.add(f"torch.pixel_unshuffle.b{b}.n{n}c{c}h{h}w{w}",
                  f"torch {ver} torch.nn.functional.pixel_unshuffle(x, {b})", "space_to_depth",
                  "NCHW", x, y, {"framework": "torch", "function": "pixel_unshuffle",
                                 "args": {"downscale_factor": b}}, TOL_EXACT, block_size=b,
                  order="CRD")


# --------------------------------------------------------------------------------------------
# tensorflow / keras

def gen_tf(C: Corpus, r: R, n_v1: int, n_v2: int, n_keras: int, n_edge: int):
    import tensorflow as tf
    ver = tf.__version__
    C.versions["tensorflow"] = ver
    v1fns = {
        "compat.v1.image.resize_bilinear": (tf.compat.v1.image.resize_bilinear, "bilinear"),
        "compat.v1.image.resize_nearest_neighbor": (tf.compat.v1.image.resize_nearest_neighbor,
                                                    "nearest"),
        "compat.v1.image.resize_bicubic": (tf.compat.v1.image.resize_bicubic, "bicubic"),
    }
    combos = [(False, False), (True, False), (False, True)]
    names = list(v1fns)
    methods = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian",
               "mitchellcubic"]

    def v1_case(fname, x, oh, ow, ac, hp, tag=""):
        fn, short = v1fns[fname]
        n, h, w, c = x.shape
        try:
            y = fn(x, [oh, ow], align_corners=ac, half_pixel_centers=hp).numpy()
        except Exception as e:
            C.reject("tf.v1", f"{fname} {oh}x{ow} ac={ac} hp={hp}", e)
            return False
        args = {"size": [oh, ow], "align_corners": ac, "half_pixel_centers": hp}
        tol = TOL_EXACT if short == "nearest" else TOL_WEIGHTED
        C.add(f"tf{tag}.v1.{short}.ac{int(ac)}hp{int(hp)}.size{oh}x{ow}.n{n}c{c}h{h}w{w}",
              f"tensorflow {ver} tf.{fname}(x, [{oh}, {ow}], align_corners={ac}, "
              f"half_pixel_centers={hp})", "resize", "NHWC", x, y,
              {"framework": "tf", "function": fname, "args": args}, tol)
        return True

    def v2_case(x, oh, ow, method, aa, tag=""):
        n, h, w, c = x.shape
        try:
            y = tf.image.resize(x, [oh, ow], method=method, antialias=aa).numpy()
        except Exception as e:
            C.reject("tf.image.resize", f"{method} {oh}x{ow} aa={aa}", e)
            return False
        tol = TOL_EXACT if method == "nearest" else TOL_WEIGHTED
        C.add(f"tf{tag}.v2.{method}.aa{int(aa)}.size{oh}x{ow}.n{n}c{c}h{h}w{w}",
              f"tensorflow {ver} tf.image.resize(x, [{oh}, {ow}], method={method!r}, "
              f"antialias={aa})", "resize", "NHWC", x, y,
              {"framework": "tf", "function": "image.resize",
               "args": {"size": [oh, ow], "method": method, "antialias": aa}}, tol)
        return True

    for i in range(n_v1):
        ac, hp = combos[(i // 3) % 3]
        n, c, h, w = r.batch(), r.channels(), r.length(), r.length()
        if c >= 16:
            n = 1
        v1_case(names[i % 3], r.data((n, h, w, c)), r.out_len(h), r.out_len(w), ac, hp)
    # invalid by design: align_corners and half_pixel_centers together
    for fname in names:
        try:
            v1fns[fname][0](r.data((1, 3, 3, 1)), [5, 5], align_corners=True,
                            half_pixel_centers=True).numpy()
            print("WARNING tf accepted ac=hp=True", fname, file=sys.stderr)
        except Exception as e:
            C.reject("tf.v1(invalid-by-design ac=hp=True)", fname, e)

    for i in range(n_v2):
        n, c, h, w = r.batch(), r.channels(), r.length(), r.length()
        if c >= 16:
            n = 1
        v2_case(r.data((n, h, w, c)), r.out_len(h), r.out_len(w), methods[i % 8],
                bool((i // 8) % 2))

    # edge sweep: tiny and unit lengths
    lens_in = [1, 2, 3, 5, 8]
    lens_out = [1, 2, 3, 4, 7, 10, 16]
    for k in range(n_edge):
        x = r.data((r.choice([1, 2]), r.choice(lens_in), r.choice(lens_in), r.choice([1, 3, 4])))
        oh, ow = r.choice(lens_out), r.choice(lens_out)
        if k % 2 == 0:
            ac, hp = combos[(k // 2) % 3]
            v1_case(names[(k // 6) % 3], x, oh, ow, ac, hp, ".edge")
        else:
            v2_case(x, oh, ow, methods[(k // 2) % 8], r.coin(0.5), ".edge")

    # depth_to_space / space_to_depth
    for i in range(16):
        b = r.choice([2, 2, 3, 4])
        n = r.batch()
        if i % 2 == 0:
            c = r.int(1, 4) * b * b
            h, w = r.int(1, 6), r.int(1, 6)
            x = r.data((n, h, w, c))
            y = tf.nn.depth_to_space(x, b).numpy()
            C.add(f"tf.depth_to_space.b{b}.n{n}c{c}h{h}w{w}",
                  f"tensorflow {ver} tf.nn.depth_to_space(x, {b})", "depth_to_space", "NHWC",
                  x, y, {"framework": "tf", "function": "nn.depth_to_space",
                         "args": {"block_size": b}}, TOL_EXACT, block_size=b, order="DCR")
        else:
            c = r.int(1, 5)
            h, w = b * r.int(1, 5), b * r.int(1, 5)
            x = r.data((n, h, w, c))
            y = tf.nn.space_to_depth(x, b).numpy()
            C.add(f"tf.space_to_depth.b{b}.n{n}c{c}h{h}w{w}",
                  f"tensorflow {ver} tf.nn.space_to_depth(x, {b})", "space_to_depth", "NHWC",
                  x, y, {"framework": "tf", "function": "nn.space_to_depth",
                         "args": {"block_size": b}}, TOL_EXACT, block_size=b, order="DCR")

    # keras UpSampling2D
    import keras
    C.versions["keras"] = keras.__version__
    interps = ["nearest", "bilinear", "bicubic", "lanczos3", "lanczos5"]
    for i in range(n_keras):
        interp = interps[i % len(interps)]
        fh, fw = r.int(1, 4), r.int(1, 4)
        n, c, h, w = r.batch(), r.channels(), r.int(1, 12), r.int(1, 12)
        if c >= 16:
            n = 1
        x = r.data((n, h, w, c))
        try:
            layer = keras.layers.UpSampling2D(size=(fh, fw), interpolation=interp,
                                              data_format="channels_last")
            y = np.asarray(layer(x))
        except Exception as e:
            C.reject("keras.UpSampling2D", f"{interp} {fh}x{fw}", e)
            continue
        tol = TOL_EXACT if interp == "nearest" else TOL_WEIGHTED
        C.add(f"keras.upsampling2d.{interp}.size{fh}x{fw}.n{n}c{c}h{h}w{w}",
              f"keras {keras.__version__} (tensorflow {ver} backend) layers.UpSampling2D("
              f"size=({fh}, {fw}), interpolation={interp!r}, data_format='channels_last')(x)",
              "resize", "NHWC", x, y,
              {"framework": "keras", "function": "layers.UpSampling2D",
               "args": {"size": [fh, fw], "interpolation": interp}}, tol)


# --------------------------------------------------------------------------------------------
# opencv

def gen_cv(C: Corpus, r: R, n_cases: int, n_edge: int):
    import cv2
    ver = cv2.__version__
    C.versions["opencv"] = ver
    interps = ["INTER_NEAREST", "INTER_NEAREST_EXACT", "INTER_LINEAR", "INTER_CUBIC",
               "INTER_AREA", "INTER_LANCZOS4"]
    factors = [0.5, 1.5, 2.0, 0.3, 2.5, 1 / 3, 0.25, 0.75, 3.0, 0.7, 1.3, 4.0, 0.45, 1.0, 0.6,
               1.25, 2 / 3, 0.2]

    def case(x3, interp, dsize=None, fx=0.0, fy=0.0, tag=""):
        """dsize = [w, h] or None (then fx, fy)."""
        h, w, c = x3.shape
        if dsize is not None:
            call_args = {"dsize": list(dsize), "fx": 0.0, "fy": 0.0, "interpolation": interp}
            refcall = f"cv2.resize(x, dsize=({dsize[0]}, {dsize[1]}), interpolation=cv2.{interp})"
            geo = f"size{dsize[1]}x{dsize[0]}"
        else:
            call_args = {"dsize": None, "fx": fx, "fy": fy, "interpolation": interp}
            refcall = f"cv2.resize(x, None, fx={fx!r}, fy={fy!r}, interpolation=cv2.{interp})"
            geo = f"fxfy{fmt(fx)}x{fmt(fy)}"
        try:
            y = cv2.resize(x3, None if dsize is None else tuple(dsize), fx=fx, fy=fy,
                           interpolation=getattr(cv2, interp))
        except Exception as e:
            C.reject("cv2.resize", refcall, e)
            return False
        if y.ndim == 2:
            y = y[:, :, None]
        tol = TOL_EXACT if interp in ("INTER_NEAREST", "INTER_NEAREST_EXACT") else TOL_WEIGHTED
        C.add(f"cv2{tag}.{interp.lower()}.{geo}.h{h}w{w}c{c}",
              f"opencv {ver} {refcall} on a float32 HxWxC array; stored with N=1", "resize",
              "NHWC", x3[None], y[None],
              {"framework": "opencv", "function": "resize", "args": call_args}, tol)
        return True

    for i in range(n_cases):
        interp = interps[i % len(interps)]
        c = r.choice([1, 1, 2, 3, 3, 3, 4, 4, 5, 8])
        h, w = r.length(), r.length()
        x3 = r.data((h, w, c))
        if r.coin(0.55):
            kind = r.int(0, 3)
            if kind == 0:  # both up
                oh, ow = r.int(h, 3 * h + 2), r.int(w, 3 * w + 2)
            elif kind == 1:  # both down
                oh, ow = r.int(1, h), r.int(1, w)
            else:  # mixed / random
                oh, ow = r.out_len(h), r.out_len(w)
            case(x3, interp, dsize=[ow, oh])
        else:
            fx = float(r.choice(factors))
            fy = fx if r.coin(0.5) else float(r.choice(factors))
            case(x3, interp, fx=fx, fy=fy)

    # edge sweep: tiny and unit lengths, exact-ratio factors
    lens_in = [1, 2, 3, 5, 8, 10, 12]
    lens_out = [1, 2, 3, 4, 7, 10, 13, 16, 24]
    for k in range(n_edge):
        interp = interps[k % len(interps)]
        x3 = r.data((r.choice(lens_in), r.choice(lens_in), r.choice([1, 3, 4])))
        if k % 3 == 0:
            f = [0.5, 2.0, 3.0, 0.25, 1.5, 1 / 3, 4.0, 1.3, 2 / 3]
            case(x3, interp, fx=float(r.choice(f)), fy=float(r.choice(f)), tag=".edge")
        else:
            case(x3, interp, dsize=[r.choice(lens_out), r.choice(lens_out)], tag=".edge")
    # INTER_NEAREST_EXACT with dsize pairs where in/out and 1/(out/in) step differently
    nx_pairs = [(6, 11), (10, 13), (12, 11), (14, 9), (14, 17), (18, 31), (20, 13), (22, 25),
                (24, 11), (12, 22)]
    for k in range(min(12, n_edge)):
        (ih, oh), (iw, ow) = r.choice(nx_pairs), r.choice(nx_pairs + [(5, 7), (9, 4)])
        case(r.data((ih, iw, r.choice([1, 3]))), "INTER_NEAREST_EXACT", dsize=[ow, oh],
             tag=".edge")


# --------------------------------------------------------------------------------------------
# onnx

def gen_onnx(C: Corpus, r: R, n_resize: int, n_edge: int):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator
    try:
        import onnxruntime as ort
        C.versions["onnxruntime"] = ort.__version__
    except Exception:
        ort = None
    C.versions["onnx"] = onnx.__version__

    def build(op, opset, attrs, x_shape, inputs):
        """inputs: list of (name, np.ndarray or None) after X; None -> '' (omitted)."""
        nodes_in = ["X"]
        inits = []
        for name, arr in inputs:
            if arr is None:
                nodes_in.append("")
            else:
                nodes_in.append(name)
                inits.append(numpy_helper.from_array(arr, name))
        while nodes_in and nodes_in[-1] == "":
            nodes_in.pop()
        node = helper.make_node(op, nodes_in, ["Y"], **attrs)
        graph = helper.make_graph([node], "g",
                                  [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)],
                                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["yn", "yc", "yh", "yw"])],
                                  initializer=inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = min(model.ir_version, 10)
        onnx.checker.check_model(model, full_check=True)
        return model

    def run_ref(model, x):
        return ReferenceEvaluator(model).run(None, {"X": x})[0]

    def run_ort(model, x):
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return sess.run(None, {"X": x})[0]

    ctms_by_opset = {
        11: ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
             "tf_crop_and_resize"],
        13: ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
             "tf_crop_and_resize"],
        18: ["half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
             "tf_crop_and_resize"],
        19: ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
             "asymmetric", "tf_crop_and_resize"],
    }
    nearest_modes = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
    onnx_scales = [0.5, 0.6, 0.7, 0.75, 0.8, 1.0, 1.3, 1.5, 1.7, 2.0, 2.5, 3.0, 0.45, 0.3, 1 / 3,
                   2.3, 2.94, 1.25, 0.9]
    def resize_case(opset, attrs, x, roi=None, scales=None, sizes=None, tag="", empty_as=None):
        """One Resize node through the reference; roi/scales/sizes per listed axis (np arrays or
        None). `empty_as`: how an absent input is recorded (None -> null, "[]" -> [])."""
        n, c, h, w = x.shape
        if opset == 11:
            ins = [("roi", roi if roi is not None else np.array([], np.float32)),
                   ("scales", scales if scales is not None else np.array([], np.float32)),
                   ("sizes", sizes)]
        else:
            ins = [("roi", roi), ("scales", scales), ("sizes", sizes)]
        desc = f"Resize-{opset} attrs={attrs} roi={None if roi is None else roi.tolist()} " \
               f"scales={None if scales is None else scales.tolist()} " \
               f"sizes={None if sizes is None else sizes.tolist()}"
        try:
            model = build("Resize", opset, attrs, list(x.shape), ins)
            y = run_ref(model, x)
            if y.size == 0:
                raise ValueError(f"empty output {list(y.shape)}")
        except Exception as e:
            C.reject(f"onnx.Resize-{opset}", desc, e)
            return False
        note = None
        if ort is not None:
            try:
                yo = run_ort(model, x)
                if yo.shape != y.shape:
                    note = f"onnxruntime DISAGREES with onnx.reference: shape {list(yo.shape)}"
                else:
                    d = float(np.max(np.abs(yo.astype(np.float64) - y))) if y.size else 0.0
                    if d > 1e-5:
                        note = f"onnxruntime DISAGREES with onnx.reference: max_abs={d:.4g}"
            except Exception as e:
                note = f"onnxruntime fails: {type(e).__name__}"
        absent = [] if empty_as == "[]" else None
        rec_inputs = {
            "roi": absent if roi is None else [float(v) for v in roi],
            "scales": absent if scales is None else [float(v) for v in scales],
            "sizes": absent if sizes is None else [int(v) for v in sizes],
        }
        mode = attrs.get("mode", "nearest")
        ctm = attrs.get("coordinate_transformation_mode", "half_pixel")
        tol = TOL_EXACT if mode == "nearest" else TOL_WEIGHTED
        parts = [mode, ctm]
        if mode == "nearest":
            parts.append(attrs.get("nearest_mode", "round_prefer_floor"))
        if mode == "cubic":
            parts.append("a" + fmt(float(attrs.get("cubic_coeff_a", -0.75))))
            parts.append(f"ex{attrs.get('exclude_outside', 0)}")
        if attrs.get("antialias"):
            parts.append("aa")
        if attrs.get("axes") is not None:
            parts.append("axes" + "".join(str(v) for v in attrs["axes"]))
        if attrs.get("keep_aspect_ratio_policy"):
            parts.append(attrs["keep_aspect_ratio_policy"])
        if sizes is not None:
            geo = "sizes" + "x".join(str(int(v)) for v in sizes)
        else:
            geo = "scales" + "x".join(fmt(round(float(v), 4)) for v in scales)
        cid = f"onnx{tag}.op{opset}.{'.'.join(parts)}.{geo}.n{n}c{c}h{h}w{w}"
        C.add(cid, f"onnx {onnx.__version__} onnx.reference.ReferenceEvaluator: {desc}",
              "resize", "NCHW", x, y,
              {"framework": "onnx", "function": "Resize",
               "args": {"opset": opset, "attributes": attrs, "inputs": rec_inputs}}, tol, note)
        return True

    count = 0
    attempts = 0
    while count < n_resize and attempts < n_resize * 6:
        attempts += 1
        opset = [11, 13, 18, 19][count % 4]
        mode = ["nearest", "linear", "cubic"][(count // 4) % 3]
        ctm = r.choice(ctms_by_opset[opset])
        n, c, h, w = r.choice([1, 1, 2]), r.choice([1, 1, 2, 3, 4, 5]), r.length(), r.length()
        x = r.data((n, c, h, w))
        attrs = {"mode": mode}
        if ctm != "half_pixel" or r.coin(0.5):
            attrs["coordinate_transformation_mode"] = ctm
        if mode == "nearest":
            nm = r.choice(nearest_modes)
            if nm != "round_prefer_floor" or r.coin(0.5):
                attrs["nearest_mode"] = nm
        if mode == "cubic":
            a = r.choice([-0.75, -0.5, -0.75, -0.5, -0.6])
            if a != -0.75 or r.coin(0.5):
                attrs["cubic_coeff_a"] = a
            ex = r.coin(0.4)
            if ex or r.coin(0.3):
                attrs["exclude_outside"] = int(ex)
        if opset >= 18 and mode != "nearest" and r.coin(0.35):
            attrs["antialias"] = 1
        if ctm == "tf_crop_and_resize":
            attrs["extrapolation_value"] = r.choice([0.0, 10.0, -1.5, 7.5, 0.0])
        use_sizes = r.coin(0.5)
        axes = None
        if opset >= 18 and r.coin(0.25):
            axes = r.choice([[2, 3], [3, 2], [3], [2]])
            attrs["axes"] = axes
        if opset >= 18 and use_sizes and r.coin(0.2):
            attrs["keep_aspect_ratio_policy"] = r.choice(["not_larger", "not_smaller"])
            if axes is None:
                axes = [2, 3]
                attrs["axes"] = axes
        roi = None
        ax = axes if axes is not None else [0, 1, 2, 3]
        if ctm == "tf_crop_and_resize":
            y0, x0 = r.choice([0.0, 0.1, 0.25, -0.2, 0.4]), r.choice([0.0, 0.2, -0.1, 0.3])
            y1, x1 = r.choice([1.0, 0.8, 0.9, 1.2, 0.6]), r.choice([1.0, 0.75, 1.3, 0.9])
            full = {2: (y0, y1), 3: (x0, x1)}
            starts = [full[a][0] if a in full else 0.0 for a in ax]
            ends = [full[a][1] if a in full else 1.0 for a in ax]
            roi = np.array(starts + ends, dtype=np.float32)
        shape = [n, c, h, w]
        if use_sizes:
            full_sizes = {0: n, 1: c, 2: r.out_len(h), 3: r.out_len(w)}
            sizes = np.array([full_sizes[a] for a in ax], dtype=np.int64)
            scales = None
        else:
            full_scales = {0: 1.0, 1: 1.0, 2: r.choice(onnx_scales)}
            full_scales[3] = full_scales[2] if r.coin(0.4) else r.choice(onnx_scales)
            scales = np.array([full_scales[a] for a in ax], dtype=np.float32)
            sizes = None
            if any(math.floor(float(s) * shape[a]) < 1 for s, a in zip(scales, ax)):
                continue
        empty_as = "[]" if (opset == 11 and r.coin(0.3)) else None
        if resize_case(opset, attrs, x, roi, scales, sizes, empty_as=empty_as):
            count += 1

    # edge sweep 1: (in, out) pairs whose float64 source coordinate lands a hair above an
    # integer (x = k + 1 ulp), e.g. pytorch_half_pixel 7 -> 17 at i = 8 gives 3.0000000000000004,
    # plus unit lengths.
    hair = [(7, 17), (10, 14), (14, 34), (7, 9), (20, 18), (5, 9), (7, 29), (14, 18), (7, 58),
            (1, 5), (5, 1), (1, 1), (2, 1), (1, 3)]
    ctms_hair = ["half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners",
                 "half_pixel_symmetric"]
    for k in range(n_edge):
        (ih, oh), (iw, ow) = r.choice(hair), r.choice(hair)
        mode = ["nearest", "linear", "cubic"][k % 3]
        ctm = ctms_hair[(k // 3) % len(ctms_hair)]
        attrs = {"mode": mode, "coordinate_transformation_mode": ctm}
        if mode == "nearest":
            attrs["nearest_mode"] = r.choice(nearest_modes)
        if mode == "cubic" and r.coin(0.5):
            attrs["cubic_coeff_a"] = -0.5
            attrs["exclude_outside"] = 1
        if mode != "nearest" and r.coin(0.25):
            attrs["antialias"] = 1
        x = r.data((1, r.choice([1, 2]), ih, iw))
        resize_case(19, attrs, x, sizes=np.array([1, x.shape[1], oh, ow], np.int64), tag=".edge")
    # edge sweep 2: half_pixel_symmetric with fractional scales (x = k + 1 ulp is frequent there)
    for k in range(n_edge // 2):
        ih, iw = r.int(2, 12), r.int(2, 12)
        sc = [float(r.choice([1.25, 0.8, 1.5, 0.6, 2.5, 1.7, 0.7])) for _ in range(2)]
        if min(math.floor(np.float32(sc[0]) * ih), math.floor(np.float32(sc[1]) * iw)) < 1:
            continue
        mode = ["nearest", "linear", "cubic"][k % 3]
        attrs = {"mode": mode, "coordinate_transformation_mode": "half_pixel_symmetric"}
        if mode == "cubic":
            attrs["cubic_coeff_a"] = r.choice([-0.5, -0.75])
        resize_case(19, attrs, r.data((1, 2, ih, iw)),
                    scales=np.array([1, 1] + sc, np.float32), tag=".edge")

    # invalid by design: must be rejected (checker or reference) and never recorded
    for opset, attrs in [(13, {"mode": "linear", "antialias": 1}),
                         (11, {"mode": "nearest", "axes": [2, 3]}),
                         (18, {"mode": "nearest", "antialias": 1})]:
        x = r.data((1, 1, 4, 4))
        try:
            model = build("Resize", opset, attrs, list(x.shape),
                          [("roi", np.array([], np.float32)),
                           ("scales", np.array([1, 1, 0.5, 0.5], np.float32))])
            run_ref(model, x)
            print("WARNING onnx accepted an invalid node", opset, attrs, file=sys.stderr)
        except Exception as e:
            C.reject("onnx.Resize(invalid-by-design)", f"Resize-{opset} {attrs}", e)

    # tf_half_pixel_for_nn (Resize-11 only): the reference cannot run it -> onnxruntime
    if ort is not None:
        for i in range(8):
            n, c, h, w = 1, r.choice([1, 2, 3]), r.length(), r.length()
            x = r.data((n, c, h, w))
            attrs = {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nn"}
            if r.coin(0.5):
                attrs["nearest_mode"] = r.choice(nearest_modes)
            oh, ow = r.out_len(h), r.out_len(w)
            sizes = np.array([n, c, oh, ow], np.int64)
            ins = [("roi", np.array([], np.float32)), ("scales", np.array([], np.float32)),
                   ("sizes", sizes)]
            try:
                model = build("Resize", 11, attrs, list(x.shape), ins)
                y = run_ort(model, x)
            except Exception as e:
                C.reject("onnx.Resize-11.tf_half_pixel_for_nn(ort)", str(attrs), e)
                continue
            try:
                run_ref(model, x)
                refnote = "onnx.reference also runs it"
            except Exception as e:
                refnote = f"onnx.reference cannot run it ({type(e).__name__})"
            C.add(f"onnx.op11.nearest.tf_half_pixel_for_nn."
                  f"{attrs.get('nearest_mode', 'round_prefer_floor')}.sizes{oh}x{ow}.n{n}c{c}h{h}w{w}",
                  f"onnxruntime {ort.__version__} (CPUExecutionProvider): Resize-11 attrs={attrs} "
                  f"sizes={sizes.tolist()}", "resize", "NCHW", x, y,
                  {"framework": "onnx", "function": "Resize",
                   "args": {"opset": 11, "attributes": attrs,
                            "inputs": {"roi": None, "scales": None,
                                       "sizes": [int(v) for v in sizes]}}},
                  TOL_EXACT, "ground truth from onnxruntime: " + refnote)

    # Upsample-9 nearest, integer scales (the only Upsample the reference implements)
    for i in range(10):
        n, c, h, w = r.choice([1, 2]), r.choice([1, 2, 3]), r.int(1, 8), r.int(1, 8)
        x = r.data((n, c, h, w))
        sc = np.array([1.0, 1.0, float(r.int(1, 4)), float(r.int(1, 4))], np.float32)
        try:
            model = build("Upsample", 9, {"mode": "nearest"}, list(x.shape), [("scales", sc)])
            y = run_ref(model, x)
        except Exception as e:
            C.reject("onnx.Upsample-9", str(sc.tolist()), e)
            continue
        inputs = {"scales": [float(v) for v in sc]}
        variant = ""
        if i % 2 == 1:
            # the FORMAT's generic {roi, scales, sizes} spelling
            inputs = {"roi": None, "scales": [float(v) for v in sc], "sizes": None}
            variant = ".fullinputs"
        C.add(f"onnx.op9.upsample.nearest.scales{int(sc[2])}x{int(sc[3])}{variant}.n{n}c{c}h{h}w{w}",
              f"onnx {onnx.__version__} onnx.reference.ReferenceEvaluator: Upsample-9 "
              f"mode=nearest scales={sc.tolist()}", "resize", "NCHW", x, y,
              {"framework": "onnx", "function": "Upsample",
               "args": {"opset": 9, "attributes": {"mode": "nearest"}, "inputs": inputs}},
              TOL_EXACT)

    # DepthToSpace / SpaceToDepth
    for i in range(24):
        b = r.choice([2, 2, 3, 4])
        n = r.choice([1, 2])
        if i % 2 == 0:
            opset = r.choice([11, 13, 28])
            mode = r.choice(["DCR", "CRD"])
            c = r.int(1, 4) * b * b
            h, w = r.int(1, 5), r.int(1, 5)
            x = r.data((n, c, h, w))
            attrs = {"blocksize": b}
            if mode == "CRD" or r.coin(0.5):
                attrs["mode"] = mode
            try:
                model = build("DepthToSpace", opset, attrs, list(x.shape), [])
                y = run_ref(model, x)
            except Exception as e:
                C.reject("onnx.DepthToSpace", str(attrs), e)
                continue
            C.add(f"onnx.op{opset}.depth_to_space.{mode}.b{b}.n{n}c{c}h{h}w{w}",
                  f"onnx {onnx.__version__} onnx.reference.ReferenceEvaluator: DepthToSpace-{opset} "
                  f"attrs={attrs}", "depth_to_space", "NCHW", x, y,
                  {"framework": "onnx", "function": "DepthToSpace",
                   "args": {"opset": opset, "attributes": attrs, "inputs": {}}}, TOL_EXACT,
                  block_size=b, order=mode)
        else:
            opset = r.choice([13, 13, 28])
            mode = "DCR" if opset < 28 else r.choice(["DCR", "CRD"])
            c = r.int(1, 4)
            h, w = b * r.int(1, 4), b * r.int(1, 4)
            x = r.data((n, c, h, w))
            attrs = {"blocksize": b}
            if opset >= 28 and (mode == "CRD" or r.coin(0.5)):
                attrs["mode"] = mode
            try:
                model = build("SpaceToDepth", opset, attrs, list(x.shape), [])
                y = run_ref(model, x)
            except Exception as e:
                C.reject("onnx.SpaceToDepth", str(attrs), e)
                continue
            C.add(f"onnx.op{opset}.space_to_depth.{mode}.b{b}.n{n}c{c}h{h}w{w}",
                  f"onnx {onnx.__version__} onnx.reference.ReferenceEvaluator: SpaceToDepth-{opset} "
                  f"attrs={attrs}", "space_to_depth", "NCHW", x, y,
                  {"framework": "onnx", "function": "SpaceToDepth",
                   "args": {"opset": opset, "attributes": attrs, "inputs": {}}}, TOL_EXACT,
                  block_size=b, order=mode)


def gen_extras(C: Corpus, r: R):
    """Framework-valid calls outside the FORMAT table, or that probe how strict the parser is.
    Kept out of the main corpus: a failure here is a coverage question, not a wrong number."""
    import torch
    import torch.nn.functional as F
    import tensorflow as tf
    import cv2
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator
    C.versions.update(torch=torch.__version__, tensorflow=tf.__version__,
                      opencv=cv2.__version__, onnx=onnx.__version__)

    # torch 2.15 mode='lanczos' (needs antialias=True)
    for (h, w, oh, ow) in [(9, 7, 4, 3), (4, 5, 9, 11), (8, 8, 5, 12)]:
        x = r.data((1, 2, h, w))
        args = {"size": [oh, ow], "scale_factor": None, "mode": "lanczos",
                "align_corners": None, "recompute_scale_factor": None, "antialias": True}
        y = F.interpolate(torch.from_numpy(x), size=(oh, ow), mode="lanczos",
                          antialias=True).numpy()
        C.add(f"extra.torch.lanczos.aa.size{oh}x{ow}.n1c2h{h}w{w}",
              f"torch {torch.__version__} F.interpolate(x, size=({oh}, {ow}), mode='lanczos', "
              "antialias=True)", "resize", "NCHW", x, y,
              {"framework": "torch", "function": "interpolate", "args": args}, TOL_WEIGHTED,
              "torch 2.15 mode='lanczos' (Lanczos-3, PIL-compatible, antialias required)")

    # tf resize_area / image.resize preserve_aspect_ratio / compat.v1.image.resize
    for (h, w, oh, ow, ac) in [(9, 7, 4, 3, False), (4, 5, 9, 11, False), (9, 7, 4, 3, True),
                               (5, 6, 13, 7, True)]:
        x = r.data((1, h, w, 3))
        y = tf.compat.v1.image.resize_area(x, [oh, ow], align_corners=ac).numpy()
        C.add(f"extra.tf.v1.area.ac{int(ac)}.size{oh}x{ow}.n1c3h{h}w{w}",
              f"tensorflow {tf.__version__} tf.compat.v1.image.resize_area(x, [{oh}, {ow}], "
              f"align_corners={ac})", "resize", "NHWC", x, y,
              {"framework": "tf", "function": "compat.v1.image.resize_area",
               "args": {"size": [oh, ow], "align_corners": ac}}, TOL_WEIGHTED)
    for (h, w, oh, ow, method) in [(9, 7, 5, 5, "bilinear"), (4, 6, 9, 9, "bicubic"),
                                   (10, 4, 7, 7, "area"), (6, 9, 20, 8, "nearest")]:
        x = r.data((1, h, w, 2))
        y = tf.image.resize(x, [oh, ow], method=method, preserve_aspect_ratio=True).numpy()
        C.add(f"extra.tf.v2.{method}.preserve.size{oh}x{ow}.n1c2h{h}w{w}",
              f"tensorflow {tf.__version__} tf.image.resize(x, [{oh}, {ow}], method={method!r}, "
              "preserve_aspect_ratio=True)", "resize", "NHWC", x, y,
              {"framework": "tf", "function": "image.resize",
               "args": {"size": [oh, ow], "method": method, "antialias": False,
                        "preserve_aspect_ratio": True}},
              TOL_EXACT if method == "nearest" else TOL_WEIGHTED)
    for (h, w, oh, ow, method, ac) in [(5, 7, 9, 4, "bilinear", True), (5, 7, 9, 4, "bicubic", False),
                                       (5, 7, 9, 4, "nearest_neighbor", True)]:
        x = r.data((1, h, w, 2))
        mcode = {"bilinear": tf.compat.v1.image.ResizeMethod.BILINEAR,
                 "bicubic": tf.compat.v1.image.ResizeMethod.BICUBIC,
                 "nearest_neighbor": tf.compat.v1.image.ResizeMethod.NEAREST_NEIGHBOR}[method]
        y = tf.compat.v1.image.resize(x, [oh, ow], method=mcode, align_corners=ac).numpy()
        C.add(f"extra.tf.v1.resize.{method}.ac{int(ac)}.size{oh}x{ow}.n1c2h{h}w{w}",
              f"tensorflow {tf.__version__} tf.compat.v1.image.resize(x, [{oh}, {ow}], "
              f"method={method}, align_corners={ac})", "resize", "NHWC", x, y,
              {"framework": "tf", "function": "compat.v1.image.resize",
               "args": {"size": [oh, ow], "method": method, "align_corners": ac}},
              TOL_EXACT if method.startswith("nearest") else TOL_WEIGHTED)

    # cv2: dsize recorded as [0, 0] with fx/fy; INTER_LINEAR_EXACT
    for (h, w, fx, fy, interp) in [(7, 9, 1.5, 0.5, "INTER_LINEAR"), (7, 9, 0.5, 0.5, "INTER_AREA"),
                                   (6, 5, 2.0, 3.0, "INTER_NEAREST"), (8, 6, 0.7, 1.3, "INTER_CUBIC")]:
        x3 = r.data((h, w, 3))
        y = cv2.resize(x3, (0, 0), fx=fx, fy=fy, interpolation=getattr(cv2, interp))
        C.add(f"extra.cv2.{interp.lower()}.dsize00.fxfy{fmt(fx)}x{fmt(fy)}.h{h}w{w}c3",
              f"opencv {cv2.__version__} cv2.resize(x, (0, 0), fx={fx}, fy={fy}, "
              f"interpolation=cv2.{interp})", "resize", "NHWC", x3[None], y[None],
              {"framework": "opencv", "function": "resize",
               "args": {"dsize": [0, 0], "fx": fx, "fy": fy, "interpolation": interp}},
              TOL_EXACT if interp == "INTER_NEAREST" else TOL_WEIGHTED)
    for (h, w, oh, ow) in [(7, 9, 12, 5), (8, 8, 4, 4)]:
        x3 = r.data((h, w, 3))
        y = cv2.resize(x3, (ow, oh), interpolation=cv2.INTER_LINEAR_EXACT)
        C.add(f"extra.cv2.inter_linear_exact.size{oh}x{ow}.h{h}w{w}c3",
              f"opencv {cv2.__version__} cv2.resize(x, ({ow}, {oh}), "
              "interpolation=cv2.INTER_LINEAR_EXACT)", "resize", "NHWC", x3[None], y[None],
              {"framework": "opencv", "function": "resize",
               "args": {"dsize": [ow, oh], "fx": 0.0, "fy": 0.0,
                        "interpolation": "INTER_LINEAR_EXACT"}}, TOL_WEIGHTED)

    # onnx: half_pixel_symmetric at opset 18 (checker, reference and onnxruntime all accept it);
    # antialias at opset 13 (the checker rejects the attribute, the reference runs it anyway)
    def ref_node(opset, attrs, x, scales, check):
        node = helper.make_node("Resize", ["X", "", "scales"], ["Y"], **attrs)
        g = helper.make_graph([node], "g",
                              [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x.shape))],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["a", "b", "c", "d"])],
                              initializer=[numpy_helper.from_array(scales, "scales")])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = min(m.ir_version, 10)
        verdict = "checker accepts"
        try:
            onnx.checker.check_model(m, full_check=True)
        except Exception as e:
            verdict = f"checker REJECTS ({str(e).splitlines()[0][:80]})"
            if check:
                raise
        return ReferenceEvaluator(m).run(None, {"X": x})[0], verdict
    for opset, attrs, sc in [(18, {"mode": "linear", "coordinate_transformation_mode":
                                   "half_pixel_symmetric"}, [1, 1, 1.5, 0.7]),
                             (18, {"mode": "nearest", "coordinate_transformation_mode":
                                   "half_pixel_symmetric"}, [1, 1, 2.5, 0.6]),
                             (13, {"mode": "linear", "antialias": 1}, [1, 1, 0.5, 0.6])]:
        x = r.data((1, 2, 8, 9))
        scales = np.array(sc, np.float32)
        y, verdict = ref_node(opset, attrs, x, scales, check=False)
        C.add(f"extra.onnx.op{opset}.{attrs['mode']}."
              f"{attrs.get('coordinate_transformation_mode', 'aa')}.n1c2h8w9",
              f"onnx {onnx.__version__} onnx.reference.ReferenceEvaluator: Resize-{opset} "
              f"attrs={attrs} scales={scales.tolist()}", "resize", "NCHW", x, y,
              {"framework": "onnx", "function": "Resize",
               "args": {"opset": opset, "attributes": attrs,
                        "inputs": {"roi": None, "scales": [float(v) for v in scales],
                                   "sizes": None}}},
              TOL_EXACT if attrs["mode"] == "nearest" else TOL_WEIGHTED, f"onnx.{verdict}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="/tmp/diffcorpus/corpus")
    ap.add_argument("--seed", type=int, default=20250611)
    ap.add_argument("--only", default="torch,tf,opencv,onnx")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply case counts")
    ap.add_argument("--extras", default=None,
                    help="also write a corpus of framework-valid calls outside the FORMAT table "
                         "(parser strictness probes) to this folder")
    a = ap.parse_args()
    if a.extras:
        E = Corpus(a.extras)
        gen_extras(E, R(a.seed + 99))
        E.write()
        print(f"{len(E.cases)} extra cases written to {a.extras}")
    C = Corpus(a.out)
    C.versions["python"] = sys.version.split()[0]
    C.versions["numpy"] = np.__version__
    only = set(a.only.split(","))
    k = a.scale
    jobs = [
        ("torch", lambda: gen_torch(C, R(a.seed + 1), int(260 * k), int(150 * k))),
        ("tf", lambda: gen_tf(C, R(a.seed + 2), int(90 * k), int(128 * k), int(30 * k),
                              int(120 * k))),
        ("opencv", lambda: gen_cv(C, R(a.seed + 3), int(150 * k), int(90 * k))),
        ("onnx", lambda: gen_onnx(C, R(a.seed + 4), int(220 * k), int(90 * k))),
    ]
    for name, job in jobs:
        if name not in only:
            continue
        try:
            job()
        except ImportError as e:
            print(f"skipping {name}: {e}", file=sys.stderr)
        except Exception:
            traceback.print_exc()
            print(f"generator for {name} crashed; keeping the cases made so far", file=sys.stderr)
    C.write()
    by = Counter((c["call"]["framework"], c["call"]["function"]) for c in C.cases)
    print(f"{len(C.cases)} cases written to {a.out}")
    for (fw, fn), v in sorted(by.items()):
        print(f"  {fw:8s} {fn:42s} {v}")
    print("rejected by the frameworks (not recorded):")
    for g, v in sorted(C.rejected.items()):
        print(f"  {g}: {v}")
        for ex in C.reject_examples[g]:
            print(f"      e.g. {ex}")


if __name__ == "__main__":
    main()
