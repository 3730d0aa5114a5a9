"""Reference outputs and gradients of Keras 3's Conv1D with `padding="causal"`, in the format of
make_rnn_fixtures.py's Conv1D cases (whose `conv1d_case` and `write` this script reuses): x, y, dy,
dx, kernel, bias, grad/kernel, grad/bias, and the layer configuration in the metadata.

Cases: kernel 3, stride 1 (the output keeps the input's length); kernel 4, stride 2 (causal windows
stepped by 2: output t reads input steps 2t - 3 ... 2t). The script checks causality before writing:
changing the input after step t leaves outputs up to t unchanged.
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_conv1d_causal_fixtures.py`.
"""
import numpy as np

from make_rnn_fixtures import conv1d_case, keras


def check_causal(kernel_size, strides, seed):
    rng = np.random.default_rng(seed)
    layer = keras.layers.Conv1D(2, kernel_size, strides=strides, padding="causal")
    x = rng.normal(size=(1, 9, 2)).astype(np.float32)
    changed = x.copy()
    changed[:, 5:] += 1.0
    y, y_changed = layer(x).numpy(), layer(changed).numpy()
    last_unchanged = 4 // strides          # outputs t with strides * t <= 4 read only steps 0 ... 4
    assert np.array_equal(y[:, :last_unchanged + 1], y_changed[:, :last_unchanged + 1]), "not causal"
    assert not np.array_equal(y, y_changed)


if __name__ == "__main__":
    check_causal(3, 1, 5)
    check_causal(4, 2, 6)
    conv1d_case("conv1d_causal", n=2, t=7, c=3, filters=4, kernel_size=3, strides=1, padding="causal",
                activation="tanh", seed=71)
    conv1d_case("conv1d_causal_stride2", n=2, t=9, c=2, filters=3, kernel_size=4, strides=2, padding="causal",
                activation="linear", seed=72)
