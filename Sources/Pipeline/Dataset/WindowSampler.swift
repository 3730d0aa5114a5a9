import Foundation
import Tensor

/// One training window: `window` samples of file `file` from sample `start`.
public struct WindowDraw: Sendable, Equatable, Hashable {
    /// Index into the `lengths`/`labels` the sampler was given.
    public var file: Int
    /// First sample of the window; 0 <= start < length - window.
    public var start: Int

    public init(file: Int, start: Int) {
        self.file = file
        self.start = start
    }
}

/// Where the 0.1 s windows come from (docs/WORKFLOW.md §4 and §9).
///
/// Training (the original model.py): `2 * int(total_seconds / 0.1)` random windows; for each, a class
/// drawn with probability proportional to the class's MEAN file length, a file uniform within the
/// class, a start uniform in [0, length - window). Prediction: consecutive non-overlapping windows.
public enum WindowSampler {
    /// The window length of the reference configuration: rate / 10 = 1600 samples at 16 kHz.
    public static let defaultWindow = 1600

    /// The result of `sample`.
    public struct Plan: Sendable, Equatable {
        /// The windows in draw order.
        public var draws: [WindowDraw]
        /// The distinct labels, sorted; class c below is `classes[c]`.
        public var classes: [String]
        /// Probability of drawing each class: its mean file length over the sum of the means.
        public var classProbabilities: [Double]
        /// How many draws each class got.
        public var drawsPerClass: [Int]
        /// One per file too short to give a window (it is never drawn).
        public var warnings: [DataWarning]
    }

    /// The original's window count: `2 * int(total_seconds / 0.1)` with total_seconds =
    /// sum(lengths) / rate, in Double as numpy does (so 2.3 s gives 2 * 22, because 2.3 / 0.1 is
    /// 22.999999999999996). Independent of the window length.
    public static func sampleCount(totalLength: Int, rate: Int) -> Int {
        precondition(rate > 0, "sampleCount needs a positive rate, got \(rate)")
        return 2 * Int((Double(totalLength) / Double(rate)) / 0.1)
    }

