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
Each side runs RUNS times, the two sides alternating; the figures are the medians, and every run's
seconds are kept beside them (a single run on these shared hosts moved by 15% from one to the next).
"""
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

CLIPS, RATE, PREDICT_CLIPS = 400, 44100, 100
RUNS = 3


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


def median_run(runs):
    """The figures of one side's runs [(seconds, peak RSS MiB)]: the median of each, and every run's seconds."""
    return {"seconds": statistics.median(s for s, _ in runs), "peak_rss_mib": statistics.median(m for _, m in runs),
            "runs_seconds": [round(s, 2) for s, _ in runs]}


def run(root, bench, python, env, log):
    """Both sides' whole runs, RUNS of each, alternating; returns the `whole_run` part of a results.json entry."""
    release = os.path.dirname(bench)
    base = os.path.join(root, "benchmarks", "whole-run")
    data, ref_work = os.path.join(base, "data-44k"), os.path.join(base, "reference")
    clips = dataset(bench, data, env, log)
    script = os.path.join(root, "benchmarks", "reference_workflow.py")
    out = {"earmark": {}, "reference": {}}

    train, windows = {"earmark": [], "reference": []}, None
    for _ in range(RUNS):
        from_nothing(data)
        s, m, output = timed([os.path.join(release, "train"), "--mode", "conv", "--data", data], env, log)
        train["earmark"].append((s, m))
        windows = trained_windows(output)
        shutil.rmtree(ref_work, ignore_errors=True)
        s, m, _ = timed([python, script, "train", "--data", data, "--work", ref_work, "--epochs", "10"], env, log)
        train["reference"].append((s, m))
    out["earmark"]["train"] = dict(median_run(train["earmark"]), trained_windows=windows)
    out["reference"]["train"] = median_run(train["reference"])

    # each side predicts with the model its last train run saved
    model = os.path.join(data, "models", "conv.safetensors")
    predict = {"earmark": [], "reference": []}
    for _ in range(RUNS):
        s, m, _ = timed([os.path.join(release, "predict"), "--model", model,
                         "--out", os.path.join(base, "earmark.csv")] + clips, env, log)
        predict["earmark"].append((s, m))
        s, m, _ = timed([python, script, "predict", "--work", ref_work,
                         "--out", os.path.join(base, "reference.csv")] + clips, env, log)
        predict["reference"].append((s, m))
    out["earmark"]["predict"] = median_run(predict["earmark"])
    out["reference"]["predict"] = median_run(predict["reference"])
    seconds = {kind: {side: ", ".join(f"{s:.1f}" for s in out[side][kind]["runs_seconds"])
                      for side in ("earmark", "reference")} for kind in ("train", "predict")}
    out.update({
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "train_label": f"`train --mode conv` from nothing on {CLIPS} clips of 2.5 s at 44.1 kHz "
                       "(clean, features, 10 epochs, test report)",
        "predict_label": f"`predict` of {PREDICT_CLIPS} of those clips",
        "description": f"medians of {RUNS} runs of each side, alternating (train: Earmark {seconds['train']['earmark']} s, "
                       f"reference {seconds['train']['reference']} s; predict: Earmark {seconds['predict']['earmark']} s, "
                       f"reference {seconds['predict']['reference']} s), whole processes from spawn to exit, "
                       f"peak RSS from os.wait4; data set "
                       f"`bench dataset --clips {CLIPS} --rate {RATE}` (the quality demo's generator); reference: "
                       "benchmarks/reference_workflow.py (librosa.load sr=16000 + envelope gate, "
                       "python_speech_features windows, Keras fit 10 epochs with the reference CNN, "
                       "predict by averaging windows).",
    })
    return out
