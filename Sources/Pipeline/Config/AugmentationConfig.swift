import Foundation

/// The `augmentation:` section: random changes to the training examples of each step (never to
/// validation, test or prediction inputs). Every part is optional; a config without the section
/// (or with an empty one) trains exactly as before. Keys: docs/FORMATS.md §3.
///
/// Audio-domain parts (gain, time shift, noise) change each example's samples before the features
/// are computed, so a step with any of them on computes its batch's features from the cleaned
/// audio instead of taking them from the feature cache. Feature-domain parts (SpecAugment masks,
/// mixup) change the scaled features of the batch.
public struct AugmentationConfig: Equatable, Sendable {
    /// `gain_db: [low, high]`: each example's samples times 10^(g / 20), g uniform in dB.
    public var gainDB: ClosedRange<Double>?
    /// `time_shift_seconds: s`: each example's audio moved by a uniform whole number of samples in
    /// [-s, s] seconds; what moves in from outside the clip is silence.
    public var timeShiftSeconds: Double?
    /// `noise:` noise added at a random signal-to-noise ratio.
    public var noise: NoiseAugmentation?
    /// `spec_augment:` time and frequency masks on the scaled features.
    public var specAugment: SpecAugmentSettings?
    /// `mixup:` pairs of examples of a batch mixed, with mixed targets.
    public var mixup: MixupSettings?

    public init() {}

    /// Whether nothing is on (the section is then treated as absent).
    public var isEmpty: Bool { !needsAudio && specAugment == nil && mixup == nil }
    /// Whether any part works on the audio (batches are then computed from the cleaned clips).
    public var needsAudio: Bool { gainDB != nil || timeShiftSeconds != nil || noise != nil }

    /// `noise: {kind, snr_db, folder, probability}`.
    public struct NoiseAugmentation: Equatable, Sendable {
        /// What is added.
        public enum Kind: String, Sendable, CaseIterable {
            /// Gaussian white noise.
            case white
            /// White noise through Paul Kellet's pink filter (-3 dB per octave).
            case pink
            /// A random stretch of a random clip of `folder`.
            case folder
        }
        public var kind = Kind.white
        /// Signal-to-noise ratio range (dB), drawn uniformly per example.
        public var snrDB: ClosedRange<Double> = 10...30
        /// Folder of noise clips (kind `folder`); a relative path is relative to the data folder.
        public var folder: String?
        /// Chance that an example gets noise.
        public var probability = 1.0
        public init() {}
    }

    /// `spec_augment: {time_masks, time_width, freq_masks, freq_width}`: each example gets
    /// `timeMasks` runs of frames and `freqMasks` runs of coefficients set to 0, each run's width
    /// uniform in 0...width (at most the axis' length) and its start uniform where it fits.
    public struct SpecAugmentSettings: Equatable, Sendable {
        public var timeMasks = 2, timeWidth = 10, freqMasks = 2, freqWidth = 8
        public init() {}
    }

    /// `mixup: {alpha}`: lambda ~ Beta(alpha, alpha) per batch.
    public struct MixupSettings: Equatable, Sendable {
        public var alpha = 0.2
        public init() {}
    }

    /// The section as YAML lines with every default filled in (`ExperimentConfig.yaml`).
    func yamlLines() -> [String] {
        var lines = ["augmentation:"]
        if let g = gainDB { lines.append("  gain_db: [\(g.lowerBound), \(g.upperBound)]") }
        if let s = timeShiftSeconds { lines.append("  time_shift_seconds: \(s)") }
        if let n = noise {
            lines += ["  noise:",
                      "    kind: \(n.kind.rawValue)",
                      "    snr_db: [\(n.snrDB.lowerBound), \(n.snrDB.upperBound)]"]
            if let folder = n.folder { lines.append("    folder: \(yamlScalar(folder))") }
            lines.append("    probability: \(n.probability)")
        }
        if let m = specAugment {
            lines += ["  spec_augment:",
                      "    time_masks: \(m.timeMasks)",
                      "    time_width: \(m.timeWidth)",
                      "    freq_masks: \(m.freqMasks)",
                      "    freq_width: \(m.freqWidth)"]
        }
        if let m = mixup { lines += ["  mixup:", "    alpha: \(m.alpha)"] }
        return lines
    }
}
