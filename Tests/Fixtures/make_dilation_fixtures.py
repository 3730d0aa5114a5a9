"""Reference outputs and gradients of Keras 3's Conv1D and Conv2D with `dilation_rate`, in the
layer-fixture format of make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx,
kernel, bias, grad/kernel, grad/bias, and the layer configuration in the metadata.

Cases: Conv1D dilation 2 with causal padding (the WaveNet / TCN block; the script checks causality
before writing), dilation 3 with `same` padding and an even kernel, dilation 2 `valid`; Conv2D
dilation (2, 2) `same` (ReLU, no pre-activation at the kink), dilation (1, 3) `valid`.
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_dilation_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import keras, write


def case(name, kind, x_shape, filters, kernel_size, padding, dilation, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).astype(np.float32)
    make = keras.layers.Conv1D if kind == "conv1d" else keras.layers.Conv2D
    arguments = dict(padding=padding, dilation_rate=dilation)
    layer = make(filters, kernel_size, activation=activation, **arguments)
    layer.build(x_shape)
    weights = {"kernel": rng.uniform(-1, 1, size=tuple(layer.kernel.shape)).astype(np.float32),
               "bias": rng.uniform(-0.5, 0.5, size=(filters,)).astype(np.float32)}
    r = rng.normal(size=layer.compute_output_shape(x_shape)).astype(np.float32)
    config = {"kind": kind, "filters": filters, "kernel_size": kernel_size, "padding": padding,
              "dilation_rate": dilation, "activation": activation, "input_shape": list(x_shape), "seed": seed}
    y = write(name, layer, x, weights, r, config)
    if activation == "relu":
        linear = make(filters, kernel_size, **arguments)
        linear.build(x_shape)
        linear.set_weights(list(weights.values()))
        assert np.min(np.abs(linear(x).numpy())) > 1e-3, f"{name}: a relu pre-activation lies at the kink"
    if padding == "causal":
        changed = x.copy()
        changed[:, 6:] += 1.0
        assert np.array_equal(layer(changed).numpy()[:, :6], y[:, :6]), f"{name}: not causal"


if __name__ == "__main__":
    case("conv1d_causal_dilation2", "conv1d", (2, 11, 3), 4, 3, "causal", 2, "tanh", 111)
    case("conv1d_same_dilation3", "conv1d", (2, 10, 2), 3, 2, "same", 3, "linear", 112)
    case("conv1d_valid_dilation2", "conv1d", (2, 9, 2), 3, 3, "valid", 2, "sigmoid", 113)
    case("conv2d_same_dilation2", "conv2d", (2, 7, 8, 3), 4, [3, 3], "same", [2, 2], "relu", 114)
    case("conv2d_valid_dilation_1_3", "conv2d", (2, 6, 9, 2), 3, [2, 3], "valid", [1, 3], "linear", 115)
