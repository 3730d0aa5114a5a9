import Audio
import Foundation
import Tensor

/// The preparation half of `train`: table -> clean audio -> file split -> windows -> features ->
/// scaling, with the raw features cached in pickles/ and rebuilt only when something they depend
/// on changed. Each step is one function below; `run` chains them.
public enum Preparation {
    /// Reports a stage's progress: (stage, done, total).
    public typealias Progress = @Sendable (String, Int, Int) -> Void

    /// Reads, cleans, splits (as `plan` says, SplitPlan.swift) and windows the data set of `data`
    /// for `config`.
    /// - Throws: `DataError` for a broken table, a missing group column or a class left without
    ///   usable clips.
    public static func run(config: ExperimentConfig, data: DataFolder, plan: SplitPlan = .holdOut,
                           progress: @escaping Progress = { _, _, _ in }) throws -> PreparedData {
        let descriptors = config.model.kind == .randomForest || config.model.input == .descriptors
        var warnings = descriptors ? [] : config.features.warnings(file: config.source)
        let noiseBank = try loadNoise(config: config, data: data)     // a bad folder stops the run first
        if let w = noiseBank?.warning(folder: noiseFolder(config: config, data: data)!) { warnings.append(w) }
        let (table, present) = try checkedTable(data: data, warnings: &warnings)
        let groups = try groups(table: table, config: config)
        let cleaned = try clean(table: table, present: present, config: config, data: data,
                                warnings: &warnings, progress: progress)
        let classes = table.classes
        let rowLabels = table.rows.map { Int32(classes.firstIndex(of: $0.label)!) }
        try requireEveryClass(table: table, usable: cleaned.usable, file: data.display(data.csv), warnings: warnings)
        let rows = try split(cleaned.usable, table: table, config: config, plan: plan, groups: groups,
                             warnings: &warnings)
        warnings += DuplicateAudio.warnings(split: rows, plan: plan, table: table, clips: cleaned.clips,
                                            file: data.display(data.csv))
        let source = WindowSource(config: config, data: data, table: table, clips: cleaned.clips, labels: rowLabels)
        var windows = config.model.input == .descriptors
            ? try DescriptorWindows.make(config: config, data: data, table: table, clips: cleaned.clips,
                                         labels: rowLabels, usable: cleaned.usable, rows: rows, progress: progress)
            : try source.cachedWindows(train: rows.train, validation: rows.validation,
                                       warnings: &warnings, progress: progress)
        try scale(&windows, file: data.display(data.csv), warnings: warnings)
        var ignored: [DataWarning] = []      // the sampler's warnings were given when the windows were drawn
        let refs = config.augmentation?.needsAudio == true && config.features.input == .window
            ? try source.windowRefs(for: rows.train, seed: 1, warnings: &ignored) : nil
        return PreparedData(table: table, classes: classes, rowLabels: rowLabels, clips: cleaned.clips,
                            trainRows: rows.train, validationRows: rows.validation, testRows: rows.test,
                            train: windows.train, validation: windows.validation, trainClips: windows.trainClips,
                            scaling: windows.scaling,
                            warnings: warnings, cacheHit: windows.cacheHit, cleanedNow: cleaned.rebuilt,
                            plan: plan, groupColumn: groups?.column, groupValues: groups?.values,
                            trainWindowRefs: refs, noiseBank: noiseBank)
    }

    /// The noise clips of `augmentation.noise.folder` (a relative path is relative to the data
    /// folder), or nil when the config adds no folder noise.
    /// - Throws: `ConfigError` naming the key and the path when the folder is missing or holds no audio.
    static func loadNoise(config: ExperimentConfig, data: DataFolder) throws -> NoiseBank? {
        guard let folder = noiseFolder(config: config, data: data) else { return nil }
        return try NoiseBank.load(folder: folder, rate: config.features.rate, file: config.source)
    }

    /// The folder of `augmentation.noise.folder`, or nil when the config adds no folder noise.
    static func noiseFolder(config: ExperimentConfig, data: DataFolder) -> URL? {
        guard let n = config.augmentation?.noise, n.kind == .folder, let path = n.folder else { return nil }
        let folder = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : data.root.appendingPathComponent(path, isDirectory: true)
        return folder.standardizedFileURL
    }

    /// Reads audio.csv and checks its files: the table and the fnames whose file exists.
    /// Appends the table's and the check's warnings.
    static func checkedTable(data: DataFolder, warnings: inout [DataWarning]) throws -> (AudioTable, Set<String>) {
        let table = try data.readTable()
        let check = try table.checkFiles(in: data.wavfiles)
        warnings += table.warnings + check.warnings
        // a classifier needs two classes: said before any cleaning or training (one class trained, then
        // failed writing the model, after replacing the previous one; a forest exited 0)
        guard table.classes.count >= 2 else {
            throw DataError(file: data.display(data.csv),
                            problem: "has one class, '\(table.classes.first ?? "")': a classifier needs at least two",
                            hint: "label the recordings of at least two classes", warnings: warnings)
        }
        for group in table.classesDifferingOnlyInCase {
            warnings.append(DataWarning(file: data.display(data.csv),
                                        message: "classes \(group.map { "'\($0)'" }.joined(separator: ", ")) differ only in "
                                            + "letter case: they are trained as \(group.count) classes"))
        }
        return (table, Set(check.usable.map(\.fname)))
    }

    /// Cleaned audio per table row.
    struct CleanedRows {
        /// Cleaned samples of every table row (empty for a row whose clip was skipped).
        var clips: [[Float]]
        /// Rows with a usable clip, in table order.
        var usable: [Int]
        /// Files cleaned anew into clean/.
        var rebuilt: Int
    }

    /// Cleans the rows whose file is `present` (CleanStep: reused from clean/ when fresh); a clip
    /// shorter than one window plus a sample is skipped. Appends the cleaning warnings.
    static func clean(table: AudioTable, present: Set<String>, config: ExperimentConfig, data: DataFolder,
                      warnings: inout [DataWarning], progress: @escaping Progress) throws -> CleanedRows {
        let candidates = table.rows.indices.filter { present.contains(table.rows[$0].fname) }
        let f = config.features
        let cleaned = try CleanStep.run(fnames: candidates.map { table.rows[$0].fname }, data: data, rate: f.rate,
                                        threshold: f.threshold, minimumSamples: f.minimumCleanSamples,
                                        progress: { progress("cleaning", $0, $1) })
        warnings += cleaned.warnings
        var result = CleanedRows(clips: [[Float]](repeating: [], count: table.rows.count), usable: [],
                                 rebuilt: cleaned.rebuilt)
        for (k, r) in candidates.enumerated() {
            if let s = cleaned.samples[k] { result.clips[r] = s; result.usable.append(r) }
        }
        return result
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

    /// Table rows per split, each sorted.
    struct RowSplit {
        var train: [Int], validation: [Int], test: [Int]
    }

    /// Applies the scaling fitted to the training windows to both sets.
    /// - Throws: `DataError` naming `file` when the scaling is unusable (constant or non-finite features).
    static func scale(_ windows: inout FeatureWindows, file: String, warnings: [DataWarning]) throws {
        if let problem = windows.scaling.problem {
            throw DataError(file: file, problem: "the training features are \(problem)",
                            hint: "the clips hold no usable signal", warnings: warnings)
        }
        windows.scaling.apply(to: &windows.train.x)
        windows.scaling.apply(to: &windows.validation.x)
        if windows.trainClips != nil { windows.scaling.apply(to: &windows.trainClips!.x) }
    }
}
