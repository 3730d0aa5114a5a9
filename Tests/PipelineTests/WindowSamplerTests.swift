import Pipeline
import XCTest

/// Training-window sampling (docs/WORKFLOW.md §4), prediction windows (§9) and balanced class weights.
final class WindowSamplerTests: XCTestCase {
    // class a: mean 4000; class b: mean 3000 over ALL its files (its 1000-sample file is too short to
    // draw, the usable mean would be 5000); class c: mean 8000 (total 48000).
    static let lengths = [4000, 1000, 8000, 8000, 4000, 5000, 8000, 8000, 8000, 8000]
    static let labels = ["a", "b", "c", "c", "a", "b", "c", "c", "c", "c"]
    static let names = (0..<10).map { "f\($0).wav" }

    /// Pearson's chi-square of observed counts against expected probabilities.
    func chiSquare(_ observed: [Int], _ probabilities: [Double]) -> Double {
        let n = Double(observed.reduce(0, +))
        return zip(observed, probabilities)
            .map { o, p in (Double(o) - n * p) * (Double(o) - n * p) / (n * p) }
            .reduce(0, +)
    }

    func testClassFrequenciesFollowMeanLengthOverAllFiles() throws {
        let plan = try WindowSampler.sample(lengths: Self.lengths, labels: Self.labels, names: Self.names,
                                            count: 30000, seed: 3)
        XCTAssertEqual(plan.classes, ["a", "b", "c"])
        let meanShare = [4.0 / 15, 3.0 / 15, 8.0 / 15]
        for (p, q) in zip(plan.classProbabilities, meanShare) { XCTAssertEqual(p, q, accuracy: 1e-12) }
        var observed = [0, 0, 0]
        for d in plan.draws { observed[plan.classes.firstIndex(of: Self.labels[d.file])!] += 1 }
        XCTAssertEqual(observed, plan.drawsPerClass)
        // chi-square, 2 degrees of freedom: 13.8 is the 0.1% critical value
        XCTAssertLessThan(chiSquare(observed, meanShare), 13.8, "\(observed)")
        // the alternatives a wrong implementation would follow are rejected by far
        let totalShare = [8000.0 / 62000, 6000.0 / 62000, 48000.0 / 62000]   // total length per class
        let usableMeanShare = [4.0 / 17, 5.0 / 17, 8.0 / 17]                  // mean over usable files only
        let uniformShare = [1.0 / 3, 1.0 / 3, 1.0 / 3]
        for wrong in [totalShare, usableMeanShare, uniformShare] {
            XCTAssertGreaterThan(chiSquare(observed, wrong), 500, "\(observed) vs \(wrong)")
        }
    }

    func testFilesUniformWithinClassStartsInRangeShortFilesNeverDrawn() throws {
        let plan = try WindowSampler.sample(lengths: Self.lengths, labels: Self.labels, names: Self.names,
                                            count: 30000, seed: 4)
        var perFile = [Int](repeating: 0, count: Self.lengths.count)
        var minStart = [Int](repeating: .max, count: Self.lengths.count)
        var maxStart = [Int](repeating: -1, count: Self.lengths.count)
        for d in plan.draws {
            perFile[d.file] += 1
            XCTAssert(d.start >= 0 && d.start < Self.lengths[d.file] - 1600, "\(d)")
            minStart[d.file] = min(minStart[d.file], d.start)
            maxStart[d.file] = max(maxStart[d.file], d.start)
        }
        XCTAssertEqual(perFile[1], 0, "the 1000-sample file must never be drawn")
        XCTAssertEqual(perFile[5], plan.drawsPerClass[1], "class b's only usable file takes all its draws")
        let cFiles = [2, 3, 6, 7, 8, 9]
        // 5 dof, 0.1%
        XCTAssertLessThan(chiSquare(cFiles.map { perFile[$0] }, Array(repeating: 1.0 / 6, count: 6)), 20.5)
        // starts reach both ends of [0, length - 1600): 6400 possible starts, ~2700 draws per c file
        for f in cFiles {
            XCTAssertLessThan(minStart[f], 30)
            XCTAssertGreaterThan(maxStart[f], 6400 - 30)
        }
        XCTAssertEqual(plan.warnings.map(\.description),
                       ["warning: f1.wav: class 'b': 1000 samples after cleaning, not longer than one window "
                        + "(1600); no training windows from it"])
    }

