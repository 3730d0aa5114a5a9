"""The distribution of Keras 3's GaussianNoise and GaussianDropout in training, for NoiseLayersTests.

Keras draws their noise from its own generator, so Earmark cannot match the values; it matches the
distribution. Writes Tests/Fixtures/layers/noise.safetensors with Keras's sample moments over 200,000
values (float64): GaussianNoise(0.3) on zeros (`gaussian_noise/mean`, `/std`: the noise itself) and
GaussianDropout(0.2) on ones (`gaussian_dropout/mean`, `/std`: the multipliers), and `x`, a small input
with each layer's output at inference (`.../inference`, which must equal x).
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_noise_fixtures.py`.
"""
import numpy as np

from fixture_io import save
from make_rnn_fixtures import keras

COUNT = 200_000


def moments(layer, value):
    y = layer(np.full((COUNT // 100, 100), value, np.float32), training=True).numpy().astype(np.float64)
    return np.array([y.mean()]), np.array([y.std()])


if __name__ == "__main__":
    rng = np.random.default_rng(131)
    x = rng.normal(size=(3, 5)).astype(np.float32)
    noise = keras.layers.GaussianNoise(0.3, seed=1)
    dropout = keras.layers.GaussianDropout(0.2, seed=2)
    tensors = {"x": x}
    for name, layer, value in (("gaussian_noise", noise, 0.0), ("gaussian_dropout", dropout, 1.0)):
        mean, std = moments(layer, value)
        tensors[f"{name}/mean"], tensors[f"{name}/std"] = mean, std
        tensors[f"{name}/inference"] = layer(x, training=False).numpy()
        assert np.array_equal(tensors[f"{name}/inference"], x), f"{name} is not the identity at inference"
    assert abs(tensors["gaussian_dropout/std"][0] - np.sqrt(0.2 / 0.8)) < 0.01
    save("layers/noise.safetensors", tensors, {"count": COUNT, "keras_version": keras.__version__})
