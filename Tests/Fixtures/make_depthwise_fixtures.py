"""Reference outputs and gradients of Keras 3's DepthwiseConv2D and SeparableConv2D, in the format of
make_rnn_fixtures.py (whose `write` this script reuses): x, y, dy, dx, the weights under Earmark's
names within the layer (DepthwiseConv2D `kernel`, `bias`; SeparableConv2D `depthwise_kernel`,
`pointwise_kernel`, `bias`), grad/<weight>, and the layer configuration in the metadata.

Cases: a valid 3x3 depthwise convolution (multiplier 1); `same` with a (3, 2) kernel, strides (2, 2)
and depth multiplier 2 (ReLU); an even (2, 2) `same` kernel with multiplier 3 (tanh); a `same` 3x3
separable convolution (ReLU); a valid (2, 3) separable convolution with strides (2, 2) and multiplier
2 (tanh). Weights and biases are random so every term shows; ReLU cases are checked to have no
pre-activation at the kink. TensorFlow's depthwise kernel takes equal strides only, so one more case,
strides (2, 1) (valid, multiplier 2, tanh), is computed by PyTorch (`conv2d` with one group per input
channel, weights (C*M, 1, KH, KW) from Keras's (KH, KW, C, M)), after PyTorch is checked to reproduce
the first Keras case.
Run from Tests/Fixtures: `../../benchmarks/.venv/bin/python make_depthwise_fixtures.py`.
"""
import json
import os

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file

from fixture_io import HERE, save
from make_rnn_fixtures import keras, write


def output_size(size, kernel, stride, padding):
    return (size - kernel) // stride + 1 if padding == "valid" else -(-size // stride)


def case(name, kind, n, h, w, c, kernel_size, strides, padding, multiplier, activation, seed, filters=None):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, h, w, c)).astype(np.float32)
    depthwise = rng.uniform(-1, 1, size=kernel_size + (c, multiplier)).astype(np.float32)
    arguments = dict(kernel_size=kernel_size, strides=strides, padding=padding, depth_multiplier=multiplier)
    if kind == "depthwise":
        make = lambda act: keras.layers.DepthwiseConv2D(activation=act, **arguments)  # noqa: E731
        weights = {"kernel": depthwise,
                   "bias": rng.uniform(-0.5, 0.5, size=(c * multiplier,)).astype(np.float32)}
        channels = c * multiplier
    else:
        make = lambda act: keras.layers.SeparableConv2D(filters, activation=act, **arguments)  # noqa: E731
        weights = {"depthwise_kernel": depthwise,
                   "pointwise_kernel": rng.uniform(-1, 1, size=(1, 1, c * multiplier, filters)).astype(np.float32),
                   "bias": rng.uniform(-0.5, 0.5, size=(filters,)).astype(np.float32)}
        channels = filters
    layer = make(activation)
    layer.build((n, h, w, c))
    assert [v.path.split("/")[-1] for v in layer.weights] == list(weights), [v.path for v in layer.weights]
    out_shape = (n, output_size(h, kernel_size[0], strides[0], padding),
                 output_size(w, kernel_size[1], strides[1], padding), channels)
    r = rng.normal(size=out_shape).astype(np.float32)
    config = {"kind": kind, "filters": filters, "kernel_size": list(kernel_size), "strides": list(strides),
              "padding": padding, "depth_multiplier": multiplier, "activation": activation,
              "input_shape": [n, h, w, c], "seed": seed}
    y = write(name, layer, x, weights, r, config)
    assert y.shape == out_shape, (y.shape, out_shape)
    if activation == "relu":
        pre = make("linear")
        pre.build((n, h, w, c))
        pre.set_weights(list(weights.values()))
        assert np.min(np.abs(pre(x).numpy())) > 1e-3, f"{name}: a relu pre-activation lies at the kink"


