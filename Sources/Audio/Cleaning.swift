import Foundation

/// The reference cleaning step (docs/WORKFLOW.md §2): decode -> mono -> resample -> envelope gate.
public enum Cleaning {
    /// The reference target rate (Hz).
    public static let defaultTargetRate = 16000

    /// Resamples a decoded clip to `targetRate` and keeps the samples the envelope gate passes.
    ///
    /// Shape: clip.samples (n) at clip.sampleRate -> (m) at targetRate, m <= n * targetRate / rate.
    /// The result may be empty (a silent clip); the caller decides what is too short.
    /// `name` labels errors (the file's path). Throws `AudioError` when resampling fails.
    public static func clean(_ clip: AudioClip, targetRate: Int = defaultTargetRate,
                             threshold: Double = EnvelopeGate.defaultThreshold,
                             name: String = "clip") throws -> [Float] {
        let resampled = try Resampler.resample(clip.samples, from: clip.sampleRate, to: targetRate, name: name)
        return EnvelopeGate.apply(resampled, sampleRate: targetRate, threshold: threshold)
    }

    /// Decodes `url` and cleans it: see `AudioDecoder.decode(contentsOf:)` and `clean(_:targetRate:threshold:name:)`.
    public static func clean(contentsOf url: URL, targetRate: Int = defaultTargetRate,
                             threshold: Double = EnvelopeGate.defaultThreshold) throws -> [Float] {
        let clip = try AudioDecoder.decode(contentsOf: url)
        return try clean(clip, targetRate: targetRate, threshold: threshold, name: url.path)
    }
}
