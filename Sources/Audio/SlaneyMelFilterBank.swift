import Foundation

/// librosa 0.11's `filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False, norm="slaney")`.
///
/// Shape: weights (nMels, bins), bins = nFFT/2 + 1, row-major. Band edges: nMels + 2 points linear
/// in Slaney mel from mel(fmin) to mel(fmax); bin k sits at k * rate / nFFT Hz; filter m is the
/// triangle max(0, min(rising, falling)) times 2 / (hz[m + 2] - hz[m]) (Slaney's constant area).
/// Computed in Double and rounded to Float, as librosa stores them (dtype float32).
public struct SlaneyMelFilterBank: Sendable, Equatable {
    public let nMels: Int
    public let bins: Int
    /// The dense weights (nMels, bins), row-major.
    public let weights: [Double]

    static let spacing = 200.0 / 3            // Hz per mel below 1 kHz
    static let logStart = 1000.0              // Hz where the log part begins
    static let logStep = log(6.4) / 27        // ln(Hz ratio) per mel above 1 kHz

    /// Slaney's mel: linear below 1 kHz (f / (200/3)), logarithmic above.
    public static func hzToMel(_ hz: Double) -> Double {
        hz >= logStart ? logStart / spacing + log(hz / logStart) / logStep : hz / spacing
    }

    /// The inverse of `hzToMel`.
    public static func melToHz(_ mel: Double) -> Double {
        let start = logStart / spacing
        return mel >= start ? logStart * exp(logStep * (mel - start)) : spacing * mel
    }

    public init(_ p: LogMelParameters) {
        nMels = p.nMels
        bins = p.bins
        let low = Self.hzToMel(p.fmin), high = Self.hzToMel(p.upperFrequency)
        let count = nMels + 2
        // numpy.linspace: start + i * step, the last point exactly `stop`
        let step = (high - low) / Double(count - 1)
        let hz = (0..<count).map { Self.melToHz($0 == count - 1 ? high : low + Double($0) * step) }
        let binHz = Double(p.sampleRate) / Double(p.nFFT)
        var w = [Double](repeating: 0, count: nMels * bins)
        for m in 0..<nMels {
            let lowerWidth = hz[m + 1] - hz[m], upperWidth = hz[m + 2] - hz[m + 1]
            let norm = 2 / (hz[m + 2] - hz[m])
            for k in 0..<bins {
                let f = Double(k) * binHz
                let rising = (f - hz[m]) / lowerWidth, falling = (hz[m + 2] - f) / upperWidth
                w[m * bins + k] = Double(Float(max(0, min(rising, falling)) * norm))
            }
        }
        weights = w
    }
}
