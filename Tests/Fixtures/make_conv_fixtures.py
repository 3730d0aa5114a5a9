"""Reference outputs and gradients of Keras Dense, Conv2D, MaxPooling2D and Flatten (tier-1 fixtures).

Run from the repository root: `python3 Tests/Fixtures/make_conv_fixtures.py` (Keras 3, TensorFlow
backend, CPU). For each case a Keras layer gets random weights (a nonzero bias too), a random input
x and a random upstream gradient r; with L = sum(y * r) the file holds

    x, y = layer(x), dy = r, dx = dL/dx, and for each weight w: w and grad/w = dL/dw

under Tests/Fixtures/layers/<case>.safetensors, with the layer's Keras config in the metadata.
Shapes are tiny (batch 2-3) and everything is float32. Max-pooling inputs are rounded to halves so
that windows contain ties: TensorFlow's gradient goes to the FIRST maximum in row-major window
order, which the script checks against a NumPy reference before writing.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from fixture_io import save  # noqa: E402

CONFIG_KEYS = ("units", "activation", "filters", "kernel_size", "strides", "padding", "pool_size",
               "data_format")


def run_case(name, layer, x, rng, metadata=None):
    """Builds `layer` on x, randomises its weights, and saves forward and backward results."""
    x = x.astype(np.float32)
    layer.build(x.shape)
    tensors = {"x": x}
    for w in layer.trainable_weights:
        wname = w.path.split("/")[-1]               # "kernel" or "bias"
        value = rng.normal(0, 0.5, size=w.shape).astype(np.float32)
        w.assign(value)
        tensors[wname] = value
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        r = rng.normal(size=y.shape).astype(np.float32)
        loss = tf.reduce_sum(y * r)
    weights = list(layer.trainable_weights)
    grads = tape.gradient(loss, [xt] + [w.value for w in weights])
    tensors["y"] = y.numpy()
    tensors["dy"] = r
    tensors["dx"] = grads[0].numpy()
    for w, g in zip(weights, grads[1:]):
        tensors["grad/" + w.path.split("/")[-1]] = g.numpy()
    config = {k: v for k, v in layer.get_config().items() if k in CONFIG_KEYS}
    meta = {"case": name, "layer": type(layer).__name__, "config": json.dumps(config),
            "keras": keras.__version__, "tensorflow": tf.__version__}
    meta.update(metadata or {})
    save(f"layers/{name}.safetensors", tensors, meta)
    return tensors


def first_max_pool_reference(x, pool, strides, padding, dy):
    """NumPy max pooling with TF's SAME rule, -inf padding and gradient to the first maximum."""
    n_, h, w, c = x.shape

    def axis(size, k, s):
        if padding == "valid":
            return (size - k) // s + 1, 0
        out = -(-size // s)
        return out, max((out - 1) * s + k - size, 0) // 2

    (oh, pt), (ow, pl) = axis(h, pool[0], strides[0]), axis(w, pool[1], strides[1])
    y = np.full((n_, oh, ow, c), -np.inf, np.float32)
    dx = np.zeros_like(x)
    ties = 0
    for n in range(n_):
        for i in range(oh):
            for j in range(ow):
                for ch in range(c):
                    best, where, count = None, None, 0
                    for a in range(pool[0]):
                        for b in range(pool[1]):
                            hh, ww = i * strides[0] - pt + a, j * strides[1] - pl + b
                            if 0 <= hh < h and 0 <= ww < w:
                                v = x[n, hh, ww, ch]
                                if best is None or v > best:
                                    best, where, count = v, (hh, ww), 1
                                elif v == best:
                                    count += 1
                    ties += count > 1
                    y[n, i, j, ch] = best
                    dx[n, where[0], where[1], ch] += dy[n, i, j, ch]
    return y, dx, ties


def pool_case(name, x, pool, strides, padding, rng):
    layer = keras.layers.MaxPooling2D(pool_size=pool, strides=strides, padding=padding)
    t = run_case(name, layer, x, rng)
    y_ref, dx_ref, ties = first_max_pool_reference(t["x"], pool, strides or pool, padding, t["dy"])
    assert np.array_equal(y_ref, t["y"]), f"{name}: forward differs from the NumPy reference"
    assert np.allclose(dx_ref, t["dx"], atol=1e-6), f"{name}: TF does not route ties to the first max"
    print(f"  {name}: {ties} of {t['y'].size} windows hold a tied maximum")


def main():
    rng = np.random.default_rng(20240611)
    keras.utils.set_random_seed(7)

    def normal(*shape):
        return rng.normal(size=shape)

    run_case("dense_relu", keras.layers.Dense(4, activation="relu"), normal(3, 5), rng)
    run_case("dense_softmax", keras.layers.Dense(5, activation="softmax"), normal(3, 6), rng)
    run_case("dense_rank3", keras.layers.Dense(3, activation="tanh"), normal(2, 4, 5), rng)

    run_case("conv2d_same_c1", keras.layers.Conv2D(4, (3, 3), padding="same", activation="relu"),
             normal(2, 9, 13, 1), rng)
    run_case("conv2d_same_c3", keras.layers.Conv2D(4, (3, 3), padding="same"), normal(2, 5, 6, 3), rng)
    run_case("conv2d_valid_stride", keras.layers.Conv2D(3, (2, 3), strides=(2, 1), padding="valid"),
             normal(2, 7, 8, 2), rng)
    # H 8, kernel 3, stride 2: pad 0 top, 1 bottom; W 7, kernel 4, stride 2: pad 1 left, 2 right
    run_case("conv2d_same_stride2",
             keras.layers.Conv2D(3, (3, 4), strides=(2, 2), padding="same", activation="sigmoid"),
             normal(2, 8, 7, 2), rng)

    # halves in [-2, 2]: many ties inside the windows; negative windows test the -inf padding
    def tied(*shape):
        return np.clip(np.round(rng.normal(size=shape) * 2) / 2, -2, 2)

    pool_case("maxpool_valid", tied(2, 9, 13, 3), (2, 2), None, "valid", rng)
    # H 7: pad 1 top, 1 bottom; W 8: pad 0 left, 1 right; overlapping windows (pool 3, stride 2)
    pool_case("maxpool_same_stride", tied(2, 7, 8, 2), (3, 3), (2, 2), "same", rng)

    run_case("flatten", keras.layers.Flatten(), normal(2, 3, 4, 2), rng)


if __name__ == "__main__":
    main()
