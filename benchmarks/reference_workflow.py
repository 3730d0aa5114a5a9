"""The reference workflow's steps as one Python process, the peer of Earmark's whole runs
(benchmarks/whole_run.py times both; docs/WORKFLOW.md is the number-by-number contract):

    python reference_workflow.py train --data DIR --work WORK [--epochs 10]
        clean: every file of DIR/audio.csv with librosa.load(sr=16000) (soxr_hq) and the envelope gate
               (pandas rolling mean of |y|, threshold 0.0005), written to WORK/clean/ as the original does;
        split: 20% of each class's files held out for the test report (stratified, seeded), as Earmark;
        features: 2 windows per 0.1 s of cleaned training audio, drawn as the original's model.py draws
               them (class by mean length, file uniformly, start uniformly), python_speech_features MFCC
               (numcep 13, nfilt 26, nfft 512), global min/max scaling;
        fit:   the reference CNN, Adam, categorical cross-entropy, balanced class weights, 10 epochs,
               batch 32, shuffle, validation_split 0.1, best-validation-accuracy checkpoint;
        test:  each held-out file's windows at 0, 1600, ... averaged, file accuracy and scikit-learn's
               classification report; the model is saved as WORK/conv.keras with WORK/conv.json (classes, min, max).
    python reference_workflow.py predict --work WORK --out CSV CLIP...
        loads WORK/conv.keras, cleans each clip as above, averages its windows' probabilities (all windows of
        a clip in one call) and writes the CSV (fname, one probability per class, y_pred).
"""
import argparse
import csv
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))

RATE, STEP, THRESHOLD = 16000, 1600, 0.0005


def clean(path):
    """librosa.load at 16 kHz (soxr_hq) and the original's envelope gate."""
    import librosa
    import numpy as np
    from common import envelope
    signal, rate = librosa.load(path, sr=RATE)
    return signal[np.array(envelope(signal, rate, THRESHOLD), dtype=bool)]


def mfcc(window):
    from python_speech_features import mfcc as psf
    return psf(window, RATE, numcep=13, nfilt=26, nfft=512)


def clip_windows(wav):
    """The original predict.py's windows: starts 0, 1600, ... while start < len - 1600."""
    return [wav[i:i + STEP] for i in range(0, wav.shape[0] - STEP, STEP)]


