"""Resampling parity fixture for Tests/AudioTests/ResamplerParityTests.swift (run from the repository root):

    python3 -m venv --system-site-packages /tmp/rsvenv
    /tmp/rsvenv/bin/pip install librosa soxr soundfile
    /tmp/rsvenv/bin/python Tests/Fixtures/make_resample_fixtures.py

Writes two 32-bit float WAVs to Tests/Fixtures/audio/ (made with librosa 0.11.0, soxr 1.1.0):
- resample_44k.wav: 0.5 s of a deterministic synthetic signal at 44.1 kHz (mono): tones across the
  passband (220 Hz, 1.5 kHz, 6.5 kHz), one above 8 kHz that the resampler must remove (11 kHz), a
  chirp from 100 Hz to 7.8 kHz, seeded white noise, a 0.1 s gap of digital silence (so the envelope
  gate has something to drop) and a short click.
- resample_44k_to_16k.wav: librosa.load(resample_44k.wav, sr=16000, res_type='soxr_hq'), the
  reference cleaning's decode + resample (librosa's default resampler), 8,000 samples at 16 kHz.
Deterministic (fixed seed): a rerun writes the same bytes.
"""
import os
import struct

import numpy as np
import librosa

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audio")
RATE, TARGET, SECONDS = 44100, 16000, 0.5


def signal():
    """The 0.5 s test clip at 44.1 kHz (float32, peak below 1)."""
    n = int(RATE * SECONDS)
    t = np.arange(n) / RATE
    y = (0.20 * np.sin(2 * np.pi * 220 * t)
         + 0.12 * np.sin(2 * np.pi * 1500 * t + 0.4)
         + 0.08 * np.sin(2 * np.pi * 6500 * t + 1.1)
         + 0.10 * np.sin(2 * np.pi * 11000 * t + 2.0))
    f0, f1 = 100.0, 7800.0                                   # linear chirp over the whole clip
    y += 0.10 * np.sin(2 * np.pi * (f0 * t + 0.5 * (f1 - f0) / SECONDS * t * t))
    y += 0.03 * np.random.default_rng(20250114).standard_normal(n)
    y *= np.minimum(1.0, t / 0.01)                           # 10 ms fade-in
    y[int(0.25 * RATE):int(0.35 * RATE)] = 0.0               # digital silence
    y[int(0.40 * RATE)] += 0.6                               # a click
    return y.astype(np.float32)


def write_float_wav(path, y, rate):
    """A mono 32-bit float WAV (RIFF, fmt, data only: no PEAK chunk, whose time stamp would change every run)."""
    data = np.asarray(y, dtype="<f4").tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, rate, 4 * rate, 4, 32)
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data)) + b"WAVE")
        f.write(b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data)


def main():
    os.makedirs(HERE, exist_ok=True)
    source = os.path.join(HERE, "resample_44k.wav")
    target = os.path.join(HERE, "resample_44k_to_16k.wav")
    write_float_wav(source, signal(), RATE)
    y, sr = librosa.load(source, sr=TARGET, res_type="soxr_hq")
    assert sr == TARGET and y.dtype == np.float32
    write_float_wav(target, y, TARGET)
    for path in (source, target):
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")
    print(f"librosa {librosa.__version__}, soxr {__import__('soxr').__version__}, {len(y)} samples at {TARGET} Hz")


if __name__ == "__main__":
    main()
