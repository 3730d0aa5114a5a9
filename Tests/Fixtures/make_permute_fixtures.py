"""Reference outputs and gradients of Keras 3's Permute layer, in the layer-fixture format of
make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx and the configuration in the
metadata (no weights). Cases: dims (2, 1) on a (time, coefficients) sequence, (3, 1, 2) and (2, 1, 3)
on images.
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_permute_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import keras, write


def case(name, dims, shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape).astype(np.float32)
    layer = keras.layers.Permute(dims)
    layer.build(shape)
    r = rng.normal(size=layer.compute_output_shape(shape)).astype(np.float32)
    y = write(name, layer, x, {}, r, {"dims": list(dims), "input_shape": list(shape), "seed": seed})
    assert np.array_equal(y, np.transpose(x, (0,) + tuple(dims))), f"{name}: not numpy's transpose"


if __name__ == "__main__":
    case("permute_sequence", (2, 1), (2, 4, 3), 121)
    case("permute_image_3_1_2", (3, 1, 2), (2, 3, 4, 5), 122)
    case("permute_image_2_1_3", (2, 1, 3), (2, 3, 4, 2), 123)
