import CSupport
import Foundation

/// python_speech_features' fbank / logfbank / mfcc for one parameter set (docs/WORKFLOW.md §3).
///
/// Legend: n signal samples, F frames, L frame length, N nfft, B = N/2 + 1 bins, M nfilt, C numcep.
/// Per frame: pre-emphasis and framing (Float) -> FFTW r2c (Float) -> power |X|^2/N, energy, mel
/// energies, log, DCT-II (orthonormal) and lifter (all Double) -> Float output.
/// Zeros of the energy and of the mel energies are replaced by eps = 2.220446049250313e-16.
/// Immutable after init and safe to share between threads; each thread needs its own workspace.
public final class FeatureExtractor: Sendable {
    /// numpy.finfo(float).eps: the floor of zero energies before the log.
    public static let eps = 2.220446049250313e-16

    public let parameters: FeatureParameters
    public let filterBank: MelFilterBank
    /// Samples per frame (L) and between frames (S).
    public let frameLength: Int
    public let frameStep: Int
    let plan: RealFFTPlan
    // Immutable tables in raw memory, so that threads sharing the extractor touch no reference
    // counts in the frame loop. dct (M, dctStride): the orthonormal DCT-II rows 0..<C with the
    // lifter folded in, stored transposed and each row padded with zeros to a multiple of `lanes`,
    // so that the frame loop sums the C coefficients in 8-lane registers; and the filters' nonzero
    // spans, padded with zero weights to a multiple of `lanes`.
    nonisolated(unsafe) let dct: UnsafeMutablePointer<Double>
    let dctStride: Int
    let melFilters: SparseFilters

    /// The vector width of the mel sums and the DCT: 8 Doubles (one AVX-512 register).
    static let lanes = 8

    private static let cache = SharedCache<FeatureParameters, FeatureExtractor>()

    /// The extractor for `parameters`, built once per parameter set and shared (thread-safe).
    public static func shared(_ parameters: FeatureParameters) -> FeatureExtractor {
        cache.value(for: parameters, make: FeatureExtractor.init)
    }

    /// Builds the filter bank, DCT and FFT plan. Precondition: `parameters.validate()` passes
    /// (call it first on user-supplied values to get a thrown error instead).
    public init(_ parameters: FeatureParameters) {
        do { try parameters.validate() } catch { preconditionFailure("\(error)") }
        self.parameters = parameters
        frameLength = parameters.frameLength
        frameStep = parameters.frameStep
        filterBank = MelFilterBank(nfilt: parameters.nfilt, nfft: parameters.nfft, sampleRate: parameters.sampleRate,
                                   lowFreq: parameters.lowFreq, highFreq: parameters.upperFrequency)
        plan = FFTPlans.shared.realForward(size: parameters.nfft)
        let M = parameters.nfilt, C = parameters.numcep, L = parameters.ceplifter
        let stride = (C + Self.lanes - 1) / Self.lanes * Self.lanes
        var dct = [Double](repeating: 0, count: max(1, stride * M))
        for k in 0..<C {
            let scale = k == 0 ? (1 / Double(M)).squareRoot() : (2 / Double(M)).squareRoot()
            let lift = L > 0 ? 1 + (L / 2) * sin(Double.pi * Double(k) / L) : 1
            for m in 0..<M {
                dct[m * stride + k] = lift * scale * cos(Double.pi * Double(k) * Double(2 * m + 1) / Double(2 * M))
            }
        }
        self.dct = Self.copy(dct)
        dctStride = stride
        let sparse = filterBank.sparse
        melFilters = SparseFilters(starts: sparse.starts, offsets: sparse.offsets, weights: sparse.weights,
                                   paddedTo: Self.lanes)
        precondition(melFilters.readLength <= FeatureWorkspace.powerCapacity(parameters),
                     "mel spans read \(melFilters.readLength) bins past the workspace's power buffer")
    }

    deinit { dct.deallocate() }

