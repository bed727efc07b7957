#!/usr/bin/env python3
"""Unseen uint8 cases of PyTorch's `F.interpolate`, made by the real torch, in the
`resize-conformance/1` format: wider than tools/gen_image_corpus.py's torch cases.

Covers NCHW and channels_last tensors (the latter stored as NHWC arrays with layout "NHWC"),
1-6 channels (5 and 6 run PyTorch's generic kernel on AVX2 builds, 1-4 its AVX2 kernel), batches
of 1-2, every mode with antialias and align_corners, `size=` and `scale_factor=` with
recompute_scale_factor None / False / True, user scales inconsistent with the sizes, outputs of
width or height 1, unchanged axes, big antialias shrinks (precision 22) and saturated content.
Calls for which torch raises are not corpus cases; they are written to `raises.json` next to the
manifest (id, layout, input dims, call), for `tests/torch_u8.rs`:

    python tools/gen_torch_u8_corpus.py --out /tmp/tch_u8 --seed 1 --cases 400
    cargo run --release -- conformance --corpus /tmp/tch_u8 --backend all
    HALFPIXEL_TORCH_RAISES=/tmp/tch_u8/raises.json cargo test --release --test torch_u8

`--large` makes camera-sized inputs (480x640 to 1080x1920), resized mostly to model input sizes.
`--grid FILE` instead writes the tiny-shape fixture of tests/torch_u8.rs: every
(H, W, out_h, out_w) in {1,2,3}^4 for 1, 3, 4 and 5 channels, both memory formats, bilinear and
bicubic with antialias, with torch's output or the exception it raises.

Run on an AVX2 or AVX-512 x86 machine (torch.backends.cpu.get_cpu_capability()), the build
halfpixel reproduces. Needs numpy and torch.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import numpy as np


def random_image(rng, n, c, h, w):
    kind = rng.integers(0, 3)
    if kind == 0:  # noise
        return rng.integers(0, 256, (n, c, h, w)).astype(np.uint8)
    if kind == 1:  # 0 and 255 only: saturation and overshoot
        return (rng.integers(0, 2, (n, c, h, w)) * 255).astype(np.uint8)
    yy, xx = np.mgrid[0:h, 0:w]
    base = (np.sin(yy / (2 + rng.random() * 20)) + np.cos(xx / (2 + rng.random() * 20)) + 2) / 4
    img = base[None, None] * 255 + rng.normal(0, 12, (n, c, h, w))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def log_size(rng, lo, hi):
    return int(np.clip(np.rint(np.exp(rng.uniform(np.log(lo), np.log(hi)))), lo, hi))


def random_scale(rng):
    pick = rng.integers(0, 4)
    if pick == 0:
        return float(rng.choice([0.5, 2.0, 0.25, 1.5, 3.0, 1 / 3, 0.75, 4.0, 1.0]))
    if pick == 1:  # slightly off a nice factor: inconsistent with the resulting size
        return float(rng.choice([2.004, 0.999, 1.001, 0.4999, 3.0001, 1.004]))
    return float(np.round(rng.uniform(0.05, 4.0), int(rng.integers(2, 5))))


def random_call(rng, h, w):
    """(size, scale_factor, recompute) for an input of h x w."""
    form = rng.integers(0, 10)
    if form < 4:
        return [log_size(rng, 1, 4 * h + 3), log_size(rng, 1, 4 * w + 3)], None, None
    if form == 4:  # one axis unchanged
        return ([h, log_size(rng, 1, 4 * w + 3)] if rng.integers(0, 2)
                else [log_size(rng, 1, 4 * h + 3), w]), None, None
    if form == 5:  # a single column or row (PyTorch's generic-kernel bug)
        return ([log_size(rng, 1, 4 * h + 3), 1] if rng.integers(0, 2)
                else [1, log_size(rng, 1, 4 * w + 3)]), None, None
    sf = [random_scale(rng), random_scale(rng)]
    recompute = [None, False, True][rng.integers(0, 3)]
    return None, sf, recompute


def torch_call(torch, F, x_nchw, channels_last, size, sf, mode, align, aa, recompute):
    t = torch.from_numpy(np.ascontiguousarray(x_nchw))
    if channels_last:
        t = t.contiguous(memory_format=torch.channels_last)
    y = F.interpolate(t, size=size, scale_factor=sf, mode=mode, align_corners=align,
                      antialias=aa, recompute_scale_factor=recompute)
    return y.numpy()


def call_args(size, sf, mode, align, aa, recompute):
    return {"size": size, "scale_factor": sf, "mode": mode, "align_corners": align,
            "recompute_scale_factor": recompute, "antialias": aa}


CAMERA = [(480, 640), (720, 1280), (1080, 1920), (640, 480), (1024, 768), (256, 256), (500, 375)]
MODEL_INPUTS = [(224, 224), (256, 256), (299, 299), (384, 384), (518, 518), (192, 256), (112, 112)]


def gen_random(out, seed, cases, large=False):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "data"))
    manifest = {"format": "resize-conformance/1",
                "generated_by": f"torch {torch.__version__} uint8 F.interpolate "
                                f"({torch.backends.cpu.get_cpu_capability()}), "
                                f"tools/gen_torch_u8_corpus.py --seed {seed}",
                "cases": []}
    raises = []
    modes = ["nearest", "nearest-exact", "bilinear", "bilinear", "bicubic", "bicubic"]
    i = 0
    while len(manifest["cases"]) + len(raises) < cases:
        i += 1
        c = int(rng.integers(1, 7))
        n = 2 if rng.random() < 0.2 else 1
        small = rng.random() < 0.15
        h = log_size(rng, 1, 4 if small else 400)
        w = log_size(rng, 1, 4 if small else 400)
        if large:  # camera frames to model inputs
            h, w = CAMERA[rng.integers(0, len(CAMERA))]
            c = int(rng.choice([1, 3, 4, 3, 5]))
            n = 1
        mode = modes[rng.integers(0, len(modes))]
        align, aa = None, False
        if mode in ("bilinear", "bicubic"):
            align = bool(rng.integers(0, 2))
            aa = bool(rng.integers(0, 2))
        size, sf, recompute = random_call(rng, h, w)
        if large and rng.random() < 0.7:
            size, sf, recompute = list(MODEL_INPUTS[rng.integers(0, len(MODEL_INPUTS))]), None, None
        if not large and rng.random() < 0.05 and mode in ("bilinear", "bicubic"):  # big AA shrink
            h, w = log_size(rng, 300, 2000), log_size(rng, 1, 30)
            size, sf, recompute, aa = [int(rng.integers(1, 4)), w], None, None, True
        oh, ow = (size if size is not None else [int(h * sf[0]), int(w * sf[1])])
        limit = 12_000_000 if large else 1_500_000
        if oh < 1 or ow < 1 or n * c * oh * ow > limit or n * c * h * w > limit:
            continue
        channels_last = bool(rng.integers(0, 2))
        x = random_image(rng, n, c, h, w)
        layout = "NHWC" if channels_last else "NCHW"
        cid = (f"torch.u8.{mode}{'.aa' if aa else ''}{'.ac1' if align else ''}."
               f"{'cl' if channels_last else 'nchw'}.n{n}c{c}.{h}x{w}.{i}")
        args = call_args(size, sf, mode, align, aa, recompute)
        try:
            y = torch_call(torch, F, x, channels_last, size, sf, mode, align, aa, recompute)
        except Exception as e:  # noqa: BLE001 - torch's own refusal is the fact recorded
            raises.append({"id": cid, "layout": layout, "dims": [n, c, h, w],
                           "call": {"framework": "torch", "function": "interpolate", "args": args},
                           "exception": type(e).__name__, "message": str(e)[:200]})
            continue
        if channels_last:
            x, y = x.transpose(0, 2, 3, 1), y.transpose(0, 2, 3, 1)
        rel_in, rel_out = f"data/{cid}.input.npy", f"data/{cid}.expected.npy"
        np.save(os.path.join(out, rel_in), np.ascontiguousarray(x))
        np.save(os.path.join(out, rel_out), np.ascontiguousarray(y))
        manifest["cases"].append({
            "id": cid,
            "reference": f"torch {torch.__version__} F.interpolate on uint8 "
                         f"({'channels_last' if channels_last else 'contiguous'}), seed {seed}",
            "op": "resize", "layout": layout, "input": rel_in, "expected": rel_out,
            "tolerance": {"max_abs": 0.0},
            "call": {"framework": "torch", "function": "interpolate", "args": args},
        })
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    with open(os.path.join(out, "raises.json"), "w") as f:
        json.dump(raises, f, indent=1)
    print(f"{len(manifest['cases'])} cases, {len(raises)} raised by torch -> {out}")


def grid_input(n, c, h, w):
    """The tiny fixture's input, a formula tests/torch_u8.rs repeats."""
    k = np.arange(n * c * h * w).reshape(n, c, h, w)
    return ((k * 73 + 29) % 256).astype(np.uint8)


