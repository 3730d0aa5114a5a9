import Foundation

/// Settings of the log-mel front end, with librosa 0.11's names and defaults where they exist
/// (`melspectrogram` then `power_to_db`): centred frames (`center=True`, zero padding of n_fft/2
/// samples each side, librosa's default `pad_mode="constant"`), periodic Hann window of n_fft
/// samples, power 2, Slaney mel scale and Slaney area norm, 10 log10(max(1e-10, S)) (ref 1.0),
/// clipped to (max - topDB) over the array computed.
///
/// Frame geometry (legend: n samples, N nFFT, H hopLength): F = 1 + (n + 2 floor(N/2) - N) / H
/// (floor), i.e. 1 + n / H for an even N; frame f covers padded samples [f H, f H + N).
public struct LogMelParameters: Sendable, Hashable {
    /// Samples per second of the signal (Hz).
    public var sampleRate: Int
    /// Mel bands (values per frame).
    public var nMels: Int
    /// FFT size = window length in samples.
    public var nFFT: Int
    /// Samples between frame starts.
    public var hopLength: Int
    /// Lowest mel edge (Hz).
    public var fmin: Double
    /// Highest mel edge (Hz); nil means rate/2.
    public var fmax: Double?
    /// Dynamic range kept below the array's maximum (dB); nil keeps everything (librosa `top_db=None`).
    public var topDB: Double?

    /// The floor of the power before the log (librosa's `amin`).
    public static let amin = 1e-10

    public init(sampleRate: Int = 16000, nMels: Int = 64, nFFT: Int = 1024, hopLength: Int = 512,
                fmin: Double = 0, fmax: Double? = nil, topDB: Double? = 80) {
        self.sampleRate = sampleRate
        self.nMels = nMels
        self.nFFT = nFFT
        self.hopLength = hopLength
        self.fmin = fmin
        self.fmax = fmax
        self.topDB = topDB
    }

    /// The effective upper mel edge (Hz).
    public var upperFrequency: Double { fmax ?? Double(sampleRate) / 2 }
    /// Power-spectrum bins: nFFT/2 + 1.
    public var bins: Int { nFFT / 2 + 1 }
    /// Zeros added before the first sample (and after the last): nFFT/2.
    public var padding: Int { nFFT / 2 }

    /// Frames of a signal of `samples` samples (librosa's centred count; 16000 -> 32 at hop 512).
    public func frameCount(samples n: Int) -> Int {
        max(1, 1 + (n + 2 * padding - nFFT) / hopLength)
    }

    /// Samples in `seconds` of signal: round_half_up(seconds * rate), as the speech front end.
    public func samples(seconds: Double) -> Int { Framing.roundHalfUp(seconds * Double(sampleRate)) }

    /// Checks that every value can be computed; throws `FeatureParameters.Invalid` naming the first bad key.
    public func validate() throws {
        func fail(_ key: String, _ reason: String) -> FeatureParameters.Invalid { .init(key: key, reason: reason) }
        guard sampleRate > 0 else { throw fail("sampleRate", "\(sampleRate) must be > 0") }
        guard nFFT >= 2, nFFT <= FeatureParameters.maximumFFTSize else {
            throw fail("n_fft", "\(nFFT) must be in 2...\(FeatureParameters.maximumFFTSize)")
        }
        guard hopLength >= 1 else { throw fail("hop_length", "\(hopLength) must be >= 1") }
        guard nMels >= 1 else { throw fail("n_mels", "\(nMels) must be >= 1") }
        guard fmin.isFinite, fmin >= 0 else { throw fail("fmin", "\(fmin) must be >= 0") }
        let high = upperFrequency
        guard high.isFinite, high > fmin, high <= Double(sampleRate) / 2 else {
            throw fail("fmax", "\(high) Hz must be above fmin (\(fmin)) and at most rate/2 (\(Double(sampleRate) / 2))")
        }
        if let t = topDB { guard t.isFinite, t >= 0 else { throw fail("top_db", "\(t) must be >= 0") } }
    }
}
