"""Reference learning rates of Keras 3's learning-rate schedules, and optimizer trajectories driven by them.

Writes Tests/Fixtures/training/schedules.safetensors:
- `rate_{name}`: the schedule's learning rate at optimizer steps 0 ... 23 (Keras evaluates the schedule at
  `optimizer.iterations`, the number of updates already applied), for
  - `cosine`: CosineDecay(0.01, decay_steps=10, alpha=0.1);
  - `cosine_warmup`: CosineDecay(0.001, decay_steps=10, warmup_target=0.01, warmup_steps=4);
  - `exponential`: ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5);
  - `exponential_staircase`: the same with staircase=True;
  - `piecewise`: PiecewiseConstantDecay(boundaries=[3, 7], values=[0.01, 0.005, 0.001]);
  - `polynomial`: PolynomialDecay(0.01, decay_steps=8, end_learning_rate=0.001, power=2.0);
  - `polynomial_cycle`: PolynomialDecay(0.01, decay_steps=5, end_learning_rate=0.002, power=1.0, cycle=True);
  - `inverse_time`: InverseTimeDecay(0.01, decay_steps=2, decay_rate=0.5);
  - `inverse_time_staircase`: the same with staircase=True;
- three float32 variables (`w0_0`, `w0_1`, `w0_2`: shapes (4, 3), (3,), (5,)), eight steps of fixed
  gradients (`g{step}_{variable}`), and the variables after the eight steps of `apply_gradients` with
  - `adam_cosine_warmup`: Adam(learning_rate=cosine_warmup, weight_decay=0.1) (the decay uses the
    scheduled rate too);
  - `sgd_exponential_staircase`: SGD(learning_rate=exponential_staircase, momentum=0.9);
  - `adam_piecewise_clipnorm`: Adam(learning_rate=piecewise, clipnorm=1.0);
  named `{optimizer}_{variable}`.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_schedule_fixtures.py  (needs keras)
"""
import numpy as np
import keras
from keras.optimizers import schedules

from fixture_io import optimizer_trajectories, save

STEPS = 24
schedule_makers = {
    "cosine": lambda: schedules.CosineDecay(0.01, decay_steps=10, alpha=0.1),
    "cosine_warmup": lambda: schedules.CosineDecay(0.001, decay_steps=10, warmup_target=0.01, warmup_steps=4),
    "exponential": lambda: schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5),
    "exponential_staircase": lambda: schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.5, staircase=True),
    "piecewise": lambda: schedules.PiecewiseConstantDecay(boundaries=[3, 7], values=[0.01, 0.005, 0.001]),
    "polynomial": lambda: schedules.PolynomialDecay(0.01, decay_steps=8, end_learning_rate=0.001, power=2.0),
    "polynomial_cycle": lambda: schedules.PolynomialDecay(0.01, decay_steps=5, end_learning_rate=0.002, power=1.0,
                                                          cycle=True),
    "inverse_time": lambda: schedules.InverseTimeDecay(0.01, decay_steps=2, decay_rate=0.5),
    "inverse_time_staircase": lambda: schedules.InverseTimeDecay(0.01, decay_steps=2, decay_rate=0.5, staircase=True),
}
tensors = {}
for name, make in schedule_makers.items():
    schedule = make()
    tensors[f"rate_{name}"] = np.array([float(schedule(keras.ops.convert_to_tensor(s, dtype="int64")))
                                        for s in range(STEPS)], dtype=np.float32)

rng = np.random.default_rng(29)
shapes = [(4, 3), (3,), (5,)]
initial = [rng.normal(0, 1, s).astype(np.float32) for s in shapes]
steps = [[rng.normal(0, 0.5, s).astype(np.float32) for s in shapes] for _ in range(8)]
optimizers = {
    "adam_cosine_warmup": lambda: keras.optimizers.Adam(learning_rate=schedule_makers["cosine_warmup"](),
                                                        weight_decay=0.1),
    "sgd_exponential_staircase": lambda: keras.optimizers.SGD(
        learning_rate=schedule_makers["exponential_staircase"](), momentum=0.9),
    "adam_piecewise_clipnorm": lambda: keras.optimizers.Adam(learning_rate=schedule_makers["piecewise"](),
                                                             clipnorm=1.0),
}
tensors.update(optimizer_trajectories(optimizers, initial, steps))
save("training/schedules.safetensors", tensors, metadata={"keras": keras.__version__,
                                                          "backend": keras.backend.backend()})
