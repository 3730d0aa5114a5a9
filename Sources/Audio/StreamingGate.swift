/// `EnvelopeGate` over a stream: the same keep decisions, sample by sample, as `EnvelopeGate.apply`
/// makes on the whole signal.
///
/// Sample i is decided once sample i - w/2 + w - 1 has arrived (the centred rolling mean looks
/// `lookAhead` = w - 1 - w/2 samples ahead: 799 at 16 kHz, 49.9 ms); `finish` decides the last ones
/// with the window clipped at the end, as the whole-signal gate does. The running sum, its Kahan
/// compensation and the order of its additions are those of `EnvelopeGate.forEachMean`, so every
/// mean, and every decision, is bit for bit the same.
public struct StreamingGate {
    /// Samples per rolling window (int(rate / 10)).
    public let window: Int
    /// Samples that must follow a sample before it is decided.
    public var lookAhead: Int { window - 1 - window / 2 }
    public let threshold: Double
    /// Stream index of the next sample to decide (every earlier one is decided).
    public private(set) var decided = 0
    /// Samples received so far.
    public private(set) var received = 0

    private var buffer: [Float] = []   // samples base ..< received
    private var base = 0
    private var sum = 0.0, compensation = 0.0
    private var lo = 0, hi = -1        // the samples [lo, hi] are in `sum`

    public init(sampleRate: Int, threshold: Double = EnvelopeGate.defaultThreshold) {
        window = EnvelopeGate.windowLength(sampleRate: sampleRate)
        self.threshold = threshold
    }

    /// Appends samples and calls `keep(i, y[i])` for every newly decided sample that passes the
    /// gate, in order (i: index in the stream).
    public mutating func push(_ samples: [Float], keep: (Int, Float) -> Void) {
        buffer.append(contentsOf: samples)
        received += samples.count
        decide(upTo: received - lookAhead, end: nil, keep: keep)
        let unused = min(lo, decided) - base
        if unused >= 8192 {
            buffer.removeFirst(unused)
            base += unused
        }
    }

    /// Ends the stream: decides the last `lookAhead` samples with the window cut at the end.
    public mutating func finish(keep: (Int, Float) -> Void) {
        decide(upTo: received, end: received, keep: keep)
    }

    /// Decides samples decided ..< limit; `end` (the stream length) clips the window when known.
    private mutating func decide(upTo limit: Int, end: Int?, keep: (Int, Float) -> Void) {
        let half = window / 2
        while decided < limit {
            let i = decided
            let last = end.map { min($0 - 1, i - half + window - 1) } ?? (i - half + window - 1)
            while hi < last { hi += 1; add(Double(abs(buffer[hi - base]))) }
            let first = max(0, i - half)
            while lo < first { add(-Double(abs(buffer[lo - base]))); lo += 1 }
            if max(0, sum) / Double(hi - lo + 1) > threshold { keep(i, buffer[i - base]) }
            decided += 1
        }
    }

    /// Kahan: sum += v (as `EnvelopeGate.forEachMean`).
    @inline(__always)
    private mutating func add(_ v: Double) {
        let t = v - compensation
        let s = sum + t
        compensation = (s - sum) - t
        sum = s
    }
}
