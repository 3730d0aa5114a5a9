"""Reference outputs and gradients of Keras 3 layers built with `use_bias=False`, in the layer-fixture
format of make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx, the weights (no
bias: Keras then has none) and grad/<weight>, with the layer in the metadata (`kind`, its arguments
and Keras's weight paths, which the script checks hold no bias).

Cases: Conv2D (same, 3x3, ReLU), Conv1D (valid, 3), Dense (tanh), DepthwiseConv2D (same, multiplier
2) and SeparableConv2D (valid, 2x2).
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_use_bias_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import keras, write


def case(name, kind, layer, x_shape, seed, **arguments):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x_shape).astype(np.float32)
    layer.build(x_shape)
    weights = {}
    for w in layer.weights:
        short = w.path.split("/")[-1]
        assert "bias" not in short, f"{name}: use_bias=False still has {w.path}"
        weights[short] = rng.uniform(-1, 1, size=tuple(w.shape)).astype(np.float32)
    y_shape = layer.compute_output_shape(x_shape)
    r = rng.normal(size=y_shape).astype(np.float32)
    config = {"kind": kind, "input_shape": list(x_shape), "seed": seed}
    config.update(arguments)
    write(name, layer, x, weights, r, config)


if __name__ == "__main__":
    case("no_bias_conv2d", "conv2d", keras.layers.Conv2D(3, (3, 3), padding="same", activation="relu", use_bias=False),
         (2, 5, 4, 2), 101, filters=3, kernel_size=[3, 3], padding="same", activation="relu")
    case("no_bias_conv1d", "conv1d", keras.layers.Conv1D(3, 3, use_bias=False), (2, 7, 2), 102,
         filters=3, kernel_size=3, padding="valid", activation="linear")
    case("no_bias_dense", "dense", keras.layers.Dense(4, activation="tanh", use_bias=False), (3, 5), 103,
         units=4, activation="tanh")
    case("no_bias_depthwise_conv2d", "depthwise_conv2d",
         keras.layers.DepthwiseConv2D((3, 3), padding="same", depth_multiplier=2, use_bias=False), (2, 4, 5, 2), 104,
         kernel_size=[3, 3], padding="same", depth_multiplier=2, activation="linear")
    case("no_bias_separable_conv2d", "separable_conv2d",
         keras.layers.SeparableConv2D(3, (2, 2), activation="tanh", use_bias=False), (2, 4, 5, 2), 105,
         filters=3, kernel_size=[2, 2], padding="valid", depth_multiplier=1, activation="tanh")
