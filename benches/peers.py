#!/usr/bin/env python3
"""halfpixel against the peers a user would pick instead, on the same machine and thread count
(or, with --cuda, on the same GPU).

Times PyTorch on the CPU (``F.interpolate`` / ``F.pixel_shuffle``) and OpenCV (``cv2.resize``,
where it has the same semantics) on the named workloads of ``src/workloads.rs`` (W1..W6 in NCHW,
W1-nhwc and W2-nhwc as ``.contiguous(memory_format=torch.channels_last)`` tensors; W1-f16 is a GPU
workload, timed with ``--cuda`` only), then runs ``halfpixel bench --backend cpu`` with the same
thread count (or reads the JSON of an earlier run) and prints, per workload and peer, both medians
and the ratio ``peer time / halfpixel time`` -- halfpixel's throughput relative to the peer's
(above 1: halfpixel is faster; the issue's target is 1.5 against PyTorch for W1..W5).

Requirements: ``python3`` with ``torch``, ``opencv-python-headless`` and ``numpy`` installed, e.g.

    python3 -m pip install torch opencv-python-headless numpy

and, unless ``--halfpixel-json`` is given, ``cargo`` (the script runs
``cargo run --release -- bench --backend cpu --threads N --json FILE`` from the repository root)
or a prebuilt binary named by ``--halfpixel-bin PATH``, which runs in cargo's place.
OpenCV or PyTorch may be missing: that peer's rows are then reported as unavailable.

Method: each call is timed with ``time.perf_counter`` after warm-up runs; the median (and min,
p90) of ``--reps`` runs (default 30) is reported. PyTorch allocates its output on every call (as
``F.interpolate`` always does); halfpixel's numbers are steady state into a preallocated output.
Threads: ``torch.set_num_threads(N)`` and ``cv2.setNumThreads(N)``, and ``--threads N`` for
halfpixel; N defaults to every core.

OpenCV coverage (``cv2.resize`` on an HxWxC image, one call -- or one per group of channels
when C exceeds cv2's limit, CV_CN_MAX = 128 in OpenCV 5; on NCHW tensors one call per channel
plane, as a user holding NCHW data would):
  W1, W6   bilinear, half-pixel centres       -> INTER_LINEAR (same grid as align_corners=False)
  W2       nearest ``floor(i * in/out)``        -> INTER_NEAREST (same rule as PyTorch 'nearest')
  W3       bicubic align_corners=True         -> no equivalent: cv2.resize has no align_corners
           mode (INTER_CUBIC is half-pixel, a = -0.75)
  W4       bilinear antialias (triangle filter stretched by the scale) -> no equivalent:
           INTER_LINEAR does not antialias and INTER_AREA is a box filter
  W5       pixel_shuffle                      -> no cv2 operation
For every cv2 row the script also prints the largest difference from PyTorch's output, which
shows that the semantics are the same.

CUDA mode (``--cuda``): PyTorch on the GPU against halfpixel's GPU backend on the same GPU, in
one call. PyTorch times every workload above and W1-f16 (W1 on a ``torch.half`` input) with
``torch.device('cuda')``; halfpixel runs ``halfpixel bench --backend gpu`` (through Vulkan on an
NVIDIA machine) -- a prebuilt binary with ``--halfpixel-bin PATH`` (for a machine without cargo),
the JSON of an earlier run with ``--halfpixel-gpu-json FILE``, else ``cargo run --release``. It
then prints one table: per workload PyTorch's kernel time (CUDA events) and halfpixel's (timestamp
queries), the ratio ``torch / halfpixel`` (above 1: halfpixel is faster), both wall times, each
side's bandwidth as a share of its own copy floor, and the issue's targets for W1, W2 and W5:
halfpixel's kernel bandwidth at >= 70% of halfpixel's copy floor, and halfpixel's kernel time at
most PyTorch's. ``torch.cuda.get_device_name()`` and halfpixel's adapter name are printed, so a
run whose Vulkan adapter is not the CUDA device (e.g. a software one) shows it. Without a CUDA
device PyTorch can see, ``--cuda`` prints one line saying why and exits 2. Exit status otherwise:
0, or 1 when halfpixel's GPU run failed (PyTorch's numbers are still printed and written).

CUDA method: inputs are resident on the GPU (the same pattern, moved there once); each call
allocates its output, as ``F.interpolate`` always does (from PyTorch's caching allocator, so no
cudaMalloc in steady state); halfpixel writes into a preallocated output. After ``--warmup``
calls, each of ``--reps`` runs takes
  (a) the GPU time: ``torch.cuda.Event(enable_timing=True)`` recorded on the current stream right
      before and right after the call. A ``torch.cuda._sleep`` of about 1 ms is queued ahead of
      the start event, so the call is already queued when the GPU reaches that event: the event
      time then holds the kernels, not their launch from Python -- like halfpixel's timestamps,
      which are written on the GPU around its recorded work. The runs where queuing the call took
      longer than the sleep (launch not hidden) are counted and printed. ``--cuda-no-sleep``
      records the events on an idle GPU instead (launch latency included);
  (b) the wall time: ``time.perf_counter`` around the call and ``torch.cuda.synchronize()``,
      starting from an idle GPU (a separate call from (a)).
Median, min and p90 of both are reported. The copy floor is a device-to-device copy of 256 MiB
(``dst.copy_(src)``, both preallocated), timed the same way and counted as 512 MiB moved (read +
written); halfpixel's is ``copy_buffer_to_buffer`` of 256 MiB. The bandwidth of a workload is
(bytes in + bytes out) / median. Note that W1 and W2 move 20 MiB and W5 8 MiB: a few
microseconds on an H100 or H200, whose L2 cache (50 / 60 MB) holds all of it across back-to-back
runs, on both sides alike, while the copy floor's 512 MiB does not fit -- so a share of the copy
floor above 100% is possible.

On a GPU machine without a Rust toolchain (the recipe is in BENCHMARKS.md, section 7): build
``target/release/halfpixel`` elsewhere, bring it and the Vulkan loader, and run
``WGPU_BACKEND=vulkan python3 benches/peers.py --cuda --halfpixel-bin target/release/halfpixel``.

Examples:
    python3 benches/peers.py --threads 2
    python3 benches/peers.py --threads 2 --halfpixel-json bench.json --json peers.json
    python3 benches/peers.py --workload W1,W2 --no-opencv
    python3 benches/peers.py --cuda --halfpixel-bin target/release/halfpixel --json peers_cuda.json
    python3 benches/peers.py --cuda --workload W1,W2,W5 --halfpixel-gpu-json gpu.json
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The PyTorch CPU reference numbers of the issue (2 threads, median of 30, ms).
ISSUE_TORCH_MS = {"W1": 2.84, "W2": 1.05, "W3": 3.26, "W4": 0.45, "W5": 0.61}

# name: (input NCHW, layout, description) -- the same definitions as src/workloads.rs.
WORKLOADS = {
    "W1": ([1, 64, 128, 128], "nchw", "bilinear align_corners=False -> 256x256"),
    "W2": ([1, 256, 64, 64], "nchw", "nearest scale_factor=2"),
    "W3": ([1, 32, 96, 96], "nchw", "bicubic align_corners=True -> 192x192"),
    "W4": ([1, 3, 512, 512], "nchw", "bilinear antialias=True -> 224x224"),
    "W5": ([1, 256, 64, 64], "nchw", "pixel_shuffle(2)"),
    "W6": ([1, 32, 512, 512], "nchw", "bilinear -> 1024x1024"),
    "W1-nhwc": ([1, 64, 128, 128], "nhwc", "W1 channels_last"),
    "W2-nhwc": ([1, 256, 64, 64], "nhwc", "W2 channels_last"),
}

# 8-bit workloads (W7): (input NCHW, layout of halfpixel's workload, description). The input is
# the 8-bit pattern of src/bench/cpu.rs (`input_u8`); each halfpixel preset reproduces its peer's
# arithmetic bit for bit (tests/conformance_images.rs, tests/torch_u8.rs, tests/pillow.rs).
U8_WORKLOADS = {
    "W7-area": ([1, 3, 1080, 1920], "nhwc",
                "cv2.resize(uint8 HxWx3, (224, 224), interpolation=cv2.INTER_AREA)"),
    "W7-aa-torch": ([1, 3, 1080, 1920], "nchw",
                    "F.interpolate(uint8 1x3xHxW, (224, 224), 'bilinear', antialias=True)"),
    "W7-aa-pillow": ([1, 3, 1080, 1920], "nhwc",
                     "Image.fromarray(uint8 HxWx3).resize((224, 224), Image.BILINEAR)"),
}

# Names that select several workloads (as `halfpixel bench --workload`).
GROUPS = {"W7": list(U8_WORKLOADS), "W7-aa": ["W7-aa-torch", "W7-aa-pillow"]}

# GPU-only workloads (f16 storage), timed with --cuda only.
GPU_WORKLOADS = {
    "W1-f16": ([1, 64, 128, 128], "nchw", "W1 with f16 storage (torch.half)"),
}

# The issue's real-GPU targets (the halfpixel JSON's "targets" take precedence): these workloads'
# kernel bandwidth at this share of the GPU copy floor, and no slower than PyTorch CUDA.
GPU_TARGETED = ["W1", "W2", "W5"]
GPU_COPY_TARGET = 0.7

# The size of the CUDA copy floor's buffers (as halfpixel's copy_buffer_to_buffer floor).
CUDA_COPY_BYTES = 256 << 20

# How long the torch.cuda._sleep queued ahead of each timed call lasts.
CUDA_SLEEP_S = 1e-3

NO_CV2 = {
    "W3": "no cv2 equivalent: cv2.resize has no align_corners bicubic (INTER_CUBIC is half-pixel)",
    "W4": "no cv2 equivalent: INTER_LINEAR does not antialias, INTER_AREA is a box filter",
    "W5": "no cv2 operation for pixel_shuffle",
}


def summarize(samples):
    s = sorted(samples)
    rank = max(1, -(-9 * len(s) // 10))  # nearest-rank 90th percentile
    return {
        "samples": len(s),
        "median_s": statistics.median(s),
        "min_s": s[0],
        "p90_s": s[rank - 1],
    }


def timeit(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return summarize(samples)


def make_input(np, dims):
    # The same deterministic pattern as the Rust benches: ((3c + 5h + 7w) % 29) * 0.1.
    n, c, h, w = dims
    ci = np.arange(c).reshape(1, c, 1, 1)
    hi = np.arange(h).reshape(1, 1, h, 1)
    wi = np.arange(w).reshape(1, 1, 1, w)
    x = ((3 * ci + 5 * hi + 7 * wi) % 29).astype(np.float32) * 0.1
    return np.ascontiguousarray(np.broadcast_to(x, (n, c, h, w)))


def make_input_u8(np, dims):
    """The 8-bit pattern of src/bench/cpu.rs `input_u8`, as an NCHW array: the element at NHWC
    position i is (i * 2654435761 mod 2^32) >> 24."""
    n, c, h, w = dims
    i = np.arange(n * h * w * c, dtype=np.uint64)
    v = (((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)) >> np.uint64(24)).astype(np.uint8)
    return np.ascontiguousarray(v.reshape(n, h, w, c).transpose(0, 3, 1, 2))


def time_u8_peers(args, name, np, torch, cv2, image_mod):
    """The W7 peers of one 8-bit workload: a dict of peer -> timing (or "unavailable").

    W7-area: cv2.resize INTER_AREA with IPP on and with IPP off (cv2.setUseOptimized(True) in
    both; cv2.ipp.setUseIPP toggled around each measurement). W7-aa-torch: F.interpolate on the
    uint8 NCHW tensor. W7-aa-pillow: Image.resize(BILINEAR) on the RGB image (Pillow resizes on
    one thread whatever --threads says). Inputs are prepared before timing; each call allocates
    its output, as these calls always do.
    """
    dims, _, _ = U8_WORKLOADS[name]
    x = make_input_u8(np, dims)
    hwc = np.ascontiguousarray(x[0].transpose(1, 2, 0))
    row = {}
    if name == "W7-area":
        if cv2 is None:
            row["opencv_ipp"] = row["opencv_no_ipp"] = {
                "unavailable": "OpenCV not installed or --no-opencv"}
            return row
        f = lambda: cv2.resize(hwc, (224, 224), interpolation=cv2.INTER_AREA)
        outs = {}
        for key, ipp in (("opencv_ipp", True), ("opencv_no_ipp", False)):
            cv2.setUseOptimized(True)
            cv2.ipp.setUseIPP(ipp)
            print(f"peers: opencv {name} (IPP {'on' if ipp else 'off'}: "
                  f"useIPP={cv2.ipp.useIPP()})", file=sys.stderr)
            row[key] = timeit(f, args.reps, args.warmup)
            row[key]["use_ipp"] = bool(cv2.ipp.useIPP())
            outs[key] = f()
        cv2.ipp.setUseIPP(True)
        d = np.abs(outs["opencv_ipp"].astype(np.int16) - outs["opencv_no_ipp"].astype(np.int16))
        row["opencv_ipp"]["max_abs_diff_vs_no_ipp"] = int(d.max())
    elif name == "W7-aa-torch":
        if torch is None:
            row["torch"] = {"unavailable": "PyTorch not installed or --no-torch"}
            return row
        F = torch.nn.functional
        t = torch.from_numpy(x)
        f = lambda: F.interpolate(t, size=(224, 224), mode="bilinear", align_corners=False,
                                  antialias=True)
        print(f"peers: torch {name}", file=sys.stderr)
        with torch.inference_mode():
            row["torch"] = timeit(f, args.reps, args.warmup)
        row["torch"]["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    elif name == "W7-aa-pillow":
        if image_mod is None:
            row["pillow"] = {"unavailable": "Pillow not installed or --no-pillow"}
            return row
        img = image_mod.fromarray(hwc, "RGB")
        f = lambda: img.resize((224, 224), image_mod.Resampling.BILINEAR)
        print(f"peers: pillow {name}", file=sys.stderr)
        row["pillow"] = timeit(f, args.reps, args.warmup)
        row["pillow"]["note"] = "Pillow resizes on one thread"
    return row


def torch_call(torch, name):
    F = torch.nn.functional
    base = name.split("-")[0]
    if base == "W1":
        return lambda x: F.interpolate(x, size=(256, 256), mode="bilinear", align_corners=False)
    if base == "W2":
        return lambda x: F.interpolate(x, scale_factor=2, mode="nearest")
    if base == "W3":
        return lambda x: F.interpolate(x, size=(192, 192), mode="bicubic", align_corners=True)
    if base == "W4":
        return lambda x: F.interpolate(
            x, size=(224, 224), mode="bilinear", align_corners=False, antialias=True
        )
    if base == "W5":
        return lambda x: F.pixel_shuffle(x, 2)
    if base == "W6":
        return lambda x: F.interpolate(x, size=(1024, 1024), mode="bilinear", align_corners=False)
    raise KeyError(name)


def cv2_call(cv2, name, layout):
    """A function of the input in its layout (NCHW array or HWC image), or None."""
    base = name.split("-")[0]
    if base in ("W1", "W6"):
        size, interp = ((256, 256) if base == "W1" else (1024, 1024)), cv2.INTER_LINEAR
    elif base == "W2":
        size, interp = None, cv2.INTER_NEAREST
    else:
        return None

    def one(img):
        if size is None:
            return cv2.resize(img, None, fx=2.0, fy=2.0, interpolation=interp)
        return cv2.resize(img, size, interpolation=interp)

    if layout == "nhwc":
        # A list of HWC images (one, unless the channels exceed cv2's limit).
        return lambda images: [one(i) for i in images]
    return lambda planes: [one(p) for p in planes]


def cv2_max_channels(cv2, np):
    """The most channels cv2.resize takes in one image (CV_CN_MAX: 512 in OpenCV 4, 128 in 5)."""
    best = 4
    for c in (8, 16, 32, 64, 128, 256, 512):
        try:
            cv2.resize(np.zeros((2, 2, c), np.float32), (4, 4), interpolation=cv2.INTER_NEAREST)
            best = c
        except cv2.error:
            break
    return best


def time_peers(args, names):
    results = {}
    try:
        import numpy as np
    except ImportError:
        sys.exit("peers.py needs numpy: python3 -m pip install numpy")
    torch = cv2 = None
    if not args.no_torch:
        try:
            import torch
        except ImportError as e:
            print(f"PyTorch unavailable ({e}); its rows are skipped", file=sys.stderr)
    if not args.no_opencv:
        try:
            import cv2
        except ImportError as e:
            print(f"OpenCV unavailable ({e}); its rows are skipped", file=sys.stderr)
    versions = {"numpy": np.__version__}
    if torch is not None:
        torch.set_num_threads(args.threads)
        versions["torch"] = torch.__version__
        versions["torch_threads"] = torch.get_num_threads()
    if cv2 is not None:
        cv2.setNumThreads(args.threads)
        versions["opencv"] = cv2.__version__
        versions["opencv_threads"] = cv2.getNumThreads()

    # The copy floor as the peers see it: 256 MiB copied into a preallocated buffer.
    copies = {}
    src = np.ones((256 << 20) // 4, np.float32)
    dst = np.zeros_like(src)
    print("peers: copy floor (numpy, torch)", file=sys.stderr)
    copies["numpy.copyto (1 thread)"] = timeit(lambda: np.copyto(dst, src), 10, 2)
    if torch is not None:
        ts, td = torch.from_numpy(src), torch.from_numpy(dst)
        copies[f"torch Tensor.copy_ ({args.threads} threads)"] = timeit(lambda: td.copy_(ts), 10, 2)
    for c in copies.values():
        c["gbps"] = 2 * src.nbytes / c["median_s"] / 1e9
    del src, dst
    versions["copies"] = copies

    image_mod = None
    if any(n in U8_WORKLOADS for n in names) and not args.no_pillow:
        try:
            from PIL import Image as image_mod
            import PIL
            versions["pillow"] = PIL.__version__
        except ImportError as e:
            print(f"Pillow unavailable ({e}); its rows are skipped", file=sys.stderr)
    if cv2 is not None and any(n in U8_WORKLOADS for n in names):
        versions["opencv_ipp"] = cv2.ipp.getIppVersion()

    for name in names:
        if name in U8_WORKLOADS:
            results[name] = time_u8_peers(args, name, np, torch, cv2, image_mod)
            continue
        dims, layout, _ = WORKLOADS[name]
        x = make_input(np, dims)
        row = {}
        ref = None
        if torch is not None:
            t = torch.from_numpy(x)
            if layout == "nhwc":
                t = t.contiguous(memory_format=torch.channels_last)
            f = torch_call(torch, name)
            print(f"peers: torch {name}", file=sys.stderr)
            with torch.inference_mode():
                row["torch"] = timeit(lambda: f(t), args.reps, args.warmup)
                ref = f(t).contiguous().numpy()  # NCHW
        else:
            row["torch"] = {"unavailable": "PyTorch not installed or --no-torch"}
        if cv2 is not None:
            f = cv2_call(cv2, name, layout)
            if f is None:
                row["opencv"] = {"unavailable": NO_CV2[name.split("-")[0]]}
            else:
                if layout == "nhwc":
                    hwc = x[0].transpose(1, 2, 0)
                    limit = cv2_max_channels(cv2, np)
                    # HWC images of at most `limit` channels, prepared before timing.
                    arg = [np.ascontiguousarray(hwc[:, :, c:c + limit])
                           for c in range(0, hwc.shape[2], limit)]
                else:
                    arg = [np.ascontiguousarray(p) for p in x[0]]  # C planes of HxW
                print(f"peers: opencv {name}", file=sys.stderr)
                row["opencv"] = timeit(lambda: f(arg), args.reps, args.warmup)
                out = f(arg)
                if layout == "nhwc":
                    got = np.concatenate(out, axis=2).transpose(2, 0, 1)[None]
                    if len(arg) > 1:
                        row["opencv"]["note"] = (
                            f"{len(arg)} images of {arg[0].shape[2]} channels "
                            f"(cv2.resize takes at most {arg[0].shape[2]})")
                else:
                    got = np.stack(out)[None]
                    row["opencv"]["note"] = f"{len(arg)} calls, one per channel plane"
                if ref is not None:
                    row["opencv"]["max_abs_diff_vs_torch"] = float(np.abs(got - ref).max())
        else:
            row["opencv"] = {"unavailable": "OpenCV not installed or --no-opencv"}
        results[name] = row
    return results, versions


def run_halfpixel(args, names):
    if args.halfpixel_json:
        with open(args.halfpixel_json) as f:
            return json.load(f), args.halfpixel_json
    fd, path = tempfile.mkstemp(prefix="halfpixel-bench-", suffix=".json")
    os.close(fd)
    cmd = halfpixel_command(args) + [
        "bench", "--backend", args.halfpixel_backend,
        "--threads", str(args.threads), "--reps", str(args.reps),
        "--workload", ",".join(names), "--json", path,
    ]
    print("peers: " + " ".join(cmd), file=sys.stderr)
    try:
        done = subprocess.run(cmd, cwd=REPO, stdout=sys.stderr)
    except OSError as e:
        sys.exit(f"cannot start halfpixel: {e}")
    if done.returncode not in (0, 1):
        sys.exit(f"halfpixel bench failed with status {done.returncode}")
    with open(path) as f:
        data = json.load(f)
    os.remove(path)
    return data, " ".join(cmd)


def halfpixel_command(args):
    """How to start halfpixel: the prebuilt binary of --halfpixel-bin, else cargo run --release."""
    if args.halfpixel_bin:
        return [str(Path(args.halfpixel_bin).resolve())]
    return ["cargo", "run", "--release", "--quiet", "--"]


def print_table(header, rows):
    width = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, width)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in width))
    for r in rows:
        print(line(r))


# W7's peers: (key in the peers' row, label), per workload.
W7_PEERS = {
    "W7-area": [("opencv_ipp", "cv2.resize INTER_AREA, IPP on"),
                ("opencv_no_ipp", "cv2.resize INTER_AREA, IPP off")],
    "W7-aa-torch": [("torch", "F.interpolate uint8 bilinear antialias=True")],
    "W7-aa-pillow": [("pillow", "Image.resize BILINEAR (one thread)")],
}


def w7_report(args, names, peers, hp_rows, adapter):
    """The W7 table: each peer beside the halfpixel preset that computes its bits."""
    print(f"W7: uint8 RGB 1080x1920 -> 224x224, {args.threads} thread(s) for every peer that "
          "takes a thread count and for halfpixel; halfpixel's CPU path is bit-exact with the peer "
          "of its row (IPP off for OpenCV)")
    gpu_col = args.halfpixel_backend == "all"
    header = ["workload", "peer", "peer ms", "halfpixel cpu ms", "peer/halfpixel"]
    if gpu_col:
        header.append("halfpixel gpu/cpu time")
    header.append("note")
    rows = []
    for name in names:
        h = hp_rows.get(name, {})
        cpu = h.get("cpu", {})
        h_s = cpu.get("median_s") if cpu.get("status") == "ok" else None
        gpu = h.get("gpu", {})
        g = gpu.get("kernel") or gpu.get("wall") if gpu.get("status") == "ok" else None
        g_s = g.get("median_s") if g else None
        for key, label in W7_PEERS[name]:
            r = peers[name].get(key, {})
            p_s = r.get("median_s")
            ratio = f"{p_s / h_s:.2f}x" if (p_s and h_s) else "-"
            notes = [r["unavailable"]] if "unavailable" in r else []
            if "max_abs_diff_vs_no_ipp" in r:
                notes.append(f"max |IPP - no IPP| = {r['max_abs_diff_vs_no_ipp']}")
            if "cpu_capability" in r:
                notes.append(f"torch capability {r['cpu_capability']}")
            if "note" in r:
                notes.append(r["note"])
            row = [name, label, fmt_ms(p_s), fmt_ms(h_s), ratio]
            if gpu_col:
                row.append(f"{g_s / h_s:.2f}" if (g_s and h_s) else "-")
            row.append("; ".join(notes))
            rows.append(row)
    print_table(header, rows)
    print("peer/halfpixel = peer median / halfpixel CPU median (above 1: halfpixel is faster).")
    if gpu_col:
        name = (adapter or {}).get("name", "no adapter")
        kind = (adapter or {}).get("device_type", "?")
        print(f"halfpixel gpu/cpu time = GPU time (kernel timestamps, else wall) / CPU time on "
              f"the same run; adapter: {name} (device type {kind}) -- on a software adapter "
              "(llvmpipe/lavapipe runs on the same CPU cores) this is not a GPU measurement.")


def fmt_ms(s):
    return "-" if s is None else f"{s * 1e3:.3f}"


# ---------------------------------------------------------------------------------------------
# CUDA mode: PyTorch on the GPU against `halfpixel bench --backend gpu` on the same GPU.


def cuda_unavailable(torch):
    """Why PyTorch cannot time on a CUDA device, or None when it can."""
    if torch.version.cuda is None:
        return f"torch {torch.__version__} is a CPU-only build (torch.version.cuda is None)"
    try:
        torch.cuda.init()
    except Exception as e:  # torch raises RuntimeError / AssertionError with the reason
        return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if torch.cuda.device_count() == 0:
        return "torch.cuda.device_count() is 0"
    return None


def calibrate_sleep(torch, target_s):
    """(cycles, seconds) of a torch.cuda._sleep lasting about `target_s` on this GPU."""
    cuda = torch.cuda
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    cycles = 1_000_000
    for _ in range(3):  # the first runs wake the GPU's clocks
        cuda.synchronize()
        start.record()
        cuda._sleep(cycles)
        end.record()
        end.synchronize()
    seconds = max(start.elapsed_time(end) / 1e3, 1e-9)
    n = max(10_000, int(cycles * target_s / seconds))
    return n, seconds * n / cycles


def time_cuda(torch, fn, reps, warmup, sleep):
    """Times `fn`, work queued on the current CUDA stream, after `warmup` untimed calls.

    Each of `reps` runs takes (a) the GPU time between two CUDA events recorded on the current
    stream right before and right after a call, and (b) the wall time of another call,
    time.perf_counter around the call and torch.cuda.synchronize(), from an idle GPU. `sleep`:
    None, or the (cycles, seconds) of a torch.cuda._sleep queued before the start event, so that
    the call is queued before the GPU reaches that event and (a) holds its kernels, not their
    launch; `launch_exposed_runs` counts the runs where queuing took longer than the sleep.
    """
    cuda = torch.cuda
    for _ in range(warmup):
        fn()
    cuda.synchronize()
    start, end = cuda.Event(enable_timing=True), cuda.Event(enable_timing=True)
    kernel, wall, exposed = [], [], 0
    for _ in range(reps):
        if sleep is not None:
            cuda._sleep(sleep[0])
            t = time.perf_counter()
        start.record()
        fn()
        end.record()
        if sleep is not None and time.perf_counter() - t > sleep[1]:
            exposed += 1
        end.synchronize()
        kernel.append(start.elapsed_time(end) / 1e3)  # elapsed_time is in ms
        cuda.synchronize()
        t = time.perf_counter()
        fn()
        cuda.synchronize()
        wall.append(time.perf_counter() - t)
    out = {"kernel": summarize(kernel), "wall": summarize(wall)}
    if sleep is not None:
        out["launch_exposed_runs"] = exposed
    return out


def add_gbps(r, bytes_moved):
    for k in ("kernel", "wall"):
        r[k]["gbps"] = bytes_moved / r[k]["median_s"] / 1e9 if r[k]["median_s"] > 0 else None


def time_torch_cuda(torch, np, args, names, device="cuda"):
    """PyTorch's numbers on `device`: (device and method info, copy floor, {workload: result})."""
    cuda = torch.cuda
    dev = torch.device(device)
    props = cuda.get_device_properties(dev)
    info = {
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "numpy": np.__version__,
        "device": cuda.get_device_name(dev),
        "capability": ".".join(str(v) for v in cuda.get_device_capability(dev)),
        "multiprocessors": getattr(props, "multi_processor_count", None),
        "memory_bytes": getattr(props, "total_memory", None),
        "l2_cache_bytes": getattr(props, "L2_cache_size", None),
    }
    sleep = None
    if args.cuda_no_sleep:
        method = "CUDA events on an idle GPU (--cuda-no-sleep): the launch latency is included"
    elif not hasattr(cuda, "_sleep"):
        method = ("CUDA events on an idle GPU (this PyTorch has no torch.cuda._sleep): the launch "
                  "latency is included")
    else:
        sleep = calibrate_sleep(torch, CUDA_SLEEP_S)
        method = (f"CUDA events with a torch.cuda._sleep of {sleep[1] * 1e3:.2f} ms "
                  f"({sleep[0]} cycles) queued ahead: kernels, not their launch")
    info["method"] = method
    info["sleep_cycles"] = sleep[0] if sleep else None
    info["sleep_s"] = sleep[1] if sleep else None
    info["output"] = ("allocated by every call (as F.interpolate does), from PyTorch's caching "
                      "allocator")

    print(f"peers: torch cuda copy floor ({CUDA_COPY_BYTES >> 20} MiB)", file=sys.stderr)
    src = torch.ones(CUDA_COPY_BYTES // 4, dtype=torch.float32, device=dev)
    dst = torch.empty_like(src)
    copy = time_cuda(torch, lambda: dst.copy_(src), args.reps, args.warmup, sleep)
    copy["bytes_moved"] = 2 * CUDA_COPY_BYTES
    copy["what"] = f"dst.copy_(src), {CUDA_COPY_BYTES >> 20} MiB device to device"
    add_gbps(copy, copy["bytes_moved"])
    del src, dst
    cuda.empty_cache()

    results = {}
    for name in names:
        dims, layout, _ = {**WORKLOADS, **GPU_WORKLOADS}[name]
        x = torch.from_numpy(make_input(np, dims).copy()).to(dev)
        if name.endswith("-f16"):
            x = x.half()
        if layout == "nhwc":
            x = x.contiguous(memory_format=torch.channels_last)
        f = torch_call(torch, name)
        print(f"peers: torch cuda {name}", file=sys.stderr)
        try:
            with torch.inference_mode():
                y = f(x)
                r = time_cuda(torch, lambda: f(x), args.reps, args.warmup, sleep)
        except Exception as e:  # one workload PyTorch cannot run must not lose the others
            results[name] = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
            continue
        r["dtype"] = str(x.dtype).replace("torch.", "")
        r["layout"] = layout
        r["input_dims"] = list(x.shape)
        r["output_dims"] = list(y.shape)
        r["bytes_in"] = x.numel() * x.element_size()
        r["bytes_out"] = y.numel() * y.element_size()
        add_gbps(r, r["bytes_in"] + r["bytes_out"])
        cg = copy["kernel"]["gbps"]
        r["fraction_of_copy"] = r["kernel"]["gbps"] / cg if (cg and r["kernel"]["gbps"]) else None
        results[name] = r
        del x, y
    return info, copy, results


def run_halfpixel_gpu(args, names):
    """halfpixel's GPU numbers: (its bench JSON or None, where they come from, why not or None)."""
    if args.halfpixel_gpu_json:
        with open(args.halfpixel_gpu_json) as f:
            return json.load(f), args.halfpixel_gpu_json, None
    fd, path = tempfile.mkstemp(prefix="halfpixel-bench-gpu-", suffix=".json")
    os.close(fd)
    cmd = halfpixel_command(args) + [
        "bench", "--backend", "gpu", "--reps", str(args.reps), "--warmup", str(args.warmup),
        "--workload", ",".join(names), "--json", path,
    ]
    print("peers: " + " ".join(cmd), file=sys.stderr)
    try:
        done = subprocess.run(cmd, cwd=REPO, stdout=sys.stderr)
    except OSError as e:
        os.remove(path)
        return None, " ".join(cmd), f"cannot start halfpixel: {e}"
    # 0: every measurement ran; 1: some failed (recorded in the JSON); 2: usage error / no GPU.
    if done.returncode not in (0, 1):
        os.remove(path)
        return None, " ".join(cmd), (f"halfpixel bench exited with status {done.returncode} "
                                     "(its error is printed above)")
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError as e:
        return None, " ".join(cmd), f"halfpixel bench wrote no readable JSON ({e})"
    finally:
        os.remove(path)
    return data, " ".join(cmd), None


def cuda_comparison(names, torch_rows, torch_copy, hp):
    """One dict per workload comparing PyTorch CUDA with halfpixel's GPU run.

    Plain data in, plain data out (testable without a GPU): `torch_rows` maps a workload to
    time_cuda's result plus bytes_in/bytes_out (or {"error": why}); `torch_copy` is the copy
    floor's time_cuda result with kernel/wall "gbps"; `hp` is `halfpixel bench --json` output
    (or None). Times are medians in seconds; fractions of the copy floor are kernel by kernel
    (halfpixel wall by wall only when it has no timestamps, and then no verdict).
    """
    hp = hp or {}
    targets = hp.get("targets") or {}
    targeted = targets.get("workloads") or GPU_TARGETED
    goal = targets.get("gpu_fraction_of_copy") or GPU_COPY_TARGET
    adapter = hp.get("adapter") or {}
    software = bool(adapter.get("software"))
    hcopy = hp.get("gpu_copy") or {}
    hcopy_ok = hcopy.get("status") == "ok"
    hcopy_kernel = (hcopy.get("kernel") or {}).get("gbps") if hcopy_ok else None
    hcopy_wall = (hcopy.get("wall") or {}).get("gbps") if hcopy_ok else None
    tcopy = ((torch_copy or {}).get("kernel") or {}).get("gbps")
    hrows = {w.get("name"): w for w in hp.get("workloads", [])}

    rows = []
    for name in names:
        notes = []
        t = (torch_rows or {}).get(name) or {}
        tk = (t.get("kernel") or {}).get("median_s")
        tw = (t.get("wall") or {}).get("median_s")
        tbytes = t.get("bytes_in", 0) + t.get("bytes_out", 0)
        tfrac = tbytes / tk / 1e9 / tcopy if (tk and tbytes and tcopy) else None
        if "error" in t:
            notes.append(f"torch: {t['error']}")
        elif not t:
            notes.append("torch: not timed")
        if t.get("launch_exposed_runs"):
            notes.append(f"torch: launch not hidden behind the sleep in {t['launch_exposed_runs']} "
                         f"of {t['kernel']['samples']} runs")

        h = hrows.get(name) or {}
        hg = h.get("gpu") or {}
        hk = hw = hfrac = None
        hfrac_by = None
        hbytes = h.get("bytes_in", 0) + h.get("bytes_out", 0)
        if hg.get("status") == "ok":
            hk = (hg.get("kernel") or {}).get("median_s")
            hw = (hg.get("wall") or {}).get("median_s")
            if hk and hcopy_kernel:
                hfrac, hfrac_by = hbytes / hk / 1e9 / hcopy_kernel, "kernel"
            elif hk is None and hw and hcopy_wall:
                hfrac, hfrac_by = hbytes / hw / 1e9 / hcopy_wall, "wall"
            if hk is None:
                notes.append("halfpixel: no kernel time (no timestamp queries): walls only")
        elif hg:
            why = hg.get("reason") or hg.get("error") or ""
            notes.append(f"halfpixel {hg.get('status', '?')}: {why}".rstrip(": "))
        elif hp:
            notes.append("halfpixel: no GPU result for this workload in its JSON")
        else:
            notes.append("halfpixel: no GPU run")
        if tbytes and hbytes and tbytes != hbytes:
            notes.append(f"bytes moved differ: torch {tbytes}, halfpixel {hbytes}")

        is_targeted = name in targeted
        copy_v = torch_v = None
        if is_targeted:
            if hg.get("status") != "ok":
                copy_v = torch_v = "no halfpixel result"
            elif software:
                copy_v = torch_v = "not targeted (software)"
            elif hk is None:
                copy_v = torch_v = "no kernel time"
            else:
                copy_v = ("no copy floor" if hfrac is None
                          else "met" if hfrac >= goal else "MISSED")
                torch_v = "no torch time" if not tk else ("met" if hk <= tk else "MISSED")
        rows.append({
            "workload": name,
            "bytes_moved": tbytes or hbytes or None,
            "torch_kernel_s": tk,
            "torch_wall_s": tw,
            "torch_fraction_of_copy": tfrac,
            "halfpixel_kernel_s": hk,
            "halfpixel_wall_s": hw,
            "halfpixel_fraction_of_copy": hfrac,
            "halfpixel_fraction_of_copy_by": hfrac_by,
            "torch_over_halfpixel_kernel": tk / hk if (tk and hk) else None,
            "torch_over_halfpixel_wall": tw / hw if (tw and hw) else None,
            "targeted": is_targeted,
            "target_copy_fraction": goal if is_targeted else None,
            "target_copy": copy_v,
            "target_torch": torch_v,
            "notes": notes,
        })
    return rows


def fmt_us(s):
    return "-" if s is None else f"{s * 1e6:.1f}"


def fmt_pct(f):
    """63%, 5.2%, 0.09% (as halfpixel bench prints them)."""
    if f is None:
        return "-"
    p = f * 100
    return f"{p:.0f}%" if p >= 10 else (f"{p:.1f}%" if p >= 1 else f"{p:.2f}%")


def fmt_ratio(r):
    """3.40x, 0.125x (three significant digits below 1, as halfpixel bench prints them)."""
    if r is None:
        return "-"
    return f"{r:.2f}x" if r >= 1 else f"{r:.3g}x"


def table_lines(header, rows):
    width = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, width)).rstrip()
    return [line(header), "  ".join("-" * w for w in width)] + [line(r) for r in rows]


