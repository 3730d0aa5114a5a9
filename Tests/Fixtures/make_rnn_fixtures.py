"""Reference outputs and gradients of Keras 3 GRU, Conv1D and Bidirectional for the Swift tests.

Run from the repository root: `/work/pyenv/bin/python Tests/Fixtures/make_rnn_fixtures.py`
(tensorflow-cpu, Keras 3). Each case writes Tests/Fixtures/layers/<case>.safetensors holding
    x, y = layer(x), dy = r (random upstream gradient, same shape as y),
    dx = d L / d x and grad/<weight> = d L / d weight for L = sum(y * r),
and the weights under the names Earmark gives them within the layer (`kernel`, `recurrent_kernel`,
`bias`; `forward_lstm/kernel`, ... inside a Bidirectional). The layer configuration is in the
metadata (`config`, JSON), with Keras's own weight paths. Weights are random, biases included, so
that every term of the backward pass shows up. Deterministic: fixed seeds, oneDNN off.

The GRU cases are also recomputed by a plain NumPy implementation (forward only) as a check that the
Keras reference means what the Swift code assumes (reset_after=True, gate order z, r, h, bias rows
input / recurrent, h = z * h_old + (1 - z) * hh).
"""
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


def numpy_gru(x, kernel, recurrent, bias, hard, return_sequences):
    """Forward pass in float64; also returns the gate pre-activations z, r (to check kinks)."""
    n, t_steps, _ = x.shape
    u = recurrent.shape[0]
    rec = (lambda v: np.clip(0.2 * v + 0.5, 0, 1)) if hard else (lambda v: 1 / (1 + np.exp(-v)))
    h = np.zeros((n, u))
    hs, pre = [], []
    for t in range(t_steps):
        xz = x[:, t] @ kernel + bias[0]
        m = h @ recurrent + bias[1]
        pre.append(xz[:, :2 * u] + m[:, :2 * u])
        z, r = rec(pre[-1][:, :u]), rec(pre[-1][:, u:])
        hh = np.tanh(xz[:, 2 * u:] + r * m[:, 2 * u:])
        h = z * h + (1 - z) * hh
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


def write(name, layer, x, weights, r, config):
    """Sets `weights` ({earmark name: array}, Keras order), differentiates and saves the case."""
    layer.set_weights(list(weights.values()))
    y, dx, grads = gradients(layer, x, r)
    tensors = {"x": x, "y": y, "dy": r, "dx": dx}
    tensors.update(weights)
    tensors.update({f"grad/{k}": g for k, g in zip(weights, grads)})
    config["keras_weight_paths"] = [w.path for w in layer.weights]
    save(f"layers/{name}.safetensors", tensors, {"config": config, "keras_version": keras.__version__})
    return y


def recurrent_weights(rng, kind, d, u, scale):
    """kernel, recurrent_kernel, bias of an LSTM (4U gates, bias (4U)) or a GRU (3U, bias (2, 3U))."""
    g = 4 * u if kind == "lstm" else 3 * u
    bias_shape = (g,) if kind == "lstm" else (2, g)
    return [(scale * rng.uniform(-1, 1, size=(d, g))).astype(np.float32),
            (scale * rng.uniform(-1, 1, size=(u, g))).astype(np.float32),
            rng.uniform(-0.5, 0.5, size=bias_shape).astype(np.float32)]


def gru_case(name, n, t, d, u, return_sequences, hard, weight_scale, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype(np.float32)
    kernel, recurrent, bias = recurrent_weights(rng, "gru", d, u, weight_scale)
    layer = keras.layers.GRU(u, return_sequences=return_sequences, reset_after=True,
                             recurrent_activation=old_hard_sigmoid if hard else "sigmoid")
    layer.build((n, t, d))
    r = rng.normal(size=(n, t, u) if return_sequences else (n, u)).astype(np.float32)
    config = {"units": u, "return_sequences": return_sequences, "activation": "tanh", "reset_after": True,
              "recurrent_activation": "hard_sigmoid" if hard else "sigmoid", "input_shape": [n, t, d], "seed": seed}
    ref, pre = numpy_gru(x.astype(np.float64), kernel.astype(np.float64), recurrent.astype(np.float64),
                         bias.astype(np.float64), hard, return_sequences)
    if hard:
        kink = np.min(np.abs(np.abs(pre) - 2.5))
        assert kink > 1e-3, f"{name}: a pre-activation lies {kink} from a hard_sigmoid kink"
        config["saturated_fraction"] = round(float(np.mean(np.abs(pre) > 2.5)), 3)
        config["closest_kink_distance"] = round(float(kink), 5)
    y = write(name, layer, x, {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}, r, config)
    assert np.max(np.abs(ref - y)) < 1e-5, f"{name}: Keras and NumPy disagree by {np.max(np.abs(ref - y))}"


def conv1d_case(name, n, t, c, filters, kernel_size, strides, padding, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, c)).astype(np.float32)
    kernel = rng.uniform(-1, 1, size=(kernel_size, c, filters)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, size=(filters,)).astype(np.float32)
    layer = keras.layers.Conv1D(filters, kernel_size, strides=strides, padding=padding, activation=activation)
    layer.build((n, t, c))
    out_t = (t - kernel_size) // strides + 1 if padding == "valid" else -(-t // strides)
    r = rng.normal(size=(n, out_t, filters)).astype(np.float32)
    config = {"filters": filters, "kernel_size": kernel_size, "strides": strides, "padding": padding,
              "activation": activation, "input_shape": [n, t, c], "seed": seed}
    y = write(name, layer, x, {"kernel": kernel, "bias": bias}, r, config)
    if activation == "relu":
        pre = keras.layers.Conv1D(filters, kernel_size, strides=strides, padding=padding)
        pre.build((n, t, c))
        pre.set_weights([kernel, bias])
        assert np.min(np.abs(pre(x).numpy())) > 1e-3, f"{name}: a relu pre-activation lies at the kink"
    assert y.shape == (n, out_t, filters)


