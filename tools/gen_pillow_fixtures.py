#!/usr/bin/env python3
"""Pillow fixtures that tests/corpus-images lacks: portrait images, where Pillow 13 runs the
vertical pass first (Resample.c::ImagingResampleInner: the vertical pass runs first iff
(H - oh) > 0 and (H - oh) > 2 * (W - ow)), an axis left unchanged (no pass on it), RGBA with
alpha 0 and 255 where premultiplication matters most, and F values with infinities and NaN.

Every expected output is Pillow's own, in the resize-conformance/1 format (NHWC, batch 1):

    python tools/gen_pillow_fixtures.py            # writes tests/data/pillow/
    cargo run --release -- conformance --corpus tests/data/pillow --backend all

Needs numpy and pillow (13.0.0: older releases always run the horizontal pass first).
"""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "pillow")


def vertical_first(h, w, oh, ow):
    return (h - oh) > 0 and (h - oh) > 2 * (w - ow)


def image(rng, mode, h, w):
    if mode == "F":
        x = (rng.standard_normal((h, w, 1)) * 100).astype(np.float32)
        x[0, 0, 0] = np.inf
        x[h // 2, w // 3, 0] = -np.inf
        x[h - 1, w - 1, 0] = np.nan
        x[1, 1, 0] = -0.0
        return x
    c = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    yy, xx = np.mgrid[0:h, 0:w]
    base = (np.sin(yy / 5.0) + np.cos(xx / 7.0) + 2) / 4 * 255
    x = np.clip(base[:, :, None] + rng.normal(0, 40, (h, w, c)), 0, 255).astype(np.uint8)
    # sharp 0/255 blocks, where the filters overshoot and clip8 saturates
    x[h // 4 : h // 2, w // 4 : w // 2] = 255
    x[h // 2 : 3 * h // 4, w // 4 : w // 2] = 0
    if mode == "RGBA":
        x[:, :, 3] = rng.choice([0, 255, 1, 128, 254, 37], size=(h, w)).astype(np.uint8)
    return x


# (id, mode, resample, H, W, out_h, out_w, expect vertical first)
CASES = [
    ("portrait.rgb.bicubic", "RGB", "BICUBIC", 96, 64, 48, 56, True),
    ("portrait.rgba.lanczos", "RGBA", "LANCZOS", 80, 40, 30, 36, True),
    ("portrait.l.hamming", "L", "HAMMING", 90, 30, 20, 28, True),
    ("portrait.f.bilinear", "F", "BILINEAR", 70, 40, 25, 38, True),
    ("portrait.rgb.box", "RGB", "BOX", 61, 33, 19, 41, True),
    ("landscape.rgb.bicubic", "RGB", "BICUBIC", 64, 96, 56, 48, False),
    ("height_only.rgba.bilinear", "RGBA", "BILINEAR", 50, 40, 23, 40, True),
    ("width_only.f.lanczos", "F", "LANCZOS", 30, 44, 30, 17, False),
    ("portrait.rgba.nearest", "RGBA", "NEAREST", 77, 30, 20, 29, True),
]


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(os.path.join(OUT, "data"))
    rng = np.random.default_rng(13)
    cases = []
    for cid, mode, resample, h, w, oh, ow, vfirst in CASES:
        assert vertical_first(h, w, oh, ow) == vfirst, cid
        x = image(rng, mode, h, w)
        img = Image.fromarray(x[:, :, 0] if x.shape[2] == 1 else x, mode=mode)
        y = np.asarray(img.resize((ow, oh), getattr(Image.Resampling, resample)))
        y = y.reshape(oh, ow, x.shape[2])
        np.save(os.path.join(OUT, "data", f"{cid}.input.npy"), x[None])
        np.save(os.path.join(OUT, "data", f"{cid}.expected.npy"), np.ascontiguousarray(y[None]))
        cases.append({
            "id": f"pillow.{cid}",
            "reference": f"Pillow {PIL.__version__} Image.resize(({ow}, {oh}), {resample}) "
                         f"mode {mode}, {'vertical' if vfirst else 'horizontal'} pass first",
            "op": "resize", "layout": "NHWC",
            "tolerance": {"max_abs": 1e-3 if mode == "F" else 0.0},
            "call": {"framework": "pillow", "function": "Image.resize",
                     "args": {"size": [ow, oh], "resample": resample, "mode": mode}},
            "input": f"data/{cid}.input.npy",
            "expected": f"data/{cid}.expected.npy",
        })
    manifest = {
        "format": "resize-conformance/1",
        "generated_by": {"pillow": PIL.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"{len(cases)} cases -> {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
