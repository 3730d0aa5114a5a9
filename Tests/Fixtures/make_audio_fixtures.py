"""Reference fixtures for Tests/AudioTests (run from the repository root):

    python3 Tests/Fixtures/make_audio_fixtures.py

Writes Tests/Fixtures/audio/*.safetensors (inputs float32; outputs as numpy returns them, float64
for psf, pandas and the descriptor means, which fixture_io keeps):
- features.safetensors: python_speech_features 0.6 mfcc and logfbank (computed in float64 on the
  float32 inputs cast to float64) for the parity vector (docs/WORKFLOW.md §3.8), a speech-like signal, white
  noise, digital silence, 44.1 kHz with nfft 1103, 8 kHz, 11.025 kHz with low/high frequency limits,
  a signal shorter than one frame, and nfft smaller than the frame (truncation); plus the mel
  filter-bank bin edges of several parameter sets (int32).
- envelope.safetensors: the envelope gate of docs/WORKFLOW.md §2.3 computed with pandas
  rolling(window=int(rate/10), min_periods=1, center=True).mean() > 0.0005, for even and odd windows.
- descriptors.safetensors: librosa 0.11 per-frame and mean ZCR, RMS, spectral centroid, bandwidth,
  rolloff, flatness (defaults: n_fft 2048, hop 512, hann, center=True) on two float32 clips, and the
  mean over frames of python_speech_features mfcc at the clip's rate.
Deterministic (fixed seeds).
"""
import json
import logging
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save, HERE  # noqa: E402

import pandas as pd  # noqa: E402
import librosa  # noqa: E402
import python_speech_features as psf  # noqa: E402
from python_speech_features.base import hz2mel, mel2hz  # noqa: E402

logging.disable(logging.WARNING)  # psf warns when the frame is longer than nfft (a case we test)

rng = np.random.default_rng(20240611)


def speech_like(rate, n, f0=140.0, noise=0.01, seed=1):
    """Harmonic tone with vibrato, an attack/decay envelope and a noise floor (float32)."""
    r = np.random.default_rng(seed)
    t = np.arange(n) / rate
    f = f0 + 8.0 * np.sin(2 * np.pi * 5.0 * t)               # vibrato: 5 Hz, +-8 Hz
    phase = 2 * np.pi * np.cumsum(f) / rate
    y = sum((0.6 / k) * np.sin(k * phase + 0.3 * k) for k in range(1, 11))
    env = np.minimum(1.0, t / 0.02) * np.exp(-1.5 * t) * (1 + 0.3 * np.sin(2 * np.pi * 3 * t))
    y = 0.5 * y * env + noise * r.standard_normal(n)
    return y.astype(np.float32)


def feature_case(name, signal_name, signal, rate, **kw):
    x = np.asarray(signal, dtype=np.float32).astype(np.float64)
    m = psf.mfcc(x, rate, **kw)
    lf = psf.logfbank(x, rate, **{k: v for k, v in kw.items()
                                  if k not in ("numcep", "ceplifter", "appendEnergy")})
    params = {"signal": signal_name, "sampleRate": rate}
    params.update(kw)
    return {f"signal/{signal_name}": np.asarray(signal, dtype=np.float32),
            f"{name}/mfcc": m, f"{name}/logfbank": lf}, {name: params}


