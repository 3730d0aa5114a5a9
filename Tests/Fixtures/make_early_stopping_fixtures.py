"""Reference decisions of Keras's EarlyStopping for Earmark's `training.early_stopping`.

Writes Tests/Fixtures/training/early_stopping.safetensors: 60 histories of validation accuracies
(`val_accuracy`, cases x 12 epochs, multiples of 1/64 so that float32 and float64 hold the same
values and ties are common), each case's `patience` (0-5) and `min_delta` (0, 1/32 or 1/16), and
`stopped_after`: the 1-based epoch after which `keras.callbacks.EarlyStopping(monitor="val_accuracy",
mode="max", patience, min_delta)` set `stop_training` (0: it ran all 12). The callback is driven
directly through `on_epoch_end`, as `fit` drives it.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_early_stopping_fixtures.py  (needs keras)
"""
import numpy as np
import keras

from fixture_io import save

CASES, EPOCHS = 60, 12
rng = np.random.default_rng(11)


class Model:
    """What EarlyStopping touches of a model when restore_best_weights is off."""
    stop_training = False


histories, patiences, deltas, stops = [], [], [], []
for case in range(CASES):
    # a rising, noisy, plateauing curve: steps of 1/64 around a trend that flattens
    trend = np.minimum(np.arange(EPOCHS) * rng.integers(1, 6), rng.integers(20, 60))
    values = np.clip(trend + rng.integers(-4, 5, EPOCHS) + 10, 0, 64) / 64.0
    patience = int(rng.integers(0, 6))
    delta = float(rng.choice([0.0, 1 / 32, 1 / 16]))
    callback = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=patience,
                                             min_delta=delta)
    model = Model()
    callback.set_model(model)
    callback.on_train_begin()
    stopped = 0
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {"val_accuracy": float(value)})
        if model.stop_training:
            stopped = epoch + 1
            break
    histories.append(values)
    patiences.append(patience)
    deltas.append(delta)
    stops.append(stopped)

save("training/early_stopping.safetensors", {
    "val_accuracy": np.array(histories, dtype=np.float32), "patience": np.array(patiences, dtype=np.int32),
    "min_delta": np.array(deltas, dtype=np.float32), "stopped_after": np.array(stops, dtype=np.int32),
}, metadata={"keras": keras.__version__})
print("stopped early:", sum(1 for s in stops if s), "of", CASES, "; patience 0:", sum(1 for p in patiences if p == 0))
