"""Reference rows of the per-clip descriptor table (Audio's ClipDescriptors.row) for Tests/AudioTests.
Run from the repository root after make_audio_fixtures.py (it reads that script's clips):

    /work/pyenv/bin/python Tests/Fixtures/make_descriptor_table_fixtures.py

Writes Tests/Fixtures/audio/descriptor_table.safetensors: for each clip of descriptors.safetensors
(`clean`, `degraded`, `short16k`) the row in the column order of ClipDescriptors.columnNames (float64):
mean and population standard deviation (np.std, ddof 0) over frames of python_speech_features' 13 MFCC
(computed in float64 at the clip's rate), then mean and standard deviation of librosa 0.11's
zero_crossing_rate, rms, spectral_centroid, spectral_bandwidth, spectral_rolloff and spectral_flatness
(defaults: n_fft 2048, hop 512, hann, center=True). Deterministic (the clips are stored).
"""
import os
import sys

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save, HERE  # noqa: E402

import librosa  # noqa: E402
import python_speech_features as psf  # noqa: E402

STEMS = ["zcr", "rms", "spectral_centroid", "spectral_bandwidth", "spectral_rolloff", "spectral_flatness"]


def row(y, sr):
    mf = psf.mfcc(y.astype(np.float64), sr)
    frames = [librosa.feature.zero_crossing_rate(y)[0], librosa.feature.rms(y=y)[0],
              librosa.feature.spectral_centroid(y=y, sr=sr)[0], librosa.feature.spectral_bandwidth(y=y, sr=sr)[0],
              librosa.feature.spectral_rolloff(y=y, sr=sr)[0], librosa.feature.spectral_flatness(y=y)[0]]
    spectral = [v for f in frames for v in (np.mean(f), np.std(f))]
    return np.concatenate([mf.mean(axis=0), mf.std(axis=0), spectral])


def main():
    clips = load_file(os.path.join(HERE, "audio", "descriptors.safetensors"))
    tensors = {}
    for name in ["clean", "degraded", "short16k"]:
        tensors[f"{name}/row"] = row(clips[f"{name}/signal"], int(clips[f"{name}/rate"][0]))
    names = [f"mfcc_mean_{i}" for i in range(13)] + [f"mfcc_std_{i}" for i in range(13)]
    names += [f"{s}_{k}" for s in STEMS for k in ("mean", "std")]
    save("audio/descriptor_table.safetensors", tensors, {"librosa": librosa.__version__, "columns": names})


if __name__ == "__main__":
    main()
