import Foundation

/// Per-frame spectral descriptors with librosa 0.11 defaults (docs/WORKFLOW.md §12).
///
/// Legend: n samples, T = 1 + n / H frames, N = 2048 (n_fft and frame_length), H = 512 (hop),
/// K = N/2 + 1 bins, f_k = k rate / N. Frames are centred (center=True):
/// - the STFT (centroid, bandwidth, rolloff, flatness) pads N/2 zeros on each side (librosa.stft's
///   default pad_mode "constant"), periodic Hann window, magnitude S (T, K);
/// - rms pads N/2 zeros (pad_mode "constant") and takes sqrt(mean(y^2)) of the raw frame;
/// - zero_crossing_rate pads N/2 copies of the edge samples (np.pad mode "edge") and counts, over
///   the frame's N - 1 neighbour pairs, sign-bit changes after values with |y| <= 1e-10 are set to +0,
///   divided by N.
/// centroid = sum f S / sum S; bandwidth = sqrt(sum (S / sum S)(f - centroid)^2) (p = 2); a frame
/// with sum S below Float.leastNormalMagnitude is left unnormalised (librosa's normalize), so
/// silence gives 0. rolloff = the first f_k whose cumulative sum of S reaches 0.85 of the total.
/// flatness = exp(mean log P) / mean P, P = max(1e-10, S^2).
public enum SpectralDescriptors {
    public static let fftSize = 2048
    public static let hopLength = 512
    public static let rollPercent = 0.85
    public static let flatnessFloor = 1e-10
    public static let zeroThreshold: Float = 1e-10

    /// Per-frame descriptors, each (T).
    public struct Frames: Sendable, Equatable {
        public var zeroCrossingRate: [Double] = []
        public var rms: [Double] = []
        public var centroid: [Double] = []
        public var bandwidth: [Double] = []
        public var rolloff: [Double] = []
        public var flatness: [Double] = []
        /// T.
        public var count: Int { rms.count }
    }

    /// The frames for signal (n) at `sampleRate` Hz. Precondition: n >= 1, sampleRate > 0.
    public static func frames(_ signal: [Float], sampleRate: Int) -> Frames {
        precondition(!signal.isEmpty && sampleRate > 0,
                     "spectral descriptors need samples (got \(signal.count)) and a rate > 0 (got \(sampleRate))")
        let N = fftSize, H = hopLength, K = N / 2 + 1, n = signal.count
        let T = 1 + n / H
        var result = Frames()
        let plan = FFTPlans.shared.realForward(size: N)
        let fft = RealFFTBuffers(size: N)
        let window = (0..<N).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(N)) }
        let freq = (0..<K).map { Double($0) * Double(sampleRate) / Double(N) }
        var magnitude = [Double](repeating: 0, count: K)
        signal.withUnsafeBufferPointer { y in
            // padded index p maps to signal index p - N/2
            @inline(__always) func zeroPadded(_ p: Int) -> Float {
                let i = p - N / 2
                return i >= 0 && i < n ? y[i] : 0
            }
            @inline(__always) func edgePadded(_ p: Int) -> Float { y[min(n - 1, max(0, p - N / 2))] }
            @inline(__always) func signBit(_ v: Float) -> Bool {
                (v >= -zeroThreshold && v <= zeroThreshold) ? false : v.sign == .minus
            }
            for t in 0..<T {
                let first = t * H
                // zero-crossing rate: pairs (p - 1, p) inside the frame
                var crossings = 0
                var previous = signBit(edgePadded(first))
                for p in (first + 1)..<(first + N) {
                    let current = signBit(edgePadded(p))
                    if current != previous { crossings += 1 }
                    previous = current
                }
                result.zeroCrossingRate.append(Double(crossings) / Double(N))
                // rms of the raw zero-padded frame; windowed STFT frame
                var squares = 0.0
                for j in 0..<N {
                    let v = zeroPadded(first + j)
                    squares += Double(v) * Double(v)
                    fft.input[j] = Float(Double(v) * window[j])
                }
                result.rms.append((squares / Double(N)).squareRoot())
                fft.transform(with: plan)
                let x = fft.spectrum
                var total = 0.0
                for k in 0..<K {
                    let re = Double(x[2 * k]), im = Double(x[2 * k + 1])
                    magnitude[k] = Double(Float((re * re + im * im).squareRoot()))  // librosa keeps S in float32
                    total += magnitude[k]
                }
                let norm = total < Double(Float.leastNormalMagnitude) ? 1 : total
                var centroid = 0.0
                for k in 0..<K { centroid += freq[k] * magnitude[k] / norm }
                var spread = 0.0, logSum = 0.0, powerSum = 0.0
                for k in 0..<K {
                    let d = freq[k] - centroid
                    spread += magnitude[k] / norm * d * d
                    let power = max(flatnessFloor, magnitude[k] * magnitude[k])
                    logSum += log(power)
                    powerSum += power
                }
                result.centroid.append(centroid)
                result.bandwidth.append(spread.squareRoot())
                result.flatness.append(exp(logSum / Double(K)) / (powerSum / Double(K)))
                let threshold = rollPercent * total
                var cumulative = 0.0, rolloff = freq[K - 1]
                for k in 0..<K {
                    cumulative += magnitude[k]
                    if cumulative >= threshold { rolloff = freq[k]; break }
                }
                result.rolloff.append(rolloff)
            }
        }
        return result
    }
}

