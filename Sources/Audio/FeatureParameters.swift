/// Settings of the MFCC / filter-bank front end, with python_speech_features' names and defaults
/// (docs/WORKFLOW.md §3): rectangular window, lowFreq 0, highFreq rate/2.
public struct FeatureParameters: Sendable, Hashable, Codable {
    /// Samples per second of the signal (Hz).
    public var sampleRate: Int
    /// Frame length in seconds (0.025 s -> 400 samples at 16 kHz).
    public var winlen: Double
    /// Frame step in seconds (0.01 s -> 160 samples at 16 kHz).
    public var winstep: Double
    /// Cepstral coefficients kept (<= nfilt).
    public var numcep: Int
    /// Mel filters.
    public var nfilt: Int
    /// FFT size; frames longer than this are truncated to nfft samples, shorter ones zero-padded.
    public var nfft: Int
    /// Lowest filter edge (Hz).
    public var lowFreq: Double
    /// Highest filter edge (Hz); nil (or 0, as in Python's `highfreq or samplerate/2`) means rate/2.
    public var highFreq: Double?
    /// Pre-emphasis coefficient: out[n] = s[n] - preemph s[n-1].
    public var preemph: Double
    /// Cepstral lifter L: c[n] *= 1 + (L/2) sin(pi n / L); L <= 0 disables it.
    public var ceplifter: Double
    /// Replace c0 with the log of the frame's total power.
    public var appendEnergy: Bool

    public init(sampleRate: Int = 16000, winlen: Double = 0.025, winstep: Double = 0.01, numcep: Int = 13,
                nfilt: Int = 26, nfft: Int = 512, lowFreq: Double = 0, highFreq: Double? = nil,
                preemph: Double = 0.97, ceplifter: Double = 22, appendEnergy: Bool = true) {
        self.sampleRate = sampleRate
        self.winlen = winlen
        self.winstep = winstep
        self.numcep = numcep
        self.nfilt = nfilt
        self.nfft = nfft
        self.lowFreq = lowFreq
        self.highFreq = highFreq
        self.preemph = preemph
        self.ceplifter = ceplifter
        self.appendEnergy = appendEnergy
    }

    /// Samples per frame: round_half_up(winlen * rate) (400 at 16 kHz, 1103 at 44.1 kHz).
    public var frameLength: Int { Framing.roundHalfUp(winlen * Double(sampleRate)) }
    /// Samples between frame starts: round_half_up(winstep * rate) (160 at 16 kHz, 441 at 44.1 kHz).
    public var frameStep: Int { Framing.roundHalfUp(winstep * Double(sampleRate)) }
    /// Power-spectrum bins: nfft/2 + 1 (floor).
    public var bins: Int { nfft / 2 + 1 }
    /// The effective upper filter edge (Hz).
    public var upperFrequency: Double {
        if let high = highFreq, high != 0 { return high }
        return Double(sampleRate) / 2
    }

    /// Frames for a signal of `samples` samples: 1 if samples <= frameLength, else
    /// 1 + ceil((samples - frameLength) / frameStep). 1600 samples at 16 kHz -> 9.
    public func frameCount(samples: Int) -> Int {
        Framing.frameCount(samples: samples, frameLength: frameLength, frameStep: frameStep)
    }

    /// Samples in `seconds` of signal: round_half_up(seconds * rate) (0.1 s -> 1600 at 16 kHz).
    public func samples(seconds: Double) -> Int { Framing.roundHalfUp(seconds * Double(sampleRate)) }

    /// Values per frame of a feature kind: numcep for MFCC, nfilt for the filter banks
    /// (`.logmel` is not computed from these parameters: its width is `LogMelParameters.nMels`).
    public func width(_ kind: FeatureKind) -> Int {
        switch kind {
        case .mfcc: numcep
        case .logfbank, .fbank: nfilt
        case .logmel:
            preconditionFailure("logmel is computed by LogMelExtractor (width n_mels), not from FeatureParameters")
        }
    }

    /// The largest FFT size accepted.
    public static let maximumFFTSize = 1 << 20

    /// A parameter set that cannot be computed; `key` is the parameter's name.
    public struct Invalid: Error, CustomStringConvertible, Equatable, Sendable {
        public let key: String
        public let reason: String
        public var description: String { "feature parameter \(key): \(reason)" }
    }

    /// Checks that every value can be computed; throws `Invalid` naming the first bad key.
    public func validate() throws {
        func fail(_ key: String, _ reason: String) -> Invalid { Invalid(key: key, reason: reason) }
        guard sampleRate > 0 else { throw fail("sampleRate", "\(sampleRate) must be > 0") }
        guard winlen.isFinite, winlen > 0, frameLength >= 1 else {
            throw fail("winlen",
                       "\(winlen) s gives \(winlen.isFinite ? frameLength : 0) samples at \(sampleRate) Hz; need >= 1")
        }
        guard winstep.isFinite, winstep > 0, frameStep >= 1 else {
            throw fail("winstep",
                       "\(winstep) s gives \(winstep.isFinite ? frameStep : 0) samples at \(sampleRate) Hz; need >= 1")
        }
        guard nfft >= 2, nfft <= Self.maximumFFTSize else {
            throw fail("nfft", "\(nfft) must be in 2...\(Self.maximumFFTSize)")
        }
        guard nfilt >= 1 else { throw fail("nfilt", "\(nfilt) must be >= 1") }
        guard numcep >= 1, numcep <= nfilt else { throw fail("numcep", "\(numcep) must be in 1...nfilt (\(nfilt))") }
        guard lowFreq.isFinite, lowFreq >= 0 else { throw fail("lowFreq", "\(lowFreq) must be >= 0") }
        let high = upperFrequency
        guard high.isFinite, high > lowFreq, high <= Double(sampleRate) / 2 else {
            throw fail("highFreq",
                       "\(high) Hz must be above lowFreq (\(lowFreq)) and at most rate/2 (\(Double(sampleRate) / 2))")
        }
        guard preemph.isFinite else { throw fail("preemph", "\(preemph) must be finite") }
        guard ceplifter.isFinite else { throw fail("ceplifter", "\(ceplifter) must be finite") }
    }
}

/// The feature a front end produces per frame.
public enum FeatureKind: String, Sendable, CaseIterable, Codable {
    /// Liftered MFCC with log energy as c0: numcep values.
    case mfcc
    /// Natural log of the mel filter-bank energies: nfilt values.
    case logfbank
    /// Mel filter-bank energies (zeros floored to eps): nfilt values.
    case fbank
    /// librosa's log-mel spectrogram in dB (`LogMelExtractor`, `LogMelParameters`): n_mels values.
    case logmel

    /// Whether the kind is computed by python_speech_features' front end (`FeatureExtractor`).
    public var isSpeechFeature: Bool { self != .logmel }
}