    func testDefaultCountDeterminismAndSeed() throws {
        let a = try WindowSampler.sample(lengths: Self.lengths, labels: Self.labels, seed: 9)
        // 62000 samples = 3.875 s -> 2 * int(38.75) = 76 windows
        XCTAssertEqual(a.draws.count, 76)
        XCTAssertEqual(a, try WindowSampler.sample(lengths: Self.lengths, labels: Self.labels, seed: 9))
        XCTAssertNotEqual(a.draws, try WindowSampler.sample(lengths: Self.lengths, labels: Self.labels, seed: 10).draws)
        XCTAssertTrue(a.warnings[0].description.contains("file 1 (class 'b')"), "\(a.warnings)")
    }

    func testSampleCountMatchesNumpy() {
        XCTAssertEqual(WindowSampler.sampleCount(totalLength: 36800, rate: 16000), 44)   // 2.3 / 0.1 = 22.999...
        XCTAssertEqual(WindowSampler.sampleCount(totalLength: 32000, rate: 16000), 40)
        XCTAssertEqual(WindowSampler.sampleCount(totalLength: 1600, rate: 16000), 2)
        XCTAssertEqual(WindowSampler.sampleCount(totalLength: 1599, rate: 16000), 0)
        XCTAssertEqual(WindowSampler.sampleCount(totalLength: 441_000, rate: 44100), 200)
    }

    func testExactlyOneWindowIsTooShortAndAClassWithoutUsableFilesIsAnError() throws {
        let plan = try WindowSampler.sample(lengths: [1600, 1601], labels: ["a", "a"], count: 50, seed: 1)
        XCTAssertTrue(plan.draws.allSatisfy { $0 == WindowDraw(file: 1, start: 0) })   // 1601 - 1600 = 1 start
        XCTAssertEqual(plan.warnings.count, 1)
        XCTAssertThrowsError(try WindowSampler.sample(lengths: [5000, 1600, 300], labels: ["a", "b", "b"],
                                                      names: ["x", "y", "z"], seed: 1)) {
            XCTAssertEqual("\($0)", "class 'b' has no file longer than one window (1600 samples) after cleaning: "
                           + "all 2 are too short. "
                           + "Hint: add longer clips of this class or lower the envelope threshold")
        }
        XCTAssertThrowsError(try WindowSampler.sample(lengths: [], labels: [], seed: 1))
    }

    func testConsecutiveWindowCounts() {
        let counts = [1599, 1600, 3199, 3200, 3201, 4800, 4801].map {
            WindowSampler.consecutiveWindows(length: $0).count
        }
        XCTAssertEqual(counts, [0, 0, 1, 1, 2, 2, 3])
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 4801), [0, 1600, 3200])
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 0), [])
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 25, window: 10), [0, 10])
    }

    func testBalancedClassWeightsMatchSklearn() {
        // sklearn compute_class_weight('balanced', classes=np.unique(y), y=y) for y = [0,0,0,1,2,2]:
        // [0.66666667, 2., 1.]; for y = [0,0,2]: [0.75, 1.5] (class 1 absent -> 0 here)
        let w = WindowSampler.classWeights(labels: [0, 0, 0, 1, 2, 2], classCount: 3)
        XCTAssertEqual(w[0], 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(w[1], 2, accuracy: 1e-12)
        XCTAssertEqual(w[2], 1, accuracy: 1e-12)
        XCTAssertEqual(WindowSampler.classWeights(labels: [0, 0, 2], classCount: 3), [0.75, 0, 1.5])
        XCTAssertEqual(WindowSampler.classWeights(labels: [1, 1, 0, 0], classCount: 2), [1, 1])
    }
}
