"""Reference values of Audio's ConditionDescriptors (machine-condition descriptors) for Tests/AudioTests.
Run from the repository root:

    /work/pyenv/bin/python Tests/Fixtures/make_condition_fixtures.py

Writes Tests/Fixtures/audio/condition.safetensors: three clips (float32 signals) and their rows (float64):
`ticks` (16 kHz, 1.5 s: a machine hum, pink-ish noise and a bearing-like tick train ringing a 3 kHz
resonance at 87 ticks/s), `hum` (the same without ticks) and `odd` (22.05 kHz, 7001 samples of white
noise amplitude-modulated at 31 Hz: an odd length, a rate whose top band is clipped by nothing).
The formula is the numpy one below (no library computes these descriptors): per band [lo, hi), the
analytic band signal from the zero-padded FFT of the mean-removed clip (positive bins in the band
doubled, the rest zero), then the coefficient of variation and log kurtosis of its magnitude (the
envelope), and the log of the envelope
spectrum's largest magnitude in 5-1000 Hz over its median there. Then the shaft orders (the comb of
10 harmonics, candidates 14-62 Hz every 0.05 Hz, that stands out most above the half orders in the mean Hann periodogram
of 8192-sample frames at half overlap; the levels at its harmonics and half orders over the quarter
orders) and the spectral kurtosis of 256-sample frames at half overlap (largest above 500 Hz, mean
above 1 kHz). Then the fault lines: prominences (log power over its running median, scipy's
median_filter) of the envelope spectra of 50 narrow bands between 1.6 and 7 kHz (bearing ticks),
and of the averaged spectrum at the half orders and at the odd and even
multiples of the shaft estimate (looseness); see fault_lines() below and Sources/Audio/FaultLines.swift.
Also `ticks/envelope_lines` and `odd/envelope_lines` (float32, 50 x 200): the same 50 bands' prominence spectra read at 2, 4,
..., 400 Hz (Sources/Audio/EnvelopeLines.swift; envelope_lines() below), the map of the
`envelope_lines` descriptor set.
"""
import os
import sys

import numpy as np
from scipy.ndimage import median_filter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_io import save  # noqa: E402

BANDS = [(20, 500), (500, 1500), (1500, 3000), (3000, 6000), (6000, 8000)]
STEMS = ["envelope_cv", "envelope_kurtosis", "envelope_peak"]
TINY = 1e-30


def kurtosis(v):
    d = v - v.mean()
    m2 = np.mean(d ** 2)
    return np.mean(d ** 4) / (m2 * m2 + TINY)


