#!/usr/bin/env python3
"""scikit-learn's RandomForestClassifier timed on the descriptors-sized problem Earmark's forest is
compared on: 200 trees, 1000 training rows x 20 features x 3 classes, prediction of 1000 rows,
n_jobs=-1 (every core). Writes the problem to a safetensors file (--write) so that the Swift side
times the same data, and prints the median fit and predict seconds over --rounds runs.

    python benchmarks/forest_peer.py --write /tmp/forest_bench.safetensors [--rounds 5]
"""
import argparse
import statistics
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier


def make_problem(seed=3, rows=2000, features=20):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)).astype(np.float32)
    s1 = x[:, 0] + 0.8 * x[:, 1] - 0.5 * x[:, 2] + rng.normal(size=rows)
    s2 = x[:, 3] - 0.7 * x[:, 4] + 0.3 * x[:, 0] * x[:, 5] + rng.normal(size=rows)
    y = np.where(s1 > 0.4, 0, np.where(s2 > 0.3, 1, 2)).astype(np.int32)
    half = rows // 2
    return x[:half], y[:half], x[half:], y[half:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", help="also write the problem here (safetensors) for the Swift timing")
    args = parser.parse_args()
    x, y, xt, yt = make_problem()
    if args.write:
        from safetensors.numpy import save_file
        save_file({"x_train": x, "y_train": y, "x_test": xt, "y_test": yt}, args.write)
    fits, predicts = [], []
    for r in range(args.rounds):
        forest = RandomForestClassifier(n_estimators=200, n_jobs=-1, random_state=r)
        t0 = time.perf_counter()
        forest.fit(x, y)
        t1 = time.perf_counter()
        predicted = forest.predict(xt)
        t2 = time.perf_counter()
        fits.append(t1 - t0)
        predicts.append(t2 - t1)
    print(f"scikit-learn fit median {statistics.median(fits):.3f} s, "
          f"predict median {statistics.median(predicts):.4f} s, "
          f"accuracy {np.mean(predicted == yt):.3f}")


if __name__ == "__main__":
    main()
