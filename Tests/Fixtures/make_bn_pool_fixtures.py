"""Reference outputs and gradients of Keras BatchNormalization, GlobalAveragePooling2D,
GlobalMaxPooling2D, AveragePooling2D and SpatialDropout2D (tier-1 fixtures).

Run from the repository root: `/work/pyenv/bin/python Tests/Fixtures/make_bn_pool_fixtures.py`
(Keras 3, TensorFlow backend, CPU). Files go to Tests/Fixtures/layers/<case>.safetensors.

Pools (no weights), as in make_conv_fixtures.py: with L = sum(y * r) for a random r,

    x, y = layer(x), dy = r, dx = dL/dx.

Global max pooling inputs are rounded to halves so that channels hold tied maxima: the script
checks that TensorFlow's gradient (reduce_max's) is shared EQUALLY by tied maxima.

BatchNormalization: random gamma, beta and moving statistics (variance positive), then

    train/y, train/dx, train/grad/gamma, train/grad/beta    layer(x, training=True), same r
    train/moving_mean, train/moving_variance                the moving statistics after that call
    infer/y, infer/dx, infer/grad/gamma, infer/grad/beta    layer(x, training=False), from the
                                                            initial moving statistics

The script checks the update against moving * momentum + statistic * (1 - momentum) with the
biased batch variance before writing.

SpatialDropout2D (rate 0.5, random): x, train/y (one Keras draw) and infer/y; the script checks
that every (example, channel) of train/y is either all zero or all x / (1 - rate).
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from fixture_io import save  # noqa: E402


def meta(name, layer):
    keys = ("pool_size", "strides", "padding", "momentum", "epsilon", "center", "scale", "rate")
    config = {k: v for k, v in layer.get_config().items() if k in keys}
    return {"case": name, "layer": type(layer).__name__, "config": json.dumps(config),
            "keras": keras.__version__, "tensorflow": tf.__version__}


def gradients(layer, x, r, training):
    """y, dL/dx and {weight name: dL/dw} for L = sum(y * r)."""
    xt = tf.constant(x)
    weights = list(layer.trainable_weights)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=training)
        loss = tf.reduce_sum(y * r)
    grads = tape.gradient(loss, [xt] + [w.value for w in weights])
    return y.numpy(), grads[0].numpy(), {w.path.split("/")[-1]: g.numpy() for w, g in zip(weights, grads[1:])}


def pool_case(name, layer, x, rng):
    x = x.astype(np.float32)
    layer.build(x.shape)
    r = rng.normal(size=layer.compute_output_shape(x.shape)).astype(np.float32)
    y, dx, _ = gradients(layer, x, r, False)
    save(f"layers/{name}.safetensors", {"x": x, "y": y, "dy": r, "dx": dx}, meta(name, layer))
    return x, y, r, dx


def global_max_case(name, x, rng):
    x, y, r, dx = pool_case(name, keras.layers.GlobalMaxPooling2D(), x, rng)
    n_, h, w, c = x.shape
    ref = np.zeros_like(x)
    ties = 0
    for n in range(n_):
        for ch in range(c):
            flat = x[n, :, :, ch].reshape(-1)
            at = flat == flat.max()
            ties += int(at.sum() > 1)
            ref[n, :, :, ch] = (at * r[n, ch] / at.sum()).reshape(h, w)
    assert np.allclose(ref, dx, atol=1e-6), f"{name}: TF does not share ties equally"
    print(f"  {name}: {ties} of {n_ * c} channels hold a tied maximum")


def bn_case(name, x, rng, **config):
    x = x.astype(np.float32)
    layer = keras.layers.BatchNormalization(**config)
    layer.build(x.shape)
    c = x.shape[-1]
    tensors = {"x": x}
    for w in layer.weights:
        wname = w.path.split("/")[-1]
        if wname == "moving_variance":
            value = rng.uniform(0.5, 2.0, size=w.shape)
        else:
            value = rng.normal(0, 0.5, size=w.shape) + (1.0 if wname == "gamma" else 0.0)
        value = value.astype(np.float32)
        w.assign(value)
        tensors[wname] = value
    r = rng.normal(size=x.shape).astype(np.float32)
    tensors["dy"] = r
    for mode, training in (("infer", False), ("train", True)):   # inference first: it keeps the statistics
        y, dx, grads = gradients(layer, x, r, training)
        tensors[f"{mode}/y"] = y
        tensors[f"{mode}/dx"] = dx
        for wname, g in grads.items():
            tensors[f"{mode}/grad/{wname}"] = g
    momentum = layer.momentum
    axes = tuple(range(x.ndim - 1))
    mean, var = x.astype(np.float64).mean(axis=axes), x.astype(np.float64).var(axis=axes)   # biased
    for wname, stat in (("moving_mean", mean), ("moving_variance", var)):
        after = layer.weights[[w.path.split("/")[-1] for w in layer.weights].index(wname)].numpy()
        expected = tensors[wname] * momentum + stat * (1 - momentum)
        assert np.allclose(after, expected, atol=1e-5), f"{name}: {wname} update differs from the formula"
        tensors[f"train/{wname}"] = after
    assert c == mean.shape[0]
    save(f"layers/{name}.safetensors", tensors, meta(name, layer))


def spatial_dropout_case(name, x, rate):
    x = x.astype(np.float32)
    layer = keras.layers.SpatialDropout2D(rate, seed=5)
    y_train = layer(tf.constant(x), training=True).numpy()
    y_infer = layer(tf.constant(x), training=False).numpy()
    assert np.array_equal(y_infer, x), f"{name}: inference is not the identity"
    dropped = 0
    for n in range(x.shape[0]):
        for ch in range(x.shape[-1]):
            channel = y_train[n, :, :, ch]
            if np.all(channel == 0):
                dropped += 1
            else:
                assert np.allclose(channel, x[n, :, :, ch] / (1 - rate), rtol=1e-6), f"{name}: partial channel"
    print(f"  {name}: {dropped} of {x.shape[0] * x.shape[-1]} channels dropped")
    save(f"layers/{name}.safetensors", {"x": x, "train/y": y_train, "infer/y": y_infer}, meta(name, layer))


def main():
    rng = np.random.default_rng(20261201)
    keras.utils.set_random_seed(11)

    def normal(*shape):
        return rng.normal(size=shape) * 1.5 + 0.3

    bn_case("batchnorm_2d", normal(5, 3), rng)
    bn_case("batchnorm_3d", normal(2, 4, 3), rng, momentum=0.8, epsilon=0.01)
    bn_case("batchnorm_4d", normal(2, 3, 4, 3), rng)
    bn_case("batchnorm_plain", normal(4, 2), rng, center=False, scale=False)

    pool_case("global_avgpool", keras.layers.GlobalAveragePooling2D(), normal(2, 3, 5, 3), rng)
    tied = np.clip(np.round(rng.normal(size=(3, 3, 4, 3)) * 2) / 2, -1, 1)
    global_max_case("global_maxpool", tied, rng)

    pool_case("avgpool_valid", keras.layers.AveragePooling2D((2, 2)), normal(2, 5, 7, 2), rng)
    # H 7: pad 1 top, 1 bottom; W 8: pad 0 left, 1 right; overlapping windows clipped at the border
    pool_case("avgpool_same_stride", keras.layers.AveragePooling2D((3, 3), strides=(2, 2), padding="same"),
              normal(2, 7, 8, 2), rng)
    pool_case("avgpool_same_rect", keras.layers.AveragePooling2D((2, 3), strides=(1, 2), padding="same"),
              normal(1, 4, 5, 3), rng)

    spatial_dropout_case("spatial_dropout", normal(4, 3, 2, 6) + 5.0, 0.5)


if __name__ == "__main__":
    main()
