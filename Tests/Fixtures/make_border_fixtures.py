"""Reference outputs and gradients of Keras 3's ZeroPadding2D and Cropping2D, in the layer-fixture
format of make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx and the layer's
borders ((top, bottom), (left, right)) in the metadata (no weights). Cases: padding ((1, 2), (0, 3)),
cropping ((2, 0), (1, 2)).
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_border_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import keras, write


def case(name, layer, borders, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(np.float32)
    layer.build(shape)
    r = rng.normal(size=layer.compute_output_shape(shape)).astype(np.float32)
    write(name, layer, x, {}, r, {"borders": borders, "input_shape": list(shape), "seed": seed})


if __name__ == "__main__":
    case("zero_padding2d", keras.layers.ZeroPadding2D(((1, 2), (0, 3))), [[1, 2], [0, 3]], (2, 3, 4, 2), 141)
    case("cropping2d", keras.layers.Cropping2D(((2, 0), (1, 2))), [[2, 0], [1, 2]], (2, 5, 6, 3), 142)
