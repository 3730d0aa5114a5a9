"""Prototype (not part of Earmark): can a network beat condition_forest on unseen parts by combining
what condition_mlp and envelope_cnn each see? docs/ACCURACY.md ("What did not work, and why") gives
the results of 2026-12-04: none of the combinations below was clearly better than condition_mlp alone.

Variants, each scored on the five test folds by part of one parts development set, for seeds 0, 1, 2:
- mlp: condition_mlp's network on the 24 condition descriptors (dropout 0.2 on the inputs and after
  the first layer, 64 -> 32 -> 2, Adam 0.001 with a cosine decay over the run, batch 16, balanced
  class weights, 200 epochs, the last one scored: no validation carve-out here);
- cnn: envelope_cnn's network on the 50 x 200 envelope_lines map (80 epochs, constant rate);
- joint: both in one network, trained together: the condition branch (dropout, dense 64, relu) and the
  map branch (two (1, 5) convolutions, global max) concatenated, dropout 0.2, dense 32, dense 2;
- ensemble: the mean probability of 1, 3 or 5 mlp networks of different seeds (a deep ensemble);
- ema: the mlp scored with an exponential moving average of its weights (momentum 0.99 or 0.999,
  updated after every step, as Keras's `use_ema`).
Every column is standardised with the training folds' mean and deviation.

Inputs, for a development set DATA/demo-parts-seedS made by `train ... --demo parts --demo-seed S`:
- the descriptor rows: `preprocess descriptors --data SET --config cfg/condition_mlp.yaml --out
  OUT/cond_S.csv` and `... --config cfg/envelope_cnn.yaml --out OUT/env_S.npy`;
- the folds Earmark drew (seed 0): after `train compare cfg/condition_mlp.yaml --demo parts
  --demo-seed S --folds 5 --data DATA`, `predict --model SET/models/condition_mlp.foldK.safetensors
  --data SET --out OUT/folds_S_K.csv` for K = 1..5 (its `split` column marks fold K's test files).
Run (numpy, torch; the benchmark environment has them):
    benchmarks/.venv/bin/python scripts/prototypes/condition_combinations.py OUT S mlp cnn joint ensemble ema
"""
import copy
import csv
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(2)


def load(folder, seed):
    """Condition rows (N, 24), envelope maps (N, 10000), labels (N) and five boolean test masks."""
    rows = list(csv.DictReader(open(f"{folder}/cond_{seed}.csv")))
    names = [r["fname"] for r in rows]
    condition = np.array([[float(r[k]) for k in list(r)[2:]] for r in rows], np.float32)
    envelope = np.load(f"{folder}/env_{seed}.npy").astype(np.float32)
    labels = np.array([r["label"] == "reject" for r in rows], np.int64)
    folds = []
    for k in range(1, 6):
        test = {r["fname"] for r in csv.DictReader(open(f"{folder}/folds_{seed}_{k}.csv")) if r["split"] == "test"}
        folds.append(np.array([n in test for n in names]))
    return condition, envelope, labels, folds


def standardised(train, *arrays):
    mean, deviation = train.mean(0), train.std(0) + 1e-6
    return [(a - mean) / deviation for a in arrays]


def map_branch():
    return nn.Sequential(nn.Conv2d(1, 8, (1, 5), padding=(0, 2)), nn.ReLU(),
                         nn.Conv2d(8, 8, (1, 5), padding=(0, 2)), nn.ReLU())


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Dropout(0.2), nn.Linear(24, 64), nn.ReLU(), nn.Dropout(0.2),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, condition, envelope):
        return self.net(condition)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = map_branch()
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, condition, envelope):
        return self.head(self.conv(envelope.view(-1, 1, 50, 200)).amax(dim=(2, 3)))


class Joint(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = map_branch()
        self.condition = nn.Sequential(nn.Dropout(0.2), nn.Linear(24, 64), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(72, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, condition, envelope):
        pooled = self.conv(envelope.view(-1, 1, 50, 200)).amax(dim=(2, 3))
        return self.head(torch.cat([self.condition(condition), pooled], 1))


def train(make, seed, condition, envelope, labels, epochs, cosine=True, ema_momentum=None):
    """The trained network (or its weight average), in eval mode."""
    torch.manual_seed(seed)
    net = make()
    average = copy.deepcopy(net) if ema_momentum else None
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    steps = epochs * ((len(labels) + 15) // 16)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps) if cosine else None
    weights = torch.tensor(len(labels) / (2 * np.bincount(labels, minlength=2)), dtype=torch.float32)
    loss = nn.CrossEntropyLoss(weight=weights)
    c, e, y = map(torch.tensor, (condition, envelope, labels))
    for _ in range(epochs):
        net.train()
        order = torch.randperm(len(y))
        for i in range(0, len(y), 16):
            batch = order[i:i + 16]
            optimizer.zero_grad()
            loss(net(c[batch], e[batch]), y[batch]).backward()
            optimizer.step()
            if schedule:
                schedule.step()
            if average is not None:
                with torch.no_grad():
                    for a, p in zip(average.parameters(), net.parameters()):
                        a.mul_(ema_momentum).add_(p, alpha=1 - ema_momentum)
    result = average if average is not None else net
    return result.eval()


def accuracy(data, predict):
    """File accuracy over the five test folds; predict(train arrays, test arrays) -> P(reject) or classes."""
    condition, envelope, labels, folds = data
    right = 0
    for test in folds:
        c_train, c_test = standardised(condition[~test], condition[~test], condition[test])
        e_train, e_test = standardised(envelope[~test], envelope[~test], envelope[test])
        right += (predict(c_train, e_train, labels[~test], c_test, e_test) == labels[test]).sum()
    return right / len(labels)


def probabilities(net, c, e):
    with torch.no_grad():
        return torch.softmax(net(torch.tensor(c), torch.tensor(e)), 1).numpy()


def main():
    folder, seed, variants = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = load(folder, seed)
    single = {"mlp": (MLP, 200, True), "cnn": (CNN, 80, False), "joint": (Joint, 80, True)}
    for variant in variants:
        if variant in single:
            make, epochs, cosine = single[variant]
            runs = {variant: [accuracy(data, lambda c, e, y, ct, et, s=s: probabilities(
                train(make, s, c, e, y, epochs, cosine), ct, et).argmax(1)) for s in (0, 1, 2)]}
        elif variant == "ensemble":
            runs = {f"ensemble of {m}": [accuracy(data, lambda c, e, y, ct, et, r=r, m=m: sum(
                probabilities(train(MLP, 100 * r + k, c, e, y, 200), ct, et) for k in range(m)).argmax(1))
                for r in (0, 1, 2)] for m in (1, 3, 5)}
        elif variant == "ema":
            runs = {f"ema {mu}": [accuracy(data, lambda c, e, y, ct, et, s=s, mu=mu: probabilities(
                train(MLP, s, c, e, y, 200, ema_momentum=mu), ct, et).argmax(1)) for s in (0, 1, 2)]
                for mu in (0.99, 0.999)}
        else:
            sys.exit(f"unknown variant {variant}")
        for name, scores in runs.items():
            print(f"seed set {seed} {name}: " + " ".join(f"{a:.3f}" for a in scores) + f" mean {np.mean(scores):.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