def bidirectional_case(name, kind, n, t, d, u, return_sequences, merge_mode, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, d)).astype(np.float32)
    make = keras.layers.LSTM if kind == "lstm" else keras.layers.GRU
    # named explicitly: Keras would otherwise number the inner layers by its global counter (gru_1, ...)
    layer = keras.layers.Bidirectional(make(u, return_sequences=return_sequences, name=kind), merge_mode=merge_mode)
    layer.build((n, t, d))
    assert (layer.forward_layer.name, layer.backward_layer.name) == (f"forward_{kind}", f"backward_{kind}")
    weights = {}
    for direction in ("forward", "backward"):
        k, rk, b = recurrent_weights(rng, kind, d, u, 0.8)
        weights.update({f"{direction}_{kind}/kernel": k, f"{direction}_{kind}/recurrent_kernel": rk,
                        f"{direction}_{kind}/bias": b})
    width = 2 * u if merge_mode == "concat" else u
    r = rng.normal(size=(n, t, width) if return_sequences else (n, width)).astype(np.float32)
    config = {"layer": kind, "units": u, "return_sequences": return_sequences, "merge_mode": merge_mode,
              "input_shape": [n, t, d], "seed": seed}
    write(name, layer, x, weights, r, config)


if __name__ == "__main__":
    gru_case("gru_return_sequences", n=2, t=5, d=3, u=4, return_sequences=True, hard=False,
             weight_scale=0.8, seed=11)
    gru_case("gru_last_step", n=3, t=4, d=3, u=4, return_sequences=False, hard=False,
             weight_scale=0.8, seed=12)
    # larger weights so that part of the hard_sigmoid gates saturate (zero-gradient branch covered)
    gru_case("gru_hard_sigmoid", n=2, t=5, d=3, u=4, return_sequences=True, hard=True,
             weight_scale=1.5, seed=13)
    conv1d_case("conv1d_valid", n=2, t=7, c=3, filters=4, kernel_size=3, strides=1, padding="valid",
                activation="tanh", seed=21)
    conv1d_case("conv1d_same_even_kernel", n=2, t=6, c=2, filters=3, kernel_size=4, strides=1, padding="same",
                activation="linear", seed=22)
    conv1d_case("conv1d_same_stride2", n=2, t=9, c=3, filters=4, kernel_size=3, strides=2, padding="same",
                activation="relu", seed=23)
    conv1d_case("conv1d_valid_stride2", n=2, t=10, c=2, filters=3, kernel_size=3, strides=2, padding="valid",
                activation="sigmoid", seed=24)
    bidirectional_case("bidirectional_lstm_concat", "lstm", n=2, t=4, d=3, u=3, return_sequences=True,
                       merge_mode="concat", seed=31)
    bidirectional_case("bidirectional_gru_concat_last_step", "gru", n=2, t=4, d=3, u=3, return_sequences=False,
                       merge_mode="concat", seed=32)
    bidirectional_case("bidirectional_gru_sum", "gru", n=2, t=4, d=3, u=3, return_sequences=True,
                       merge_mode="sum", seed=33)
    bidirectional_case("bidirectional_lstm_ave_last_step", "lstm", n=2, t=4, d=3, u=3, return_sequences=False,
                       merge_mode="ave", seed=34)
    bidirectional_case("bidirectional_gru_mul", "gru", n=2, t=4, d=3, u=3, return_sequences=True,
                       merge_mode="mul", seed=35)
