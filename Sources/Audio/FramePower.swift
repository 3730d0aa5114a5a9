import Foundation

/// The mean periodogram of a signal's frames (Welch's method without overlap choices): the averaged
/// spectrum the condition descriptors read lines from.
///
/// Legend: v (count) samples; frames of W samples, W = the largest power of two <= min(count, cap), every
/// W / 2 samples (at least one frame); each frame optionally minus its own mean, times the periodic Hann
/// window 0.5 - 0.5 cos(2 pi i / W); P (W / 2 + 1) = mean over frames of |rfft|^2, bin k at k rate / W Hz.
///
/// One value holds the window and the FFT of its W, so signals of the same length (the fault lines' 50
/// band envelopes of a clip) share them instead of making a window and an FFTW plan each.
struct FramePower {
    /// W.
    let width: Int
    private let window: [Double]
    private let fft: ComplexFFT

    /// The window and FFT for signals of `count` samples framed with at most `cap` samples.
    init(count: Int, cap: Int) {
        var width = 1
        while width * 2 <= min(count, cap) { width *= 2 }
        self.width = width
        window = (0..<width).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(width)) }
        fft = ComplexFFT(size: width)
    }

    /// P for `v` (see the legend; fewer than `width` samples make no frame, and P is NaN).
    func mean(_ v: [Double], removeFrameMean: Bool) -> [Double] {
        let hop = max(1, width / 2)
        var power = [Double](repeating: 0, count: width / 2 + 1)
        var frames = 0, start = 0
        while start + width <= v.count {
            let mean = removeFrameMean ? v[start..<(start + width)].reduce(0, +) / Double(width) : 0
            for i in 0..<width { fft.buffer[i] = ((v[start + i] - mean) * window[i], 0) }
            fft.transform(forward: true)
            for k in 0...(width / 2) {
                let (re, im) = fft.buffer[k]
                power[k] += re * re + im * im
            }
            frames += 1
            start += hop
        }
        return power.map { $0 / Double(frames) }
    }

    /// P and W for `v` (see the legend), with a window and FFT of their own.
    static func mean(_ v: [Double], cap: Int, removeFrameMean: Bool) -> (power: [Double], width: Int) {
        let frames = FramePower(count: v.count, cap: cap)
        return (frames.mean(v, removeFrameMean: removeFrameMean), frames.width)
    }
}
