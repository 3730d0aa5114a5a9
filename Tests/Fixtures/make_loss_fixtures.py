"""Reference values of Keras 3's CategoricalCrossentropy with label smoothing, for Earmark's
`training.label_smoothing` (Layers' SoftmaxCrossEntropy).

Writes Tests/Fixtures/training/loss.safetensors: logits `z` (6, 3), `labels` (6), `class_weights` (3) and
mixed soft targets `targets` (6, 3) (rows of two one-hot rows mixed, as mixup makes them); for each case
the loss of `keras.losses.CategoricalCrossentropy(label_smoothing=s)` on softmax(z) (Keras's
`sum_over_batch_size`: the weighted sum over the batch divided by 6) and its gradient with respect to z:
- `plain_*`: one-hot targets, s = 0, the class weight of each row's label as its sample weight;
- `smooth_*`: the same with s = 0.1;
- `smooth_unweighted_*`: s = 0.2 without weights;
- `soft_smooth_*`: the soft targets, s = 0.1, without weights.
Names: `{case}_loss` (1) and `{case}_dz` (6, 3).
Run: benchmarks/.venv/bin/python Tests/Fixtures/make_loss_fixtures.py  (needs keras, tensorflow)
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf
import keras

from fixture_io import save

rng = np.random.default_rng(31)
z = rng.normal(0, 1.5, (6, 3)).astype(np.float32)
labels = np.array([0, 1, 2, 2, 1, 0], dtype=np.int64)
class_weights = np.array([0.8, 1.5, 1.1], dtype=np.float32)
onehot = np.eye(3, dtype=np.float32)[labels]
partner = np.eye(3, dtype=np.float32)[np.array([1, 1, 0, 2, 0, 2])]
mix = rng.uniform(0.5, 1, (6, 1)).astype(np.float32)
targets = mix * onehot + (1 - mix) * partner

tensors = {"z": z, "labels": labels, "class_weights": class_weights, "targets": targets}
cases = {"plain": (onehot, 0.0, class_weights[labels]), "smooth": (onehot, 0.1, class_weights[labels]),
         "smooth_unweighted": (onehot, 0.2, None), "soft_smooth": (targets, 0.1, None)}
for name, (y, smoothing, weights) in cases.items():
    logits = tf.Variable(z)
    loss_fn = keras.losses.CategoricalCrossentropy(label_smoothing=smoothing)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, tf.nn.softmax(logits), sample_weight=weights)
    tensors[f"{name}_loss"] = np.array([float(loss)], dtype=np.float32)
    tensors[f"{name}_dz"] = tape.gradient(loss, logits).numpy()
save("training/loss.safetensors", tensors, metadata={"keras": keras.__version__})
