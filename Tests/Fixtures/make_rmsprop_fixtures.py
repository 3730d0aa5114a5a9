"""Reference trajectories of Keras 3's RMSprop, for Earmark's `RMSprop` (Sources/Layers/RMSprop.swift).

Writes Tests/Fixtures/training/rmsprop.safetensors: three float32 variables (`w0_0`, `w0_1`, `w0_2`:
shapes (4, 3), (3,), (5,)), eight steps of fixed gradients for each (`g{step}_{variable}`), and each
variable after the eight steps of `apply_gradients` with
- `rmsprop`: RMSprop(learning_rate=0.01) (rho 0.9, no momentum, epsilon 1e-7, not centred: the defaults);
- `rmsprop_momentum`: momentum=0.9;
- `rmsprop_centered`: centered=True;
- `rmsprop_everything`: rho=0.8, momentum=0.5, epsilon=1e-3, centered=True, weight_decay=0.1,
  clipnorm=1.0 (the gradients' norms, 0.8-2.7, fall on both sides of the limit);
- `rmsprop_exponential`: learning_rate=ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5), momentum=0.9.
Names: `{optimizer}_{variable}`.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_rmsprop_fixtures.py  (needs keras)
"""
import keras

from fixture_io import save_optimizer_fixture

RMSprop = keras.optimizers.RMSprop
optimizers = {
    "rmsprop": lambda: RMSprop(learning_rate=0.01),
    "rmsprop_momentum": lambda: RMSprop(learning_rate=0.01, momentum=0.9),
    "rmsprop_centered": lambda: RMSprop(learning_rate=0.01, centered=True),
    "rmsprop_everything": lambda: RMSprop(learning_rate=0.01, rho=0.8, momentum=0.5, epsilon=1e-3, centered=True,
                                          weight_decay=0.1, clipnorm=1.0),
    "rmsprop_exponential": lambda: RMSprop(
        learning_rate=keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5), momentum=0.9),
}
defaults = RMSprop().get_config()
assert (defaults["rho"], defaults["momentum"], defaults["epsilon"], defaults["centered"]) == (0.9, 0.0, 1e-7, False), \
    f"Keras's RMSprop defaults changed: {defaults}"
save_optimizer_fixture("training/rmsprop.safetensors", seed=29, steps=8, optimizers=optimizers)
