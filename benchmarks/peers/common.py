"""Shared by the peer benchmarks: the windows, timing, peak memory and the JSON they write.

The JSON has the shape of Earmark's `bench --json` (framework, machine, settings, figures with key,
label, unit, value = median of samples, higher_is_better), so that benchmarks/run.py can put the
figures side by side.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

SHAPE = (9, 13)          # one window: 9 MFCC frames of 13 coefficients (docs/WORKFLOW.md §4)


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--windows", help="safetensors file with X (M, 9, 13[, 1]) and y (Earmark's feature cache "
                   "or the file `bench --write-windows` wrote); default: random windows")
    p.add_argument("--window-count", type=int, default=2048, help="windows to draw, or the most to read")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--warmup", type=int, default=1, help="untimed passes before the timed ones")
    p.add_argument("--repeats", type=int, default=5, help="timed passes; the figure is their median")
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads the framework may use")
    p.add_argument("--only", default="cnn,rnn,memory", help="comma-separated parts: cnn, rnn, memory")
    p.add_argument("--json", help="write the figures as JSON to this file")
    p.add_argument("--memory-probe", help=argparse.SUPPRESS)   # child process: train this network, print MiB
    return p


def load_windows(args):
    """(x (M, 9, 13) float32, labels (M) int64, classes, source)."""
    if args.windows:
        from safetensors.numpy import load_file
        d = load_file(args.windows)
        x = d["X"].astype(np.float32)
        y = d["y"]
        if y.ndim == 2:
            y = y.argmax(axis=1)
        m = min(len(x), args.window_count)
        x = x[:m].reshape(m, *SHAPE)
        y = y[:m].astype(np.int64)
        return x, y, int(y.max()) + 1, "file " + args.windows
    rng = np.random.default_rng(5)
    x = rng.random((args.window_count, *SHAPE), dtype=np.float32)
    y = rng.integers(0, 10, args.window_count).astype(np.int64)
    return x, y, 10, "random (numpy seed 5; NOT Earmark's windows)"


def envelope(y, rate, threshold):
    """The reference's envelope gate (docs/WORKFLOW.md §2.3), as the original preprocessing writes it: the
    keep mask of a centred pandas rolling mean of |y| over int(rate/10) samples."""
    import pandas as pd
    mask = []
    y = pd.Series(y).apply(np.abs)
    y_mean = y.rolling(window=int(rate / 10), min_periods=1, center=True).mean()
    for mean in y_mean:
        mask.append(bool(mean > threshold))
    return mask


def balanced_weights(y, classes):
    """n / (k * count_c), as Earmark and the reference use."""
    counts = np.bincount(y, minlength=classes)
    k = np.count_nonzero(counts)
    return {c: (len(y) / (k * counts[c]) if counts[c] else 0.0) for c in range(classes)}


def per_second(amount, one_pass, repeats, warmups=0, warmup=None):
    """`amount` per second of each of `repeats` timed calls of one_pass(), after `warmups` untimed
    calls of warmup() (default: one_pass)."""
    for _ in range(warmups):
        (warmup or one_pass)()
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        one_pass()
        out.append(amount / (time.perf_counter() - t))
    return out


def timed_passes(args, one_pass):
    """Windows/s of `repeats` timed calls of one_pass() (each one pass over every batch) after warm-up."""
    n = (args.window_count // args.batch_size) * args.batch_size
    return per_second(n, one_pass, args.repeats, args.warmup)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def memory_probe(script, args):
    """Peak RSS (MiB) of a fresh process of `script` that trains the CNN for two passes."""
    cmd = [sys.executable, script, "--memory-probe", "cnn", "--window-count", str(args.window_count),
           "--batch-size", str(args.batch_size), "--threads", str(args.threads)]
    if args.windows:
        cmd += ["--windows", args.windows]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def model_figures(args, script, x, y, classes, train_rates, infer_rates, training_label="training"):
    """The driver shared by the model peers: in the memory-probe child, train the named network and
    print the peak RSS (returns None); otherwise training and inference figures of each network asked
    for in --only, then the peak-RSS figure measured in a child process."""
    if args.memory_probe:
        args.warmup, args.repeats = 0, 2
        train_rates(args.memory_probe, x, y, classes, args)
        print(f"{peak_rss_mib():.1f}")
        return None
    figures = []
    parts = args.only.split(",")
    for kind in ("cnn", "rnn"):
        if kind not in parts:
            continue
        model, train = train_rates(kind, x, y, classes, args)
        infer = infer_rates(model, kind, x, args)
        title = kind.upper()
        figures += [figure(f"{kind}_train_windows_per_s", f"{title} {training_label}", "windows/s", train),
                    figure(f"{kind}_infer_windows_per_s", f"{title} inference", "windows/s", infer)]
    if "memory" in parts:
        figures.append(figure("cnn_train_peak_rss_mib", "CNN training peak RSS", "MiB",
                              [memory_probe(script, args)], higher_is_better=False))
    return figures


def figure(key, label, unit, samples, higher_is_better=True):
    return {"key": key, "label": label, "unit": unit, "samples": samples,
            "value": statistics.median(samples), "higher_is_better": higher_is_better}


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def report(framework, figures, settings, args):
    doc = {"schema": 1, "framework": framework, "figures": figures,
           "machine": {"cpu": cpu_name(), "cores": str(os.cpu_count()), "python": platform.python_version(),
                       **{k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}},
           "settings": {"batch_size": str(args.batch_size), "window_count": str(args.window_count),
                        "warmup_passes": str(args.warmup), "timed_passes": str(args.repeats), **settings}}
    width = max(len(f["label"]) for f in figures) if figures else 10
    print(f"{framework}: " + ", ".join(f"{k} {v}" for k, v in settings.items()))
    for f in figures:
        print(f"  {f['label']:<{width}}  {f['value']:>10.1f} {f['unit']}  samples "
              + " ".join(f"{s:.4g}" for s in f["samples"]))
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(doc, fh, indent=2, sort_keys=True)
        os.replace(tmp, args.json)
    return doc
