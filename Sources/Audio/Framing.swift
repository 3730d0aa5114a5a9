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

    /// Writes frame `f` of the pre-emphasised signal into `out` (N values): samples
    /// [f S, f S + min(L, N)), zero past the end of the signal and past L (zero-padding to N).
    /// Pre-emphasis out[0] = s[0], out[i] = s[i] - a s[i-1] is computed in Double, stored as Float.
    @inlinable
    static func writeFrame(_ s: UnsafeBufferPointer<Float>, frame f: Int, frameLength L: Int, frameStep S: Int,
                           preemph a: Double, into out: UnsafeMutablePointer<Float>, fftSize N: Int) {
        let start = f * S
        let used = min(L, N)
        let available = max(0, min(used, s.count - start))   // samples of the signal inside this frame
        var t = 0
        if start == 0, available > 0 {
            out[0] = s[0]
            t = 1
        }
        if t < available {     // one pointer, no index checks: the loop vectorises
            let src = s.baseAddress! + start
            for j in t..<available { out[j] = Float(Double(src[j]) - a * Double(src[j &- 1])) }
            t = available
        }
        if t < N { (out + t).update(repeating: 0, count: N - t) }
    }
}
