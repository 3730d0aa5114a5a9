import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

final class WeightFileTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws { folder = try makeTemporaryFolder("earmark-weights") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func small(seed: UInt64) throws -> Sequential {
        try ReferenceModels.cnn(filters: [2, 2, 2, 2], dense: [4, 4], classes: 3, seed: seed)
    }

    func testSaveLoadRoundTripWithKerasNamesMetadataAndOptimizerState() throws {
        let model = try small(seed: 1)
        let url = folder.appendingPathComponent("m.safetensors")
        try WeightFile.save(model, metadata: ["classes": "[\"a\",\"b\",\"c\"]"],
                            optimizerState: ["adam/iterations": Tensor(shape: [1], data: [7])], to: url)
        let contents = try WeightFile.read(url)
        XCTAssertEqual(contents.metadata, ["classes": "[\"a\",\"b\",\"c\"]"])
        XCTAssertEqual(contents.optimizerState["adam/iterations"]?.data, [7])
        XCTAssertEqual(contents.weights["conv2d_3/kernel"]?.shape, [3, 3, 2, 2])
        XCTAssertEqual(contents.weights["dense_2/kernel"]?.shape, [4, 3])
        let other = try small(seed: 2)
        XCTAssertNotEqual(other.parameters[0].value, model.parameters[0].value)
        try WeightFile.assign(contents.weights, to: other, source: url.path)
        for (a, b) in zip(other.parameters, model.parameters) { XCTAssertEqual(a.value, b.value) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["m.safetensors"])
    }

    func assertRejected(_ body: () throws -> Void, _ fragments: [String], file: StaticString = #filePath,
                        line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = String(describing: error)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", file: file, line: line) }
        }
    }

    func testForeignMismatchedAndCorruptFilesAreClearErrors() throws {
        let url = folder.appendingPathComponent("x.safetensors")
        // a valid safetensors file that is not an Earmark model
        try SafeTensors.write(SafeTensors.File(tensors: ["w": .init(Tensor(shape: [2], data: [1, 2]))]), to: url)
        assertRejected({ _ = try WeightFile.read(url) }, ["x.safetensors", "not an Earmark model"])
        // a model file of another architecture: missing names, wrong shapes, extra names
        let model = try small(seed: 1)
        try WeightFile.save(model, to: url)
        var weights = try WeightFile.read(url).weights
        let target = try ReferenceModels.cnn(filters: [2, 2, 2, 4], dense: [4, 4], classes: 3)
        assertRejected({ try WeightFile.assign(weights, to: target, source: "x.safetensors") },
                       ["x.safetensors", "conv2d_3/kernel", "[3, 3, 2, 2]", "[3, 3, 2, 4]"])
        weights["dense_9/kernel"] = Tensor(shape: [1], data: [0])
        assertRejected({ try WeightFile.assign(weights, to: model, source: "x.safetensors") },
                       ["dense_9/kernel", "does not have"])
        weights["dense_9/kernel"] = nil
        weights["dense/bias"] = nil
        assertRejected({ try WeightFile.assign(weights, to: model, source: "x.safetensors") },
                       ["no weight 'dense/bias'"])
        // non-finite values
        model.parameters[0].value.data[0] = .nan
        try WeightFile.save(model, to: url)
        assertRejected({ _ = try WeightFile.read(url) }, ["conv2d/kernel", "NaN"])
        // truncated file
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        assertRejected({ _ = try WeightFile.read(url) }, ["x.safetensors", "outside"])
        // another format version
        try WeightFile.save(try small(seed: 1), to: url)
        var file = try SafeTensors.read(contentsOf: url)
        file.metadata["format_version"] = "99"
        try SafeTensors.write(file, to: url)
        assertRejected({ _ = try WeightFile.read(url) }, ["format version 99"])
    }
}
