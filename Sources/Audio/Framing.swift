/// Frame geometry and pre-emphasis of python_speech_features (docs/WORKFLOW.md §3.1-§3.2).
/// Legend: n signal samples, L frame length, S frame step, F frames, N FFT size.
public enum Framing {
    /// Python's `decimal` ROUND_HALF_UP of a binary double (ties away from zero, exact).
    @inlinable
    public static func roundHalfUp(_ x: Double) -> Int {
        guard x.isFinite, abs(x) < 1e15 else { return 0 }
        return Int(x.rounded(.toNearestOrAwayFromZero))
    }

    /// F = 1 if n <= L, else 1 + ceil((n - L) / S).
    @inlinable
    public static func frameCount(samples n: Int, frameLength L: Int, frameStep S: Int) -> Int {
        n <= L ? 1 : 1 + (n - L + S - 1) / S
    }

    /// The pre-emphasised signal: out[0] = s[0], out[i] = s[i] - a s[i-1], computed in Double and
    /// stored as Float (what the FFT reads). Once per signal: frames overlap (L / S ~ 2.5 times at
    /// the reference settings), so computing it per frame would repeat most of it.
    /// Shape: s (n) -> out (n).
    @inlinable
    static func preemphasize(_ s: UnsafeBufferPointer<Float>, coefficient a: Double, into out: UnsafeMutablePointer<Float>) {
        guard let src = s.baseAddress, s.count > 0 else { return }
        out[0] = src[0]
        // one pointer, no index checks: the loop vectorises
        for j in 1..<s.count { out[j] = Float(Double(src[j]) - a * Double(src[j &- 1])) }
    }

    /// Writes frame `f` of the pre-emphasised signal e (n samples) into `out` (N values): samples
    /// [f S, f S + min(L, N)), zero past the end of the signal and past L (zero-padding to N).
    @inlinable
    static func writeFrame(_ e: UnsafePointer<Float>, count n: Int, frame f: Int, frameLength L: Int, frameStep S: Int,
                           into out: UnsafeMutablePointer<Float>, fftSize N: Int) {
        let start = f * S
        let available = max(0, min(min(L, N), n - start))   // samples of the signal inside this frame
        if available > 0 { out.update(from: e + start, count: available) }
        if available < N { (out + available).update(repeating: 0, count: N - available) }
    }
}
