"""Keras's `predict` of one clip end to end, process start included: what the reference predict.py
(docs/WORKFLOW.md §9) does for one file, timed as a whole Python process.

One run (--once) starts Python, imports TensorFlow/Keras, rebuilds the reference CNN (docs/WORKFLOW.md §6)
and loads Earmark's model file (safetensors, Keras weight names `conv2d_1/kernel`, ...) into it by
name, reads the clip and cleans it as the reference does (librosa.load at 16 kHz, the pandas
rolling-mean envelope, docs/WORKFLOW.md §2), cuts windows at 0, 1600, ... while i < len - 1600, computes
python_speech_features' MFCC per window, scales with the stored min/max, predicts and writes the CSV
(fname, one probability per class, y_pred).

--style reference: one `model.predict(x)` per window, as predict.py does.
--style batched:   every window of the clip in one `model(x)` call (what a careful Keras user would write).

Without --once, this script is the driver: it runs `--once` as child processes (`--warmup` untimed,
then `--repeats` timed, both styles alternately) and reports seconds per run from just before the
child is spawned to its exit. It also times Python's start-up alone (a child that imports what a
prediction needs and exits: `--startup`) and, in one child, the clip predicted after the first with
every window in one call (`--in-process N`: the warm per-clip figure beside Earmark's).

    python keras_predict.py --model model.safetensors --clip clip.wav --json keras_predict.json
"""
import argparse
import json
import os
import subprocess
import sys
import time

STYLES = ("reference", "batched")
CNN_LAYERS = ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3", "dense", "dense_1", "dense_2"]


def build_cnn(keras, classes):
    """The reference CNN (docs/WORKFLOW.md §6) with Keras's default layer names, which Earmark's files use."""
    L = keras.layers
    layers = [keras.Input((9, 13, 1))]
    for i, f in enumerate((16, 32, 64, 128)):
        layers.append(L.Conv2D(f, (3, 3), activation="relu", strides=(1, 1), padding="same",
                               name="conv2d" if i == 0 else f"conv2d_{i}"))
    layers += [L.MaxPool2D((2, 2)), L.Dropout(0.5), L.Flatten(),
               L.Dense(128, activation="relu", name="dense"), L.Dense(64, activation="relu", name="dense_1"),
               L.Dense(classes, activation="softmax", name="dense_2")]
    return keras.Sequential(layers)


def imports():
    """The modules a prediction needs (what the start-up figure times)."""
    import numpy as np
    import librosa
    from python_speech_features import mfcc
    from safetensors import safe_open
    import keras
    from common import envelope
    return np, librosa, mfcc, safe_open, keras, envelope


def load(args):
    """(model, classes, min, max) from Earmark's model file."""
    np, librosa, mfcc, safe_open, keras, envelope = imports()
    with safe_open(args.model, "np") as f:
        meta = f.metadata()
        weights = {k: f.get_tensor(k) for k in f.keys()}
    classes = json.loads(meta["classes"])
    lo, hi = float(meta["feature_min"]), float(meta["feature_max"])
    model = build_cnn(keras, len(classes))
    for name in CNN_LAYERS:
        model.get_layer(name).set_weights([weights[f"{name}/kernel"], weights[f"{name}/bias"]])
    return model, classes, lo, hi


def probabilities(args, model, lo, hi):
    """The clip's mean window probabilities, --style's way."""
    np, librosa, mfcc, safe_open, keras, envelope = imports()
    signal, rate = librosa.load(args.clip, sr=16000)
    wav = signal[np.array(envelope(signal, rate, 0.0005), dtype=bool)]
    step = rate // 10
    if args.style == "reference":
        y_prob = []
        for i in range(0, wav.shape[0] - step, step):
            x = mfcc(wav[i:i + step], rate, numcep=13, nfilt=26, nfft=512)
            x = (x - lo) / (hi - lo)
            x = x.reshape(1, x.shape[0], x.shape[1], 1)
            y_prob.append(model.predict(x, verbose=0))
        return np.mean(y_prob, axis=0).flatten()
    xs = np.stack([mfcc(wav[i:i + step], rate, numcep=13, nfilt=26, nfft=512)
                   for i in range(0, wav.shape[0] - step, step)])
    xs = ((xs - lo) / (hi - lo)).astype(np.float32)[..., None]
    return np.asarray(model(xs, training=False)).mean(axis=0)


def once(args):
    """One end-to-end prediction (the timed child process)."""
    import numpy as np
    model, classes, lo, hi = load(args)
    p = probabilities(args, model, lo, hi)
    with open(args.out, "w") as fh:
        fh.write(",".join(["fname"] + classes + ["y_pred"]) + "\n")
        fh.write(",".join([args.clip] + [f"{v:.6f}" for v in p] + [classes[int(np.argmax(p))]]) + "\n")