    private static func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
        p.initialize(from: values, count: values.count)
        return p
    }

    /// Frames F for a signal of n samples.
    public func frameCount(samples n: Int) -> Int {
        Framing.frameCount(samples: n, frameLength: frameLength, frameStep: frameStep)
    }

    /// Values per frame of `kind` (C for MFCC, M otherwise).
    public func width(_ kind: FeatureKind) -> Int { parameters.width(kind) }

    /// Scratch for one thread.
    public func makeWorkspace() -> FeatureWorkspace { FeatureWorkspace(parameters) }

    /// Computes `kind` for signal (n) into out (F, width), row-major, and optionally the frame
    /// energies (F) (eps-floored sums of the power spectrum). No allocation.
    public func compute(_ kind: FeatureKind, _ signal: UnsafeBufferPointer<Float>,
                        into out: UnsafeMutablePointer<Float>, energies: UnsafeMutablePointer<Float>? = nil,
                        workspace ws: FeatureWorkspace) {
        precondition(ws.fft.size == parameters.nfft && ws.nfilt == parameters.nfilt,
                     "workspace for nfft \(ws.fft.size), nfilt \(ws.nfilt) "
                     + "used with nfft \(parameters.nfft), nfilt \(parameters.nfilt)")
        precondition(kind.isSpeechFeature, "logmel is computed by LogMelExtractor")
        let N = parameters.nfft, M = parameters.nfilt, C = parameters.numcep
        let frames = frameCount(samples: signal.count)
        let width = parameters.width(kind)
        let eps = Self.eps
        let dct = self.dct, dctStride = self.dctStride, starts = melFilters.starts, offsets = melFilters.offsets, weights = melFilters.weights
        let power = ws.power, mel = ws.mel, logMel = ws.logMel
        let emphasized = ws.emphasized(count: signal.count)
        Framing.preemphasize(signal, coefficient: parameters.preemph, into: emphasized)
        for f in 0..<frames {
            Framing.writeFrame(emphasized, count: signal.count, frame: f, frameLength: frameLength,
                               frameStep: frameStep, into: ws.fft.input, fftSize: N)
            ws.fft.transform(with: plan)
            var energy = ws.fft.powerSpectrum(into: power, scale: Double(N))
            if energy == 0 { energy = eps }
            energies?[f] = Float(energy)
            // mel (M) = filters (M, B) x power (B), sparse rows padded to 8 lanes (the power buffer's
            // tail past B is zeros); zeros -> eps
            for m in 0..<M {
                let total = Self.dot(weights + offsets[m], power + starts[m], count: offsets[m + 1] - offsets[m])
                mel[m] = total == 0 ? eps : total
            }
            let row = out + f * width
            if kind != .fbank { earmark_log_f64(mel, logMel, M) }     // the M logs in 8-lane vectors
            switch kind {
            case .fbank:
                for m in 0..<M { row[m] = Float(mel[m]) }
            case .logfbank:
                for m in 0..<M { row[m] = Float(logMel[m]) }
            case .mfcc:
                // c (C) = sum over m in order of dct[m] (C) * log mel[m]: the same sums as row by
                // row (multiply, then add), the C sums side by side in 8-lane registers
                var k0 = 0
                while k0 < C {
                    var c = SIMD8<Double>(repeating: 0)
                    for m in 0..<M {
                        let d = UnsafeRawPointer(dct + (m &* dctStride &+ k0)).loadUnaligned(as: SIMD8<Double>.self)
                        c += d * SIMD8(repeating: logMel[m])
                    }
                    for k in k0..<min(C, k0 &+ 8) { row[k] = Float(c[k &- k0]) }
                    k0 &+= 8
                }
                if parameters.appendEnergy { row[0] = Float(log(energy)) }
            case .logmel:
                break
            }
        }
    }

    /// sum of w[k] p[k] over k < count: 8 partial sums side by side (one 8-lane vector), then the
    /// remainder. A filter's span is 10-40 bins at the reference settings; one sum in one chain of
    /// dependent additions was 15% of the MFCC profile.
    @inline(__always)
    static func dot(_ w: UnsafePointer<Double>, _ p: UnsafePointer<Double>, count: Int) -> Double {
        let (wr, pr) = (UnsafeRawPointer(w), UnsafeRawPointer(p))
        var partial = SIMD8<Double>(repeating: 0)
        var k = 0
        while k &+ 8 <= count {
            partial += wr.loadUnaligned(fromByteOffset: k &* 8, as: SIMD8<Double>.self)
                * pr.loadUnaligned(fromByteOffset: k &* 8, as: SIMD8<Double>.self)
            k &+= 8
        }
        var total = partial.sum()
        while k < count { total += w[k] * p[k]; k &+= 1 }
        return total
    }

    /// `kind` for a whole signal: values (F, width) row-major.
    public func compute(_ kind: FeatureKind, _ signal: [Float]) -> (frames: Int, values: [Float]) {
        let frames = frameCount(samples: signal.count)
        var values = [Float](repeating: 0, count: frames * width(kind))
        let ws = makeWorkspace()
        signal.withUnsafeBufferPointer { s in
            values.withUnsafeMutableBufferPointer { v in compute(kind, s, into: v.baseAddress!, workspace: ws) }
        }
        return (frames, values)
    }
}

