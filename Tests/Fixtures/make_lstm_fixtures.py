"""Reference outputs and gradients of Keras 3 LSTM and TimeDistributed(Dense) for the Swift tests.

Run from the repository root: `python3 Tests/Fixtures/make_lstm_fixtures.py` (tensorflow-cpu, Keras 3).
Each case writes Tests/Fixtures/layers/<case>.safetensors holding
    x (N, T, D), y = layer(x), dy = r (random upstream gradient, same shape as y),
    dx = d L / d x and grad/<weight> = d L / d weight for L = sum(y * r),
and the weights under their Keras names (`kernel`, `recurrent_kernel`, `bias`). The layer
configuration is in the metadata (`config`, JSON). Weights are random, biases included, so that
every term of the backward pass shows up. Deterministic: fixed seeds, oneDNN off.

The LSTM cases are also recomputed by a plain NumPy implementation (forward only) as a check that
the Keras reference means what the Swift code assumes (gate order i, f, c, o).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from fixture_io import save  # noqa: E402


def old_hard_sigmoid(z):
    """Keras 2's hard_sigmoid (Keras 3's built-in one is relu6(x + 3) / 6, a different function)."""
    return keras.ops.clip(0.2 * z + 0.5, 0.0, 1.0)


def numpy_lstm(x, kernel, recurrent, bias, hard, return_sequences):
    """Forward pass in float64; also returns the recurrent-gate pre-activations (to check kinks)."""
    n, t_steps, _ = x.shape
    u = recurrent.shape[0]
    rec = (lambda z: np.clip(0.2 * z + 0.5, 0, 1)) if hard else (lambda z: 1 / (1 + np.exp(-z)))
    h = np.zeros((n, u)); c = np.zeros((n, u))
    hs, pre = [], []
    for t in range(t_steps):
        z = x[:, t] @ kernel + h @ recurrent + bias
        pre.append(np.concatenate([z[:, :2 * u], z[:, 3 * u:]], axis=1))
        i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        c = f * c + i * g
        h = o * np.tanh(c)
        hs.append(h)
    y = np.stack(hs, axis=1) if return_sequences else hs[-1]
    return y, np.stack(pre)


def gradients(layer, x, r):
    """y = layer(x) and the gradients of sum(y * r) w.r.t. x and every weight (Keras order)."""
    xv = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xv)
        y = layer(xv)
        loss = tf.reduce_sum(y * r)
    grads = tape.gradient(loss, [xv] + [w.value for w in layer.weights])
    return y.numpy(), grads[0].numpy(), [g.numpy() for g in grads[1:]]


def lstm_case(name, n, t, d, u, return_sequences, hard, weight_scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype(np.float32)
    kernel = (weight_scale * rng.uniform(-1, 1, size=(d, 4 * u))).astype(np.float32)
    recurrent = (weight_scale * rng.uniform(-1, 1, size=(u, 4 * u))).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, size=(4 * u,)).astype(np.float32)
    layer = keras.layers.LSTM(u, return_sequences=return_sequences,
                              recurrent_activation=old_hard_sigmoid if hard else "sigmoid")
    layer.build((n, t, d))
    layer.set_weights([kernel, recurrent, bias])
    r_shape = (n, t, u) if return_sequences else (n, u)
    r = rng.normal(size=r_shape).astype(np.float32)
    y, dx, (gk, gr, gb) = gradients(layer, x, r)

    ref, pre = numpy_lstm(x.astype(np.float64), kernel.astype(np.float64), recurrent.astype(np.float64),
                          bias.astype(np.float64), hard, return_sequences)
    assert np.max(np.abs(ref - y)) < 1e-5, f"{name}: Keras and NumPy disagree by {np.max(np.abs(ref - y))}"
    kink = np.min(np.abs(np.abs(pre) - 2.5))
    saturated = np.mean(np.abs(pre) > 2.5)
    if hard:
        assert kink > 1e-3, f"{name}: a pre-activation lies {kink} from a hard_sigmoid kink"
    config = {"units": u, "return_sequences": return_sequences, "activation": "tanh",
              "recurrent_activation": "hard_sigmoid" if hard else "sigmoid",
              "input_shape": [n, t, d], "seed": seed}
    if hard:
        config["saturated_fraction"] = round(float(saturated), 3)
        config["closest_kink_distance"] = round(float(kink), 5)
    save(f"layers/{name}.safetensors",
         {"x": x, "y": y, "dy": r, "dx": dx, "kernel": kernel, "recurrent_kernel": recurrent,
          "bias": bias, "grad/kernel": gk, "grad/recurrent_kernel": gr, "grad/bias": gb},
         {"config": config, "keras_version": keras.__version__})


def time_distributed_case(name, n, t, d, units, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype(np.float32)
    kernel = rng.uniform(-1, 1, size=(d, units)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, size=(units,)).astype(np.float32)
    layer = keras.layers.TimeDistributed(keras.layers.Dense(units, activation="relu"))
    layer.build((n, t, d))
    layer.set_weights([kernel, bias])
    r = rng.normal(size=(n, t, units)).astype(np.float32)
    y, dx, (gk, gb) = gradients(layer, x, r)
    z = x @ kernel + bias
    assert np.max(np.abs(np.maximum(z, 0) - y)) < 1e-5
    assert np.min(np.abs(z)) > 1e-3, "a relu pre-activation lies at the kink"
    config = {"layer": "Dense", "units": units, "activation": "relu", "input_shape": [n, t, d],
              "seed": seed, "keras_weight_paths": [w.path for w in layer.weights]}
    save(f"layers/{name}.safetensors",
         {"x": x, "y": y, "dy": r, "dx": dx, "kernel": kernel, "bias": bias,
          "grad/kernel": gk, "grad/bias": gb},
         {"config": config, "keras_version": keras.__version__})


if __name__ == "__main__":
    lstm_case("lstm_return_sequences", n=2, t=5, d=3, u=4, return_sequences=True, hard=False,
              weight_scale=0.8, seed=1)
    lstm_case("lstm_last_step", n=3, t=4, d=3, u=4, return_sequences=False, hard=False,
              weight_scale=0.8, seed=2)
    # larger weights so that part of the hard_sigmoid gates saturate (zero-gradient branch covered)
    lstm_case("lstm_hard_sigmoid", n=2, t=5, d=3, u=4, return_sequences=True, hard=True,
              weight_scale=1.5, seed=3)
    time_distributed_case("time_distributed_dense_relu", n=2, t=4, d=3, units=5, seed=4)
