"""Shared helpers for the fixture scripts in this folder.

Every fixture is a small safetensors file (float32 unless stated) read by the Swift tests through
Earmark's own reader. Run the scripts from the repository root, for example
`python3 Tests/Fixtures/make_layer_fixtures.py`; they are deterministic (fixed seeds).
"""
import json
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def save(relative_path, tensors, metadata=None):
    """Writes {name: array} as float32 (float64 kept, integers as int32) to Tests/Fixtures/<relative_path>."""
    path = os.path.join(HERE, relative_path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    out = {}
    for name, value in tensors.items():
        a = np.asarray(value)
        a = a.astype(np.int32) if np.issubdtype(a.dtype, np.integer) else (a if a.dtype == np.float64 else a.astype(np.float32))
        out[name] = np.ascontiguousarray(a)
    meta = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (metadata or {}).items()}
    save_file(out, path, metadata=meta)
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes, {len(out)} tensors)")


def random_variables_and_gradients(seed, steps, shapes=((4, 3), (3,), (5,))):
    """The inputs of an optimizer trajectory fixture: float32 variables of `shapes` drawn N(0, 1), then
    `steps` lists of gradients, one per variable, drawn N(0, 0.5), from numpy's generator `seed`."""
    rng = np.random.default_rng(seed)
    initial = [rng.normal(0, 1, s).astype(np.float32) for s in shapes]
    gradients = [[rng.normal(0, 0.5, s).astype(np.float32) for s in shapes] for _ in range(steps)]
    return initial, gradients


def optimizer_trajectories(optimizers, initial, steps):
    """Keras optimizers' trajectories on fixed gradients, as the Swift tests replay them
    (Tests/LayersTests/OptimizerKerasTests.swift, `assertFollowsKeras`): {name: make optimizer},
    the variables' initial values and `steps` lists of gradients, one per variable. Returns the
    tensors `w0_{i}`, `g{step}_{i}` and each optimizer's variables after every step, `{name}_{i}`."""
    import keras

    tensors = {f"w0_{i}": w for i, w in enumerate(initial)}
    for s, grads in enumerate(steps):
        tensors.update({f"g{s}_{i}": g for i, g in enumerate(grads)})
    for name, make in optimizers.items():
        variables = [keras.Variable(w.copy(), dtype="float32") for w in initial]
        optimizer = make()
        for grads in steps:
            optimizer.apply_gradients([(keras.ops.convert_to_tensor(g), v) for g, v in zip(grads, variables)])
        tensors.update({f"{name}_{i}": np.asarray(v.numpy()) for i, v in enumerate(variables)})
    return tensors


def save_optimizer_fixture(relative_path, seed, steps, optimizers):
    """An optimizer fixture from start to file: variables and `steps` lists of gradients drawn from
    `seed` (`random_variables_and_gradients`), every optimizer's trajectory on them
    (`optimizer_trajectories`), saved with Keras's version and backend in the metadata."""
    import keras

    initial, gradients = random_variables_and_gradients(seed, steps)
    save(relative_path, optimizer_trajectories(optimizers, initial, gradients),
         metadata={"keras": keras.__version__, "backend": keras.backend.backend()})
