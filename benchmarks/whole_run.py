"""Whole-run figures (`run.py --whole-run`): what a user waits for, as whole processes, Earmark against the
reference workflow's steps in Python (benchmarks/reference_workflow.py):

- train: `train --mode conv --data SET` from nothing (only audio.csv and wavfiles/: clean, features,
  10 epochs, test report) against `reference_workflow.py train` (librosa cleaning, python_speech_features
  windows, Keras fit for 10 epochs, test report);
- predict: `predict --model M CLIP x 100` against `reference_workflow.py predict` on the same 100 clips,
  each side with the model its own train run saved.

SET is made by `bench dataset` (the demo generator at 44.1 kHz, 400 clips of 2.5 s, 16-bit) into
benchmarks/whole-run/ (git-ignored), once. Each process is timed from spawn to exit; its peak RSS is
`ru_maxrss` of its rusage (os.wait4), the same as `/usr/bin/time -v`'s "Maximum resident set size".
"""
import datetime
import os
import re
import shutil
import subprocess
import sys
import time

CLIPS, RATE, PREDICT_CLIPS = 400, 44100, 100


def timed(cmd, env, log, cwd=None):
    """Runs cmd; returns (wall seconds, peak RSS MiB, its output). Exits with the output's tail when it
    fails."""
    print("$ " + " ".join(cmd[:6]) + (" ..." if len(cmd) > 6 else ""), flush=True)
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = child.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    log.write("$ " + " ".join(cmd) + "\n" + output + "\n")
    if child.returncode != 0:
        sys.exit(f"failed ({child.returncode}): {' '.join(cmd[:6])}\n{output[-3000:]}")
    print("\n".join("    " + line for line in output.strip().splitlines()[-4:]), flush=True)
    return seconds, usage.ru_maxrss / 1024, output


def dataset(bench, folder, env, log):
    """The 400-clip 44.1 kHz set, generated when missing."""
    if not os.path.exists(os.path.join(folder, "audio.csv")):
        timed([bench, "dataset", "--out", folder, "--clips", str(CLIPS), "--rate", str(RATE)], env, log)
    with open(os.path.join(folder, "audio.csv")) as f:
        names = [line.split(",")[0] for line in f.read().splitlines()[1:] if line]
    return [os.path.join(folder, "wavfiles", n) for n in sorted(names)[:PREDICT_CLIPS]]


def from_nothing(folder):
    """Removes everything but the inputs (audio.csv, wavfiles/) from Earmark's data folder."""
    for name in os.listdir(folder):
        if name not in ("audio.csv", "wavfiles"):
            path = os.path.join(folder, name)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)


def trained_windows(output):
    """Windows the training steps of a `train` run went through: its training windows per epoch (the
    data line) times its epochs (the `Epoch k/n` lines), or None when the output has neither."""
    windows = re.search(r"(\d+) training windows", output)
    epochs = len(re.findall(r"^Epoch \d+/\d+", output, re.M))
    return int(windows.group(1)) * epochs if windows and epochs else None


def run(root, bench, python, env, log):
    """Both sides' whole runs once; returns the `whole_run` part of a results.json entry."""
    release = os.path.dirname(bench)
    base = os.path.join(root, "benchmarks", "whole-run")
    data, ref_work = os.path.join(base, "data-44k"), os.path.join(base, "reference")
    clips = dataset(bench, data, env, log)
    script = os.path.join(root, "benchmarks", "reference_workflow.py")
    out = {"earmark": {}, "reference": {}}

    from_nothing(data)
    s, m, output = timed([os.path.join(release, "train"), "--mode", "conv", "--data", data], env, log)
    out["earmark"]["train"] = {"seconds": s, "peak_rss_mib": m, "trained_windows": trained_windows(output)}
    shutil.rmtree(ref_work, ignore_errors=True)
    s, m, _ = timed([python, script, "train", "--data", data, "--work", ref_work, "--epochs", "10"], env, log)
    out["reference"]["train"] = {"seconds": s, "peak_rss_mib": m}

    model = os.path.join(data, "models", "conv.safetensors")
    s, m, _ = timed([os.path.join(release, "predict"), "--model", model, "--out", os.path.join(base, "earmark.csv")]
                 + clips, env, log)
    out["earmark"]["predict"] = {"seconds": s, "peak_rss_mib": m}
    s, m, _ = timed([python, script, "predict", "--work", ref_work, "--out", os.path.join(base, "reference.csv")]
                 + clips, env, log)
    out["reference"]["predict"] = {"seconds": s, "peak_rss_mib": m}
    out.update({
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "train_label": f"`train --mode conv` from nothing on {CLIPS} clips of 2.5 s at 44.1 kHz "
                       "(clean, features, 10 epochs, test report)",
        "predict_label": f"`predict` of {PREDICT_CLIPS} of those clips",
        "description": f"one run of each side, whole processes from spawn to exit, peak RSS from os.wait4; data set "
                       f"`bench dataset --clips {CLIPS} --rate {RATE}` (the quality demo's generator); reference: "
                       "benchmarks/reference_workflow.py (librosa.load sr=16000 + envelope gate, "
                       "python_speech_features windows, Keras fit 10 epochs with the reference CNN, "
                       "predict by averaging windows).",
    })
    return out
