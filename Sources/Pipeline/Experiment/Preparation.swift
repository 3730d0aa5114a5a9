import Audio
import Foundation
import Tensor

/// The preparation half of `train`: table -> clean audio -> file split -> windows -> features,
/// with the features cached in pickles/ and rebuilt only when something they depend on changed.
public enum Preparation {
    /// Reads, cleans, splits and windows the data set of `data` for `config`.
    /// - Throws: `DataError` for a broken table or a class left without usable clips.
    public static func run(config: ExperimentConfig, data: DataFolder,
                           progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in }) throws -> PreparedData {
        var warnings: [String] = []
        let table = try AudioTable.read(contentsOf: data.csv)
        let f = config.features
        let cleaned = try CleanStep.run(fnames: table.rows.map(\.fname), data: data, rate: f.rate, threshold: f.threshold,
                                        minimumSamples: f.windowSamples + 1,
                                        progress: { progress("cleaning", $0, $1) })
        warnings += cleaned.warnings
        let classes = table.classes
        let rowLabels = table.rows.map { Int32(classes.firstIndex(of: $0.label)!) }
        let usable = table.rows.indices.filter { cleaned.samples[$0] != nil }
        for (k, name) in classes.enumerated() where !usable.contains(where: { rowLabels[$0] == k }) {
            let total = rowLabels.filter { $0 == k }.count
            throw DataError(file: data.display(data.csv), line: nil,
                            "class '\(name)' has no usable clips (\(total) listed, all skipped: see the warnings above)")
        }
        let clips = cleaned.samples.map { $0 ?? [] }
        let split = try DataSplit.make(labels: usable.map { Int(rowLabels[$0]) }, classNames: classes,
                                       testFraction: config.split.test, validationFraction: config.split.validation,
                                       seed: UInt64(config.training.seed))
        warnings += split.warnings
        let trainRows = split.train.map { usable[$0] }.sorted()
        let validationRows = split.validation.map { usable[$0] }.sorted()
        let testRows = split.test.map { usable[$0] }.sorted()

        let key = cacheKey(config: config, table: table, data: data, trainRows: trainRows, validationRows: validationRows)
        let cacheURL = data.pickles.appendingPathComponent("\(config.name)-\(config.featureHash).safetensors")
        var train: WindowSet, validation: WindowSet
        var hit = false
        if let cached = try? FeatureCache.read(cacheURL, key: key) {
            (train, validation) = cached
            hit = true
        } else {
            progress("features", 0, 1)
            train = windows(for: trainRows, clips: clips, labels: rowLabels, config: config, seed: 1, warnings: &warnings)
            validation = windows(for: validationRows, clips: clips, labels: rowLabels, config: config, seed: 2, warnings: &warnings)
            try FeatureCache.write(train: train, validation: validation, key: key, config: config, to: cacheURL)
            progress("features", 1, 1)
        }
        let (lo, hi) = FeatureStep.range(train.x)
        guard lo.isFinite, hi.isFinite, hi > lo else {
            throw DataError(file: data.display(data.csv), line: nil, "the training features are constant or not finite (min \(lo), max \(hi)); the clips hold no usable signal")
        }
        scale(&train.x, lo, hi)
        scale(&validation.x, lo, hi)
        return PreparedData(table: table, classes: classes, rowLabels: rowLabels, clips: clips, trainRows: trainRows,
                            validationRows: validationRows, testRows: testRows, train: train, validation: validation,
                            featureMin: lo, featureMax: hi, warnings: warnings, cacheHit: hit)
    }

    /// x' = (x - lo) / (hi - lo), in place.
    static func scale(_ x: inout Tensor, _ lo: Float, _ hi: Float) {
        let inv = 1 / (hi - lo)
        x.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = (p[i] - lo) * inv } }
    }

    /// Random windows of the given files (REFERENCE.md 4) as raw features.
    static func windows(for rows: [Int], clips: [[Float]], labels: [Int32], config: ExperimentConfig, seed: UInt64,
                        warnings: inout [String]) -> WindowSet {
        let f = config.features
        let lengths = rows.map { clips[$0].count }
        let draws = WindowSampler.sample(lengths: lengths, labels: rows.map { Int(labels[$0]) },
                                         window: f.windowSamples, windowSeconds: f.windowSeconds, rate: f.rate,
                                         windowsPerStep: f.windowsPerStep,
                                         seed: UInt64(config.training.seed) &* 31 &+ seed)
        let refs = draws.map { WindowRef(clip: rows[$0.file], start: $0.start) }
        let x = FeatureStep.features(clips: clips, windows: refs, config: config)
        return WindowSet(x: x, labels: draws.map { labels[rows[$0.file]] }, files: draws.map { Int32(rows[$0.file]) })
    }

    /// What the cached windows depend on: the feature settings, the split and sampling settings and
    /// every source file's name, label, size and time.
    static func cacheKey(config: ExperimentConfig, table: AudioTable, data: DataFolder,
                         trainRows: [Int], validationRows: [Int]) -> String {
        var text = config.featureHash + "|seed \(config.training.seed)|split \(config.split.test) \(config.split.validation)"
        for r in trainRows + [-1] + validationRows {
            guard r >= 0 else { text += "|--"; continue }
            let row = table.rows[r]
            let stamp = SourceStamp(of: data.wavfiles.appendingPathComponent(row.fname))
            text += "|\(row.fname)\u{1}\(row.label)\u{1}\(stamp?.size ?? -1)\u{1}\(stamp?.modified ?? -1)"
        }
        return fnv1a64(text)
    }
}
