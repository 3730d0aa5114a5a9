import Foundation
import Tensor

/// A data set made ready for a descriptor model: the table, cleaned audio, the file split (the same
/// `Preparation.split` the networks use, so `train compare` scores every config on the same files) and
/// the raw descriptor rows of every usable clip.
public struct PreparedDescriptors {
    public var table: AudioTable
    /// Class names, sorted; label k is classes[k].
    public var classes: [String]
    /// Class index of every table row.
    public var rowLabels: [Int32]
    /// Cleaned samples of every table row (empty for a skipped row).
    public var clips: [[Float]]
    /// Row indices per split (usable rows only, sorted).
    public var trainRows: [Int], validationRows: [Int], testRows: [Int]
    /// Raw descriptors of every usable row.
    public var descriptors: DescriptorTable
    public var warnings: [DataWarning]
    /// Whether the descriptors came from the cache.
    public var cacheHit: Bool
    /// How the files were split (the config's hold-out split, a cross-validation fold, or all).
    public var plan: SplitPlan = .holdOut
    /// The audio.csv column the split kept groups by, or nil when it split by file.
    public var groupColumn: String? = nil
    /// The group value of every table row (nil when split by file).
    public var groupValues: [String]? = nil

    /// Rows of audio.csv, skipped ones included.
    public var listedFiles: Int { table.rows.count + table.skipped.count }
    /// Files with a usable clip.
    public var usableFiles: Int { trainRows.count + validationRows.count + testRows.count }

    /// The descriptor rows and class indices of `rows`: x (rows.count, F).
    public func set(_ rows: [Int]) -> (x: Tensor, labels: [Int]) {
        (descriptors.select(rows), rows.map { Int(rowLabels[$0]) })
    }

    /// Table -> clean -> split (as `Preparation` does, by group when the table has a group column;
    /// `plan` picks the hold-out split, a fold or everything) -> descriptor rows, cached in pickles/.
    /// - Throws: `DataError` for a broken table or a class left without usable clips.
    public static func run(config: ExperimentConfig, data: DataFolder, plan: SplitPlan = .holdOut,
                           progress: @escaping Preparation.Progress = { _, _, _ in }) throws -> PreparedDescriptors {
        var warnings: [DataWarning] = []
        let (table, present) = try Preparation.checkedTable(data: data, warnings: &warnings)
        let groups = try Preparation.groups(table: table, config: config)
        let cleaned = try Preparation.clean(table: table, present: present, config: config, data: data,
                                            warnings: &warnings, progress: progress)
        let classes = table.classes
        let rowLabels = table.rows.map { Int32(classes.firstIndex(of: $0.label)!) }
        try Preparation.requireEveryClass(table: table, usable: cleaned.usable, file: data.display(data.csv),
                                          warnings: warnings)
        let split = try Preparation.split(cleaned.usable, table: table, config: config, plan: plan, groups: groups,
                                          warnings: &warnings)
        warnings += DuplicateAudio.warnings(split: split, plan: plan, table: table, clips: cleaned.clips,
                                            file: data.display(data.csv))
        let (descriptors, hit) = try cachedDescriptors(config: config, data: data, table: table,
                                                       clips: cleaned.clips, rows: cleaned.usable, progress: progress)
        return PreparedDescriptors(table: table, classes: classes, rowLabels: rowLabels, clips: cleaned.clips,
                                   trainRows: split.train, validationRows: split.validation, testRows: split.test,
                                   descriptors: descriptors, warnings: warnings, cacheHit: hit, plan: plan,
                                   groupColumn: groups?.column, groupValues: groups?.values)
    }

    /// The descriptors of `rows` from the cache when it holds them for exactly these inputs, else
    /// computed and cached.
    static func cachedDescriptors(config: ExperimentConfig, data: DataFolder, table: AudioTable, clips: [[Float]],
                                  rows: [Int], progress: Preparation.Progress) throws -> (DescriptorTable, Bool) {
        let url = DescriptorCache.url(config: config, data: data)
        let key = DescriptorCache.key(config: config, table: table, clips: clips, rows: rows)
        let columns = DescriptorTable.columns(for: config.features)
        if let cached = try? DescriptorCache.read(url, key: key, rows: rows, columns: columns) { return (cached, true) }
        progress("descriptors", 0, 1)
        let computed = DescriptorTable.compute(clips: clips, rows: rows, features: config.features)
        try DescriptorCache.write(computed, key: key, config: config, to: url)
        progress("descriptors", 1, 1)
        return (computed, false)
    }
}

extension PreparedDescriptors: PreparedFiles {}
