"""Reference output and gradient of Keras Reshape, as make_conv_fixtures.py writes its cases
(Tests/Fixtures/layers/<case>.safetensors: x, y, dy, dx), with the target shape in the metadata:
- `reshape_map`: (2, 12) -> (2, 3, 4, 1), a descriptor row to an image, as the envelope_lines configs use it;
- `reshape_infer`: (2, 3, 4, 2) -> (2, 6, -1) = (2, 6, 4), an image back to a sequence, one axis inferred.
Run from the repository root: benchmarks/.venv/bin/python Tests/Fixtures/make_reshape_fixtures.py
"""
import keras
import numpy as np

from make_conv_fixtures import run_case

rng = np.random.default_rng(41)
run_case("reshape_map", keras.layers.Reshape((3, 4, 1)), rng.normal(size=(2, 12)), rng,
         metadata={"target_shape": "[3, 4, 1]"})
run_case("reshape_infer", keras.layers.Reshape((6, -1)), rng.normal(size=(2, 3, 4, 2)), rng,
         metadata={"target_shape": "[6, -1]"})