def cuda_report_lines(info, torch_copy, hp, source, hp_error, rows, reps, warmup):
    """The CUDA comparison as text lines (plain data in; testable without a GPU)."""
    out = []
    if info:
        extra = [f"torch {info.get('torch')}", f"CUDA {info.get('cuda')}"]
        if info.get("capability"):
            extra.append(f"sm_{info['capability'].replace('.', '')}")
        if info.get("multiprocessors"):
            extra.append(f"{info['multiprocessors']} SMs")
        if info.get("l2_cache_bytes"):
            extra.append(f"L2 {info['l2_cache_bytes'] / 2**20:.0f} MiB")
        if info.get("memory_bytes"):
            extra.append(f"{info['memory_bytes'] / 2**30:.1f} GiB")
        out.append(f"gpu (PyTorch, torch.cuda.get_device_name()): {info.get('device')} -- "
                   + ", ".join(extra))
    adapter = (hp or {}).get("adapter")
    if adapter:
        desc = (f"gpu (halfpixel, Vulkan/wgpu adapter): {adapter.get('name')} -- "
                f"{adapter.get('backend')}, device type {adapter.get('device_type')}, "
                f"driver {adapter.get('driver') or 'unknown'}")
        if adapter.get("software"):
            desc += (" -- a SOFTWARE adapter (runs on the CPU), NOT the GPU PyTorch ran on: "
                     "no verdicts")
        out.append(desc)
        if info and info.get("device") and adapter.get("name") != info.get("device"):
            out.append("note: the two device names differ: check that both ran on the same GPU")
        ts = (adapter.get("timestamp_method") if adapter.get("timestamps")
              else "NONE (wall times only)")
        out.append(f"halfpixel: kernel times from timestamp queries: {ts}; SHADER_F16 "
                   f"{'yes' if adapter.get('shader_f16') else 'no (W1-f16 skipped)'}")
    elif hp is not None:
        out.append(f"gpu (halfpixel): no adapter in its JSON"
                   f"{': ' + hp['gpu_unavailable'] if hp.get('gpu_unavailable') else ''}")
    out.append(f"halfpixel: {source}" + (f" -- FAILED: {hp_error}" if hp_error else ""))
    if info:
        out.append(f"torch: {info.get('method')}; output {info.get('output')}")
    hp_reps = (hp or {}).get("reps"), (hp or {}).get("warmup")
    out.append(f"each: median of {reps} runs after {warmup} warm-up runs (torch)"
               + (f", of up to {hp_reps[0]} after {hp_reps[1]} (halfpixel)"
                  if hp_reps[0] is not None else ""))
    floors = []
    if torch_copy:
        floors.append(f"torch dst.copy_(src) of {torch_copy['bytes_moved'] >> 21} MiB "
                      f"{torch_copy['kernel']['gbps']:.1f} (events; wall "
                      f"{torch_copy['wall']['gbps']:.1f})")
        if torch_copy.get("launch_exposed_runs"):
            floors[-1] += f" [launch not hidden in {torch_copy['launch_exposed_runs']} runs]"
    hcopy = (hp or {}).get("gpu_copy") or {}
    if hcopy.get("status") == "ok":
        k = (hcopy.get("kernel") or {}).get("gbps")
        w = (hcopy.get("wall") or {}).get("gbps")
        floors.append(f"halfpixel copy_buffer_to_buffer of {hcopy.get('bytes_moved', 0) >> 21} MiB "
                      + (f"{k:.1f} (timestamps; wall {w:.1f})" if k else f"{w:.1f} (wall)"))
    elif hcopy:
        floors.append(f"halfpixel copy {hcopy.get('status')}: "
                      f"{hcopy.get('error') or hcopy.get('reason') or ''}")
    if floors:
        out.append("copy floor, GB/s read + written: " + "; ".join(floors))
    out.append("")

    goal = next((r["target_copy_fraction"] for r in rows if r["target_copy_fraction"]),
                GPU_COPY_TARGET)
    header = ["workload", "torch kernel us", "halfpixel kernel us", "torch/halfpixel",
              "torch wall us", "halfpixel wall us", "torch % copy", "halfpixel % copy",
              f">={goal * 100:.0f}% copy", "<= torch", "note"]
    cells, notes = [], []
    for r in rows:
        marks = []
        for n in r["notes"]:
            if n not in notes:  # one footnote per distinct note
                notes.append(n)
            marks.append(f"[{notes.index(n) + 1}]")
        hpct = fmt_pct(r["halfpixel_fraction_of_copy"])
        if r["halfpixel_fraction_of_copy_by"] == "wall":
            hpct += " (wall)"
        cells.append([
            r["workload"], fmt_us(r["torch_kernel_s"]), fmt_us(r["halfpixel_kernel_s"]),
            fmt_ratio(r["torch_over_halfpixel_kernel"]),
            fmt_us(r["torch_wall_s"]), fmt_us(r["halfpixel_wall_s"]),
            fmt_pct(r["torch_fraction_of_copy"]), hpct,
            r["target_copy"] or "", r["target_torch"] or "", " ".join(marks),
        ])
    out.extend(table_lines(header, cells))
    for i, n in enumerate(notes, 1):
        out.append(f"[{i}] {n}")
    out.append("times are medians in microseconds; kernel: torch between CUDA events, halfpixel "
               "between timestamp queries; torch/halfpixel = torch kernel / halfpixel kernel "
               "(above 1: halfpixel is faster); % copy = (bytes in + bytes out) / kernel median "
               "as a share of that side's own copy floor (kernel by kernel).")
    targeted = [r["workload"] for r in rows if r["targeted"]]
    if targeted:
        out.append(f"targets ({', '.join(targeted)}): halfpixel kernel bandwidth >= "
                   f"{goal * 100:.0f}% of halfpixel's copy floor, and halfpixel kernel <= torch "
                   "kernel, on the same GPU.")
    return out


