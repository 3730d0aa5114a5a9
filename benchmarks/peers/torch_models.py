"""PyTorch versions of Earmark's reference CNN and RNN (docs/WORKFLOW.md §6, same layouts: channels-last
input, Keras's (h, w, c) flatten order, glorot-uniform kernels, zero biases), timed like `bench`:
training windows/s (batches of 32, Adam lr 1e-3 eps 1e-7, cross-entropy with balanced class weights
summed and divided by the batch size as Keras does) and inference windows/s (eval mode,
inference_mode), on the same windows (--windows FILE). Denormals are flushed (set_flush_denormal).

    python torch_models.py --windows windows.safetensors --json torch.json
"""
import sys

import numpy as np

import common


def build(kind, classes):
    import torch
    from torch import nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            chans = [1, 16, 32, 64, 128]
            self.convs = nn.ModuleList(nn.Conv2d(a, b, 3, padding="same") for a, b in zip(chans, chans[1:]))
            self.pool, self.drop = nn.MaxPool2d(2), nn.Dropout(0.5)
            self.fc = nn.ModuleList([nn.Linear(4 * 6 * 128, 128), nn.Linear(128, 64), nn.Linear(64, classes)])

        def forward(self, x):                      # x (N, 9, 13, 1), channels-last like Keras
            x = x.permute(0, 3, 1, 2)              # (N, 1, 9, 13)
            for conv in self.convs:
                x = torch.relu(conv(x))
            x = self.drop(self.pool(x))            # (N, 128, 4, 6)
            x = x.permute(0, 2, 3, 1).flatten(1)   # Keras Flatten order (h, w, c)
            x = torch.relu(self.fc[0](x))
            x = torch.relu(self.fc[1](x))
            return self.fc[2](x)                   # logits; softmax is inside the loss

    class RNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(13, 128, num_layers=2, batch_first=True)   # two stacked LSTM(128), all steps
            self.drop = nn.Dropout(0.5)
            self.td = nn.ModuleList(nn.Linear(a, b) for a, b in [(128, 64), (64, 32), (32, 16), (16, 8)])
            self.out = nn.Linear(9 * 8, classes)

        def forward(self, x):                      # x (N, 9, 13)
            x = self.drop(self.lstm(x)[0])
            for layer in self.td:                  # Linear on (N, T, D) = TimeDistributed(Dense)
                x = torch.relu(layer(x))
            return self.out(x.flatten(1))

    model = CNN() if kind == "cnn" else RNN()
    for name, p in model.named_parameters():
        if "bias" in name:
            nn.init.zeros_(p)
        else:
            nn.init.xavier_uniform_(p)
    return model


def inputs(kind, x):
    return x.reshape(len(x), 9, 13, 1) if kind == "cnn" else x


def train_rates(kind, x, y, classes, args):
    import torch
    import torch.nn.functional as F
    model = build(kind, classes)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    w = common.balanced_weights(y, classes)
    weights = torch.tensor([w[c] for c in range(classes)], dtype=torch.float32)
    b = args.batch_size
    n = (len(x) // b) * b
    xs, ys = torch.from_numpy(np.ascontiguousarray(inputs(kind, x[:n]))), torch.from_numpy(y[:n])
    batches = [(xs[i:i + b], ys[i:i + b]) for i in range(0, n, b)]

    def one_pass():
        for xb, yb in batches:
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, weight=weights, reduction="sum") / len(yb)
            loss.backward()
            opt.step()
    return model, common.timed_passes(args, one_pass)


def infer_rates(model, kind, x, args):
    import torch
    model.eval()
    b = args.batch_size
    n = (len(x) // b) * b
    xs = torch.from_numpy(np.ascontiguousarray(inputs(kind, x[:n])))
    batches = [xs[i:i + b] for i in range(0, n, b)]

    def one_pass():
        with torch.inference_mode():
            for xb in batches:
                torch.softmax(model(xb), dim=1)
    return common.timed_passes(args, one_pass)


def main():
    args = common.parser(__doc__).parse_args()
    import torch
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(1)
    x, y, classes, source = common.load_windows(args)
    figures = common.model_figures(args, __file__, x, y, classes, train_rates, infer_rates)
    if figures is None:
        return
    settings = {"windows": source, "torch": torch.__version__, "threads": f"intra-op {torch.get_num_threads()}",
                "denormals": "flushed (set_flush_denormal)", "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    common.report("pytorch", figures, settings, args)


if __name__ == "__main__":
    sys.exit(main())
