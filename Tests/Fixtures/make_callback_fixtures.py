"""Reference decisions of Keras's EarlyStopping and ReduceLROnPlateau for Earmark's
`training.early_stopping` and `training.reduce_lr_on_plateau`.

Writes Tests/Fixtures/training/callbacks.safetensors: 60 histories of 12 epochs (`val_accuracy`:
multiples of 1/64, `val_loss`: multiples of 1/128, so that float32 and float64 hold the same values
and ties are common). For each case:
- `EarlyStopping(monitor=M, mode, patience, min_delta)`: `patience` (0-5), `min_delta` (0, 1/32 or 1/16),
  `monitor_loss` (1: M = "val_loss", mode min; 0: "val_accuracy", mode max) and `stopped_after`, the
  1-based epoch after which it set `stop_training` (0: it ran all 12);
- `ReduceLROnPlateau(monitor=M, mode, factor, patience=lr_patience, min_delta=lr_min_delta,
  cooldown, min_lr)` on an optimizer with learning rate 0.01: `factor` (0.5 or 0.2), `lr_patience`
  (0-8), `lr_min_delta` (0 or 1/64), `cooldown` (0-2), `min_lr` (0 or 0.001) and `learning_rate`
  (cases x 12): the optimizer's learning rate after each epoch's `on_epoch_end`;
- `ModelCheckpoint(monitor, mode, save_best_only=True)` on both figures of every history:
  `saved_val_accuracy` and `saved_val_loss` (cases x 12), 1 where the epoch's `on_epoch_end` saved the model.
The callbacks are driven directly through `on_epoch_end`, as `fit` drives them.
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_callback_fixtures.py  (needs keras)
"""
import numpy as np
import keras

from fixture_io import save

CASES, EPOCHS = 60, 12
rng = np.random.default_rng(11)


class Model:
    """What the callbacks touch of a model: `stop_training` and the optimizer's learning rate."""
    stop_training = False

    def __init__(self):
        self.optimizer = keras.optimizers.Adam(learning_rate=0.01)
        self.saves = 0

    def save(self, filepath, overwrite=True):
        self.saves += 1


tensors = {name: [] for name in ["val_accuracy", "val_loss", "patience", "min_delta", "monitor_loss",
                                 "stopped_after", "factor", "lr_patience", "lr_min_delta", "cooldown", "min_lr",
                                 "learning_rate", "saved_val_accuracy", "saved_val_loss"]}
for case in range(CASES):
    # a rising, noisy, plateauing accuracy and a falling, noisy, plateauing loss
    trend = np.minimum(np.arange(EPOCHS) * rng.integers(1, 6), rng.integers(20, 60))
    accuracy = np.clip(trend + rng.integers(-4, 5, EPOCHS) + 10, 0, 64) / 64.0
    loss = np.clip(128 - np.minimum(np.arange(EPOCHS) * rng.integers(2, 12), rng.integers(40, 100))
                   + rng.integers(-6, 7, EPOCHS), 1, 160) / 128.0
    monitor_loss = int(rng.integers(0, 2))
    monitor, mode = ("val_loss", "min") if monitor_loss else ("val_accuracy", "max")
    logs = [{"val_accuracy": float(a), "val_loss": float(l)} for a, l in zip(accuracy, loss)]

    patience, delta = int(rng.integers(0, 6)), float(rng.choice([0.0, 1 / 32, 1 / 16]))
    stopping = keras.callbacks.EarlyStopping(monitor=monitor, mode=mode, patience=patience, min_delta=delta)
    model = Model()
    stopping.set_model(model)
    stopping.on_train_begin()
    stopped = 0
    for epoch, log in enumerate(logs):
        stopping.on_epoch_end(epoch, dict(log))
        if model.stop_training:
            stopped = epoch + 1
            break

    factor, lr_patience = float(rng.choice([0.5, 0.2])), int(rng.integers(0, 9))
    lr_delta, cooldown = float(rng.choice([0.0, 1 / 64])), int(rng.integers(0, 3))
    min_lr = float(rng.choice([0.0, 0.001]))
    reduce = keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode=mode, factor=factor, patience=lr_patience,
                                               min_delta=lr_delta, cooldown=cooldown, min_lr=min_lr)
    model = Model()
    reduce.set_model(model)
    reduce.on_train_begin()
    rates = []
    for epoch, log in enumerate(logs):
        reduce.on_epoch_end(epoch, dict(log))
        rates.append(float(np.array(model.optimizer.learning_rate)))

    saved = {}
    for figure, figure_mode in [("val_accuracy", "max"), ("val_loss", "min")]:
        checkpoint = keras.callbacks.ModelCheckpoint("unused.keras", monitor=figure, mode=figure_mode,
                                                     save_best_only=True)
        model = Model()
        checkpoint.set_model(model)
        checkpoint.on_train_begin()
        marks = []
        for epoch, log in enumerate(logs):
            before = model.saves
            checkpoint.on_epoch_end(epoch, dict(log))
            marks.append(int(model.saves > before))
        saved[figure] = marks

    for name, value in [("saved_val_accuracy", saved["val_accuracy"]), ("saved_val_loss", saved["val_loss"]),
                        ("val_accuracy", accuracy), ("val_loss", loss), ("patience", patience),
                        ("min_delta", delta), ("monitor_loss", monitor_loss), ("stopped_after", stopped),
                        ("factor", factor), ("lr_patience", lr_patience), ("lr_min_delta", lr_delta),
                        ("cooldown", cooldown), ("min_lr", min_lr), ("learning_rate", rates)]:
        tensors[name].append(value)

integers = {"patience", "monitor_loss", "stopped_after", "lr_patience", "cooldown", "saved_val_accuracy",
            "saved_val_loss"}
save("training/callbacks.safetensors",
     {name: np.array(values, dtype=np.int32 if name in integers else np.float32) for name, values in tensors.items()},
     metadata={"keras": keras.__version__})
stops = tensors["stopped_after"]
print("stopped early:", sum(1 for s in stops if s), "of", CASES, "; on val_loss:", sum(tensors["monitor_loss"]),
      "; learning rate reduced in", sum(1 for r in tensors["learning_rate"] if r[-1] < float(np.float32(0.01))), "cases")