def gen_grid(path):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(1)
    rows = []
    for mode, aa in [("bilinear", False), ("bicubic", True)]:
        for c in (1, 3, 4, 5):
            for cl in (False, True):
                for h in (1, 2, 3):
                    for w in (1, 2, 3):
                        for oh in (1, 2, 3):
                            for ow in (1, 2, 3):
                                x = grid_input(1, c, h, w)
                                try:
                                    y = torch_call(torch, F, x, cl, [oh, ow], None, mode, False,
                                                   aa, None)
                                    out = bytes(np.ascontiguousarray(y).reshape(-1)).hex()
                                except RuntimeError as e:
                                    out = "RuntimeError: " + str(e).split(" at ")[0]
                                rows.append([mode, aa, c, "NHWC" if cl else "NCHW", h, w, oh, ow,
                                             out])
    doc = {"generated_by": f"torch {torch.__version__} "
                           f"({torch.backends.cpu.get_cpu_capability()}), "
                           "tools/gen_torch_u8_corpus.py --grid",
           "input": "x[n,c,h,w] = (73 * flat_nchw_index + 29) % 256",
           "row": "[mode, antialias, C, memory format, H, W, out_h, out_w, "
                  "NCHW output bytes as hex | exception]",
           "rows": rows}
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{len(rows)} rows -> {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--grid")
    ap.add_argument("--large", action="store_true",
                    help="camera-sized inputs (480x640 to 1080x1920) resized mostly to model sizes")
    a = ap.parse_args()
    if a.grid:
        gen_grid(a.grid)
    elif a.out:
        gen_random(a.out, a.seed, a.cases, a.large)
    else:
        ap.error("give --out or --grid")


if __name__ == "__main__":
    main()
