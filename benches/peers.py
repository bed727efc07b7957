#!/usr/bin/env python3
"""halfpixel against the peers a user would pick instead, on the same machine and thread count.

Times PyTorch on the CPU (``F.interpolate`` / ``F.pixel_shuffle``) and OpenCV (``cv2.resize``,
where it has the same semantics) on the named workloads of ``src/workloads.rs`` (W1..W6 in NCHW,
W1-nhwc and W2-nhwc as ``.contiguous(memory_format=torch.channels_last)`` tensors; W1-f16 is a GPU
workload and is left out), then runs ``halfpixel bench --backend cpu`` with the same thread count
(or reads the JSON of an earlier run) and prints, per workload and peer, both medians and the
ratio ``peer time / halfpixel time`` -- halfpixel's throughput relative to the peer's (above 1:
halfpixel is faster; the issue's target is 1.5 against PyTorch for W1..W5).

Requirements: ``python3`` with ``torch``, ``opencv-python-headless`` and ``numpy`` installed, e.g.

    python3 -m pip install torch opencv-python-headless numpy

and, unless ``--halfpixel-json`` is given, ``cargo`` (the script runs
``cargo run --release -- bench --backend cpu --threads N --json FILE`` from the repository root).
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

Examples:
    python3 benches/peers.py --threads 2
    python3 benches/peers.py --threads 2 --halfpixel-json bench.json --json peers.json
    python3 benches/peers.py --workload W1,W2 --no-opencv
"""

import argparse
import json
import os
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

    for name in names:
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
    cmd = [
        "cargo", "run", "--release", "--quiet", "--", "bench", "--backend", "cpu",
        "--threads", str(args.threads), "--reps", str(args.reps),
        "--workload", ",".join(names), "--json", path,
    ]
    print("peers: " + " ".join(cmd), file=sys.stderr)
    done = subprocess.run(cmd, cwd=REPO, stdout=sys.stderr)
    if done.returncode not in (0, 1):
        sys.exit(f"halfpixel bench failed with status {done.returncode}")
    with open(path) as f:
        data = json.load(f)
    os.remove(path)
    return data, " ".join(cmd)


def fmt_ms(s):
    return "-" if s is None else f"{s * 1e3:.3f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="threads for PyTorch, OpenCV and halfpixel (default: every core)")
    p.add_argument("--reps", type=int, default=30, help="timed runs per measurement (default 30)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    p.add_argument("--workload", default=",".join(WORKLOADS),
                   help="comma-separated workloads (default: all but W1-f16)")
    p.add_argument("--halfpixel-json", metavar="FILE",
                   help="read halfpixel's numbers from `halfpixel bench --json FILE` instead of running it")
    p.add_argument("--json", metavar="FILE", help="also write every number as JSON")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    p.add_argument("--no-opencv", action="store_true", help="skip OpenCV")
    args = p.parse_args()

    names = []
    for n in (s.strip() for s in args.workload.split(",")):
        match = next((k for k in WORKLOADS if k.lower() == n.lower()), None)
        if match is None:
            sys.exit(f"unknown workload {n!r}; valid names: {', '.join(WORKLOADS)}")
        names.append(match)
    if args.threads < 1 or args.reps < 1:
        sys.exit("--threads and --reps must be at least 1")

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
    for name in names:
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
    width = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, width)).rstrip()
    print(line(header))
    print("  ".join("-" * w for w in width))
    for r in rows:
        print(line(r))
    print("peer/halfpixel = peer median / halfpixel median: halfpixel's throughput relative to the "
          "peer (above 1: halfpixel is faster). issue torch ms: the issue's PyTorch reference at 2 threads.")

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