/// One thread's scratch for `FeatureExtractor.compute`: FFT buffers (N), power (B, then zeros up to
/// `powerCapacity`: the padded mel spans read past B), mel energies (M) and their logs (M).
public final class FeatureWorkspace {
    let fft: RealFFTBuffers
    let nfilt: Int
    let power: UnsafeMutablePointer<Double>
    let mel: UnsafeMutablePointer<Double>
    /// Their logarithms (M).
    let logMel: UnsafeMutablePointer<Double>
    /// The pre-emphasised signal (n), grown to the longest signal seen.
    private var emphasizedSignal: UnsafeMutablePointer<Float>
    private var emphasizedCapacity: Int

    /// The pre-emphasis buffer for a signal of n samples (reallocated only to grow).
    func emphasized(count n: Int) -> UnsafeMutablePointer<Float> {
        if n > emphasizedCapacity {
            emphasizedSignal.deallocate()
            emphasizedCapacity = max(n, 2 * emphasizedCapacity)
            emphasizedSignal = .allocate(capacity: emphasizedCapacity)
        }
        return emphasizedSignal
    }

    /// Doubles in the power buffer: B and the `lanes - 1` zeros a padded mel span may read past it.
    static func powerCapacity(_ parameters: FeatureParameters) -> Int {
        parameters.bins + FeatureExtractor.lanes - 1
    }

    public init(_ parameters: FeatureParameters) {
        fft = RealFFTBuffers(size: parameters.nfft)
        nfilt = parameters.nfilt
        power = .allocate(capacity: Self.powerCapacity(parameters))
        power.initialize(repeating: 0, count: Self.powerCapacity(parameters))
        mel = .allocate(capacity: parameters.nfilt)
        mel.initialize(repeating: 0, count: parameters.nfilt)
        logMel = .allocate(capacity: parameters.nfilt)
        logMel.initialize(repeating: 0, count: parameters.nfilt)
        emphasizedCapacity = max(1, parameters.samples(seconds: 0.1))
        emphasizedSignal = .allocate(capacity: emphasizedCapacity)
    }

    deinit {
        power.deallocate()
        mel.deallocate()
        logMel.deallocate()
        emphasizedSignal.deallocate()
    }
}

/// MFCC of python_speech_features: values (frames, numcep) row-major. An empty signal gives one
/// all-zero frame (Python raises). Shape: signal (n) -> (F, C).
public func mfcc(_ signal: [Float],
                 _ parameters: FeatureParameters = FeatureParameters()) -> (frames: Int, values: [Float]) {
    FeatureExtractor.shared(parameters).compute(.mfcc, signal)
}

/// Log mel filter-bank energies of python_speech_features: values (frames, nfilt) row-major.
public func logfbank(_ signal: [Float],
                     _ parameters: FeatureParameters = FeatureParameters()) -> (frames: Int, values: [Float]) {
    FeatureExtractor.shared(parameters).compute(.logfbank, signal)
}

/// Mel filter-bank energies (frames, nfilt) and frame energies (frames) of python_speech_features'
/// fbank, zeros floored to eps.
public func fbank(_ signal: [Float], _ parameters: FeatureParameters = FeatureParameters())
    -> (frames: Int, values: [Float], energy: [Float]) {
    let extractor = FeatureExtractor.shared(parameters)
    let frames = extractor.frameCount(samples: signal.count)
    var values = [Float](repeating: 0, count: frames * parameters.nfilt)
    var energy = [Float](repeating: 0, count: frames)
    let ws = extractor.makeWorkspace()
    signal.withUnsafeBufferPointer { s in
        values.withUnsafeMutableBufferPointer { v in
            energy.withUnsafeMutableBufferPointer { e in
                extractor.compute(.fbank, s, into: v.baseAddress!, energies: e.baseAddress!, workspace: ws)
            }
        }
    }
    return (frames, values, energy)
}