def torch_depthwise(x, kernel, bias, strides, activation, r):
    """y, dx, d kernel, d bias of a valid depthwise convolution by PyTorch, for L = sum(y * r); NHWC arrays."""
    kh, kw, c, m = kernel.shape
    xt = torch.tensor(x.transpose(0, 3, 1, 2), requires_grad=True)
    wt = torch.tensor(kernel.reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None].copy(), requires_grad=True)
    bt = torch.tensor(bias, requires_grad=True)
    z = torch.nn.functional.conv2d(xt, wt, bt, stride=strides, groups=c)
    y = {"linear": lambda t: t, "tanh": torch.tanh}[activation](z)
    (y * torch.tensor(r.transpose(0, 3, 1, 2))).sum().backward()
    dk = wt.grad.numpy()[:, 0].transpose(1, 2, 0).reshape(kh, kw, c, m)
    return y.detach().numpy().transpose(0, 2, 3, 1), xt.grad.numpy().transpose(0, 2, 3, 1), dk, bt.grad.numpy()


def torch_case(name, n, h, w, c, kernel_size, strides, multiplier, activation, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, h, w, c)).astype(np.float32)
    kernel = rng.uniform(-1, 1, size=kernel_size + (c, multiplier)).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, size=(c * multiplier,)).astype(np.float32)
    out_shape = (n, output_size(h, kernel_size[0], strides[0], "valid"),
                 output_size(w, kernel_size[1], strides[1], "valid"), c * multiplier)
    r = rng.normal(size=out_shape).astype(np.float32)
    y, dx, dk, db = torch_depthwise(x, kernel, bias, strides, activation, r)
    config = {"kind": "depthwise", "filters": None, "kernel_size": list(kernel_size), "strides": list(strides),
              "padding": "valid", "depth_multiplier": multiplier, "activation": activation,
              "input_shape": [n, h, w, c], "seed": seed, "reference": f"torch {torch.__version__}"}
    save(f"layers/{name}.safetensors", {"x": x, "y": y, "dy": r, "dx": dx, "kernel": kernel, "bias": bias,
                                        "grad/kernel": dk, "grad/bias": db}, {"config": config})


def check_torch_matches_keras(name):
    """PyTorch's depthwise convolution on a Keras fixture's data gives Keras's y and gradients."""
    path = os.path.join(HERE, "layers", f"{name}.safetensors")
    f = load_file(path)
    with safe_open(path, "np") as handle:
        config = json.loads(handle.metadata()["config"])
    assert config["padding"] == "valid"
    y, dx, dk, db = torch_depthwise(f["x"], f["kernel"], f["bias"], tuple(config["strides"]), config["activation"],
                                    f["dy"])
    for got, want in ((y, f["y"]), (dx, f["dx"]), (dk, f["grad/kernel"]), (db, f["grad/bias"])):
        assert np.max(np.abs(got - want)) < 1e-5, np.max(np.abs(got - want))


if __name__ == "__main__":
    case("depthwise_valid", "depthwise", n=2, h=5, w=6, c=3, kernel_size=(3, 3), strides=(1, 1), padding="valid",
         multiplier=1, activation="linear", seed=81)
    case("depthwise_same_multiplier2", "depthwise", n=2, h=7, w=6, c=2, kernel_size=(3, 2), strides=(2, 2),
         padding="same", multiplier=2, activation="relu", seed=82)
    case("depthwise_same_even_kernel", "depthwise", n=1, h=4, w=7, c=2, kernel_size=(2, 2), strides=(1, 1),
         padding="same", multiplier=3, activation="tanh", seed=83)
    case("separable_same", "separable", n=2, h=6, w=5, c=3, kernel_size=(3, 3), strides=(1, 1), padding="same",
         multiplier=1, activation="relu", seed=84, filters=4)
    case("separable_valid_multiplier2", "separable", n=2, h=7, w=6, c=2, kernel_size=(2, 3), strides=(2, 2),
         padding="valid", multiplier=2, activation="tanh", seed=85, filters=3)
    check_torch_matches_keras("depthwise_valid")
    torch_case("depthwise_valid_strides_2_1", n=2, h=8, w=6, c=2, kernel_size=(3, 2), strides=(2, 1), multiplier=2,
               activation="tanh", seed=86)
