import Foundation
import Tensor

/// A split of FILES (never windows) into train, validation and test, stratified per class.
///
/// Rule per class of n files, with fractions t (test) and v (validation), round(x) = x rounded
/// half up:
/// - n >= 3: test = round(n t), at least 1 when t > 0; the rest r = n - test;
///   validation = round(r v), at least 1 when v > 0; training keeps the remaining files and always
///   at least one (then validation, then test give way: test <= n - 1 - (v > 0 ? 1 : 0),
///   validation <= r - 1).
/// - n = 1 or 2: every file goes to training (a warning names the class when t or v > 0), so the
///   class is missing from validation and test. Training always gets every class, so no class can
///   end up without training files.
/// Examples for t = 0.2, v = 0.1: n = 3 -> 1/1/1 (train/validation/test), 5 -> 3/1/1,
/// 10 -> 7/1/2, 30 -> 22/2/6.
///
/// Which files go where: each class's row indices (ascending) are shuffled (Fisher-Yates) by a
/// generator seeded from the seed and the class name, then the first `test` go to test, the next
/// `validation` to validation, the rest to training. A class's draw therefore does not change when
/// other classes gain or lose files. Same labels and seed, same split.
public struct DataSplit: Sendable, Equatable {
    /// Default share of each class's files held out for testing.
    public static let defaultTestFraction = 0.2
    /// Default share of the remaining files held out for validation.
    public static let defaultValidationFraction = 0.1

    /// Files per part for one class.
    public struct ClassCount: Sendable, Equatable {
        public var label: String
        public var train: Int
        public var validation: Int
        public var test: Int
    }

    /// Indices into the `labels` the split was made from, ascending.
    public var train: [Int]
    /// Indices into `labels`, ascending.
    public var validation: [Int]
    /// Indices into `labels`, ascending.
    public var test: [Int]
    /// Per class (sorted by label): how many files went where.
    public var counts: [ClassCount]
    /// Classes too small to be held out (one warning each).
    public var warnings: [DataWarning]
    /// For a split by group (GroupSplit.swift): per class, how many GROUPS went where; nil for a
    /// split by file.
    public var groupCounts: [ClassCount]? = nil

    /// Splits the files whose labels are `labels` (one per file).
    /// - Throws: `DataError` if `labels` is empty or a fraction is outside [0, 1).
    public init(labels: [String], testFraction: Double = defaultTestFraction,
                validationFraction: Double = defaultValidationFraction, seed: UInt64) throws {
        try Self.check(files: labels.count, testFraction: testFraction, validationFraction: validationFraction)
        var byClass: [String: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var train: [Int] = [], validation: [Int] = [], test: [Int] = []
        var counts: [ClassCount] = []
        var warnings: [DataWarning] = []
        let heldOut = testFraction > 0 ? "validation and test have" : "validation has"
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            let part = DataSplit.partSizes(files: members.count, testFraction: testFraction,
                                           validationFraction: validationFraction)
            if members.count < 3 && (testFraction > 0 || validationFraction > 0) {
                warnings.append(DataWarning(
                    file: nil,
                    message: "class '\(label)' has only \(members.count) file\(members.count == 1 ? "" : "s"): "
                        + "all go to training, so \(heldOut) none of it (3 or more files are needed)"))
            }
            var rng = RandomGenerator(seed: seed ^ DataSplit.stableHash(label))
            for i in stride(from: members.count - 1, to: 0, by: -1) {
                members.swapAt(i, rng.nextInt(below: i + 1))
            }
            test += members[0..<part.test]
            validation += members[part.test..<(part.test + part.validation)]
            train += members[(part.test + part.validation)...]
            counts.append(ClassCount(label: label, train: part.train, validation: part.validation, test: part.test))
        }
        self.train = train.sorted()
        self.validation = validation.sorted()
        self.test = test.sorted()
        self.counts = counts
        self.warnings = warnings
    }

    /// - Throws: `DataError` if there are no files or a fraction is outside [0, 1).
    static func check(files: Int, testFraction: Double, validationFraction: Double) throws {
        guard files > 0 else {
            throw DataError(file: nil, problem: "no files to split",
                            hint: "the dataset needs at least one file per class")
        }
        for (name, value) in [("test fraction", testFraction), ("validation fraction", validationFraction)]
        where !(value >= 0 && value < 1) {
            throw DataError(file: nil, problem: "\(name) is \(value), it must be in [0, 1)",
                            hint: "e.g. 0.2 for 20%")
        }
    }

    /// The sizes the rule above gives to a class of `files` files.
    public static func partSizes(files n: Int, testFraction t: Double,
                                 validationFraction v: Double) -> (train: Int, validation: Int, test: Int) {
        guard n >= 3 else { return (n, 0, 0) }
        func roundHalfUp(_ x: Double) -> Int { Int((x + 0.5 + 1e-9).rounded(.down)) }
        var test = t > 0 ? max(1, roundHalfUp(Double(n) * t)) : 0
        test = min(test, n - 1 - (v > 0 ? 1 : 0))
        let rest = n - test
        var validation = v > 0 ? max(1, roundHalfUp(Double(rest) * v)) : 0
        validation = min(validation, rest - 1)
        return (rest - validation, validation, test)
    }

    /// FNV-1a over the UTF-8 bytes: a hash that is the same in every process (Swift's `Hasher` is
    /// seeded per process).
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
