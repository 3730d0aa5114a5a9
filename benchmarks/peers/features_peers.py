"""MFCC windows/s of python_speech_features and librosa on 0.1 s windows at 16 kHz (1600 samples),
the feature step of the reference workflow (docs/WORKFLOW.md §3-§4): one mfcc call per window, as the
reference's model.py and predict.py do. With --audio-dir (the folder `bench --audio-dir` writes),
the windows are cut from its mfcc_16k.wav, the signal Earmark's MFCC figure uses, and the reference
cleaning is timed too: seconds of audio cleaned per second by librosa.load(path, sr=16000) (soxr
'soxr_hq', librosa's default) and the pandas rolling-mean envelope gate of the original
preprocessing (docs/WORKFLOW.md §2), on raw_44k.wav and raw_16k.wav (one file at a time, one process).

python_speech_features: mfcc(w, 16000, numcep=13, nfilt=26, nfft=512) (the reference call, 9 x 13).
librosa: feature.mfcc(y=w, sr=16000, n_mfcc=13, n_fft=512, hop_length=160, win_length=400,
n_mels=26, center=False) - the nearest librosa call (8 x 13: librosa does not pad the last frame).

    python features_peers.py [--audio-dir DIR | --wav CLIP] --json features.json
"""
import os
import sys
import warnings
from importlib import metadata

import numpy as np

import common

RATE, WINDOW = 16000, 1600


def signal(args):
    """The audio the windows are cut from: a WAV (mono-mixed) or 60 s of tones in noise."""
    if args.audio_dir:
        args.wav = os.path.join(args.audio_dir, "mfcc_16k.wav")
    if args.wav:
        import soundfile
        y, rate = soundfile.read(args.wav, dtype="float32", always_2d=True)
        if rate != RATE:
            raise SystemExit(f"{args.wav}: rate {rate}, expected {RATE} (use a cleaned clip)")
        return y.mean(axis=1), "file " + args.wav
    rng = np.random.default_rng(5)
    t = np.arange(60 * RATE) / RATE
    y = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1234 * t) + 0.05 * rng.standard_normal(len(t))
    return y.astype(np.float32), "synthetic 60 s (tones in noise, seed 5)"


def rates(args, windows, fn):
    """Windows/s of fn over every window, `repeats` timed passes after `warmup`."""
    def over(ws):
        for w in ws:
            fn(w)
    return common.per_second(len(windows), lambda: over(windows), args.repeats, args.warmup,
                             warmup=lambda: over(windows[:50]))


def cleaning_rates(args, path):
    """Seconds of audio cleaned per second: librosa.load at 16 kHz + the reference envelope gate."""
    import librosa
    import soundfile
    seconds = soundfile.info(path).duration

    def clean():
        y, rate = librosa.load(path, sr=16000)
        return y[np.array(common.envelope(y, rate, 0.0005), dtype=bool)]
    return common.per_second(seconds, clean, args.repeats, max(1, args.warmup))


def main():
    p = common.parser(__doc__)
    p.add_argument("--wav", help="a 16 kHz clip to cut windows from (default: synthetic audio)")
    p.add_argument("--audio-dir", help="the folder `bench --audio-dir` wrote (mfcc_16k.wav, raw_44k.wav, raw_16k.wav)")
    p.add_argument("--max-windows", type=int, default=600, help="windows per timed pass")
    args = p.parse_args()
    y, source = signal(args)
    windows = [y[i:i + WINDOW] for i in range(0, len(y) - WINDOW, WINDOW)][:args.max_windows]
    import librosa
    import python_speech_features as psf
    warnings.simplefilter("ignore")

    def with_psf(w):
        return psf.mfcc(w, RATE, numcep=13, nfilt=26, nfft=512)

    def with_librosa(w):
        return librosa.feature.mfcc(y=w, sr=RATE, n_mfcc=13, n_fft=512, hop_length=160, win_length=400,
                                    n_mels=26, center=False)
    assert with_psf(windows[0]).shape == (9, 13)
    figures = [common.figure("mfcc_windows_per_s_python_speech_features", "MFCC python_speech_features",
                             "windows/s", rates(args, windows, with_psf)),
               common.figure("mfcc_windows_per_s_librosa", "MFCC librosa", "windows/s", rates(args, windows, with_librosa))]
    if args.audio_dir:
        for rate in ("44k", "16k"):
            path = os.path.join(args.audio_dir, f"raw_{rate}.wav")
            figures.append(common.figure(f"clean_seconds_per_s_{rate}", f"Cleaning raw_{rate}.wav (librosa.load 16 kHz + envelope)",
                                         "audio s/s", cleaning_rates(args, path)))
    settings = {"audio": source, "windows_per_pass": str(len(windows)), "python_speech_features": metadata.version("python_speech_features"),
                "librosa": librosa.__version__, "numpy": np.__version__, "threads": "1 (one Python process)"}
    common.report("features", figures, settings, args)


if __name__ == "__main__":
    sys.exit(main())