def row(x, fs):
    x = x.astype(np.float64)
    x = x - x.mean()
    n = len(x)
    m = 1 << (n - 1).bit_length()
    spectrum = np.fft.fft(x, m)
    f = np.fft.fftfreq(m, 1 / fs)
    f[m // 2] = fs / 2  # numpy calls the Nyquist bin -fs/2; Earmark counts it as a positive frequency
    out = []
    for lo, hi in BANDS:
        keep = (f >= lo) & (f < hi)
        z = np.fft.ifft(np.where(keep, 2 * spectrum, 0))[:n]
        e = np.abs(z)
        w = np.hanning(n)
        E = np.abs(np.fft.rfft((e - e.mean()) * w, m))
        fr = np.arange(m // 2 + 1) * fs / m
        band = np.sort(E[(fr >= 5) & (fr < 1000)])
        peak = band[-1] / (np.median(band) + TINY) + TINY
        out += [e.std() / (e.mean() + TINY), np.log(kurtosis(e) + TINY), np.log(peak)]
    shaft, orders = shaft_orders(x, fs)
    return np.array(out + orders + spectral_kurtosis(x, fs) + fault_lines(x, spectrum, fs, shaft))


def shaft_orders(x, fs):
    n = len(x)
    w = 1
    while w * 2 <= min(n, 8192):
        w *= 2
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(w) / w)
    starts = range(0, n - w + 1, max(1, w // 2))
    power = np.mean([np.abs(np.fft.rfft(x[s:s + w] * window)) ** 2 for s in starts], axis=0)
    level = np.log(power + TINY)
    grid = np.arange(w // 2 + 1) * fs / w
    k = np.arange(1, 11)

    def mean(c, offset):
        return np.mean(np.interp((k - offset) * c, grid, level))
    steps = int(np.ceil((62.0 - 14.0) / 0.05))
    candidates = [14.0 + i * 0.05 for i in range(steps)]
    scores = [mean(c, 0) - mean(c, 0.5) for c in candidates]
    s = candidates[int(np.argmax(scores))]
    quarter = mean(s, 0.25)
    harmonics, halves = mean(s, 0) - quarter, mean(s, 0.5) - quarter
    return s, [harmonics, halves, halves - harmonics]


def frame_power(v, cap):
    """Mean |rfft|^2 of periodic-Hann frames of W = the largest power of two <= min(len, cap), every W / 2,
    each minus its own mean; and W."""
    w = 1
    while w * 2 <= min(len(v), cap):
        w *= 2
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(w) / w)
    frames = [v[s:s + w] - v[s:s + w].mean() for s in range(0, len(v) - w + 1, max(1, w // 2))]
    return np.mean([np.abs(np.fft.rfft(f * window)) ** 2 for f in frames], axis=0), w


def prominence(power, width):
    level = np.log(power + TINY)
    return level - median_filter(level, size=width, mode="nearest")


def band_count():
    return int(np.log(7000 / 1600) / np.log(1.03)) + 1


def band_prominences(n, spectrum, fs):
    """The prominence spectrum of each narrow band's envelope (None above the Nyquist frequency) and
    the envelope spectra's bin width in Hz."""
    big_m = len(spectrum)
    m, bin_hz = big_m // 8, fs / big_m
    count = band_count()
    rows, w = [], 1
    for j in range(count):
        c = 1600 * (7000 / 1600) ** (j / (count - 1))
        if c * 1.06 > fs / 2:
            rows.append(None)
            continue
        k0, k1 = int(np.ceil(c * 0.94 / bin_hz)), int(np.ceil(c * 1.06 / bin_hz))
        z = np.zeros(m, complex)
        z[:k1 - k0] = spectrum[k0:k1]
        power, w = frame_power(np.abs(np.fft.ifft(z))[:n // 8], 1024)
        rows.append(prominence(power, 31))
    return rows, fs / 8 / w


def envelope_lines(x, fs):
    """(50, 200): band j's prominences at 2, 4, ..., 400 Hz (nearest bin, half to even); zero rows above
    the Nyquist frequency, all zero below 1024 samples."""
    out = np.zeros((band_count(), 200))
    x = x.astype(np.float64)
    x = x - x.mean()
    n = len(x)
    if n < 1024:
        return out
    spectrum = np.fft.fft(x, 1 << (n - 1).bit_length())
    rows, bin_hz = band_prominences(n, spectrum, fs)
    grid = 2.0 * np.arange(1, 201)
    for j, p in enumerate(rows):
        if p is not None:
            out[j] = p[np.minimum(np.round(grid / bin_hz).astype(int), len(p) - 1)]
    return out


def fault_lines(x, spectrum, fs, s):
    """bearing_lines, bearing_line_max, half_order_peaks, odd_over_even (Sources/Audio/FaultLines.swift)."""
    n = len(x)
    if n < 1024:
        return [0.0, 0.0, 0.0, 0.0]
    rows, env_hz = band_prominences(n, spectrum, fs)
    rows = [r for r in rows if r is not None]
    f = np.arange(len(rows[0]) if rows else 1) * env_hz
    keep = (f >= 20) & (f < 600)
    if rows and keep.any():
        top = np.sort(np.array(rows)[:, keep], axis=0)
        bearing = [top[-3:].mean(axis=0).max(), top[-1].max()]
    else:
        bearing = [0.0, 0.0]
    power, w = frame_power(x, 16384)
    p = prominence(power, 41)
    bin_hz = fs / w

    def peak(hz):
        i = min(int(round(hz / bin_hz)), len(p) - 1)
        half = max(1, int(round(0.004 * hz / bin_hz)))
        return p[max(i - half, 0):i + half + 1].max()
    halves = np.sort([peak((k - 0.5) * s) for k in range(1, 11)])[-3:].mean()
    odd = np.mean([peak(k * s) for k in range(1, 20, 2)])
    even = np.mean([peak(k * s) for k in range(2, 21, 2)])
    return bearing + [halves, odd - even]


def spectral_kurtosis(x, fs):
    n = 256
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)
    if len(x) < n:
        frames = [np.pad(x, (0, n - len(x)))]
    else:
        frames = [x[s:s + n] for s in range(0, len(x) - n + 1, n // 2)]
    p = np.array([np.abs(np.fft.rfft(f * window)) ** 2 for f in frames])
    mean = p.mean(axis=0)
    sk = np.where(mean > 0, (p ** 2).mean(axis=0) / np.where(mean > 0, mean, 1) ** 2 - 2, 0)
    hz = np.arange(n // 2 + 1) * fs / n
    return [sk[hz > 500].max(), sk[hz > 1000].mean()]


def resonate(x, hz, q, fs):
    """RBJ band-pass (0 dB peak) applied forward."""
    w0 = 2 * np.pi * hz / fs
    alpha = np.sin(w0) / (2 * q)
    b = np.array([alpha, 0, -alpha]) / (1 + alpha)
    a = np.array([1, -2 * np.cos(w0) / (1 + alpha), (1 - alpha) / (1 + alpha)])
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = b[0] * x[i] + (b[2] * x[i - 2] if i >= 2 else 0) - (a[1] * y[i - 1] if i >= 1 else 0) \
            - (a[2] * y[i - 2] if i >= 2 else 0)
    return y


def main():
    rng = np.random.default_rng(11)
    fs = 16000
    t = np.arange(int(1.5 * fs)) / fs
    hum = sum(0.2 / k * np.sin(2 * np.pi * 37 * k * t + k) for k in range(1, 12))
    hum += 0.02 * np.cumsum(rng.standard_normal(len(t))) / np.sqrt(len(t)) + 0.01 * rng.standard_normal(len(t))
    impulses = np.zeros(len(t))
    impulses[(np.arange(0, 1.5, 1 / 87) * fs).astype(int)] = 1
    ticks = hum + 0.5 * resonate(impulses, 3000, 20, fs)
    odd_fs = 22050
    odd_t = np.arange(7001) / odd_fs
    odd = 0.1 * rng.standard_normal(7001) * (1 + 0.6 * np.sin(2 * np.pi * 31 * odd_t))
    tensors = {}
    for name, x, rate in [("ticks", ticks, fs), ("hum", hum, fs), ("odd", odd, odd_fs)]:
        x32 = x.astype(np.float32)
        tensors[f"{name}/signal"] = x32
        tensors[f"{name}/rate"] = np.array([rate])
        tensors[f"{name}/row"] = row(x32, rate)
        if name != "hum":      # the hum's map adds nothing the other two do not test
            tensors[f"{name}/envelope_lines"] = envelope_lines(x32, rate).astype(np.float32)
    columns = [f"condition_{s}_{lo}_{hi}" for lo, hi in BANDS for s in STEMS]
    columns += [f"condition_{s}" for s in ["shaft_harmonics", "shaft_half_orders", "shaft_half_over_harmonics",
                                           "spectral_kurtosis_max", "spectral_kurtosis_mean",
                                           "bearing_lines", "bearing_line_max", "half_order_peaks",
                                           "odd_over_even"]]
    save("audio/condition.safetensors", tensors, {"numpy": np.__version__, "columns": columns})


if __name__ == "__main__":
    main()
