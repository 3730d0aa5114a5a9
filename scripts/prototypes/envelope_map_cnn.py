"""Prototype (not part of Earmark): a small CNN on band envelope spectra of whole clips, cross-validated
by part on a parts demo set. docs/ACCURACY.md ("What did not work, and why": envelope maps) gives its
results; it is the direction for a spectral-input network that holds up on unseen parts.

Each clip (mono WAV, scaled to a peak of 1) becomes a map of 12 bands x 200 modulation frequencies:
- bands: 12 log-spaced bands from 1.6 kHz to 7.5 kHz, each the magnitude of the analytic signal of the
  clip's spectrum restricted to the band (FFT mask, inverse FFT), mean removed;
- per band: the power spectrum of that envelope in 0.5 s Hann frames, averaged (2 Hz bins), 2-400 Hz,
  log, minus its running median over 21 bins (a line's prominence, as Earmark's fault lines measure it).
The network is expressible with Earmark's layers given a reshape: Conv2D(8, (1, 5), same, relu) twice
(along the modulation frequency of each band), global max pooling, dropout 0.2, Dense(16, relu),
Dense(2, softmax); Adam 0.001, batch 16, 80 epochs, the last epoch scored; 5 folds by the `group` column.

Run (numpy, scipy, torch; the benchmark environment has them):
    benchmarks/.venv/bin/python scripts/prototypes/envelope_map_cnn.py DATA/demo-parts-seed7777
where the folder holds audio.csv (fname, label, group) and wavfiles/: the demo set that
`train ... --demo parts --demo-seed 7777 --data DATA` writes (any config). 2026-12-04: 82.1% ± 14.0% on
seed 7777's set, 81.2% ± 17.9% on seed 8888's (about a minute each on 2 cores).
"""
import csv
import sys

import numpy as np
import torch
import torch.nn as nn
from scipy.io import wavfile
from scipy.ndimage import median_filter


def envelope_map(x, rate, bands=12, low=1600.0, high=7500.0, frame_seconds=0.5, top_hz=400.0):
    """(bands, modulation bins) prominences of the band envelopes' spectra (see the module text)."""
    x = x / (np.abs(x).max() + 1e-9)
    n = len(x)
    spectrum, freqs = np.fft.rfft(x), np.fft.rfftfreq(n, 1 / rate)
    edges = np.geomspace(low, min(high, rate / 2 - 100), bands + 1)
    frame = int(frame_seconds * rate)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        analytic = np.zeros(n, complex)
        idx = np.nonzero((freqs >= lo) & (freqs < hi))[0]
        analytic[idx] = 2 * spectrum[idx]
        env = np.abs(np.fft.ifft(analytic))
        env = env - env.mean()
        frames = env[: len(env) // frame * frame].reshape(-1, frame) * np.hanning(frame)
        power = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(0)
        f = np.fft.rfftfreq(frame, 1 / rate)
        logp = np.log(power[(f >= 2) & (f <= top_hz)] + 1e-12)
        rows.append(logp - median_filter(logp, size=21, mode="nearest"))
    return np.array(rows, dtype=np.float32)


class EnvelopeCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 8, (1, 5), padding=(0, 2)), nn.ReLU(),
                                  nn.Conv2d(8, 8, (1, 5), padding=(0, 2)), nn.ReLU())
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))

    def forward(self, maps):                      # (N, bands, bins) -> (N, 2) logits
        return self.head(self.conv(maps.unsqueeze(1)).amax(dim=(2, 3)))


def main(root):
    torch.set_num_threads(1)
    rows = list(csv.DictReader(open(f"{root}/audio.csv")))
    maps, labels, groups = [], [], []
    for r in rows:
        rate, x = wavfile.read(f"{root}/wavfiles/{r['fname']}")
        maps.append(envelope_map(x.astype(np.float64), rate))
        labels.append(0 if r["label"] == "ok" else 1)
        groups.append(r["group"])
    maps, labels, groups = np.array(maps), np.array(labels), np.array(groups)
    parts = np.unique(groups)
    np.random.default_rng(0).shuffle(parts)
    accuracies = []
    for k, test_parts in enumerate(np.array_split(parts, 5)):
        test = np.isin(groups, test_parts)
        torch.manual_seed(k)
        model, x, y = EnvelopeCNN(), torch.tensor(maps[~test]), torch.tensor(labels[~test])
        optimizer = torch.optim.Adam(model.parameters(), 1e-3)
        for _ in range(80):
            model.train()
            order = torch.randperm(len(y))
            for i in range(0, len(y), 16):
                batch = order[i:i + 16]
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            predicted = model(torch.tensor(maps[test])).argmax(1).numpy()
        accuracies.append((predicted == labels[test]).mean())
        print(f"fold {k + 1}: test file accuracy {accuracies[-1]:.3f}", flush=True)
    print(f"mean {np.mean(accuracies):.3f} sd {np.std(accuracies, ddof=1):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
