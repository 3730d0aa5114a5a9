"""Reference outputs and gradients of Keras MaxPooling1D, AveragePooling1D, GlobalMaxPooling1D and
GlobalAveragePooling1D (Earmark's `Pooling1D`).

Run from the repository root: `benchmarks/.venv/bin/python Tests/Fixtures/make_pool1d_fixtures.py`
(Keras 3, TensorFlow backend, CPU). Files go to Tests/Fixtures/layers/<case>.safetensors holding, with
L = sum(y * r) for a random r of y's shape,

    x, y = layer(x), dy = r, dx = dL/dx.

The tied cases round their inputs to halves, so that windows and channels hold tied maxima: the
script checks TensorFlow's two rules before writing. A window's gradient goes wholly to its FIRST
maximum (the max-pool kernel), a global maximum's is shared EQUALLY by its ties (reduce_max). The
`same` cases cover TensorFlow's odd padding step (the extra step at the end) and averages that do not
count the padding.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from fixture_io import save  # noqa: E402


def case(name, layer, x, rng):
    """Writes x, y, dy, dx of `layer` on x; returns them for the rule checks."""
    x = x.astype(np.float32)
    layer.build(x.shape)
    r = rng.normal(size=layer.compute_output_shape(x.shape)).astype(np.float32)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        loss = tf.reduce_sum(y * r)
    dx = tape.gradient(loss, xt).numpy()
    keys = ("pool_size", "strides", "padding")
    config = {k: v for k, v in layer.get_config().items() if k in keys}
    save(f"layers/{name}.safetensors", {"x": x, "y": y.numpy(), "dy": r, "dx": dx},
         {"case": name, "layer": type(layer).__name__, "config": json.dumps(config),
          "keras": keras.__version__, "tensorflow": tf.__version__})
    return x, y.numpy(), r, dx


def check_first_maximum(name, x, r, dx, size, stride):
    """Valid windows: each output's gradient lands on the first maximum of its window."""
    expected = np.zeros_like(x)
    ties = 0
    for n in range(x.shape[0]):
        for c in range(x.shape[2]):
            for o in range(r.shape[1]):
                window = x[n, o * stride:o * stride + size, c]
                ties += int((window == window.max()).sum() > 1)
                expected[n, o * stride + int(np.argmax(window)), c] += r[n, o, c]
    assert np.allclose(expected, dx, atol=1e-6), f"{name}: TF does not route to the first maximum"
    assert ties > 0, f"{name}: no tied window"
    print(f"  {name}: {ties} windows hold a tied maximum")


def check_shared_ties(name, x, r, dx):
    """Global max: the gradient of each channel is shared equally by its tied maxima."""
    expected = np.zeros_like(x)
    ties = 0
    for n in range(x.shape[0]):
        for c in range(x.shape[2]):
            at = x[n, :, c] == x[n, :, c].max()
            ties += int(at.sum() > 1)
            expected[n, :, c] = at * r[n, c] / at.sum()
    assert np.allclose(expected, dx, atol=1e-6), f"{name}: TF does not share ties equally"
    assert ties > 0, f"{name}: no tied channel"
    print(f"  {name}: {ties} of {x.shape[0] * x.shape[2]} channels hold a tied maximum")


def main():
    rng = np.random.default_rng(20261204)
    L = keras.layers

    def normal(*shape):
        return rng.normal(size=shape) * 1.5 + 0.3

    def halves(*shape):
        return np.clip(np.round(rng.normal(size=shape) * 2) / 2, -1, 1)

    x, _, r, dx = case("maxpool1d_valid_tied", L.MaxPooling1D(), halves(3, 9, 4), rng)
    check_first_maximum("maxpool1d_valid_tied", x, r, dx, 2, 2)
    x, _, r, dx = case("maxpool1d_overlapping_tied", L.MaxPooling1D(3, strides=1), halves(2, 7, 3), rng)
    check_first_maximum("maxpool1d_overlapping_tied", x, r, dx, 3, 1)
    # T 8, pool 3, stride 2, same: 4 outputs, 1 padding step at the end (TensorFlow puts the odd one there)
    case("maxpool1d_same_stride", L.MaxPooling1D(3, strides=2, padding="same"), normal(2, 8, 3), rng)
    case("avgpool1d_valid", L.AveragePooling1D(4, strides=3), normal(2, 11, 3), rng)
    # T 7, pool 4, stride 2, same: 4 outputs, pads 1 before and 2 after; border windows average fewer steps
    case("avgpool1d_same_stride", L.AveragePooling1D(4, strides=2, padding="same"), normal(2, 7, 2), rng)
    x, _, r, dx = case("global_maxpool1d_tied", L.GlobalMaxPooling1D(), halves(3, 6, 4), rng)
    check_shared_ties("global_maxpool1d_tied", x, r, dx)
    case("global_avgpool1d", L.GlobalAveragePooling1D(), normal(2, 5, 3), rng)


if __name__ == "__main__":
    main()
