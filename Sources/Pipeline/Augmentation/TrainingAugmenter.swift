import Audio
import Foundation
import Tensor

/// The `augmentation:` section applied to training batches. With an audio-domain part on, each
/// example's samples are cut from its cleaned clip, augmented (`AudioAugmentation`), turned into
/// features by the configured front end and scaled with the training scaling, replacing the
/// cached features; then SpecAugment masks each example and mixup mixes the batch. Every draw
/// comes from `AugmentationRandom` with (seed, epoch, step, row in the batch).
public final class TrainingAugmenter: BatchAugmentation {
    /// Where the audio of training example i comes from.
    public enum Examples: Sendable {
        /// Window input: `features.window_seconds` of clip `refs[i].clip` from sample `refs[i].start`.
        case windows([WindowRef])
        /// Clip input: clip i's crop of the epoch (`ClipFeatures.randomStarts`), whose first frame
        /// starts at sample start * frame step; `clips.files[i]` is its table row.
        case clips(ClipFeatures, cropSeed: UInt64)
    }

    public let config: AugmentationConfig
    let features: FeatureConfig
    let inputShape: [Int]
    let scaling: FeatureScaling
    let seed: UInt64
    let classes: Int
    /// Cleaned samples of every table row.
    let audio: [[Float]]
    let examples: Examples
    let audioPart: AudioAugmentation?
    private var cropStarts: (epoch: Int, starts: [Int])?

    /// - Parameters:
    ///   - audio: cleaned samples of every table row (used when an audio-domain part is on).
    ///   - noiseBank: the noise clips (noise kind folder).
    public init(config: AugmentationConfig, features: FeatureConfig, inputShape: [Int], scaling: FeatureScaling,
                seed: UInt64, classes: Int, audio: [[Float]], examples: Examples, noiseBank: NoiseBank? = nil) {
        self.config = config; self.features = features; self.inputShape = inputShape; self.scaling = scaling
        self.seed = seed; self.classes = classes; self.audio = audio; self.examples = examples
        audioPart = config.needsAudio ? AudioAugmentation(config: config, rate: features.rate, noiseBank: noiseBank)
                                      : nil
    }

    /// The augmenter of a prepared data set for `config` (nil when it has no augmentation).
    public static func make(config: ExperimentConfig, prepared: PreparedData) -> TrainingAugmenter? {
        guard let a = config.augmentation else { return nil }
        let examples: Examples = if let clips = prepared.trainClips {
            .clips(clips, cropSeed: WindowSource.cropSeed(config))
        } else {
            .windows(prepared.trainWindowRefs ?? [])
        }
        return TrainingAugmenter(config: a, features: config.features, inputShape: config.inputShape,
                                 scaling: prepared.scaling, seed: UInt64(config.training.seed),
                                 classes: prepared.classes.count, audio: prepared.clips, examples: examples,
                                 noiseBank: prepared.noiseBank)
    }

    /// Samples per example: a window, or a clip crop.
    var length: Int { features.input == .clip ? features.clipSamples : features.windowSamples }

    public func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>,
                        epoch: Int, step: Int) -> Tensor? {
        if let audioPart {
            let segments = indices.enumerated().map { b, i in
                var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: b, stream: .audio)
                let d = audioPart.draw(&rng)
                let (clip, start) = source(of: i, epoch: epoch)
                return audioPart.apply(d, clip: audio[clip], start: start, length: length, rng: &rng)
            }
            let refs = segments.indices.map { WindowRef(clip: $0, start: 0) }
            x.ensureShape([segments.count] + inputShape)
            x.data.withUnsafeMutableBufferPointer { out in
                features.frontEnd.computeBatch(clips: segments, windows: refs, length: length, into: out)
            }
            scaling.apply(to: &x)
        }
        if let s = config.specAugment {
            let masker = SpecAugment(s), frames = inputShape[0], coefficients = inputShape[1]
            let per = x.count / max(labels.count, 1)
            x.data.withUnsafeMutableBufferPointer { p in
                for b in 0..<labels.count {
                    var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: b,
                                                           stream: .masks)
                    let masks = masker.masks(frames: frames, coefficients: coefficients, rng: &rng)
                    SpecAugment.apply(masks, to: p.baseAddress! + b * per, frames: frames, coefficients: coefficients)
                }
            }
        }
        guard let m = config.mixup else { return nil }
        var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: -1, stream: .mixup)
        let (lambda, partner) = Mixup(alpha: m.alpha).draw(count: labels.count, rng: &rng)
        return Mixup.apply(lambda: lambda, partner: partner, x: &x, labels: &labels, classes: classes)
    }

    /// The table row and first sample of training example `i` in `epoch`.
    func source(of i: Int, epoch: Int) -> (clip: Int, start: Int) {
        switch examples {
        case .windows(let refs):
            return (refs[i].clip, refs[i].start)
        case let .clips(clips, cropSeed):
            if cropStarts?.epoch != epoch {
                cropStarts = (epoch, clips.randomStarts(epoch: epoch, seed: cropSeed, cropFrames: inputShape[0]))
            }
            let row = Int(clips.files[i]), n = max(audio[row].count, length)
            return (row, min(cropStarts!.starts[i] * features.frameStep, n - length))
        }
    }
}
