"""`make interop-check`: the Keras and PyTorch snippets' probabilities against Earmark's.

    python compare.py earmark_probabilities.npy keras.npy torch.npy
"""
import sys

import numpy as np

expected = np.load(sys.argv[1])
for path in sys.argv[2:]:
    difference = float(np.abs(np.load(path) - expected).max())
    print(f"{path}: max |difference| from Earmark = {difference:.2e}")
    if difference > 1e-5:
        sys.exit(f"{path} differs from Earmark's probabilities by {difference}")
