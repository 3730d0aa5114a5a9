"""Reference fixtures for Tests/AudioTests/LogMelParityTests.swift (run from the repository root):

    /work/pyenv/bin/python Tests/Fixtures/make_logmel_fixtures.py

with librosa 0.11. Writes Tests/Fixtures/audio/logmel.safetensors:
- signal/<name>: float32 inputs, 0.3 s each: a 440 Hz tone, white noise, a speech-like harmonic
  signal and digital silence at 16 kHz, a speech-like signal at 22.05 kHz, and a 700-sample
  signal (shorter than the 1024-point FFT).
- <case>/logmel: librosa.power_to_db(librosa.feature.melspectrogram(y=x, sr, n_fft, hop_length,
  n_mels, fmin, fmax), ref=1.0, amin=1e-10, top_db) transposed to (frames, n_mels), computed in
  float64 on the float32 input cast to float64 (librosa defaults otherwise: center=True,
  pad_mode="constant", periodic Hann, power 2, Slaney mel and norm), stored as float32.
  top_db applies to the whole array passed, i.e. to the whole signal here.
- mel/<set>: librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) (float32, (n_mels, 1 + n_fft/2)).
The parameters of each case are in the metadata (JSON). Deterministic (fixed seeds).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save  # noqa: E402

import librosa  # noqa: E402

assert librosa.__version__.startswith("0.11"), librosa.__version__


def speech_like(rate, n, f0=140.0, seed=1):
    """Harmonic tone with vibrato, an attack/decay envelope and a noise floor (float32)."""
    r = np.random.default_rng(seed)
    t = np.arange(n) / rate
    f = f0 + 8.0 * np.sin(2 * np.pi * 5.0 * t)
    phase = 2 * np.pi * np.cumsum(f) / rate
    y = sum((0.6 / k) * np.sin(k * phase + 0.3 * k) for k in range(1, 11))
    env = np.minimum(1.0, t / 0.02) * np.exp(-1.5 * t)
    return (0.5 * y * env + 0.01 * r.standard_normal(n)).astype(np.float32)


rng = np.random.default_rng(20261201)
n16, n22 = 4800, 6615
signals = {
    "tone": (16000, (0.5 * np.sin(2 * np.pi * 440 * np.arange(n16) / 16000)).astype(np.float32)),
    "noise": (16000, (0.1 * rng.standard_normal(n16)).astype(np.float32)),
    "speech": (16000, speech_like(16000, n16)),
    "silence": (16000, np.zeros(n16, dtype=np.float32)),
    "speech22": (22050, speech_like(22050, n22, f0=180.0, seed=2)),
    "short": (16000, speech_like(16000, 700, seed=3)),
}
sets = {
    "default": dict(n_mels=64, n_fft=1024, hop_length=512, fmin=0.0, fmax=None, top_db=80.0),
    "narrow": dict(n_mels=40, n_fft=512, hop_length=160, fmin=50.0, fmax=7000.0, top_db=None),
    "wide": dict(n_mels=32, n_fft=2048, hop_length=256, fmin=20.0, fmax=8000.0, top_db=60.0),
}
cases = [("tone", "default"), ("noise", "default"), ("speech", "default"), ("silence", "default"),
         ("short", "default"), ("speech", "narrow"), ("noise", "narrow"), ("tone", "wide"),
         ("speech22", "wide"), ("speech22", "default")]

tensors, meta = {}, {}
for name, (rate, y) in signals.items():
    tensors[f"signal/{name}"] = y
for signal, pset in cases:
    rate, y = signals[signal]
    p = sets[pset]
    s = librosa.feature.melspectrogram(y=y.astype(np.float64), sr=rate, n_fft=p["n_fft"],
                                       hop_length=p["hop_length"], n_mels=p["n_mels"], fmin=p["fmin"],
                                       fmax=p["fmax"])
    db = librosa.power_to_db(s, ref=1.0, amin=1e-10, top_db=p["top_db"])
    case = f"{signal}-{pset}"
    tensors[f"{case}/logmel"] = db.T.astype(np.float32)
    meta[case] = dict(signal=signal, sampleRate=rate, **p)
for pset, rate in [("narrow", 16000)]:
    p = sets[pset]
    tensors[f"mel/{pset}"] = librosa.filters.mel(sr=rate, n_fft=p["n_fft"], n_mels=p["n_mels"], fmin=p["fmin"],
                                                 fmax=p["fmax"])
    meta[f"mel/{pset}"] = dict(sampleRate=rate, **p)
save("audio/logmel.safetensors", tensors, metadata=meta)
