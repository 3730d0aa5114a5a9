"""Runs exported Earmark ONNX models with onnxruntime, for Tests/CLITests/ONNXExportTests.swift.

    python run_onnx.py MODEL.onnx FEATURES.npy PROBABILITIES.f32 [MODEL2.onnx FEATURES2.npy OUT2.f32 ...]

For each triple: loads the model (the ONNX checker's rules are onnxruntime's), feeds FEATURES.npy (float32)
to its one input (a network's `features`: raw windows (N, input shape...); a random forest's
`descriptors`: raw descriptor rows (N, F)), and writes the `probabilities` output as little-endian float32
to OUT. Prints one JSON line per model with its input name, output shape and metadata (classes, feature
scaling, a forest's `columns`) and a forest's `label` output, so the test can check them. Run by the Swift
tests (ONNXExportTests, ForestONNXTests) with the interpreter of Tests/.venv (made by `make test-venv`:
onnxruntime, numpy, safetensors).
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
    (input_name,) = [i.name for i in session.get_inputs()]
    outputs = [o.name for o in session.get_outputs()]
    results = dict(zip(outputs, session.run(outputs, {input_name: x})))
    probabilities = results["probabilities"]
    probabilities.astype("<f4").tofile(out_path)
    meta = session.get_modelmeta().custom_metadata_map
    line = {"model": model_path, "input": input_name, "shape": list(probabilities.shape),
            "classes": json.loads(meta["classes"]), "scaling": meta.get("feature_scaling", "minmax")}
    if "label" in results:
        line["labels"] = [str(v) for v in results["label"]]
        line["columns"] = json.loads(meta["columns"])
    print(json.dumps(line))


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit("usage: run_onnx.py MODEL.onnx FEATURES.npy OUT.f32 [...]")
    for i in range(0, len(args), 3):
        run(*args[i:i + 3])
