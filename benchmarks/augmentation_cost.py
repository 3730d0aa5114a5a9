#!/usr/bin/env python3
"""What training-time augmentation adds to a step of `train`: the reference CNN (cfg/conv.yaml) on a
generated data set, with no augmentation, with gain only, and with every part on (gain, time shift,
pink noise at probability 0.5, SpecAugment, mixup), in milliseconds per step of 32 windows.

The step time is read from the run's history.csv (each epoch's seconds in its training steps:
gathering the batch, augmenting it, the step; not the validation) over the epochs' steps. With two
builds the runs alternate (A B A B ...), every variant in every round, and the medians are printed
side by side with B / A; each run is a whole `train` process on both cores, as a user runs it.

Usage: benchmarks/augmentation_cost.py TRAIN_A [TRAIN_B] [--data DIR] [--rounds N] [--epochs E]
(release builds, e.g. `EARMARK_NATIVE=1 swift build -c release --product train`, copied aside).
The data folder defaults to benchmarks/whole-run/data-44k (the whole runs' 400 clips of 2.5 s at
44.1 kHz), made with the `bench` beside TRAIN_A when missing.
"""
import argparse
import csv
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

VARIANTS = {
    "none": "",
    "gain": "augmentation:\n  gain_db: [-6, 6]\n",
    "all": ("augmentation:\n  gain_db: [-6, 6]\n  time_shift_seconds: 0.1\n"
            "  noise: {kind: pink, snr_db: [10, 30], probability: 0.5}\n"
            "  spec_augment: {time_masks: 2, time_width: 10, freq_masks: 2, freq_width: 8}\n"
            "  mixup: {alpha: 0.2}\n"),
}


def config_text(base, variant, epochs):
    """cfg/conv.yaml's text renamed `aug_<variant>`, trained for `epochs`, with the variant's section."""
    text = re.sub(r"(?m)^name: .*$", f"name: aug_{variant}", base)
    text = re.sub(r"(?m)^(\s+epochs:) \d+$", rf"\1 {epochs}", text)
    if "augmentation:" in text:
        sys.exit("cfg/conv.yaml already has an augmentation section")
    return text + VARIANTS[variant]


def milliseconds_per_step(output, history, batch=32):
    """Median over epochs of an epoch's step seconds / its steps, in ms; steps from the output's
    `N training windows`."""
    windows = re.search(r"(\d+) training windows", output)
    if not windows:
        sys.exit("train printed no 'training windows' line:\n" + output[-2000:])
    steps = math.ceil(int(windows.group(1)) / batch)
    seconds = [float(row["seconds"]) for row in csv.DictReader(history)]
    return statistics.median(s / steps * 1000 for s in seconds)


def environment():
    """This process's environment without the OpenBLAS overrides (as run.py runs everything)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def run(train, config, data, env):
    """One `train --config` run; its ms per step."""
    done = subprocess.run([train, "--config", config, "--data", data], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{train} --config {config} failed ({done.returncode}):\n{(done.stdout + done.stderr)[-2000:]}")
    name = os.path.splitext(os.path.basename(config))[0]
    with open(os.path.join(data, "runs", name, "history.csv")) as history:
        return milliseconds_per_step(done.stdout, history)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("trains", nargs="+", metavar="TRAIN", help="one or two `train` executables")
    p.add_argument("--data", default=os.path.join(HERE, "whole-run", "data-44k"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    args = p.parse_args()
    if len(args.trains) > 2:
        p.error("at most two builds")
    env = environment()
    if not os.path.exists(os.path.join(args.data, "audio.csv")):
        bench = os.path.join(os.path.dirname(os.path.abspath(args.trains[0])), "bench")
        subprocess.run([bench, "dataset", "--out", args.data, "--clips", "400", "--rate", "44100"], env=env, check=True)
    with open(os.path.join(ROOT, "cfg", "conv.yaml")) as f:
        base = f.read()
    times = {(v, t): [] for v in VARIANTS for t in range(len(args.trains))}
    with tempfile.TemporaryDirectory() as folder:
        configs = {}
        for v in VARIANTS:
            configs[v] = os.path.join(folder, f"aug_{v}.yaml")
            with open(configs[v], "w") as f:
                f.write(config_text(base, v, args.epochs))
        run(args.trains[0], configs["none"], args.data, env)      # cleans and caches the features once
        for r in range(args.rounds):
            for v in VARIANTS:
                for t, train in enumerate(args.trains):
                    times[(v, t)].append(run(train, configs[v], args.data, env))
                    print(f"round {r + 1} {v:5s} build {'AB'[t]}: {times[(v, t)][-1]:.2f} ms/step", flush=True)
    print(f"\nms per step of 32 windows, medians of {args.rounds} rounds ({args.epochs} epochs each run)")
    print("variant  " + "  ".join(f"build {'AB'[t]}" for t in range(len(args.trains)))
          + ("  B / A" if len(args.trains) == 2 else ""))
    for v in VARIANTS:
        m = [statistics.median(times[(v, t)]) for t in range(len(args.trains))]
        print(f"{v:7s}  " + "  ".join(f"{x:7.2f}" for x in m) + (f"  {m[1] / m[0]:5.3f}" if len(m) == 2 else ""))


if __name__ == "__main__":
    main()
