"""Read an Earmark feature cache (pickles/*.safetensors) and a `.npy` feature export with NumPy.

    python read_features.py pickles/conv-<hash>.safetensors features.npy
"""
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

cache = load_file(sys.argv[1])           # {"train/x": (W, 9, 13, 1) float32, "train/labels": (W,) int32, ...}
with safe_open(sys.argv[1], "np") as f:
    meta = f.metadata()                  # format, config (YAML), key, ...
x, labels = cache["train/x"], cache["train/labels"]
if "min" in cache:                       # scaling: minmax, one global min and max
    scaled = (x - cache["min"][0]) / (cache["max"][0] - cache["min"][0])
else:                                    # scaling: standard, per coefficient (the last feature axis)
    c = cache["mean"].size
    scaled = ((x.reshape(-1, c) - cache["mean"]) / cache["std"]).reshape(x.shape)
features = np.load(sys.argv[2])          # `preprocess features --out F.npy`: (frames, coefficients) float32
print(meta["format"], x.shape, np.bincount(labels).tolist(), float(scaled.min()), float(scaled.max()),
      features.shape, features.dtype)