def build_cnn(classes):
    import keras
    L = keras.layers
    layers = [keras.Input((9, 13, 1))]
    for f in (16, 32, 64, 128):
        layers.append(L.Conv2D(f, (3, 3), activation="relu", strides=(1, 1), padding="same"))
    layers += [L.MaxPool2D((2, 2)), L.Dropout(0.5), L.Flatten(), L.Dense(128, activation="relu"),
               L.Dense(64, activation="relu"), L.Dense(classes, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["acc"])
    return model


def train(args):
    import numpy as np
    import soundfile
    from sklearn.metrics import classification_report
    from sklearn.model_selection import train_test_split
    import keras
    from common import balanced_weights

    with open(os.path.join(args.data, "audio.csv")) as f:
        rows = [(r["fname"], r["label"]) for r in csv.DictReader(f)]
    os.makedirs(os.path.join(args.work, "clean"), exist_ok=True)
    cleaned = {}
    for fname, _ in rows:                       # the original's preprocessing: clean/ holds the gated 16 kHz clips
        wav = clean(os.path.join(args.data, "wavfiles", fname))
        out = os.path.join(args.work, "clean", fname)
        soundfile.write(out, wav, RATE, subtype="FLOAT")
        cleaned[fname], _ = soundfile.read(out, dtype="float32")
    classes = sorted({label for _, label in rows})
    names, labels = [r[0] for r in rows], [r[1] for r in rows]
    train_files, test_files = train_test_split(names, test_size=0.2, stratify=labels, random_state=args.seed)
    label_of = dict(rows)

    rng = np.random.default_rng(args.seed)      # model.py's window draw over the training files
    lengths = {c: [cleaned[f].shape[0] for f in train_files if label_of[f] == c] for c in classes}
    mean_length = np.array([np.mean(lengths[c]) for c in classes])
    total = sum(cleaned[f].shape[0] for f in train_files) / RATE
    n = 2 * int(total / 0.1)
    by_class = {c: [f for f in train_files if label_of[f] == c and cleaned[f].shape[0] > STEP] for c in classes}
    xs, ys = [], []
    for _ in range(n):
        c = rng.choice(len(classes), p=mean_length / mean_length.sum())
        wav = cleaned[by_class[classes[c]][rng.integers(len(by_class[classes[c]]))]]
        start = rng.integers(0, wav.shape[0] - STEP)
        xs.append(mfcc(wav[start:start + STEP]))
        ys.append(c)
    x = np.array(xs)
    lo, hi = float(x.min()), float(x.max())
    x = ((x - lo) / (hi - lo)).astype(np.float32)[..., None]
    y = np.array(ys)
    model = build_cnn(len(classes))
    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(args.work, "best.keras"), monitor="val_acc",
                                                 mode="max", save_best_only=True, verbose=0)
    model.fit(x, keras.utils.to_categorical(y, len(classes)), epochs=args.epochs, batch_size=32, shuffle=True,
              validation_split=0.1, class_weight=balanced_weights(y, len(classes)), callbacks=[checkpoint], verbose=2)
    model.save(os.path.join(args.work, "conv.keras"))
    with open(os.path.join(args.work, "conv.json"), "w") as f:
        json.dump({"classes": classes, "min": lo, "max": hi}, f)

    truth, predicted = [], []
    for fname in test_files:
        p = predict_clip(model, cleaned[fname], lo, hi)
        if p is not None:
            truth.append(label_of[fname])
            predicted.append(classes[int(np.argmax(p))])
    accuracy = np.mean([a == b for a, b in zip(truth, predicted)])
    print(f"test files: {len(truth)}, file accuracy {accuracy:.3f}")
    print(classification_report(truth, predicted, zero_division=0))


def predict_clip(model, wav, lo, hi):
    """Mean window probabilities of a cleaned clip (None when it has no window)."""
    import numpy as np
    windows = clip_windows(wav)
    if not windows:
        return None
    xs = ((np.array([mfcc(w) for w in windows]) - lo) / (hi - lo)).astype(np.float32)[..., None]
    return np.asarray(model(xs, training=False)).mean(axis=0)


def predict(args):
    import numpy as np
    import keras
    model = keras.models.load_model(os.path.join(args.work, "conv.keras"))
    with open(os.path.join(args.work, "conv.json")) as f:
        meta = json.load(f)
    classes, lo, hi = meta["classes"], meta["min"], meta["max"]
    with open(args.out + ".tmp", "w") as fh:
        fh.write(",".join(["fname"] + classes + ["y_pred"]) + "\n")
        for clip in args.clips:
            p = predict_clip(model, clean(clip), lo, hi)
            cells = [""] * len(classes) + [""] if p is None else [f"{v:.6f}" for v in p] + [classes[int(np.argmax(p))]]
            fh.write(",".join([clip] + cells) + "\n")
    os.replace(args.out + ".tmp", args.out)
    print(f"predicted {len(args.clips)} clips into {args.out}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="clean, features, fit, test report")
    t.add_argument("--data", required=True, help="folder with audio.csv and wavfiles/")
    t.add_argument("--work", required=True, help="folder for clean/, the model and its settings")
    t.add_argument("--epochs", type=int, default=10)
    t.add_argument("--seed", type=int, default=0)
    q = sub.add_parser("predict", help="classify clips with the model `train` saved")
    q.add_argument("--work", required=True)
    q.add_argument("--out", required=True, help="CSV to write")
    q.add_argument("clips", nargs="+")
    args = p.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    train(args) if args.command == "train" else predict(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
