import Tensor

/// K folds for cross-validation, stratified by class and group-aware, drawn once and handed to
/// every run that should use them (`train --folds K`, and every config of `train compare --folds K`).
///
/// The folds cover every file given: the caller passes the rows of audio.csv the first config can
/// use (`CrossValidation.folds`), and `covering` puts the others in no fold, so that configs
/// whose cleaning keeps different files still share the folds and are tested on the same files.
/// Groups (`FileGroups`: a group's class is its majority label; without a group column every file
/// is a group of its own) are
/// dealt per class, classes sorted: the class's groups, in order of their first file, are
/// shuffled by a generator seeded from (seed, class name), then each goes to the fold that holds
/// the fewest files of that class so far, ties to the fold with the fewest files in all, then the
/// lowest fold. So each class is spread as evenly as its groups allow, and the fold sizes stay
/// close. Same inputs, same folds.
public struct Folds: Sendable, Equatable {
    /// Number of folds, K >= 2.
    public var count: Int
    /// The fold (0-based) of every file, in the order of the labels the folds were made from; -1 for
    /// a file in none (`covering`).
    public var fold: [Int]
    /// The group column used, or nil when the folds are by file.
    public var groupColumn: String?
    /// Groups (or files) per fold.
    public var groupsPerFold: [Int]
    /// Classes with fewer groups than folds (the folds without them test none of it) and mixed groups.
    public var warnings: [DataWarning]

    /// Draws `count` folds over the files whose labels are `labels`.
    /// - Parameters:
    ///   - groups: the group value of each file (trimmed), or nil for folds by file.
    ///   - column: the group column's name, for messages and `groupColumn`.
    /// - Throws: `DataError` when count < 2, when there are fewer groups than folds (a fold would be
    ///   empty), or when a class has a single group (the fold that tests it would train without it).
    public init(labels: [String], groups: [String]?, column: String = SplitConfig.defaultGroupColumn,
                count: Int, seed: UInt64) throws {
        let unit = groups == nil ? "file" : "group"
        guard count >= 2 else {
            throw DataError(file: nil, problem: "--folds \(count): cross-validation needs at least 2 folds",
                            hint: "e.g. --folds 5")
        }
        let grouping = FileGroups(labels: labels, groups: groups)
        guard grouping.members.count >= count else {
            throw DataError(file: nil, problem: "\(count) folds need at least \(count) \(unit)s, "
                                + "the data has \(grouping.members.count)", hint: "use fewer folds")
        }
        var warnings = groups == nil ? [] : grouping.mixedWarning(column: "column '\(column)':").map { [$0] } ?? []
        var fold = [Int](repeating: 0, count: labels.count)
        var files = [Int](repeating: 0, count: count), groupsPerFold = [Int](repeating: 0, count: count)
        for (label, classGroups) in grouping.byClass {
            guard classGroups.count >= 2 else {
                throw DataError(file: nil, problem: "class '\(label)' has only one \(unit)"
                                    + (groups == nil ? "" : " in column '\(column)'")
                                    + ": the fold that tests it would train without the class",
                                hint: "cross-validation needs at least 2 \(unit)s per class")
            }
            if classGroups.count < count {
                warnings.append(DataWarning(
                    file: nil, message: "class '\(label)' has \(classGroups.count) \(unit)s for \(count) folds: "
                        + "\(count - classGroups.count) folds test none of it"))
            }
            var members = classGroups
            var rng = RandomGenerator(seed: seed ^ DataSplit.stableHash(label) ^ 0x5F0D_5F0D_5F0D_5F0D)
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, rng.nextInt(below: i + 1))
            }
            var classFiles = [Int](repeating: 0, count: count)
            for g in members {
                let k = (0..<count).min { (classFiles[$0], files[$0], $0) < (classFiles[$1], files[$1], $1) }!
                let size = grouping.members[g].count
                for f in grouping.members[g] { fold[f] = k }
                classFiles[k] += size; files[k] += size; groupsPerFold[k] += 1
            }
        }
        self.count = count
        self.fold = fold
        self.groupColumn = groups == nil ? nil : column
        self.groupsPerFold = groupsPerFold
        self.warnings = warnings
    }

    /// These folds, drawn over `rows` of a table of `total` rows, as folds of the whole table: row
    /// rows[i] in fold[i], every other row in none (-1), trained and tested by no run.
    public func covering(rows: [Int], of total: Int) -> Folds {
        var all = self
        all.fold = [Int](repeating: -1, count: total)
        for (i, r) in rows.enumerated() { all.fold[r] = fold[i] }
        return all
    }

    /// Indices of the files in fold `k`, ascending: the test part of run k.
    public func test(_ k: Int) -> [Int] { fold.indices.filter { fold[$0] == k } }

    /// Indices of the files in the other folds, ascending: training and validation of run k.
    public func rest(_ k: Int) -> [Int] { fold.indices.filter { fold[$0] != k } }
}
