import Classical
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// `export --format onnx` of random-forest model files checked by onnxruntime: a forest of each shipped
/// random_forest config (cfg/forest.yaml: 38 descriptor columns, cfg/condition_forest.yaml: 24), for 2
/// and 3 classes, is fitted to random descriptor rows, saved, exported through the CLI and run by
/// Tests/ONNX/run_onnx.py; onnxruntime's probabilities must be within 1e-5 (absolute) of Earmark's
/// (`ForestModel.forest.predictProbabilities`, as `predict` does) and its labels Earmark's argmax.
///
/// Column 0 of the rows holds two neighbouring floats (4 + 2^-21 and 4 + 2^-20, further apart than the
/// 1e-7 a split needs) that separate most of the classes: the double midpoint between them rounds to the
/// larger one as a float, so an export that rounded Earmark's double thresholds to nearest would send
/// the larger value left, unlike Earmark.
final class ForestONNXTests: XCTestCase {
    static let configs = ["forest": 38, "condition_forest": 24]
    static let trainingRows = 90, freshRows = 30

    func testShippedForestConfigsMatchOnnxRuntime() throws {
        guard let python = try ONNXExportTests.testPython() else { return }
        let root = try makeTemporaryFolder("earmark-forest-onnx")
        defer { try? FileManager.default.removeItem(at: root) }
        var cases: [(name: String, probabilities: [Float], labels: [String], classes: [String], columns: [String])] = []
        var onnxRuntime = ONNXRuntimeRun(root: root)
        for (configName, columnCount) in Self.configs.sorted(by: { $0.key < $1.key }) {
            let config = try ExperimentConfig.parse(BuiltInConfigs.texts[configName]!, file: "cfg/\(configName).yaml",
                                                    defaultName: configName)
            let columns = DescriptorTable.columns(for: config.features)
            XCTAssertEqual(columns.count, columnCount, "\(configName): descriptor columns")
            for classCount in [2, 3] {
                let name = "\(configName)-\(classCount)"
                let classes = Array(["hum", "tone", "whistle"].prefix(classCount))
                let (train, labels, x) = Self.rows(columns: columns.count, classes: classCount,
                                                   seed: UInt64(columnCount * 10 + classCount))
                let forest = try RandomForestClassifier.fit(
                    train, labels: labels, classCount: classCount,
                    parameters: config.model.forest.parameters(seed: config.training.seed),
                    classNames: classes, featureNames: columns)
                let file = root.appendingPathComponent("\(name).safetensors")
                try ForestModel(config: config, classes: classes, splits: [:], forest: forest).save(to: file)
                let onnx = root.appendingPathComponent("\(name).onnx")
                let export = try CLI.run("export", ["--model", file.path, "--format", "onnx", "--out", onnx.path],
                                         in: root)
                XCTAssertEqual(export.status, 0, "\(name): \(export.output)")
                XCTAssertTrue(export.stdout.contains("TreeEnsembleClassifier"), export.output)
                // Earmark's probabilities from the model file read back, as `predict` computes them.
                let loaded = try ForestModel.load(from: file)
                let p = loaded.forest.predictProbabilities(x).data
                let best = loaded.forest.predict(x).map { classes[$0] }
                cases.append((name, p, best, classes, columns))
                try onnxRuntime.add(model: onnx, name: name, x: x.data, shape: x.shape)
            }
        }
        let lines = try onnxRuntime.lines(python: python, expected: cases.count)
        let rows = Self.trainingRows + Self.freshRows
        for (line, c) in zip(lines, cases) {
            XCTAssertEqual(line["input"] as? String, "descriptors", c.name)
            XCTAssertEqual(line["classes"] as? [String], c.classes, "\(c.name): metadata classes")
            XCTAssertEqual(line["columns"] as? [String], c.columns, "\(c.name): metadata columns")
            XCTAssertEqual(line["shape"] as? [Int], [rows, c.classes.count], "\(c.name): output shape")
            let data = try Data(contentsOf: root.appendingPathComponent("\(c.name).f32"))
            let got = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            XCTAssertEqual(got.count, c.probabilities.count, c.name)
            let difference = largestDifference(got, c.probabilities)
            print("onnx export \(c.name): max |onnxruntime - earmark| = \(difference)")
            XCTAssertLessThanOrEqual(difference, 1e-5, "\(c.name): onnxruntime differs from Earmark")
            // Probabilities spread over the classes, so the comparison sees more than one-hot rows.
            let k = c.classes.count
            let mixed = (0..<rows).filter { i in (0..<k).allSatisfy { c.probabilities[i * k + $0] < 0.99 } }.count
            XCTAssertGreaterThan(mixed, rows / 4, "\(c.name): too few rows with mixed probabilities")
            // Labels: Earmark's argmax wherever the top class is not tied (within float rounding).
            let labels = line["labels"] as? [String] ?? []
            XCTAssertEqual(labels.count, rows, c.name)
            var compared = 0
            for i in 0..<min(rows, labels.count) {
                let sorted = (0..<k).map { c.probabilities[i * k + $0] }.sorted(by: >)
                guard sorted[0] - sorted[1] > 1e-5 else { continue }
                compared += 1
                XCTAssertEqual(labels[i], c.labels[i], "\(c.name): label of row \(i)")
            }
            XCTAssertGreaterThan(compared, rows * 3 / 4, "\(c.name): too many tied rows")
        }
    }

    /// Random descriptor rows: training rows (N, F) with labels, and the rows to compare on: the training
    /// rows (their values are the neighbours of every threshold) then fresh ones. Column 0 is one of two
    /// neighbouring floats, mostly by class; column 1 is the class plus noise; the rest is noise of
    /// varied scale.
    static func rows(columns: Int, classes: Int, seed: UInt64) -> (Tensor, [Int], Tensor) {
        var rng = RandomGenerator(seed: seed)
        let low = Float(bitPattern: 0x4080_0001), high = low.nextUp   // 4 + 2^-21, 4 + 2^-20
        func row(label: Int) -> [Float] {
            let flip = rng.nextUniform() < 0.2
            var r = [(label == 0) != flip ? low : high, Float(label) + 0.8 * rng.nextNormal()]
            for c in 2..<columns { r.append(Float(c % 7 + 1) * rng.nextNormal() + Float(c)) }
            return r
        }
        let labels = (0..<trainingRows).map { _ in rng.nextInt(below: classes) }
        let train = labels.flatMap { row(label: $0) }
        let fresh = (0..<freshRows).flatMap { _ in row(label: rng.nextInt(below: classes)) }
        return (Tensor(shape: [trainingRows, columns], data: train),
                labels, Tensor(shape: [trainingRows + freshRows, columns], data: train + fresh))
    }
}