def in_process(args):
    """The clip predicted 1 + --in-process times in one process after the model is loaded: prints
    {"first": s, "warm": [s, ...]} (no CSV; Earmark's warm figure does the same work)."""
    model, classes, lo, hi = load(args)
    times = []
    for _ in range(1 + args.in_process):
        t = time.perf_counter()
        probabilities(args, model, lo, hi)
        times.append(time.perf_counter() - t)
    print(json.dumps({"first": times[0], "warm": times[1:]}))


def startup_seconds(warmup, repeats):
    """Python's start-up for a prediction: a process that imports what `once` needs and exits at once."""
    cmd = [sys.executable, os.path.abspath(__file__), "--startup", "--model", "-", "--clip", "-"]
    times = []
    for r in range(warmup + repeats):
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"keras start-up run failed ({done.returncode}):\n{done.stderr[-3000:]}")
        if r >= warmup:
            times.append(time.perf_counter() - t)
    return times


def read_probabilities(path):
    with open(path) as f:
        rows = [line.strip().split(",") for line in f if line.strip()]
    return [float(v) for v in rows[1][1:-1]]


def drive(args):
    """Times `--once` child processes; writes the JSON of common.report."""
    import common
    out_dir = os.path.dirname(os.path.abspath(args.json or args.clip))
    times = {s: [] for s in STYLES}
    csv = {s: os.path.join(out_dir, f"keras_predictions_{s}.csv") for s in STYLES}
    for r in range(args.warmup + args.repeats):
        for style in STYLES:
            cmd = [sys.executable, os.path.abspath(__file__), "--once", "--style", style,
                   "--model", args.model, "--clip", args.clip, "--out", csv[style]]
            if os.path.exists(csv[style]):
                os.remove(csv[style])
            t = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True)
            seconds = time.perf_counter() - t
            if done.returncode != 0 or not os.path.exists(csv[style]):
                raise SystemExit(f"keras predict failed ({done.returncode}):\n{done.stderr[-3000:]}")
            if r >= args.warmup:
                times[style].append(seconds)
    settings = {"clip": args.clip, "model": args.model + " (Earmark's file, loaded into Keras by weight name)"}
    ref = read_probabilities(csv["reference"])
    settings["batched_vs_reference_max_abs_diff"] = f"{max(abs(a - b) for a, b in zip(ref, read_probabilities(csv['batched']))):.2g}"
    if args.earmark_csv and os.path.exists(args.earmark_csv):
        settings["earmark_vs_keras_max_abs_diff"] = f"{max(abs(a - b) for a, b in zip(ref, read_probabilities(args.earmark_csv))):.2g}"
    figures = [common.figure("predict_10s_clip_seconds", "predict one 10 s clip, process start to CSV (reference: predict per window)",
                             "s", times["reference"], higher_is_better=False),
               common.figure("predict_10s_clip_seconds_batched", "predict one 10 s clip, process start to CSV (all windows in one call)",
                             "s", times["batched"], higher_is_better=False)]
    figures.append(common.figure("predict_startup_seconds", "Python start-up: imports, then exit",
                                 "s", startup_seconds(args.warmup, args.repeats), higher_is_better=False))
    cmd = [sys.executable, os.path.abspath(__file__), "--in-process", str(args.repeats), "--style", "batched",
           "--model", args.model, "--clip", args.clip]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"keras in-process run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    warm = json.loads(done.stdout.strip().splitlines()[-1])
    figures += [common.figure("predict_10s_clip_seconds_first_in_process", "one clip in-process, the first (batched)",
                              "s", [warm["first"]], higher_is_better=False),
                common.figure("predict_10s_clip_seconds_warm", "one clip in-process, warm (after the first; batched)",
                              "s", warm["warm"], higher_is_better=False)]
    common.report("keras_predict", figures, settings, args)


def main():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import common
    p = common.parser(__doc__)
    p.add_argument("--model", required=True, help="Earmark model file of the reference CNN (bench writes one)")
    p.add_argument("--clip", required=True, help="the audio file to classify")
    p.add_argument("--out", help="(--once) the CSV to write")
    p.add_argument("--style", choices=STYLES, default="reference")
    p.add_argument("--once", action="store_true", help="one prediction in this process (the timed child)")
    p.add_argument("--startup", action="store_true", help=argparse.SUPPRESS)    # child: imports, then exit
    p.add_argument("--in-process", type=int, default=0, help=argparse.SUPPRESS)  # child: first + N warm clips
    p.add_argument("--earmark-csv", help="Earmark's predictions.csv of the same clip, to report the largest probability difference")
    p.set_defaults(warmup=1, repeats=5)
    args = p.parse_args()
    if args.startup:
        imports()
        os._exit(0)             # start-up only: no interpreter teardown, as `predict --version` exits at once
    if args.in_process:
        in_process(args)
    elif args.once:
        once(args)
    else:
        drive(args)


if __name__ == "__main__":
    sys.exit(main())