def main_cuda(args, names):
    """--cuda: PyTorch CUDA and halfpixel's GPU backend on the same GPU. Returns the exit status."""
    try:
        import numpy as np
    except ImportError:
        print("peers.py needs numpy: python3 -m pip install numpy", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError as e:
        print(f"--cuda needs PyTorch with CUDA ({e})", file=sys.stderr)
        return 2
    why = cuda_unavailable(torch)
    if why is not None:
        print(f"PyTorch sees no CUDA device: {why}", file=sys.stderr)
        return 2
    if not (args.halfpixel_gpu_json or args.halfpixel_bin or shutil.which("cargo")):
        print("no cargo to build halfpixel here: pass --halfpixel-bin PATH (a prebuilt "
              "halfpixel) or --halfpixel-gpu-json FILE", file=sys.stderr)
        return 2

    # halfpixel first, in its own process, before PyTorch allocates or runs anything here.
    hp, source, hp_error = run_halfpixel_gpu(args, names)
    info, copy, torch_rows = time_torch_cuda(torch, np, args, names)
    rows = cuda_comparison(names, torch_rows, copy, hp)
    for line in cuda_report_lines(info, copy, hp, source, hp_error, rows, args.reps, args.warmup):
        print(line)
    if hp_error:
        print(f"halfpixel's GPU run FAILED: {hp_error}", file=sys.stderr)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "mode": "cuda",
                "reps": args.reps,
                "warmup": args.warmup,
                "targets": {
                    "workloads": [r["workload"] for r in rows if r["targeted"]],
                    "gpu_fraction_of_copy": next(
                        (r["target_copy_fraction"] for r in rows if r["targeted"]),
                        GPU_COPY_TARGET),
                },
                "torch_cuda": {"info": info, "copy": copy, "workloads": torch_rows},
                "halfpixel_source": source,
                "halfpixel_error": hp_error,
                "halfpixel": hp,
                "comparison": rows,
            }, f, indent=2)
            f.write("\n")
    return 1 if hp_error else 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for PyTorch, OpenCV and halfpixel (default: every core)")
    p.add_argument("--reps", type=int, default=30, help="timed runs per measurement (default 30)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    p.add_argument("--workload",
                   help="comma-separated workloads (default: all but W1-f16; with --cuda, all)")
    p.add_argument("--halfpixel-json", metavar="FILE",
                   help="read halfpixel's numbers from `halfpixel bench --json FILE` instead of running it")
    p.add_argument("--halfpixel-bin", metavar="PATH",
                   help="run this prebuilt halfpixel binary instead of `cargo run --release` "
                        "(e.g. target/release/halfpixel built on another machine)")
    p.add_argument("--json", metavar="FILE", help="also write every number as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--no-opencv", action="store_true", help="skip OpenCV")
    p.add_argument("--no-pillow", action="store_true", help="skip Pillow (W7-aa-pillow)")
    p.add_argument("--halfpixel-backend", choices=["cpu", "all"], default="cpu",
                   help="`halfpixel bench --backend`: cpu (default), or all to add the GPU "
                        "adapter's time as a ratio to halfpixel's CPU time")
    g = p.add_argument_group(
        "CUDA mode", "PyTorch on the GPU against `halfpixel bench --backend gpu` on the same GPU")
    g.add_argument("--cuda", action="store_true",
                   help="time PyTorch CUDA (torch.device('cuda')) and halfpixel's GPU backend "
                        "instead of the CPU peers; exits 2 when PyTorch sees no CUDA device")
    g.add_argument("--halfpixel-gpu-json", metavar="FILE",
                   help="with --cuda: read halfpixel's GPU numbers from "
                        "`halfpixel bench --backend gpu --json FILE` instead of running it")
    g.add_argument("--cuda-no-sleep", action="store_true",
                   help="with --cuda: record PyTorch's CUDA events on an idle GPU (launch latency "
                        "included) instead of behind a queued torch.cuda._sleep")
    args = p.parse_args()

    valid = {**WORKLOADS, **GPU_WORKLOADS} if args.cuda else {**WORKLOADS, **U8_WORKLOADS}
    names = []
    requested = [s.strip() for s in (args.workload or ",".join(valid)).split(",")]
    expanded = []
    for n in requested:
        group = next((g for g in GROUPS if g.lower() == n.lower()), None)
        expanded.extend(GROUPS[group] if group and not args.cuda else [n])
    for n in expanded:
        if n in names:
            continue
        match = next((k for k in valid if k.lower() == n.lower()), None)
        if match is None and not args.cuda and n.lower() in (k.lower() for k in GPU_WORKLOADS):
            sys.exit(f"{n} is a GPU workload (f16 storage): time it with --cuda")
        if match is None:
            groups = "" if args.cuda else ", " + ", ".join(GROUPS)
            sys.exit(f"unknown workload {n!r}; valid names: {', '.join(valid)}{groups}")
        names.append(match)
    if args.threads < 1 or args.reps < 1:
        sys.exit("--threads and --reps must be at least 1")
    if args.cuda:
        if args.halfpixel_json:
            p.error("--halfpixel-json holds a CPU run; with --cuda, use --halfpixel-gpu-json")
        if args.no_torch:
            p.error("--cuda compares with PyTorch CUDA; --no-torch leaves nothing to compare")
        sys.exit(main_cuda(args, names))
    if args.halfpixel_gpu_json or args.cuda_no_sleep:
        p.error("--halfpixel-gpu-json and --cuda-no-sleep go with --cuda")

    peers, versions = time_peers(args, names)
    copies = versions.pop("copies")
    hp, source = run_halfpixel(args, names)
    hp_rows = {w["name"]: w for w in hp.get("workloads", [])}
    if hp.get("threads") not in (None, args.threads):
        print(f"warning: halfpixel ran with {hp.get('threads')} threads, the peers with {args.threads}",
              file=sys.stderr)

    machine = hp.get("machine", {})
    print(f"machine: {machine.get('cpu_model', '?')} ({machine.get('available_cores', '?')} cores); "
          f"threads {args.threads}; median of {args.reps} after {args.warmup} warm-up runs")
    print("peers: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"halfpixel: {source}")
    memcpy = hp.get("memcpy", {}).get("gbps")
    floors = [f"{k} {v['gbps']:.2f}" for k, v in copies.items()]
    if memcpy:
        floors.insert(0, f"halfpixel bench memcpy {memcpy:.2f}")
    print("copy of 256 MiB, GB/s read + written: " + "; ".join(floors))
    print()
    header = ["workload", "peer", "peer ms", "halfpixel ms", "peer/halfpixel", "issue torch ms", "note"]
    rows = []
    for name in (n for n in names if n not in U8_WORKLOADS):
        h = hp_rows.get(name, {}).get("cpu", {})
        h_s = h.get("median_s") if h.get("status") == "ok" else None
        for peer in ("torch", "opencv"):
            r = peers[name][peer]
            p_s = r.get("median_s")
            ratio = f"{p_s / h_s:.2f}x" if (p_s and h_s) else "-"
            note = r.get("unavailable", "")
            if "max_abs_diff_vs_torch" in r:
                note = f"max |cv2 - torch| = {r['max_abs_diff_vs_torch']:.2e}"
                if "note" in r:
                    note += "; " + r["note"]
            issue = ISSUE_TORCH_MS.get(name) if peer == "torch" else None
            rows.append([name, peer, fmt_ms(p_s), fmt_ms(h_s), ratio,
                         "-" if issue is None else f"{issue:.2f}", note])
    if rows:
        print_table(header, rows)
        print("peer/halfpixel = peer median / halfpixel median: halfpixel's throughput relative to "
              "the peer (above 1: halfpixel is faster). issue torch ms: the issue's PyTorch "
              "reference at 2 threads.")
    u8_names = [n for n in names if n in U8_WORKLOADS]
    if u8_names:
        if rows:
            print()
        w7_report(args, u8_names, peers, hp_rows, hp.get("adapter"))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "threads": args.threads,
                "reps": args.reps,
                "warmup": args.warmup,
                "versions": versions,
                "copies": copies,
                "issue_torch_ms": ISSUE_TORCH_MS,
                "peers": peers,
                "halfpixel": hp,
            }, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