    /// Draws training windows from files of the given cleaned lengths (in samples) and labels.
    ///
    /// The class probabilities and the count use ALL files, as the original computes them before
    /// any filtering; only the file draw is restricted to files longer than `window` (numpy's
    /// `randint(0, length - window)` needs length > window). Each shorter file is a warning.
    /// Per draw the generator gives, in order: a uniform Double for the class (inverse CDF over the
    /// sorted classes), `nextInt(below: usable files of the class)`, `nextInt(below: length - window)`.
    /// - Parameters:
    ///   - lengths: samples per file, shape (files,).
    ///   - labels: class of each file, shape (files,).
    ///   - names: file names for the warnings (default: "file <index>").
    ///   - count: number of windows; nil gives `sampleCount(totalLength: sum(lengths), rate: rate)`.
    /// - Throws: `DataError` when there are no files, or a class has no file longer than `window`.
    public static func sample(lengths: [Int], labels: [String], names: [String]? = nil,
                              window: Int = defaultWindow, rate: Int = 16000, count: Int? = nil,
                              seed: UInt64) throws -> Plan {
        precondition(lengths.count == labels.count,
                     "sample: \(lengths.count) lengths but \(labels.count) labels")
        precondition(names == nil || names!.count == lengths.count,
                     "sample: \(names?.count ?? 0) names for \(lengths.count) files")
        precondition(window > 0 && lengths.allSatisfy { $0 >= 0 }, "sample: window \(window) and lengths must be >= 0")
        guard !lengths.isEmpty else {
            throw DataError(file: nil, problem: "no files to draw training windows from",
                            hint: "the training set is empty; check audio.csv and the split")
        }
        let classes = Array(Set(labels)).sorted()
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var totalPerClass = [Int](repeating: 0, count: classes.count)
        var filesPerClass = [Int](repeating: 0, count: classes.count)
        var usable = [[Int]](repeating: [], count: classes.count)
        var warnings: [DataWarning] = []
        for (i, label) in labels.enumerated() {
            let c = classIndex[label]!
            totalPerClass[c] += lengths[i]
            filesPerClass[c] += 1
            if lengths[i] > window {
                usable[c].append(i)
            } else {
                let what = "\(lengths[i]) samples after cleaning, not longer than one window (\(window)); "
                    + "no training windows from it"
                warnings.append(names.map { DataWarning(file: $0[i], message: "class '\(label)': " + what) }
                                ?? DataWarning(file: nil, message: "file \(i) (class '\(label)'): " + what))
            }
        }
        if let empty = usable.firstIndex(where: \.isEmpty) {
            throw DataError(file: nil,
                            problem: "class '\(classes[empty])' has no file longer than one window "
                                + "(\(window) samples) after cleaning: all \(filesPerClass[empty]) are too short",
                            hint: "add longer clips of this class or lower the envelope threshold")
        }
        let means = (0..<classes.count).map { Double(totalPerClass[$0]) / Double(filesPerClass[$0]) }
        let sumOfMeans = means.reduce(0, +)
        let probabilities = means.map { $0 / sumOfMeans }
        var cumulative = [Double](repeating: 0, count: classes.count)
        var running = 0.0
        for c in 0..<classes.count { running += probabilities[c]; cumulative[c] = running }

        let n = count ?? sampleCount(totalLength: lengths.reduce(0, +), rate: rate)
        precondition(n >= 0, "sample: negative window count \(n)")
        var rng = RandomGenerator(seed: seed)
        var draws: [WindowDraw] = []
        draws.reserveCapacity(n)
        var perClass = [Int](repeating: 0, count: classes.count)
        for _ in 0..<n {
            let u = rng.nextUniformDouble() * running
            var c = 0
            while c < classes.count - 1 && u >= cumulative[c] { c += 1 }
            let files = usable[c]
            let file = files[rng.nextInt(below: files.count)]
            draws.append(WindowDraw(file: file, start: rng.nextInt(below: lengths[file] - window)))
            perClass[c] += 1
        }
        return Plan(draws: draws, classes: classes, classProbabilities: probabilities,
                    drawsPerClass: perClass, warnings: warnings)
    }

    /// Prediction windows of a file of `length` samples: starts 0, window, 2 window, ... while
    /// start < length - window (the original's `range(0, len - step, step)`). Non-overlapping; the
    /// trailing partial window is dropped, and because of the strict `<` a file of exactly
    /// k * window samples gives k - 1 windows (1600 -> none, 3200 -> 1, 3201 -> 2).
    /// `hop` (default: `window`) sets the distance between starts (overlapping windows when smaller).
    /// - Returns: the starts, shape (max(0, ceil((length - window) / hop)),).
    public static func consecutiveWindows(length: Int, window: Int = defaultWindow, hop: Int? = nil) -> [Int] {
        precondition(window > 0, "consecutiveWindows needs a positive window, got \(window)")
        precondition((hop ?? window) > 0, "consecutiveWindows needs a positive hop, got \(hop ?? window)")
        guard length - window > 0 else { return [] }
        return Array(stride(from: 0, to: length - window, by: hop ?? window))
    }

    /// Balanced class weights as sklearn's `compute_class_weight('balanced', np.unique(y), y)`:
    /// weight_c = n / (k * count_c), n = labels.count, k = number of classes present in `labels`.
    /// A class absent from `labels` gets 0 (it has no windows to weight; sklearn would refuse).
    /// - Parameters:
    ///   - labels: class index of each training window, each in 0..<classCount.
    /// - Returns: shape (classCount,).
    public static func classWeights(labels: [Int], classCount: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels {
            precondition(label >= 0 && label < classCount, "classWeights: label \(label) outside 0..<\(classCount)")
            counts[label] += 1
        }
        let present = counts.filter { $0 > 0 }.count
        return counts.map { $0 > 0 ? Double(labels.count) / (Double(present) * Double($0)) : 0 }
    }
}
