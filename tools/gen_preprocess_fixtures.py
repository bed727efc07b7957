#!/usr/bin/env python3
"""Fixtures for halfpixel's byte-domain preprocessing (`Preprocess::with_byte_resize`): camera
frames taken through the steps image pipelines write, by the real libraries, one after the other.

Each case is an 8-bit frame and the float32 tensor a pipeline makes of it:

- OpenCV: `cv2.resize` of the 8-bit frame (IPP off), the BGR → RGB swap, then
  `(x.astype(float32) / 255 - mean) / std` in numpy float32;
- OpenCV then Core ML's image scaler: `x.astype(float32) * scale + bias` (float32);
- torchvision's PIL path: `T.Resize` on a PIL image (Pillow's resize), `T.ToTensor()`,
  `T.Normalize(mean, std)`;
- PyTorch on uint8 tensors: `F.interpolate` of the uint8 tensor, `.float() / 255`, `Normalize`.

    python tools/gen_preprocess_fixtures.py --out tests/data/preprocess-bytes

Needs (pip): numpy, opencv-python, pillow, torch, torchvision. Writes `manifest.json` and the
`.npy` files; the test `tests/preprocess_bytes.rs` runs every case on the CPU and every GPU.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import numpy as np

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def frame(rng, h, w, bpp):
    yy, xx = np.mgrid[0:h, 0:w]
    base = (np.sin(yy / 5.0)[:, :, None] + np.cos(xx / 7.0)[:, :, None] + 2) / 4
    img = base * 255 + rng.normal(0, 30, (h, w, bpp))
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=2026)
    a = ap.parse_args()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    rng = np.random.default_rng(a.seed)
    cases = []

    def save(name, arr):
        np.save(os.path.join(a.out, name), np.ascontiguousarray(arr))
        return name

    def add(case_id, fr, pixel_format, channel_order, normalization, resize, layout, expected,
            reference):
        cases.append({
            "id": case_id,
            "frame": save(f"{case_id}.frame.npy", fr),
            "pixel_format": pixel_format,
            "channel_order": channel_order,
            "normalization": normalization,
            "resize": resize,
            "layout": layout,
            "expected": save(f"{case_id}.expected.npy", expected.astype(np.float32)),
            "reference": reference,
        })

    mean32 = np.array(MEAN, np.float32)
    std32 = np.array(STD, np.float32)
    meanstd = {"mean_std": {"mean": MEAN, "std": STD}}

    import cv2
    cv2.ipp.setUseIPP(False)
    versions = {"opencv": cv2.__version__}
    for interp, (h, w), (oh, ow), fmt, layout in [
        ("INTER_LINEAR", (61, 83), (24, 32), "bgr", "NCHW"),
        ("INTER_AREA", (90, 120), (30, 40), "bgra", "NHWC"),
        ("INTER_AREA", (97, 131), (40, 56), "bgr", "NCHW"),
        ("INTER_CUBIC", (50, 64), (77, 91), "bgr", "NCHW"),
        ("INTER_LINEAR_EXACT", (64, 80), (36, 45), "bgra", "NCHW"),
    ]:
        bpp = 4 if fmt == "bgra" else 3
        fr = frame(rng, h, w, bpp)
        resized = cv2.resize(fr, (ow, oh), interpolation=getattr(cv2, interp))
        rgb = resized[:, :, 2::-1].astype(np.float32)  # BGR(A) -> RGB
        x = (rgb / 255 - mean32) / std32
        out = x.transpose(2, 0, 1)[None] if layout == "NCHW" else x[None]
        add(f"opencv.{interp.lower()}.{fmt}.{h}x{w}.{oh}x{ow}", fr, fmt, "rgb", meanstd,
            {"framework": "opencv", "function": "resize",
             "args": {"dsize": [ow, oh], "fx": 0.0, "fy": 0.0, "interpolation": interp,
                      "use_ipp": False}},
            layout, out,
            f"cv2.ipp.setUseIPP(False); cv2.resize(frame, ({ow}, {oh}), interpolation=cv2.{interp})"
            f"[:, :, 2::-1].astype(np.float32) / 255 - mean) / std  (opencv {cv2.__version__})")

    # OpenCV, then Core ML's image scaler: y = scale * x + bias (float32), BGR kept.
    scale, bias = np.float32(1 / 127.5), np.array([-1.0, -0.9, -1.1], np.float32)
    fr = frame(rng, 72, 96, 3)
    resized = cv2.resize(fr, (64, 48), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    y = resized * scale + bias  # channels in BGR order, bias per channel (blue, green, red)
    add("opencv.inter_linear.coreml_scale_bias.bgr.72x96.48x64", fr, "bgr", "bgr",
        {"scale_bias": {"scale": float(scale),
                        "bias": {"red": float(bias[2]), "green": float(bias[1]),
                                 "blue": float(bias[0])}}},
        {"framework": "opencv", "function": "resize",
         "args": {"dsize": [64, 48], "fx": 0.0, "fy": 0.0, "interpolation": "INTER_LINEAR",
                  "use_ipp": False}},
        "NCHW", y.transpose(2, 0, 1)[None],
        "cv2.resize(frame, (64, 48)) then y = x * scale + bias (Core ML image_scale, "
        "blue/green/red biases), float32")

    import PIL
    from PIL import Image
    import torch
    import torchvision
    import torchvision.transforms as T
    import torch.nn.functional as F
    versions.update({"pillow": PIL.__version__, "torch": torch.__version__,
                     "torchvision": torchvision.__version__})
    torch.set_num_threads(1)
    for resample, name, (h, w), (oh, ow) in [
        (Image.Resampling.BILINEAR, "BILINEAR", (90, 120), (40, 52)),
        (Image.Resampling.BICUBIC, "BICUBIC", (75, 60), (96, 80)),
        (Image.Resampling.LANCZOS, "LANCZOS", (100, 64), (37, 29)),
    ]:
        fr = frame(rng, h, w, 3)
        t = T.Compose([T.Resize((oh, ow), interpolation=T.InterpolationMode[name if name != "LANCZOS" else "LANCZOS"]),
                       T.ToTensor(), T.Normalize(MEAN, STD)])
        out = t(Image.fromarray(fr, "RGB")).numpy()[None]
        add(f"torchvision.pil.{name.lower()}.rgb.{h}x{w}.{oh}x{ow}", fr, "rgb", "rgb", meanstd,
            {"framework": "pillow", "function": "Image.resize",
             "args": {"size": [ow, oh], "resample": name, "mode": "RGB"}},
            "NCHW", out,
            f"torchvision {torchvision.__version__} Compose([Resize(({oh}, {ow}), {name}), "
            f"ToTensor(), Normalize(mean, std)]) on a PIL RGB image (Pillow {PIL.__version__})")
    # Gray: PIL's convert("L") of the colour frame, then the resize.
    fr = frame(rng, 80, 100, 3)
    t = T.Compose([T.Grayscale(), T.Resize((30, 41)), T.ToTensor()])
    out = t(Image.fromarray(fr, "RGB")).numpy()[None]
    add("torchvision.pil.bilinear.gray.80x100.30x41", fr, "rgb", "gray",
        {"mean_std": {"mean": [0.0], "std": [1.0]}},
        {"framework": "pillow", "function": "Image.resize",
         "args": {"size": [41, 30], "resample": "BILINEAR", "mode": "L"}},
        "NCHW", out,
        f"torchvision Compose([Grayscale(), Resize((30, 41)), ToTensor()]) on a PIL RGB image")

    for mode, aa, (h, w), (oh, ow) in [
        ("bilinear", True, (120, 160), (44, 60)),
        ("bilinear", False, (60, 80), (100, 130)),
        ("bicubic", True, (96, 128), (50, 70)),
    ]:
        fr = frame(rng, h, w, 3)
        x = torch.from_numpy(fr).permute(2, 0, 1)[None].contiguous()
        y = F.interpolate(x, size=(oh, ow), mode=mode, align_corners=False, antialias=aa)
        out = T.Normalize(MEAN, STD)(y[0].float() / 255).numpy()[None]
        add(f"torch.u8.{mode}{'.aa' if aa else ''}.rgb.{h}x{w}.{oh}x{ow}", fr, "rgb", "rgb",
            meanstd,
            {"framework": "torch", "function": "interpolate",
             "args": {"size": [oh, ow], "scale_factor": None, "mode": mode,
                      "align_corners": False, "recompute_scale_factor": None,
                      "antialias": aa}},
            "NCHW", out,
            f"torch {torch.__version__}: F.interpolate(uint8 NCHW, size=({oh}, {ow}), "
            f"mode='{mode}', antialias={aa}), then Normalize(mean, std)(y.float() / 255)")

    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump({"format": "halfpixel-preprocess-bytes/1", "generated_by": versions,
                   "cases": cases}, f, indent=1)
    print(f"{len(cases)} cases -> {a.out}")


if __name__ == "__main__":
    main()
