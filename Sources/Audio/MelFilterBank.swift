import Foundation

/// Triangular mel filters of python_speech_features `get_filterbanks` (docs/WORKFLOW.md §3.5), in Double.
///
/// Shape: filters (nfilt, bins), bins = nfft/2 + 1, stored sparsely (each filter's nonzero span).
/// Edges: nfilt + 2 points linear in mel from mel(lowFreq) to mel(highFreq) (numpy.linspace:
/// start + i * (stop - start)/(nfilt + 1), the last point exactly stop), bin = floor((nfft + 1) hz / rate).
/// Computed in Double with the same operation order as numpy (the (26, 1103, 44100) top edge is
/// 552.0000000000001 there; one ulp low would floor to 551).
public struct MelFilterBank: Sendable, Equatable {
    public let nfilt: Int
    public let nfft: Int
    /// nfft/2 + 1.
    public let bins: Int
    /// The nfilt + 2 bin edges.
    public let edges: [Int]
    /// Filter j's weights start at bin `starts[j]`; they are weights[offsets[j] ..< offsets[j + 1]].
    let starts: [Int]
    let offsets: [Int]
    let weights: [Double]

    /// mel(f) = 2595 log10(1 + f/700).
    @inlinable public static func hzToMel(_ hz: Double) -> Double { 2595 * log10(1 + hz / 700) }
    /// hz(m) = 700 (10^(m/2595) - 1).
    @inlinable public static func melToHz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }

    /// The nfilt + 2 bin edges floor((nfft + 1) * hz / rate).
    public static func binEdges(nfilt: Int, nfft: Int, sampleRate: Int, lowFreq: Double, highFreq: Double) -> [Int] {
        let low = hzToMel(lowFreq), high = hzToMel(highFreq)
        let count = nfilt + 2
        let step = (high - low) / Double(count - 1)
        return (0..<count).map { i in
            let mel = i == count - 1 ? high : Double(i) * step + low
            return Int((Double(nfft + 1) * melToHz(mel) / Double(sampleRate)).rounded(.down))
        }
    }

    public init(nfilt: Int, nfft: Int, sampleRate: Int, lowFreq: Double = 0, highFreq: Double? = nil) {
        let high = highFreq ?? Double(sampleRate) / 2
        precondition(nfilt >= 1 && nfft >= 2 && sampleRate > 0 && lowFreq >= 0 && high <= Double(sampleRate) / 2,
                     "mel filter bank (nfilt \(nfilt), nfft \(nfft), rate \(sampleRate), \(lowFreq)...\(high) Hz)")
        self.nfilt = nfilt
        self.nfft = nfft
        bins = nfft / 2 + 1
        edges = Self.binEdges(nfilt: nfilt, nfft: nfft, sampleRate: sampleRate, lowFreq: lowFreq, highFreq: high)
        var starts: [Int] = [], offsets: [Int] = [0], weights: [Double] = []
        for j in 0..<nfilt {
            let a = edges[j], b = edges[j + 1], c = edges[j + 2]
            // psf: rise on [a, b): (i - a)/(b - a); fall on [b, c): (c - i)/(c - b). Clamped to the bins.
            let first = max(0, min(a, b)), last = min(bins, c)
            starts.append(first)
            if first < last {
                for i in first..<last {
                    var w = 0.0
                    if i >= a && i < b { w = Double(i - a) / Double(b - a) }
                    if i >= b && i < c { w = Double(c - i) / Double(c - b) }
                    weights.append(w)
                }
            }
            offsets.append(weights.count)
        }
        self.starts = starts
        self.offsets = offsets
        self.weights = weights
    }

    /// The dense matrix (nfilt, bins), row-major (for tests and plots).
    public func dense() -> [Double] {
        var m = [Double](repeating: 0, count: nfilt * bins)
        for j in 0..<nfilt {
            for (k, w) in weights[offsets[j]..<offsets[j + 1]].enumerated() { m[j * bins + starts[j] + k] = w }
        }
        return m
    }

    /// The sparse form: filter j's weights start at bin starts[j] and are weights[offsets[j] ..< offsets[j + 1]].
    var sparse: (starts: [Int], offsets: [Int], weights: [Double]) { (starts, offsets, weights) }
}
