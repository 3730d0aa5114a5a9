"""Load an Earmark model of cfg/conv.yaml (the reference CNN) into PyTorch from its safetensors file.

    python torch_load.py models/conv.safetensors windows.npy [probabilities.npy]

Weights are in Keras layouts: a Conv2D kernel (KH, KW, C, F) becomes PyTorch's (F, C, KH, KW), a
Dense kernel (D, U) is transposed, and Flatten reads channels last (H, W, C) as Keras does.
"""
import json
import sys

import numpy as np
import torch
from safetensors import safe_open
from torch import nn

with safe_open(sys.argv[1], "np") as f:
    w = {name: torch.from_numpy(f.get_tensor(name)) for name in f.keys()}
    meta = f.metadata()
classes = json.loads(meta["classes"])


class ReferenceCNN(nn.Module):
    def __init__(self):
        super().__init__()
        sizes = [(1, 16), (16, 32), (32, 64), (64, 128)]
        self.convs = nn.ModuleList(nn.Conv2d(c, f, 3, padding=1) for c, f in sizes)
        self.dense = nn.ModuleList(nn.Linear(d, u) for d, u in [(4 * 6 * 128, 128), (128, 64), (64, len(classes))])

    def forward(self, x):                                    # x (N, H, W, C), channels last as Earmark
        x = x.permute(0, 3, 1, 2)
        for conv in self.convs:
            x = torch.relu(conv(x))
        x = nn.functional.max_pool2d(x, 2).permute(0, 2, 3, 1).flatten(1)   # Keras's (H, W, C) order
        x = torch.relu(self.dense[0](x))
        x = torch.relu(self.dense[1](x))
        return torch.softmax(self.dense[2](x), dim=1)


model = ReferenceCNN().eval()
with torch.no_grad():
    for conv, name in zip(model.convs, ["conv2d", "conv2d_1", "conv2d_2", "conv2d_3"]):
        conv.weight.copy_(w[f"{name}/kernel"].permute(3, 2, 0, 1))
        conv.bias.copy_(w[f"{name}/bias"])
    for dense, name in zip(model.dense, ["dense", "dense_1", "dense_2"]):
        dense.weight.copy_(w[f"{name}/kernel"].T)
        dense.bias.copy_(w[f"{name}/bias"])
    lo, hi = float(meta["feature_min"]), float(meta["feature_max"])   # scaling: minmax
    x = torch.from_numpy(np.load(sys.argv[2]).astype(np.float32))
    p = model((x - lo) / (hi - lo)).numpy()
print(classes[int(p.mean(axis=0).argmax())])
if len(sys.argv) > 3:
    np.save(sys.argv[3], p)