/// The per-clip descriptor vector of the synthetic audio-quality study (docs/WORKFLOW.md §12): the mean
/// over frames of the 13 MFCC (python_speech_features semantics, `mfcc(_:_:)` of this module - not
/// librosa's MFCC), zero-crossing rate, RMS, spectral centroid, bandwidth, rolloff and flatness
/// (librosa 0.11 defaults, see `SpectralDescriptors`).
public struct ClipDescriptors: Sendable, Equatable {
    /// The mean of each MFCC coefficient over the clip's frames (numcep values).
    public var mfccMean: [Float]
    public var zeroCrossingRate: Float
    public var rms: Float
    public var spectralCentroid: Float
    public var spectralBandwidth: Float
    public var spectralRolloff: Float
    public var spectralFlatness: Float
    /// The population standard deviation over frames (numpy's `std`, ddof 0) of each MFCC coefficient.
    public var mfccStd: [Float]
    /// The population standard deviation over frames of zcr, rms, centroid, bandwidth, rolloff and
    /// flatness, in that order.
    public var spectralStd: [Float]

    /// The names of `vector`'s entries for `numcep` MFCC coefficients (19 names for 13).
    public static func names(numcep: Int = 13) -> [String] {
        (0..<numcep).map { "mfcc_mean_\($0)" }
            + ["zcr", "rms", "spectral_centroid", "spectral_bandwidth", "spectral_rolloff", "spectral_flatness"]
    }

    /// mfccMean then zcr, rms, centroid, bandwidth, rolloff, flatness: numcep + 6 values (19).
    public var vector: [Float] {
        mfccMean + [zeroCrossingRate, rms, spectralCentroid, spectralBandwidth, spectralRolloff, spectralFlatness]
    }

    /// Descriptors of signal (n) at `sampleRate` Hz. `mfccParameters` defaults to
    /// `FeatureParameters(sampleRate: sampleRate)` (numcep 13, nfft 512: frames longer than 512
    /// samples are truncated, as in python_speech_features). Precondition: n >= 1, sampleRate > 0.
    public init(_ signal: [Float], sampleRate: Int, mfccParameters: FeatureParameters? = nil) {
        let p = mfccParameters ?? FeatureParameters(sampleRate: sampleRate)
        precondition(p.sampleRate == sampleRate, "MFCC parameters at \(p.sampleRate) Hz for a clip at \(sampleRate) Hz")
        let (frames, values) = mfcc(signal, p)
        var sums = [Double](repeating: 0, count: p.numcep)
        for f in 0..<frames {
            for k in 0..<p.numcep { sums[k] += Double(values[f * p.numcep + k]) }
        }
        mfccMean = sums.map { Float($0 / Double(frames)) }
        var squares = [Double](repeating: 0, count: p.numcep)
        for f in 0..<frames {
            for k in 0..<p.numcep {
                let d = Double(values[f * p.numcep + k]) - sums[k] / Double(frames)
                squares[k] += d * d
            }
        }
        mfccStd = squares.map { Float(($0 / Double(frames)).squareRoot()) }
        let d = SpectralDescriptors.frames(signal, sampleRate: sampleRate)
        func mean(_ x: [Double]) -> Float { Float(x.reduce(0, +) / Double(x.count)) }
        zeroCrossingRate = mean(d.zeroCrossingRate)
        rms = mean(d.rms)
        spectralCentroid = mean(d.centroid)
        spectralBandwidth = mean(d.bandwidth)
        spectralRolloff = mean(d.rolloff)
        spectralFlatness = mean(d.flatness)
        spectralStd = [d.zeroCrossingRate, d.rms, d.centroid, d.bandwidth, d.rolloff, d.flatness].map(Self.std)
    }

    /// Population standard deviation (divisor n) of x, two-pass in Double.
    static func std(_ x: [Double]) -> Float {
        let m = x.reduce(0, +) / Double(x.count)
        return Float((x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot())
    }
}
