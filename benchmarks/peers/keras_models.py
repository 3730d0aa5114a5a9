"""Keras (TensorFlow CPU) versions of Earmark's reference CNN and RNN (docs/WORKFLOW.md §6), timed like
`bench`: training windows/s (fit on batches of 32, Adam lr 1e-3, categorical cross-entropy with
balanced class weights, the reference's 'acc' metric) and inference windows/s (the model called on
batches of 32 in a compiled tf.function), on the same windows (--windows FILE).

    python keras_models.py --windows windows.safetensors --json keras.json
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

import common  # noqa: E402


def build(kind, classes):
    import keras
    from keras import layers as L
    if kind == "cnn":
        model = keras.Sequential([keras.Input((9, 13, 1))]
                                 + [L.Conv2D(f, (3, 3), activation="relu", strides=(1, 1), padding="same")
                                    for f in (16, 32, 64, 128)]
                                 + [L.MaxPool2D((2, 2)), L.Dropout(0.5), L.Flatten(),
                                    L.Dense(128, activation="relu"), L.Dense(64, activation="relu"),
                                    L.Dense(classes, activation="softmax")])
    else:
        model = keras.Sequential([keras.Input((9, 13)),
                                  L.LSTM(128, return_sequences=True), L.LSTM(128, return_sequences=True),
                                  L.Dropout(0.5)]
                                 + [L.TimeDistributed(L.Dense(u, activation="relu")) for u in (64, 32, 16, 8)]
                                 + [L.Flatten(), L.Dense(classes, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  metrics=["acc"])
    return model


def inputs(kind, x):
    return x.reshape(len(x), 9, 13, 1) if kind == "cnn" else x


class EpochTimer:
    """Seconds of every fit epoch (one epoch = one pass over the windows)."""

    def __init__(self):
        import keras

        class Callback(keras.callbacks.Callback):
            def on_epoch_begin(cb, epoch, logs=None):
                cb.start = time.perf_counter()

            def on_epoch_end(cb, epoch, logs=None):
                self.seconds.append(time.perf_counter() - cb.start)
        self.seconds = []
        self.callback = Callback()


def train_rates(kind, x, y, classes, args):
    import keras
    model = build(kind, classes)
    n = (len(x) // args.batch_size) * args.batch_size
    xs, ys = inputs(kind, x[:n]), keras.utils.to_categorical(y[:n], classes)
    timer = EpochTimer()
    # one fit call, warm-up epochs first: per-call setup is not counted, as in a real run
    model.fit(xs, ys, batch_size=args.batch_size, epochs=args.warmup + args.repeats, shuffle=False,
              class_weight=common.balanced_weights(y[:n], classes), verbose=0, callbacks=[timer.callback])
    return model, [n / s for s in timer.seconds[args.warmup:]]


def infer_rates(model, kind, x, args):
    import tensorflow as tf
    n = (len(x) // args.batch_size) * args.batch_size
    xs = inputs(kind, x[:n])
    batches = [tf.constant(xs[i:i + args.batch_size]) for i in range(0, n, args.batch_size)]
    call = tf.function(lambda b: model(b, training=False))

    def one_pass():
        for b in batches:
            call(b).numpy()
    return common.timed_passes(args, one_pass)


def main():
    args = common.parser(__doc__).parse_args()
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    x, y, classes, source = common.load_windows(args)
    figures = common.model_figures(args, __file__, x, y, classes, train_rates, infer_rates, "training (fit)")
    if figures is None:
        return
    settings = {"windows": source, "tensorflow": tf.__version__, "keras": keras.__version__,
                "backend": keras.backend.backend(), "threads": f"intra-op {args.threads}, inter-op {args.threads}",
                "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)"),
                "denormals": "flushed (TensorFlow's default)"}
    common.report("keras", figures, settings, args)


if __name__ == "__main__":
    sys.exit(main())
