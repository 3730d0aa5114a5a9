"""Reference outputs and gradients of Keras 3's LayerNormalization (Earmark's `LayerNormalization`).

Run from the repository root: `benchmarks/.venv/bin/python Tests/Fixtures/make_layernorm_fixtures.py`
(Keras 3, TensorFlow backend, CPU). Each case writes Tests/Fixtures/layers/<case>.safetensors holding,
with L = sum(y * r) for a random r of y's shape and random gamma and beta (those the case has),

    x, y = layer(x), dy = r, dx = dL/dx, gamma, beta, grad/gamma, grad/beta.

Cases: a (N, C) batch of descriptor rows with a large offset and spread (the variance must not lose
the small deviations); a (N, T, C) sequence with epsilon 0.01; an (N, H, W, C) image without
`center`; a (N, T, C) sequence without `scale`.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from fixture_io import save  # noqa: E402


def case(name, x, rng, **config):
    x = x.astype(np.float32)
    layer = keras.layers.LayerNormalization(**config)
    layer.build(x.shape)
    tensors = {"x": x}
    for w in layer.trainable_weights:
        wname = w.path.split("/")[-1]
        value = (rng.normal(0, 0.5, size=w.shape) + (1.0 if wname == "gamma" else 0.0)).astype(np.float32)
        w.assign(value)
        tensors[wname] = value
    r = rng.normal(size=x.shape).astype(np.float32)
    xt = tf.constant(x)
    weights = list(layer.trainable_weights)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        loss = tf.reduce_sum(y * r)
    grads = tape.gradient(loss, [xt] + [w.value for w in weights])
    tensors.update({"y": y.numpy(), "dy": r, "dx": grads[0].numpy()})
    for w, g in zip(weights, grads[1:]):
        tensors["grad/" + w.path.split("/")[-1]] = g.numpy()
    keys = ("axis", "epsilon", "center", "scale", "rms_scaling")
    save(f"layers/{name}.safetensors", tensors,
         {"case": name, "layer": "LayerNormalization", "keras": keras.__version__, "tensorflow": tf.__version__,
          "config": json.dumps({k: v for k, v in layer.get_config().items() if k in keys})})


def main():
    rng = np.random.default_rng(20261205)
    case("layernorm_rows", rng.normal(0, 3, size=(4, 24)) + 50, rng)
    case("layernorm_sequence", rng.normal(0.3, 1.5, size=(2, 5, 6)), rng, epsilon=0.01)
    case("layernorm_image_no_center", rng.normal(size=(2, 3, 4, 5)), rng, center=False)
    case("layernorm_sequence_no_scale", rng.normal(size=(3, 4, 7)), rng, scale=False)


if __name__ == "__main__":
    main()
