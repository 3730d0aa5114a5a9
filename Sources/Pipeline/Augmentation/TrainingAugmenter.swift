import Audio
import Foundation
import Tensor

/// The `augmentation:` section applied to training batches. With an audio-domain part on, each
/// example's samples are cut from its cleaned clip, augmented (`AudioAugmentation`), turned into
/// features by the configured front end and scaled with the training scaling, replacing the
/// cached features; then SpecAugment masks each example and mixup mixes the batch. Every draw
/// comes from `AugmentationRandom` with (seed, epoch, step, row in the global batch), so a rank's
/// shard of a batch is augmented as those rows of the whole batch are.
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
    /// Where the per-example work runs (`spread(over:)`); serial until a trainer sets its engine's.
    private(set) var loop = ParallelLoop.serial
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

    public func spread(over loop: ParallelLoop) { self.loop = loop }

    /// Samples per example: a window, or a clip crop.
    var length: Int { features.input == .clip ? features.clipSamples : features.windowSamples }

    public func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>,
                        epoch: Int, step: Int) -> Tensor? {
        augmentRows(&x, examples: Array(indices), rows: Array(0..<indices.count), epoch: epoch, step: step)
        guard let m = config.mixup else { return nil }
        let (lambda, partner) = drawMixup(m, count: labels.count, epoch: epoch, step: step)
        return Mixup.apply(lambda: lambda, partner: partner, x: &x, labels: &labels, classes: classes)
    }

    /// A rank's shard `rows` of the augmented batch, computing only the rows it needs: its own, and
    /// with mixup their partners (the pairing is drawn over the whole batch, as on one rank).
    public func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, rows: Range<Int>,
                        of set: WindowSet, epoch: Int, step: Int) -> Tensor? {
        let all = Array(indices)
        guard let m = config.mixup else {
            set.gather(all[rows], into: &x, labels: &labels)
            augmentRows(&x, examples: Array(all[rows]), rows: Array(rows), epoch: epoch, step: step)
            return nil
        }
        let (lambda, partner) = drawMixup(m, count: all.count, epoch: epoch, step: step)
        let needed = Set(rows).union(rows.map { partner[$0] }).sorted()
        var position = [Int](repeating: -1, count: all.count)
        for (i, b) in needed.enumerated() { position[b] = i }
        var source = Tensor.empty, sourceLabels: [Int32] = []
        let examples = needed.map { all[$0] }
        set.gather(examples[...], into: &source, labels: &sourceLabels)
        augmentRows(&source, examples: examples, rows: needed, epoch: epoch, step: step)
        let mixed = Mixup.mix(lambda: lambda, partner: partner, rows: rows, source: source,
                              sourceLabels: sourceLabels, position: position, classes: classes)
        x = mixed.x; labels = mixed.labels
        return mixed.targets
    }

    /// The batch's mixup lambda and pairing over `count` rows (its own stream, row -1).
    func drawMixup(_ m: AugmentationConfig.MixupSettings, count: Int, epoch: Int,
                   step: Int) -> (lambda: Double, partner: [Int]) {
        var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: -1, stream: .mixup)
        return Mixup(alpha: m.alpha).draw(count: count, rng: &rng)
    }

    /// The audio parts and SpecAugment on `x`, whose row b is training example `examples[b]` at row
    /// `rows[b]` of the batch (every draw comes from that batch row's generators). The rows are
    /// dealt round-robin to the threads of `loop` (examples with noise cost more than the others);
    /// each row's values are the same whichever thread computes them.
    ///
    ///     x (n, inputShape...) -> x (n, inputShape...)
    func augmentRows(_ x: inout Tensor, examples: [Int], rows: [Int], epoch: Int, step: Int) {
        let n = rows.count
        guard n > 0, audioPart != nil || config.specAugment != nil else { return }
        let sources = audioPart == nil ? [] : examples.map { source(of: $0, epoch: epoch) }
        if audioPart != nil { x.ensureShape([n] + inputShape) }
        let perRow = x.count / n, threads = min(loop.threads, n)
        x.data.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            loop.run(threads) { k in
                let mine = Array(stride(from: k, to: n, by: threads))
                if let audioPart { computeAudioRows(mine, audioPart, sources: sources, rows: rows, epoch: epoch,
                                                    step: step, into: base, perRow: perRow) }
                if let s = config.specAugment { maskRows(mine, SpecAugment(s), rows: rows, epoch: epoch, step: step,
                                                         in: base, perRow: perRow) }
            }
        }
    }

    /// Rows `mine` of the batch from audio: each example's segment augmented, its features computed
    /// by the front end and scaled.
    ///
    ///     sources (n), rows (n) -> out rows mine (perRow values each)
    private func computeAudioRows(_ mine: [Int], _ audioPart: AudioAugmentation, sources: [(clip: Int, start: Int)],
                                  rows: [Int], epoch: Int, step: Int, into out: UnsafeMutablePointer<Float>,
                                  perRow: Int) {
        let segments = mine.map { o in
            var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: rows[o], stream: .audio)
            let d = audioPart.draw(&rng)
            return audioPart.apply(d, clip: audio[sources[o].clip], start: sources[o].start, length: length, rng: &rng)
        }
        var values = [Float](repeating: 0, count: mine.count * perRow)
        values.withUnsafeMutableBufferPointer { v in
            features.frontEnd.computeBatch(clips: segments, windows: segments.indices.map { WindowRef(clip: $0, start: 0) },
                                           length: length, into: v, threads: 1)
            for (j, o) in mine.enumerated() {
                let row = UnsafeMutableBufferPointer(start: out + o * perRow, count: perRow)
                _ = row.update(fromContentsOf: UnsafeBufferPointer(rebasing: v[(j * perRow)..<((j + 1) * perRow)]))
                scaling.apply(to: row)
            }
        }
    }

    /// SpecAugment's masks on rows `mine` of the batch, each from its batch row's generator.
    private func maskRows(_ mine: [Int], _ masker: SpecAugment, rows: [Int], epoch: Int, step: Int,
                          in out: UnsafeMutablePointer<Float>, perRow: Int) {
        let frames = inputShape[0], coefficients = inputShape[1]
        for o in mine {
            var rng = AugmentationRandom.generator(seed: seed, epoch: epoch, step: step, row: rows[o], stream: .masks)
            let masks = masker.masks(frames: frames, coefficients: coefficients, rng: &rng)
            SpecAugment.apply(masks, to: out + o * perRow, frames: frames, coefficients: coefficients)
        }
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
