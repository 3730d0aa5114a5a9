import Audio
import Durable
import Foundation
import Tensor

/// The training and validation windows of a prepared data set, with the scaling fitted to the
/// training windows (not yet applied).
struct FeatureWindows {
    var train: WindowSet, validation: WindowSet
    var scaling: FeatureScaling
    /// Input `clip`: the training clips' whole features (`train` holds epoch 0's crops of them).
    var trainClips: ClipFeatures? = nil
    /// Whether the windows came from the feature cache.
    var cacheHit: Bool
}

/// The windows + cache step of `Preparation`: what random windows are drawn from, and the feature
/// cache pickles/<config>-<featureHash>.safetensors that holds their raw features.
struct WindowSource {
    var config: ExperimentConfig
    var data: DataFolder
    var table: AudioTable
    /// Cleaned samples of every table row.
    var clips: [[Float]]
    /// Class index of every table row.
    var labels: [Int32]

    /// The raw features of the training and validation rows' windows, from the cache when it holds
    /// them for exactly these inputs, else drawn, computed and cached. The scaling is fitted once,
    /// to the raw training windows. Appends the window sampler's warnings (on a rebuild).
    func cachedWindows(train trainRows: [Int], validation validationRows: [Int], warnings: inout [DataWarning],
                       progress: Preparation.Progress) throws -> FeatureWindows {
        let key = cacheKey(trainRows: trainRows, validationRows: validationRows)
        let cacheURL = data.pickles.appendingPathComponent("\(config.name)-\(config.featureHash).safetensors")
        if config.features.input == .clip {
            return try cachedClips(train: trainRows, validation: validationRows, key: key, url: cacheURL,
                                   progress: progress)
        }
        // a cache that is missing, stale, foreign or damaged in any way is rebuilt, never trusted
        if let (train, validation) = try? FeatureCache.read(cacheURL, key: key, inputShape: config.inputShape,
                                                            classes: table.classes.count, trainRows: Set(trainRows),
                                                            validationRows: Set(validationRows)) {
            return FeatureWindows(train: train, validation: validation, scaling: fitScaling(train.x), cacheHit: true)
        }
        progress("features", 0, 1)
        let train = try windows(for: trainRows, seed: 1, warnings: &warnings)
        let validation = validationRows.isEmpty
            ? WindowSet(x: Tensor(shape: [0] + config.inputShape), labels: [], files: [])
            : try windows(for: validationRows, seed: 2, warnings: &warnings)
        let scaling = fitScaling(train.x)
        var sources: [String: SourceStamp] = [:]
        for r in trainRows + validationRows {
            sources[table.rows[r].fname] = SourceStamp(of: data.wavfiles.appendingPathComponent(table.rows[r].fname))
        }
        KillPoint.reached("features")
        try FeatureCache.write(train: train, validation: validation, scaling: scaling, key: key, config: config,
                               sources: sources, to: cacheURL)
        progress("features", 1, 1)
        return FeatureWindows(train: train, validation: validation, scaling: scaling, cacheHit: false)
    }

    /// The configured scaling fitted to raw training features.
    func fitScaling(_ x: Tensor) -> FeatureScaling {
        FeatureScaling.fitted(config.features.scaling, to: x, coefficients: config.features.coefficients)
    }

    /// Input `clip`: the whole-clip features of the training and validation rows (from the clip
    /// cache when it holds them for exactly these inputs), the scaling fitted to every training
    /// frame, epoch 0's random crops as `train` and every sliding crop of the validation clips.
    func cachedClips(train trainRows: [Int], validation validationRows: [Int], key: String, url: URL,
                     progress: Preparation.Progress) throws -> FeatureWindows {
        let f = config.features, shape = config.inputShape
        var hit = true
        var sets = try? ClipFeatureCache.read(url, key: key, coefficients: f.coefficients, cropFrames: shape[0],
                                              classes: table.classes.count, trainRows: Set(trainRows),
                                              validationRows: Set(validationRows))
        if sets == nil {
            hit = false
            progress("features", 0, 1)
            func compute(_ rows: [Int]) -> ClipFeatures {
                ClipFeatures.compute(rows.map { clips[$0] }, labels: rows.map { labels[$0] },
                                     files: rows.map { Int32($0) }, features: f)
            }
            sets = (compute(trainRows), compute(validationRows))
            KillPoint.reached("features")
            try ClipFeatureCache.write(train: sets!.train, validation: sets!.validation, key: key, config: config,
                                       to: url)
            progress("features", 1, 1)
        }
        let (train, validation) = sets!
        return FeatureWindows(train: train.trainingCrops(epoch: 0, seed: Self.cropSeed(config), shape: shape),
                              validation: validation.slidingCrops(hop: f.hopFrames, shape: shape).set,
                              scaling: fitScaling(train.x), trainClips: train, cacheHit: hit)
    }

    /// The seed of the training crops' starts (input `clip`).
    static func cropSeed(_ config: ExperimentConfig) -> UInt64 { UInt64(config.training.seed) &* 31 &+ 3 }

    /// Random windows of the given rows as raw features: windowsPerStep * int(total seconds /
    /// windowSeconds) draws (2 * int(total / 0.1) for the reference workflow, docs/WORKFLOW.md §4).
    func windows(for rows: [Int], seed: UInt64, warnings: inout [DataWarning]) throws -> WindowSet {
        let refs = try windowRefs(for: rows, seed: seed, warnings: &warnings)
        let x = FeatureStep.features(clips: clips, windows: refs, config: config)
        return WindowSet(x: x, labels: refs.map { labels[$0.clip] }, files: refs.map { Int32($0.clip) })
    }

    /// The windows `windows(for:seed:warnings:)` computes features of, as (table row, first sample),
    /// without computing them (cheap: the sampler's draws only).
    func windowRefs(for rows: [Int], seed: UInt64, warnings: inout [DataWarning]) throws -> [WindowRef] {
        let f = config.features
        let lengths = rows.map { clips[$0].count }
        let seconds = Double(lengths.reduce(0, +)) / Double(f.rate)
        let count = f.windowsPerStep * Int(seconds / f.windowSeconds)
        let plan = try WindowSampler.sample(lengths: lengths, labels: rows.map { table.rows[$0].label },
                                            names: rows.map { table.rows[$0].fname }, window: f.windowSamples,
                                            rate: f.rate, count: count,
                                            seed: UInt64(config.training.seed) &* 31 &+ seed)
        warnings += plan.warnings
        return plan.draws.map { WindowRef(clip: rows[$0.file], start: $0.start) }
    }

    /// What the cached windows depend on: the feature settings (cleaning and window sampling
    /// included), the network's input layout, the seed and split settings, the class list (labels
    /// are stored as class indices), and every training and validation file's table row (windows
    /// store row indices), name, label and cleaned audio (`CleanFingerprint`: a source edited or
    /// swapped with another behind the same size and time changes it; one touched does not).
    func cacheKey(trainRows: [Int], validationRows: [Int]) -> String {
        var text = config.featureHash + "|input \(config.inputShape)|seed \(config.training.seed)"
            + "|split \(config.split.test) \(config.split.validation)"
            + "|classes " + table.classes.joined(separator: "\u{1}")
        for r in trainRows + [-1] + validationRows {
            guard r >= 0 else { text += "|--"; continue }
            let row = table.rows[r]
            text += "|\(r)\u{1}\(row.fname)\u{1}\(row.label)\u{1}" + CleanFingerprint.of(clips[r])
        }
        return fnv1a64(text)
    }
}
