import Tensor

extension DataSplit {
    /// Splits files by GROUP: every file of a group goes to the same part, and the rule of
    /// `init(labels:testFraction:validationFraction:seed:)` is applied per class to the class's
    /// groups instead of its files (a group's class and mixed groups: `FileGroups`). A class of 1
    /// or 2 groups goes wholly to training, with a warning. Each class's groups, in order of their
    /// first file, are shuffled by the generator seeded from (seed, class name) as in the by-file
    /// split, so with one file per group both splits are the same. Same inputs, same split.
    /// - Parameters:
    ///   - groups: the group value of each file (trimmed; "" makes the file a group of its own).
    ///   - column: names the group column in warnings.
    /// - Throws: `DataError` if `labels` is empty or a fraction is outside [0, 1).
    public init(labels: [String], groups: [String], column: String = SplitConfig.defaultGroupColumn,
                testFraction: Double = defaultTestFraction, validationFraction: Double = defaultValidationFraction,
                seed: UInt64) throws {
        try Self.check(files: labels.count, testFraction: testFraction, validationFraction: validationFraction)
        let grouping = FileGroups(labels: labels, groups: groups)
        var train: [Int] = [], validation: [Int] = [], test: [Int] = []
        var groupCounts: [ClassCount] = []
        var warnings: [DataWarning] = grouping.mixedWarning(column: "column '\(column)':").map { [$0] } ?? []
        let heldOut = testFraction > 0 ? "validation and test have" : "validation has"
        for (label, classGroups) in grouping.byClass {
            var members = classGroups
            let part = DataSplit.partSizes(files: members.count, testFraction: testFraction,
                                           validationFraction: validationFraction)
            if members.count < 3 && (testFraction > 0 || validationFraction > 0) {
                warnings.append(DataWarning(
                    file: nil,
                    message: "class '\(label)' has only \(members.count) group\(members.count == 1 ? "" : "s") "
                        + "in column '\(column)': all go to training, so \(heldOut) none of it "
                        + "(3 or more groups are needed)"))
            }
            var rng = RandomGenerator(seed: seed ^ DataSplit.stableHash(label))
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, rng.nextInt(below: i + 1))
            }
            test += members[0..<part.test].flatMap { grouping.members[$0] }
            validation += members[part.test..<(part.test + part.validation)].flatMap { grouping.members[$0] }
            train += members[(part.test + part.validation)...].flatMap { grouping.members[$0] }
            groupCounts.append(ClassCount(label: label, train: part.train, validation: part.validation,
                                          test: part.test))
        }
        self.train = train.sorted()
        self.validation = validation.sorted()
        self.test = test.sorted()
        self.counts = Self.fileCounts(labels: labels, train: train, validation: validation, test: test)
        self.warnings = warnings
        self.groupCounts = groupCounts
    }

    /// Files per part for each label (sorted), counted by each file's own label.
    static func fileCounts(labels: [String], train: [Int], validation: [Int], test: [Int]) -> [ClassCount] {
        var out: [String: ClassCount] = [:]
        for label in Set(labels) { out[label] = ClassCount(label: label, train: 0, validation: 0, test: 0) }
        for i in train { out[labels[i]]!.train += 1 }
        for i in validation { out[labels[i]]!.validation += 1 }
        for i in test { out[labels[i]]!.test += 1 }
        return out.keys.sorted().map { out[$0]! }
    }
}
