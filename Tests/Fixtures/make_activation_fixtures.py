"""Reference values and gradients of Keras 3's activations `elu`, `selu`, `softplus`, `softsign`,
`leaky_relu` and `relu6` (by name, as a config gives them: `keras.activations.get(name)`), for
Earmark's `Activation` (Sources/Layers/Activation.swift).

Writes Tests/Fixtures/layers/activations.safetensors: one input `x` (64 values: a spread from -20 to
20, values near 0 on both sides, 0 itself, and 6, relu6's upper kink), `dy` (a random upstream gradient),
and per activation `{name}/y` = f(x) and `{name}/dx` = dy * f'(x) from TensorFlow's gradient tape.
Earmark computes the derivative from y; the kinks (0, and 6 for relu6) are where the two could
disagree, so x holds them and the Swift test compares there too.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_activation_fixtures.py  (needs keras)
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from fixture_io import save  # noqa: E402

NAMES = ["elu", "selu", "softplus", "softsign", "leaky_relu", "relu6"]

rng = np.random.default_rng(41)
x = np.concatenate([np.linspace(-20, 20, 41), [-1e-3, -1e-5, 0.0, 1e-5, 1e-3, 6.0, 5.999, 6.001],
                    rng.normal(0, 3, 15)]).astype(np.float32)
dy = rng.normal(0, 1, x.shape).astype(np.float32)
tensors = {"x": x, "dy": dy}
for name in NAMES:
    f = keras.activations.get(name)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = f(xt)
        loss = tf.reduce_sum(y * dy)
    tensors[f"{name}/y"] = y.numpy()
    tensors[f"{name}/dx"] = tape.gradient(loss, xt).numpy()
slope = tensors["leaky_relu/y"][0] / x[0]
assert abs(slope - 0.2) < 1e-6, f"Keras's leaky_relu slope is {slope}, not 0.2"
save("layers/activations.safetensors", tensors, {"keras": keras.__version__, "tensorflow": tf.__version__,
                                                 "activations": ",".join(NAMES)})
