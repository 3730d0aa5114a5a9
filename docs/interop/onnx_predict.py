"""Run an exported Earmark model (`export --format onnx`) with onnxruntime on raw feature windows.

    python onnx_predict.py conv.onnx windows.npy [probabilities.npy]
"""
import json
import sys

import numpy as np
import onnxruntime as ort

session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
meta = session.get_modelmeta().custom_metadata_map
classes = json.loads(meta["classes"])                 # output k is classes[k]
x = np.load(sys.argv[2]).astype(np.float32)           # raw (unscaled) features, (N, input shape...)
(p,) = session.run(["probabilities"], {"features": x})  # the scaling is inside the graph
clip = p.mean(axis=0)                                 # a clip's probability: the mean over its windows
print(classes[int(clip.argmax())], {c: round(float(v), 4) for c, v in zip(classes, clip)})
if len(sys.argv) > 3:
    np.save(sys.argv[3], p)
