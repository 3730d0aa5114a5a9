"""Runs exported Earmark ONNX models with onnxruntime, for Tests/CLITests/ONNXExportTests.swift.

    python run_onnx.py MODEL.onnx FEATURES.npy PROBABILITIES.f32 [MODEL2.onnx FEATURES2.npy OUT2.f32 ...]

For each triple: loads the model (the ONNX checker's rules are onnxruntime's), feeds the raw feature
windows of FEATURES.npy (float32, (N, input shape...)) to its `features` input, and writes the
`probabilities` output as little-endian float32 to OUT. Prints one JSON line per model with its output
shape and metadata (classes, feature scaling) so the test can check them. Run by the Swift test with the
interpreter of Tests/.venv (made by `make test-venv`: onnxruntime, numpy, safetensors).
"""
import json
import sys

import numpy as np
import onnxruntime as ort


def run(model_path, features_path, out_path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    x = np.load(features_path).astype(np.float32)
    (probabilities,) = session.run(["probabilities"], {"features": x})
    probabilities.astype("<f4").tofile(out_path)
    meta = session.get_modelmeta().custom_metadata_map
    print(json.dumps({"model": model_path, "shape": list(probabilities.shape),
                      "classes": json.loads(meta["classes"]),
                      "scaling": meta.get("feature_scaling", "minmax")}))


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit("usage: run_onnx.py MODEL.onnx FEATURES.npy OUT.f32 [...]")
    for i in range(0, len(args), 3):
        run(*args[i:i + 3])
