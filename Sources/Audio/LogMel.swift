import Foundation

/// librosa 0.11's `power_to_db(melspectrogram(y, ...), ref=1.0, amin=1e-10, top_db)` for one
/// parameter set (see `LogMelParameters` for the defaults it follows).
///
/// Legend: n signal samples, N nFFT, H hopLength, B = N/2 + 1 bins, M nMels, F frames.
/// Per frame: centred, zero-padded frame times the periodic Hann window (Float) -> FFTW r2c (Float)
/// -> power |X|^2 (Double) -> mel energies (M, B) x (B) (Double) -> 10 log10(max(amin, e)).
/// `topDB` then clips every value of the array computed (one window, or one whole clip) to
/// (its maximum - topDB), as power_to_db does on the array it is given.
/// Immutable after init and safe to share between threads; each thread needs its own workspace.
public final class LogMelExtractor: Sendable {
    public let parameters: LogMelParameters
    public let filterBank: SlaneyMelFilterBank
    let plan: RealFFTPlan
    // Immutable tables in raw memory (no reference counting in the frame loop): the window (N) and
    // the filters' nonzero spans.
    nonisolated(unsafe) let window: UnsafeMutablePointer<Float>
    let melFilters: SparseFilters

    private static let cache = SharedCache<LogMelParameters, LogMelExtractor>()

    /// The extractor for `parameters`, built once per parameter set and shared (thread-safe).
    public static func shared(_ parameters: LogMelParameters) -> LogMelExtractor {
        cache.value(for: parameters, make: LogMelExtractor.init)
    }

    /// Builds the window, filter bank and FFT plan. Precondition: `parameters.validate()` passes.
    public init(_ parameters: LogMelParameters) {
        do { try parameters.validate() } catch { preconditionFailure("\(error)") }
        self.parameters = parameters
        filterBank = SlaneyMelFilterBank(parameters)
        plan = FFTPlans.shared.realForward(size: parameters.nFFT)
        let N = parameters.nFFT
        window = .allocate(capacity: N)
        for i in 0..<N { window[i] = Float(0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(N))) }
        melFilters = SparseFilters(dense: filterBank.weights, rows: parameters.nMels,
                                   columns: parameters.bins)
    }

    deinit { window.deallocate() }

    /// Frames F for a signal of n samples.
    public func frameCount(samples n: Int) -> Int { parameters.frameCount(samples: n) }

    /// Scratch for one thread.
    public func makeWorkspace() -> LogMelWorkspace { LogMelWorkspace(parameters) }

    /// Log-mel values of signal (n) into out (F, M), row-major, top_db applied over these F x M
    /// values. No allocation.
    public func compute(_ signal: UnsafeBufferPointer<Float>, into out: UnsafeMutablePointer<Float>,
                        workspace ws: LogMelWorkspace) {
        precondition(ws.fft.size == parameters.nFFT, "workspace for n_fft \(ws.fft.size) used with \(parameters.nFFT)")
        let N = parameters.nFFT, H = parameters.hopLength, M = parameters.nMels, pad = parameters.padding
        let n = signal.count, frames = frameCount(samples: n)
        let amin = LogMelParameters.amin
        let starts = melFilters.starts, offsets = melFilters.offsets, weights = melFilters.weights
        let power = ws.power
        var top = -Double.infinity
        for f in 0..<frames {
            // padded sample f H + j is signal sample f H + j - pad (zero outside the signal)
            let first = f * H - pad
            let input = ws.fft.input
            let lo = max(0, -first), hi = min(N, n - first)
            if lo > 0 { input.update(repeating: 0, count: min(lo, N)) }
            if lo < hi {
                let src = signal.baseAddress! + first
                for j in lo..<hi { input[j] = src[j] * window[j] }
            }
            if max(lo, hi) < N { (input + max(lo, hi)).update(repeating: 0, count: N - max(lo, hi)) }
            ws.fft.transform(with: plan)
            _ = ws.fft.powerSpectrum(into: power, scale: 1)
            let row = out + f * M
            for m in 0..<M {
                let p = power + starts[m], w = weights + offsets[m]
                var total = 0.0
                for k in 0..<(offsets[m + 1] - offsets[m]) { total += w[k] * p[k] }
                let db = 10 * log10(max(amin, total))
                top = max(top, db)
                row[m] = Float(db)
            }
        }
        if let topDB = parameters.topDB {
            let floor = Float(top - topDB)
            for i in 0..<(frames * M) where out[i] < floor { out[i] = floor }
        }
    }

    /// Log-mel values of a whole signal: (F, M) row-major.
    public func compute(_ signal: [Float]) -> (frames: Int, values: [Float]) {
        let frames = frameCount(samples: signal.count)
        var values = [Float](repeating: 0, count: frames * parameters.nMels)
        let ws = makeWorkspace()
        signal.withUnsafeBufferPointer { s in
            values.withUnsafeMutableBufferPointer { v in compute(s, into: v.baseAddress!, workspace: ws) }
        }
        return (frames, values)
    }
}

/// One thread's scratch for `LogMelExtractor.compute`: FFT buffers (N) and the power spectrum (B).
public final class LogMelWorkspace {
    let fft: RealFFTBuffers
    let power: UnsafeMutablePointer<Double>

    public init(_ parameters: LogMelParameters) {
        fft = RealFFTBuffers(size: parameters.nFFT)
        power = .allocate(capacity: parameters.bins)
        power.initialize(repeating: 0, count: parameters.bins)
    }

    deinit { power.deallocate() }
}

/// librosa 0.11 `power_to_db(melspectrogram(y, sr, n_fft, hop_length, n_mels, fmin, fmax), top_db)`
/// transposed: values (frames, n_mels) row-major.
public func logMel(_ signal: [Float], _ parameters: LogMelParameters = LogMelParameters())
    -> (frames: Int, values: [Float]) {
    LogMelExtractor.shared(parameters).compute(signal)
}
