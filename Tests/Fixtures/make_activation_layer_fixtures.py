"""Reference outputs and gradients of Keras 3's `Activation` layer, in the layer-fixture format of
make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx and the configuration in the
metadata (no weights). Cases: softmax on images (N, H, W, C), which Keras takes over the last axis
(each pixel's channels), so the Jacobian couples the channels of a pixel and nothing else; tanh on
sequences (N, T, D); relu on rows (N, D), with no input at the kink.
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_activation_layer_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import keras, write


def case(name, activation, shape, seed):
    rng = np.random.default_rng(seed)
    x = (2 * rng.normal(size=shape)).astype(np.float32)
    if activation == "relu":
        assert np.min(np.abs(x)) > 1e-3, f"{name}: an input at the kink"
    layer = keras.layers.Activation(activation)
    layer.build(shape)
    r = rng.normal(size=shape).astype(np.float32)
    y = write(name, layer, x, {}, r, {"activation": activation, "input_shape": list(shape), "seed": seed})
    if activation == "softmax":
        assert np.allclose(y.sum(axis=-1), 1, atol=1e-6), "softmax is not over the last axis"


if __name__ == "__main__":
    case("activation_softmax_image", "softmax", (2, 3, 4, 5), 91)
    case("activation_tanh_sequence", "tanh", (2, 6, 3), 92)
    case("activation_relu_rows", "relu", (3, 7), 93)