def features():
    tensors, meta = {}, {}

    # (a) the parity vector of docs/WORKFLOW.md §3.8, and its documented numbers
    n = np.arange(1600)
    parity = (0.5 * np.sin(2 * np.pi * 440 * n / 16000)).astype(np.float32)
    # The documented numbers are what psf gives when handed the float32 array itself (numpy 2 then
    # does the pre-emphasis and the FFT in float32); the float64 path below differs by ~2e-6.
    m = psf.mfcc(parity, 16000, numcep=13, nfilt=26, nfft=512)
    assert m.shape == (9, 13)
    row0 = [-0.2994380248, 18.8065963792, 1.713596456, -14.1846820689, -27.1909120642,
            -33.5289606514, -29.6775265313, -18.5623087094, -3.2707027883, 10.0456934431,
            18.025868398, 17.9758846129, 11.9337392925]
    assert np.allclose(m[0], row0, rtol=0, atol=1e-9), m[0]
    assert np.allclose(m[8, :3], [-0.5321165393, 22.1598444531, 5.7264831553], rtol=0, atol=1e-9)
    assert abs(m.min() - -33.52896065139544) < 1e-12 and abs(m.max() - 50.704666213450295) < 1e-12
    lf = psf.logfbank(parity, 16000, nfilt=26, nfft=512)
    assert np.allclose(lf[0, :5], [-8.1436755944, -7.9694683566, -6.241459373, -4.4240392003,
                                   -0.8355875971], rtol=0, atol=1e-9)
    m64 = psf.mfcc(parity.astype(np.float64), 16000)
    print(f"parity: float32-path vs float64-path max |diff| {np.abs(m - m64).max():.3g}")

    speech = speech_like(16000, 4000)
    speech44 = speech_like(44100, 4410, f0=220)
    cases = [
        ("parity", "parity", parity, 16000, {}),
        # (b) speech-like, a few thousand samples, default and wider settings
        ("speech", "speech", speech, 16000, {}),
        ("speech_40", "speech", speech, 16000, {"numcep": 20, "nfilt": 40, "nfft": 1024}),
        # (c) white noise
        ("noise", "noise", (0.3 * rng.standard_normal(2000)).astype(np.float32), 16000, {}),
        # (d) digital silence: eps floors everywhere (log(eps) values)
        ("silence", "silence", np.zeros(1600, dtype=np.float32), 16000, {}),
        # (e) 44.1 kHz: frame 1103, step 441, nfft 1103 (odd); and numcep/nfilt variants
        ("rate44k", "speech44", speech44, 44100, {"nfft": 1103}),
        ("rate44k_40", "speech44", speech44, 44100, {"nfft": 1103, "nfilt": 40, "numcep": 20}),
        ("rate44k_12", "speech44", speech44, 44100, {"nfft": 1103, "nfilt": 12, "numcep": 12}),
        # nfft shorter than the frame: frames truncated to nfft samples
        ("rate44k_512", "speech44", speech44, 44100, {"nfft": 512}),
        # (f) 8 kHz, nfft 512
        ("rate8k", "speech8", speech_like(8000, 1600, f0=120), 8000, {}),
        # odd rate, limits, no energy, other lifter
        ("rate11k_band", "speech11", speech_like(11025, 2205, f0=180), 11025,
         {"lowfreq": 300, "highfreq": 4000, "appendEnergy": False, "ceplifter": 15}),
        # shorter than one frame: one zero-padded frame
        ("short", "short", speech_like(16000, 300), 16000, {}),
    ]
    for name, signal_name, signal, rate, kw in cases:
        t, mt = feature_case(name, signal_name, signal, rate, **kw)
        tensors.update(t)
        meta.update(mt)

    # Mel filter-bank bin edges (floor((nfft+1) * hz / rate)), as computed by psf (float64).
    for nfilt, nfft, rate, low, high in [(26, 512, 16000, 0, None), (26, 1103, 44100, 0, None),
                                         (40, 1024, 22050, 0, None), (20, 512, 8000, 0, None),
                                         (26, 512, 11025, 300, 4000)]:
        high = high or rate / 2
        mel = np.linspace(hz2mel(low), hz2mel(high), nfilt + 2)
        bins = np.floor((nfft + 1) * mel2hz(mel) / rate)
        key = f"bins/{nfilt}_{nfft}_{rate}_{low}_{int(high * 10)}"
        tensors[key] = bins.astype(np.int32)
    assert list(tensors["bins/26_512_16000_0_80000"]) == [
        0, 2, 4, 7, 10, 13, 16, 20, 24, 29, 34, 40, 46, 53, 60, 68, 77, 87, 97, 109, 122, 136, 152,
        169, 188, 209, 231, 256]
    assert tensors["bins/26_1103_44100_0_220500"][-1] == 552
    save("audio/features.safetensors", tensors, {"cases": json.dumps(meta)})


