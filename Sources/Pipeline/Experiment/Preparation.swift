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
        let table = try data.readTable()
        let check = try table.checkFiles(in: data.wavfiles)
        var warnings = table.warnings + check.warnings
        let present = Set(check.usable.map(\.fname))
        let candidates = table.rows.indices.filter { present.contains(table.rows[$0].fname) }
        let f = config.features
        let cleaned = try CleanStep.run(fnames: candidates.map { table.rows[$0].fname }, data: data, rate: f.rate,
                                        threshold: f.threshold, minimumSamples: f.windowSamples + 1,
                                        progress: { progress("cleaning", $0, $1) })
        warnings += cleaned.warnings
        var clips = [[Float]](repeating: [], count: table.rows.count)
        var usable: [Int] = []
        for (k, r) in candidates.enumerated() {
            if let s = cleaned.samples[k] { clips[r] = s; usable.append(r) }
        }
        let classes = table.classes
        let rowLabels = table.rows.map { Int32(classes.firstIndex(of: $0.label)!) }
        try requireEveryClass(table: table, usable: usable, file: data.display(data.csv), warnings: warnings)
        let split = try DataSplit(labels: usable.map { table.rows[$0].label }, testFraction: config.split.test,
                                  validationFraction: config.split.validation, seed: UInt64(config.training.seed))
        warnings += split.warnings
        let trainRows = split.train.map { usable[$0] }.sorted()
        let validationRows = split.validation.map { usable[$0] }.sorted()
        let testRows = split.test.map { usable[$0] }.sorted()

        let key = cacheKey(config: config, table: table, data: data, trainRows: trainRows, validationRows: validationRows)
        let cacheURL = data.pickles.appendingPathComponent("\(config.name)-\(config.featureHash).safetensors")
        var train: WindowSet, validation: WindowSet
        var hit = false
        // a cache that is missing, stale, foreign or damaged in any way is rebuilt, never trusted
        if let cached = try? FeatureCache.read(cacheURL, key: key, inputShape: config.inputShape, classes: classes.count,
                                               trainRows: Set(trainRows), validationRows: Set(validationRows)) {
            (train, validation) = cached
            hit = true
        } else {
            progress("features", 0, 1)
            train = try windows(for: trainRows, table: table, clips: clips, labels: rowLabels, config: config, seed: 1, warnings: &warnings)
            validation = validationRows.isEmpty ? WindowSet(x: Tensor(shape: [0] + config.inputShape), labels: [], files: [])
                : try windows(for: validationRows, table: table, clips: clips, labels: rowLabels, config: config, seed: 2, warnings: &warnings)
            var sources: [String: SourceStamp] = [:]
            for r in trainRows + validationRows {
                sources[table.rows[r].fname] = SourceStamp(of: data.wavfiles.appendingPathComponent(table.rows[r].fname))
            }
            try FeatureCache.write(train: train, validation: validation, key: key, config: config, sources: sources, to: cacheURL)
            progress("features", 1, 1)
        }
        let (lo, hi) = FeatureStep.range(train.x)
        guard lo.isFinite, hi.isFinite, hi > lo else {
            throw DataError(file: data.display(data.csv), problem: "the training features are constant or not finite (min \(lo), max \(hi))",
                            hint: "the clips hold no usable signal", warnings: warnings)
        }
        scale(&train.x, lo, hi)
        scale(&validation.x, lo, hi)
        return PreparedData(table: table, classes: classes, rowLabels: rowLabels, clips: clips, trainRows: trainRows,
                            validationRows: validationRows, testRows: testRows, train: train, validation: validation,
                            featureMin: lo, featureMax: hi, warnings: warnings, cacheHit: hit, cleanedNow: cleaned.rebuilt)
    }

    /// x' = (x - lo) / (hi - lo), in place.
    static func scale(_ x: inout Tensor, _ lo: Float, _ hi: Float) {
        let inv = 1 / (hi - lo)
        x.data.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] = (p[i] - lo) * inv } }
    }

    /// A class with no usable clip at all stops the run (docs/WORKFLOW.md §10.2); the error carries
    /// `warnings`, which say why each clip was skipped.
    static func requireEveryClass(table: AudioTable, usable: [Int], file: String, warnings: [DataWarning]) throws {
        let present = Set(usable.map { table.rows[$0].label })
        for name in table.classes where !present.contains(name) {
            let listed = table.rows.filter { $0.label == name }.count + table.skipped.filter { $0.label == name }.count
            throw DataError(file: file, problem: "class '\(name)' has no usable clips (\(listed) listed, all skipped)",
                            hint: "see the warnings above for each file's reason", warnings: warnings)
        }
    }

    /// Random windows of the given files (docs/WORKFLOW.md §4) as raw features: windowsPerStep *
    /// int(total seconds / windowSeconds) draws (2 * int(total / 0.1) for the reference).
    static func windows(for rows: [Int], table: AudioTable, clips: [[Float]], labels: [Int32], config: ExperimentConfig,
                        seed: UInt64, warnings: inout [DataWarning]) throws -> WindowSet {
        let f = config.features
        let lengths = rows.map { clips[$0].count }
        let seconds = Double(lengths.reduce(0, +)) / Double(f.rate)
        let count = f.windowsPerStep * Int(seconds / f.windowSeconds)
        let plan = try WindowSampler.sample(lengths: lengths, labels: rows.map { table.rows[$0].label },
                                            names: rows.map { table.rows[$0].fname }, window: f.windowSamples,
                                            rate: f.rate, count: count, seed: UInt64(config.training.seed) &* 31 &+ seed)
        warnings += plan.warnings
        let draws = plan.draws
        let refs = draws.map { WindowRef(clip: rows[$0.file], start: $0.start) }
        let x = FeatureStep.features(clips: clips, windows: refs, config: config)
        return WindowSet(x: x, labels: draws.map { labels[rows[$0.file]] }, files: draws.map { Int32(rows[$0.file]) })
    }

    /// What the cached windows depend on: the feature settings (cleaning and window sampling
    /// included), the network's input layout, the seed and split settings, the class list (labels
    /// are stored as class indices), and every training and validation file's table row (windows
    /// store row indices), name, label, size and time.
    static func cacheKey(config: ExperimentConfig, table: AudioTable, data: DataFolder,
                         trainRows: [Int], validationRows: [Int]) -> String {
        var text = config.featureHash + "|input \(config.inputShape)|seed \(config.training.seed)"
            + "|split \(config.split.test) \(config.split.validation)|classes " + table.classes.joined(separator: "\u{1}")
        for r in trainRows + [-1] + validationRows {
            guard r >= 0 else { text += "|--"; continue }
            let row = table.rows[r]
            let stamp = SourceStamp(of: data.wavfiles.appendingPathComponent(row.fname))
            text += "|\(r)\u{1}\(row.fname)\u{1}\(row.label)\u{1}\(stamp?.size ?? -1)\u{1}\(stamp?.modified ?? -1)"
        }
        return fnv1a64(text)
    }
}
