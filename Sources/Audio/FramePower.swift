import Foundation

/// The mean periodogram of a signal's frames (Welch's method without overlap choices): the averaged
/// spectrum the condition descriptors read lines from.
///
/// Legend: v (count) samples; frames of W samples, W = the largest power of two <= min(count, cap), every
/// W / 2 samples (at least one frame); each frame optionally minus its own mean, times the periodic Hann
/// window 0.5 - 0.5 cos(2 pi i / W); P (W / 2 + 1) = mean over frames of |rfft|^2, bin k at k rate / W Hz.
enum FramePower {
    /// P and W for `v` (see the legend).
    static func mean(_ v: [Double], cap: Int, removeFrameMean: Bool) -> (power: [Double], width: Int) {
        var width = 1
        while width * 2 <= min(v.count, cap) { width *= 2 }
        let hop = max(1, width / 2)
        let window = (0..<width).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(width)) }
        let fft = ComplexFFT(size: width)
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
        return (power.map { $0 / Double(frames) }, width)
    }
}
