"""Reference trajectories of Keras 3's optimizers with decoupled weight decay (`weight_decay`) and
gradient clipping (`clipnorm`, `global_clipnorm`, `clipvalue`).

Writes Tests/Fixtures/training/optimizers.safetensors: three float32 variables (`w0_0`, `w0_1`, `w0_2`:
shapes (4, 3), (3,), (5,)), five steps of fixed gradients for each (`g{step}_{variable}`), and each
variable after the five steps of `apply_gradients` with
- `adam`: Adam(learning_rate=0.01, weight_decay=0.1) (Keras: w -= w * weight_decay * learning_rate
  before each update, the learning rate not bias-corrected);
- `adam_plain`: the same without weight decay;
- `sgd`: SGD(learning_rate=0.05, momentum=0.9, weight_decay=0.1);
- `sgd_nesterov`: the same with nesterov=True;
- `adam_clipnorm`: Adam(learning_rate=0.01, clipnorm=1.0); `adam_global_clipnorm`: global_clipnorm=1.0;
- `sgd_clipnorm`: SGD(learning_rate=0.05, momentum=0.9, clipnorm=1.0); `sgd_clipvalue`: clipvalue=0.3;
  the gradients' norms (1.6-2.7, 0.8-1.4 and 0.5-1.2 for the three variables over the steps) put
  variables and steps on each side of the limits.
Names: `{optimizer}_{variable}`.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_optimizer_fixtures.py  (needs keras)
"""
import keras

from fixture_io import save_optimizer_fixture

optimizers = {
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.01, weight_decay=0.1),
    "adam_plain": lambda: keras.optimizers.Adam(learning_rate=0.01),
    "sgd": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, weight_decay=0.1),
    "sgd_nesterov": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adam_clipnorm": lambda: keras.optimizers.Adam(learning_rate=0.01, clipnorm=1.0),
    "adam_global_clipnorm": lambda: keras.optimizers.Adam(learning_rate=0.01, global_clipnorm=1.0),
    "sgd_clipnorm": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, clipnorm=1.0),
    "sgd_clipvalue": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, clipvalue=0.3),
    "sgd_plain": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
}
save_optimizer_fixture("training/optimizers.safetensors", seed=23, steps=5, optimizers=optimizers)
