"""Load an Earmark model of cfg/conv.yaml (the reference CNN) into Keras 3 from its safetensors file.

    python keras_load.py models/conv.safetensors windows.npy [probabilities.npy]

Earmark's weight names and shapes are Keras's (`conv2d_1/kernel` (KH, KW, C, F), `dense/kernel`
(D, U)), so naming the layers as Earmark does is all it takes.
"""
import json
import sys

import keras
import numpy as np
from keras import layers
from safetensors import safe_open

with safe_open(sys.argv[1], "np") as f:
    weights = {name: f.get_tensor(name) for name in f.keys()}
    meta = f.metadata()
classes = json.loads(meta["classes"])
model = keras.Sequential([
    keras.Input(json.loads(meta["input_shape"])),                        # (9, 13, 1)
    layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2d"),
    layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2d_1"),
    layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2d_2"),
    layers.Conv2D(128, 3, padding="same", activation="relu", name="conv2d_3"),
    layers.MaxPooling2D(2, name="max_pooling2d"),
    layers.Dropout(0.5, name="dropout"),
    layers.Flatten(name="flatten"),
    layers.Dense(128, activation="relu", name="dense"),
    layers.Dense(64, activation="relu", name="dense_1"),
    layers.Dense(len(classes), activation="softmax", name="dense_2"),
])
for layer in model.layers:
    if layer.weights:
        layer.set_weights([weights[f"{layer.name}/{w.name}"] for w in layer.weights])
lo, hi = float(meta["feature_min"]), float(meta["feature_max"])   # scaling: minmax
x = np.load(sys.argv[2]).astype(np.float32)                       # raw windows (N, 9, 13, 1)
p = model.predict((x - lo) / (hi - lo), verbose=0)
print(classes[int(p.mean(axis=0).argmax())])
if len(sys.argv) > 3:
    np.save(sys.argv[3], p)
