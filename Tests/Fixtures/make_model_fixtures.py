"""Reference fixtures for whole models: the reference CNN and RNN of docs/WORKFLOW.md §6.

Writes Tests/Fixtures/models/*.safetensors:
- cnn_small / rnn_small: the reference architectures with fewer units (same layer sequence),
  deterministic weights, a batch, per-class weights; the softmax output, the weighted
  cross-entropy and the gradient of every weight.
- cnn_reference_adam / rnn_reference_adam: the full-size reference models (10 classes), the loss of
  five Adam steps (Keras form, lr 1e-3, epsilon 1e-7) and the probabilities after the fifth step.

Weights are not stored: every weight is drawn from `deterministic_uniform`, a SplitMix64 hash that
Earmark's tests recompute bit for bit (Tests/LayersTests/DeterministicWeights.swift). Dropout is in
inference mode (masks are random in every framework), so the trajectory is deterministic.
Run: python3 Tests/Fixtures/make_model_fixtures.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np
import tensorflow as tf
import keras
from keras import layers

from fixture_io import save

MASK = (1 << 64) - 1


def deterministic_uniform(seed, n):
    """n floats in [0, 1): SplitMix64 of (seed + (i+1) * golden) >> 40, divided by 2^24."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        z = (seed + (i + 1) * 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z = z ^ (z >> 31)
        out[i] = (z >> 40) / 16777216.0
    return out


def deterministic_weights(model):
    """Weight j of the model (in model.weights order) is uniform in [-limit, limit] with seed 1000 + j,
    limit = sqrt(6 / (fan_in + fan_out)) for kernels (Keras fans) and 0.1 for biases."""
    for j, w in enumerate(model.weights):
        shape = tuple(w.shape)
        if len(shape) == 1:
            limit = 0.1
        else:
            field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
            fan_in, fan_out = shape[-2] * field, shape[-1] * field
            limit = np.sqrt(6.0 / (fan_in + fan_out))
        u = deterministic_uniform(1000 + j, int(np.prod(shape)))
        w.assign(((2.0 * u - 1.0) * limit).astype(np.float32).reshape(shape))


def cnn(filters, dense, classes):
    m = keras.Sequential([keras.Input((9, 13, 1))]
                         + [layers.Conv2D(f, (3, 3), activation="relu", strides=(1, 1), padding="same") for f in filters]
                         + [layers.MaxPool2D((2, 2)), layers.Dropout(0.5), layers.Flatten()]
                         + [layers.Dense(u, activation="relu") for u in dense]
                         + [layers.Dense(classes, activation="softmax")])
    return m


def rnn(units, dense, classes):
    m = keras.Sequential([keras.Input((9, 13))]
                         + [layers.LSTM(u, return_sequences=True) for u in units]
                         + [layers.Dropout(0.5)]
                         + [layers.TimeDistributed(layers.Dense(u, activation="relu")) for u in dense]
                         + [layers.Flatten(), layers.Dense(classes, activation="softmax")])
    return m


def batch(seed, n, shape, classes):
    x = deterministic_uniform(seed, n * int(np.prod(shape))).astype(np.float32).reshape((n,) + shape)
    labels = np.arange(n) % classes
    counts = np.bincount(labels, minlength=classes)
    class_weights = (n / (classes * counts)).astype(np.float32)
    return x, labels, class_weights


def weighted_loss(model, x, labels, class_weights):
    p = model(x, training=False)
    picked = tf.gather(p, labels, axis=1, batch_dims=1)
    ce = -tf.math.log(tf.clip_by_value(picked, 1e-7, 1 - 1e-7))
    w = tf.gather(class_weights, labels)
    return tf.reduce_sum(w * ce) / x.shape[0], p


def gradients_fixture(name, model, shape, classes):
    deterministic_weights(model)
    x, labels, cw = batch(7, 4, shape, classes)
    with tf.GradientTape() as tape:
        loss, p = weighted_loss(model, x, labels, cw)
    grads = tape.gradient(loss, model.weights)
    out = {"x": x, "labels": labels, "class_weights": cw, "probabilities": p.numpy(),
           "loss": np.array([loss.numpy()])}
    for j, g in enumerate(grads):
        out[f"grad/{j}"] = g.numpy()
    save(f"models/{name}.safetensors", out,
         {"parameters": str(model.count_params()), "weight_shapes": [list(w.shape) for w in model.weights]})


def adam_fixture(name, model, shape, classes):
    deterministic_weights(model)
    x, labels, cw = batch(11, 16, shape, classes)
    opt = keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    losses = []
    for _ in range(5):
        with tf.GradientTape() as tape:
            loss, _ = weighted_loss(model, x, labels, cw)
        grads = tape.gradient(loss, model.trainable_weights)
        opt.apply_gradients(zip(grads, model.trainable_weights))
        losses.append(float(loss.numpy()))
    _, p = weighted_loss(model, x, labels, cw)
    save(f"models/{name}.safetensors",
         {"x": x, "labels": labels, "class_weights": cw, "losses": np.array(losses), "probabilities_after": p.numpy()},
         {"parameters": str(model.count_params())})
    print(name, "params", model.count_params(), "losses", losses)


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    gradients_fixture("cnn_small", cnn((4, 4, 8, 8), (16, 8), 3), (9, 13, 1), 3)
    gradients_fixture("rnn_small", rnn((8, 8), (8, 6, 4, 2), 3), (9, 13), 3)
    ref_cnn = cnn((16, 32, 64, 128), (128, 64), 10)
    assert ref_cnn.count_params() == 499402, ref_cnn.count_params()
    adam_fixture("cnn_reference_adam", ref_cnn, (9, 13, 1), 10)
    ref_rnn = rnn((128, 128), (64, 32, 16, 8), 10)
    assert ref_rnn.count_params() == 216018, ref_rnn.count_params()
    adam_fixture("rnn_reference_adam", ref_rnn, (9, 13), 10)
