/// The envelope gate of the reference preprocessing (docs/WORKFLOW.md §2.3).
///
/// m[i] = mean(|y|) over the centred window [i - w/2, i - w/2 + w - 1] (w = int(rate/10); for even w
/// that is [i - w/2, i + w/2 - 1]), clipped at the edges and divided by the number of samples
/// actually in range: pandas `rolling(window=w, min_periods=1, center=True).mean()`.
/// Sample i is kept iff m[i] > threshold (strict).
///
/// pandas keeps its rolling sum in Double with Kahan compensation; `rollingMeanAbs` does the same, in
/// the same order (`forEachMean`), and so gets its means to the last bit. That sum is one long chain
/// of dependent additions (~30 cycles a sample), so the keep decisions (`mask`, `apply`) are made by
/// `GateDecisions` instead: exact integer window sums and a rigorous error bound, which give pandas'
/// decision for every sample whose mean is not within ~1e-8 relative of the threshold, and the serial
/// Kahan pass for the rare signal that has one that is.
public enum EnvelopeGate {
    /// The reference threshold on the mean absolute amplitude.
    public static let defaultThreshold = 0.0005

    /// The window length for a sample rate: int(rate/10), at least 1.
    public static func windowLength(sampleRate: Int) -> Int { max(1, sampleRate / 10) }

    /// Calls `body(i, m[i])` for every sample i >= `from` in order; y (n), window w. The running sum
    /// starts at sample 0 whatever `from` is (its rounding depends on every earlier addition).
    @inline(__always)
    static func forEachMean(_ y: UnsafeBufferPointer<Float>, window w: Int, from: Int = 0,
                            _ body: (Int, Double) -> Void) {
        let n = y.count
        guard n > 0 else { return }
        let half = w / 2
        var sum = 0.0, compensation = 0.0
        var lo = 0, hi = -1          // the samples [lo, hi] are in `sum`
        @inline(__always) func add(_ v: Double) {   // Kahan: sum += v
            let t = v - compensation
            let s = sum + t
            compensation = (s - sum) - t
            sum = s
        }
        for i in 0..<n {
            let last = min(n - 1, i - half + w - 1)
            while hi < last { hi += 1; add(Double(abs(y[hi]))) }
            let first = max(0, i - half)
            while lo < first { add(-Double(abs(y[lo]))); lo += 1 }
            if i >= from { body(i, max(0, sum) / Double(hi - lo + 1)) }
        }
    }

    /// Calls `body(i, keep)` for every sample in order: keep = m[i] > threshold, pandas' decision
    /// (`GateDecisions`; the serial Kahan pass from the first sample it cannot decide).
    @inline(__always)
    static func forEachDecision(_ y: UnsafeBufferPointer<Float>, window w: Int, threshold: Double,
                                _ body: (Int, Bool) -> Void) {
        let undecided = GateDecisions.forEach(y, window: w, threshold: threshold, body)
        if undecided < y.count {
            forEachMean(y, window: w, from: undecided) { i, mean in body(i, mean > threshold) }
        }
    }

    /// The rolling means m (n) of |y| (n) for a window of `window` samples.
    public static func rollingMeanAbs(_ y: [Float], window: Int) -> [Double] {
        precondition(window >= 1, "envelope window \(window) must be >= 1")
        var means = [Double](repeating: 0, count: y.count)
        y.withUnsafeBufferPointer { y in
            means.withUnsafeMutableBufferPointer { m in
                forEachMean(y, window: window) { i, mean in m[i] = mean }
            }
        }
        return means
    }

    /// The keep mask (n): m[i] > threshold, for y (n) at `sampleRate`.
    public static func mask(_ y: [Float], sampleRate: Int, threshold: Double = defaultThreshold) -> [Bool] {
        var keep = [Bool](repeating: false, count: y.count)
        y.withUnsafeBufferPointer { y in
            keep.withUnsafeMutableBufferPointer { k in
                forEachDecision(y, window: windowLength(sampleRate: sampleRate), threshold: threshold) { i, kept in
                    k[i] = kept
                }
            }
        }
        return keep
    }

    /// The kept samples of y (n), in order (possibly none).
    public static func apply(_ y: [Float], sampleRate: Int, threshold: Double = defaultThreshold) -> [Float] {
        y.withUnsafeBufferPointer { y in
            [Float](unsafeUninitializedCapacity: y.count) { kept, count in
                var m = 0
                forEachDecision(y, window: windowLength(sampleRate: sampleRate), threshold: threshold) { i, keep in
                    kept[m] = y[i]          // written either way, counted only when kept: no branch
                    m &+= keep ? 1 : 0
                }
                count = m
            }
        }
    }
}
