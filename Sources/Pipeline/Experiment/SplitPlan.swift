import Foundation

/// Which files a prepared run trains, validates and tests on.
public enum SplitPlan: Sendable, Equatable {
    /// The config's split: `split.test` and `split.validation` of each class's files, or of its
    /// groups when a group column is used.
    case holdOut
    /// Cross-validation run k (0-based): fold k of the folds (drawn over the rows of audio.csv the
    /// first config could use; the others are in none) is the test part; validation is carved from
    /// the other folds by `split.validation`, by group.
    case fold(Folds, Int)
    /// Every usable file, with validation carved out by `split.validation` and no test part: the
    /// final model after cross-validation.
    case everything
}

/// The file split of prepared data, whichever model kind it feeds (`PreparedData` for networks,
/// `PreparedDescriptors` for a forest): what fold results, reports and the console read.
public protocol PreparedSplit {
    /// Row indices per part (usable rows only).
    var trainRows: [Int] { get }
    var validationRows: [Int] { get }
    var testRows: [Int] { get }
    /// How the files were split (the config's hold-out split, a cross-validation fold, or all).
    var plan: SplitPlan { get }
    /// The audio.csv column the split kept groups by, or nil when it split by file.
    var groupColumn: String? { get }
    /// The group value of every table row (nil when split by file).
    var groupValues: [String]? { get }
}

extension PreparedSplit {
    /// Distinct groups among `rows` (a row with an empty group value counts as one group); the
    /// number of rows when split by file.
    public func groupCount(_ rows: [Int]) -> Int {
        guard let values = groupValues else { return rows.count }
        return Set(rows.map { values[$0].isEmpty ? "\u{1}\($0)" : values[$0] }).count
    }
}

/// A `PreparedSplit` with the table and the cleaned clips behind it: what a model file stores of
/// its split (`PreparedData`, `PreparedDescriptors`).
public protocol PreparedFiles: PreparedSplit {
    /// audio.csv as read.
    var table: AudioTable { get }
    /// Cleaned samples of every table row (empty for a skipped row).
    var clips: [[Float]] { get }
}

extension PreparedFiles {
    /// fname -> train | validation | test, stored with the model for `predict`'s split column.
    public var splitNames: [String: String] {
        var out: [String: String] = [:]
        for r in trainRows { out[table.rows[r].fname] = "train" }
        for r in validationRows { out[table.rows[r].fname] = "validation" }
        for r in testRows { out[table.rows[r].fname] = "test" }
        return out
    }

    /// fname -> `CleanFingerprint` of its cleaned audio, for every file of `splitNames`: `predict`
    /// gives a file its split only when its audio is the one trained on.
    public var splitFingerprints: [String: String] {
        var out: [String: String] = [:]
        for r in trainRows + validationRows + testRows { out[table.rows[r].fname] = CleanFingerprint.of(clips[r]) }
        return out
    }
}

extension PreparedData: PreparedFiles {}

extension Preparation {
    /// The group column a config uses with `table` and each row's value in it (trimmed), or nil to
    /// split by file: `split.group_column` when the config names one, else the column `group`
    /// when audio.csv has it.
    /// - Throws: `DataError` naming audio.csv and the config key when the config names a column
    ///   that audio.csv does not have.
    public static func groups(table: AudioTable,
                              config: ExperimentConfig) throws -> (column: String, values: [String])? {
        let name = config.split.groupColumn ?? SplitConfig.defaultGroupColumn
        guard let index = table.columns.firstIndex(of: name) else {
            guard config.split.groupColumn != nil else { return nil }
            let source = config.source.isEmpty ? "the config" : config.source
            throw DataError(file: table.file, problem: "has no column '\(name)', which split.group_column of "
                                + "\(source) names (columns: \(table.columns.joined(separator: ", ")))",
                            hint: "add the column to audio.csv or remove split.group_column to split by file")
        }
        return (name, table.rows.map { $0.fields[index].trimmingCharacters(in: .whitespaces) })
    }

    /// Splits the usable rows as `plan` says (DataSplit, by group when `groups` is given, seeded by
    /// the training seed). Appends the split's warnings.
    static func split(_ usable: [Int], table: AudioTable, config: ExperimentConfig, plan: SplitPlan,
                      groups: (column: String, values: [String])?, warnings: inout [DataWarning]) throws -> RowSplit {
        let seed = UInt64(config.training.seed)
        func divide(_ rows: [Int], test: Double) throws -> DataSplit {
            let labels = rows.map { table.rows[$0].label }
            guard let groups else {
                return try DataSplit(labels: labels, testFraction: test, validationFraction: config.split.validation,
                                     seed: seed)
            }
            return try DataSplit(labels: labels, groups: rows.map { groups.values[$0] }, column: groups.column,
                                 testFraction: test, validationFraction: config.split.validation, seed: seed)
        }
        let rows: [Int], test: [Int]
        switch plan {
        case .holdOut:
            let split = try divide(usable, test: config.split.test)
            warnings += split.warnings
            return RowSplit(train: split.train.map { usable[$0] }.sorted(),
                            validation: split.validation.map { usable[$0] }.sorted(),
                            test: split.test.map { usable[$0] }.sorted())
        case .fold(let folds, let k):
            guard folds.fold.count == table.rows.count else {
                throw DataError(file: table.file, problem: "changed while the folds were in use",
                                hint: "run again on an unchanged audio.csv")
            }
            rows = usable.filter { folds.fold[$0] >= 0 && folds.fold[$0] != k }
            test = usable.filter { folds.fold[$0] == k }
        case .everything:
            rows = usable
            test = []
        }
        let split = try divide(rows, test: 0)
        warnings += split.warnings
        return RowSplit(train: split.train.map { rows[$0] }.sorted(),
                        validation: split.validation.map { rows[$0] }.sorted(), test: test)
    }
}