def envelope():
    tensors = {}
    for rate, n in [(1000, 2000), (1050, 2100), (16000, 8000)]:
        r = np.random.default_rng(rate)
        t = np.arange(n) / rate
        y = 0.4 * np.sin(2 * np.pi * 7.3 * t * rate / 100) * (t < 0.3 * n / rate)  # a burst
        y += (0.002 * r.standard_normal(n)) * ((t > 0.45 * n / rate) & (t < 0.6 * n / rate))  # quiet noise
        y += 0.02 * np.sin(2 * np.pi * 3.1 * t * rate / 100) * (t > 0.75 * n / rate)  # tone to the end
        ramp = (t > 0.62 * n / rate) & (t < 0.7 * n / rate)
        y += np.where(ramp, np.linspace(0, 0.003, n) * r.choice([-1, 1], n), 0)  # crosses the threshold
        y = y.astype(np.float32)
        w = int(rate / 10)
        mean = pd.Series(np.abs(y.astype(np.float64))).rolling(window=w, min_periods=1, center=True).mean()
        mean = mean.to_numpy()
        mask = mean > 0.0005
        # no value sits so close to the threshold that float rounding could flip it
        assert np.min(np.abs(mean - 0.0005)) > 1e-9
        assert 0 < mask.sum() < n
        tensors[f"rate{rate}/signal"] = y
        if n <= 2100:  # the rolling means of the short signals (the long one keeps only its mask)
            tensors[f"rate{rate}/mean"] = mean
        # the mask as runs of kept samples: (runs, 2) of [start, end)
        edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
        runs = np.stack([np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]], axis=1)
        tensors[f"rate{rate}/runs"] = runs.astype(np.int32)
    # window alignment for an even w: an impulse at 6 with w = 4 reaches outputs 5..8 ([i-2, i+1])
    x = np.zeros(12)
    x[6] = 1
    r = pd.Series(x).rolling(window=4, min_periods=1, center=True).mean().to_numpy()
    assert list(np.nonzero(r)[0]) == [5, 6, 7, 8]
    x[:] = 0
    x[0] = 1
    r = pd.Series(x).rolling(window=4, min_periods=1, center=True).mean().to_numpy()
    assert r[0] == 0.5 and r[1] == 1 / 3  # edges divide by the samples in range
    save("audio/envelope.safetensors", tensors, {"threshold": "0.0005"})


def descriptors():
    tensors = {}
    rate = 22050
    n = 8192
    r = np.random.default_rng(7)
    t = np.arange(n) / rate
    f = 330 + 6 * np.sin(2 * np.pi * 5.5 * t)
    phase = 2 * np.pi * np.cumsum(f) / rate
    tone = sum((0.5 / k) * np.sin(k * phase) for k in range(1, 7)) * (1 + 0.2 * np.sin(2 * np.pi * 4 * t))
    clean = (0.6 * tone + 0.005 * r.standard_normal(n)).astype(np.float32)
    degraded = np.clip(1.5 * tone, -0.35, 0.35) + 0.08 * r.standard_normal(n)
    degraded = degraded.astype(np.float32)
    for name, y, sr in [("clean", clean, rate), ("degraded", degraded, rate),
                        ("short16k", speech_like(16000, 3000), 16000)]:
        zcr = librosa.feature.zero_crossing_rate(y)[0]
        rms = librosa.feature.rms(y=y)[0]
        cen = librosa.feature.spectral_centroid(y=y, sr=sr)[0]
        bw = librosa.feature.spectral_bandwidth(y=y, sr=sr)[0]
        ro = librosa.feature.spectral_rolloff(y=y, sr=sr)[0]
        fl = librosa.feature.spectral_flatness(y=y)[0]
        mf = psf.mfcc(y.astype(np.float64), sr).mean(axis=0)
        tensors[f"{name}/signal"] = y
        for key, v in [("zcr", zcr), ("rms", rms), ("centroid", cen), ("bandwidth", bw),
                       ("rolloff", ro), ("flatness", fl)]:
            tensors[f"{name}/{key}"] = v
        tensors[f"{name}/mean"] = np.concatenate(
            [mf, [np.mean(zcr), np.mean(rms), np.mean(cen), np.mean(bw), np.mean(ro), np.mean(fl)]])
        tensors[f"{name}/rate"] = np.array([sr], dtype=np.int32)
    save("audio/descriptors.safetensors", tensors,
         {"librosa": librosa.__version__, "order": "mfcc_mean[13], zcr, rms, centroid, bandwidth, rolloff, flatness"})


if __name__ == "__main__":
    features()
    envelope()
    descriptors()
    total = sum(os.path.getsize(os.path.join(HERE, "audio", f)) for f in os.listdir(os.path.join(HERE, "audio")))
    print(f"total {total} bytes")
