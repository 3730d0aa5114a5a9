import Foundation

/// One configured feature front end: python_speech_features' MFCC / filter banks or librosa's
/// log-mel. The one place callers ask for frame geometry (samples per window, frames, values per
/// frame, samples between frames) and compute features, whatever the kind.
///
/// Legend: n samples, F frames, W values per frame (numcep, nfilt or n_mels).
public enum FeatureFrontEnd: Sendable, Hashable {
    /// `kind` (mfcc, logfbank or fbank) of `FeatureExtractor`.
    case speech(FeatureParameters, FeatureKind)
    /// `LogMelExtractor`.
    case logMel(LogMelParameters)

    /// Samples per second (Hz).
    public var sampleRate: Int {
        switch self {
        case let .speech(p, _): p.sampleRate
        case let .logMel(p): p.sampleRate
        }
    }

    /// Samples in `seconds`, round half up (0.1 s -> 1600 at 16 kHz).
    public func samples(seconds: Double) -> Int { Framing.roundHalfUp(seconds * Double(sampleRate)) }

    /// Frames F of a signal of n samples.
    public func frameCount(samples n: Int) -> Int {
        switch self {
        case let .speech(p, _): p.frameCount(samples: n)
        case let .logMel(p): p.frameCount(samples: n)
        }
    }

    /// Values per frame W.
    public var width: Int {
        switch self {
        case let .speech(p, kind): p.width(kind)
        case let .logMel(p): p.nMels
        }
    }

    /// Samples between frame starts (winstep * rate or hop_length).
    public var frameStep: Int {
        switch self {
        case let .speech(p, _): p.frameStep
        case let .logMel(p): p.hopLength
        }
    }

    /// Checks the parameters; throws `FeatureParameters.Invalid` naming the first bad key.
    public func validate() throws {
        switch self {
        case let .speech(p, kind):
            try p.validate()
            guard kind.isSpeechFeature else {
                throw FeatureParameters.Invalid(key: "kind", reason: "logmel needs .logMel")
            }
        case let .logMel(p): try p.validate()
        }
    }

    /// Features of a whole signal: values (F, W) row-major.
    public func compute(_ signal: [Float]) -> (frames: Int, values: [Float]) {
        switch self {
        case let .speech(p, kind): FeatureExtractor.shared(p).compute(kind, signal)
        case let .logMel(p): LogMelExtractor.shared(p).compute(signal)
        }
    }

    /// Features of many equal-length windows across threads (see `FeatureExtractor.computeBatch`):
    /// clips[c] (n_c), windows (W) -> output (W, frameCount(length), width), each window computed
    /// on its own (for log-mel, top_db is relative to the window's maximum).
    public func computeBatch(clips: [[Float]], windows: [WindowRef], length: Int,
                             into output: UnsafeMutableBufferPointer<Float>,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        switch self {
        case let .speech(p, kind):
            FeatureExtractor.shared(p).computeBatch(kind, clips: clips, windows: windows, length: length,
                                                    into: output, threads: threads)
        case let .logMel(p):
            let extractor = LogMelExtractor.shared(p)
            let perWindow = frameCount(samples: length) * width
            FeatureBatch.checkWindows(clips: clips, windows: windows, length: length, perWindow: perWindow,
                                      output: output.count)
            guard !windows.isEmpty else { return }
            nonisolated(unsafe) let out = output.baseAddress!
            FeatureBatch.inRuns(count: windows.count, threads: threads) { lo, hi in
                let ws = extractor.makeWorkspace()
                for i in lo..<hi {
                    let w = windows[i]
                    clips[w.clip].withUnsafeBufferPointer { clip in
                        let window = UnsafeBufferPointer(rebasing: clip[w.start..<(w.start + length)])
                        extractor.compute(window, into: out + i * perWindow, workspace: ws)
                    }
                }
            }
        }
    }

    /// Features of every clip whole (F_c, W) per clip, across threads (one clip per task).
    public func computeClips(_ clips: [[Float]],
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [[Float]] {
        nonisolated(unsafe) var results = [[Float]](repeating: [], count: clips.count)
        let lock = NSLock()
        FeatureBatch.inRuns(count: clips.count, threads: threads) { lo, hi in
            for c in lo..<hi {
                let values = compute(clips[c]).values
                lock.lock(); results[c] = values; lock.unlock()
            }
        }
        return results
    }
}
