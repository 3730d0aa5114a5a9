"""Reference trajectories of Keras 3's Nadam, for Earmark's `Nadam` (Sources/Layers/Nadam.swift).

Writes Tests/Fixtures/training/nadam.safetensors: three float32 variables (`w0_0`, `w0_1`, `w0_2`:
shapes (4, 3), (3,), (5,)), eight steps of fixed gradients for each (`g{step}_{variable}`), and each
variable after the eight steps of `apply_gradients` with
- `nadam`: Nadam(learning_rate=0.01) (beta_1 0.9, beta_2 0.999, epsilon 1e-7: the defaults);
- `nadam_everything`: beta_1=0.8, beta_2=0.99, epsilon=1e-3, weight_decay=0.1, clipnorm=1.0;
- `nadam_exponential`: learning_rate=ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5).
Names: `{optimizer}_{variable}`.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_nadam_fixtures.py  (needs keras)
"""
import keras

from fixture_io import save_optimizer_fixture

Nadam = keras.optimizers.Nadam
optimizers = {
    "nadam": lambda: Nadam(learning_rate=0.01),
    "nadam_everything": lambda: Nadam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3, weight_decay=0.1,
                                      clipnorm=1.0),
    "nadam_exponential": lambda: Nadam(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5)),
}
defaults = Nadam().get_config()
assert abs(defaults["learning_rate"] - 0.001) < 1e-9 and (defaults["beta_1"], defaults["beta_2"], defaults["epsilon"]) \
    == (0.9, 0.999, 1e-7), f"Keras's Nadam defaults changed: {defaults}"
save_optimizer_fixture("training/nadam.safetensors", seed=31, steps=8, optimizers=optimizers)
