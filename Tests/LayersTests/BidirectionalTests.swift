import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

final class BidirectionalTests: XCTestCase {
    // MARK: tier 1: Keras 3 fixtures (Tests/Fixtures/make_rnn_fixtures.py)

    private func checkFixture(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try Fixtures.load("layers/\(name).safetensors")
        let config = try SequenceTestSupport.config(fixture)
        let x = try fixture.tensor("x")
        let units = try XCTUnwrap(config["units"] as? Int)
        let sequences = try XCTUnwrap(config["return_sequences"] as? Bool)
        let kind = try XCTUnwrap(config["layer"] as? String)
        let mode = try XCTUnwrap(Bidirectional.MergeMode(rawValue: try XCTUnwrap(config["merge_mode"] as? String)))
        let inner: any RecurrentLayer = kind == "lstm" ? LSTM(units: units, returnSequences: sequences)
            : GRU(units: units, returnSequences: sequences)
        let layer = Bidirectional(inner, mergeMode: mode)
        var rng = RandomGenerator(seed: 1)
        try layer.build(inputShape: Array(x.shape.dropFirst()), using: &rng)
        let weights = ["kernel", "recurrent_kernel", "bias"]
        XCTAssertEqual(layer.parameters.map(\.name),
                       weights.map { "forward_\(kind)/\($0)" } + weights.map { "backward_\(kind)/\($0)" },
                       file: file, line: line)
        try checkAgainstFixture(layer, fixture, name: name, file: file, line: line)
    }

    func testMatchesKerasLSTMConcat() throws { try checkFixture("bidirectional_lstm_concat") }
    func testMatchesKerasGRUConcatLastStep() throws { try checkFixture("bidirectional_gru_concat_last_step") }
    func testMatchesKerasGRUSum() throws { try checkFixture("bidirectional_gru_sum") }
    func testMatchesKerasLSTMAveLastStep() throws { try checkFixture("bidirectional_lstm_ave_last_step") }
    func testMatchesKerasGRUMul() throws { try checkFixture("bidirectional_gru_mul") }

    // MARK: names, shapes, weight files, products

    func testWeightNamesInAModelAndItsFile() throws {
        let model = try Sequential(inputShape: [9, 13], layers: [
            Bidirectional(LSTM(units: 4, returnSequences: true)), Bidirectional(GRU(units: 3)),
        ])
        XCTAssertEqual(model.outputShape, [6])
        XCTAssertEqual(model.layerOutputShapes[0], [9, 8])
        XCTAssertEqual(model.namedParameters.map(\.name), [
            "bidirectional/forward_lstm/kernel", "bidirectional/forward_lstm/recurrent_kernel",
            "bidirectional/forward_lstm/bias", "bidirectional/backward_lstm/kernel",
            "bidirectional/backward_lstm/recurrent_kernel", "bidirectional/backward_lstm/bias",
            "bidirectional_1/forward_gru/kernel", "bidirectional_1/forward_gru/recurrent_kernel",
            "bidirectional_1/forward_gru/bias", "bidirectional_1/backward_gru/kernel",
            "bidirectional_1/backward_gru/recurrent_kernel", "bidirectional_1/backward_gru/bias",
        ])
        XCTAssertEqual(model.parameterCount, 2 * (4 * (4 * (13 + 4) + 4)) + 2 * (3 * (3 * (8 + 3) + 2 * 3)))
        // the two directions start from different weights
        XCTAssertNotEqual(model.parameters[0].value, model.parameters[3].value)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bidirectional-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try WeightFile.save(model, to: url)
        let other = try Sequential(inputShape: [9, 13], layers: [
            Bidirectional(LSTM(units: 4, returnSequences: true)), Bidirectional(GRU(units: 3)),
        ], seed: 9)
        try WeightFile.assign(try WeightFile.read(url).weights, to: other, source: url.path)
        for (a, b) in zip(model.parameters, other.parameters) { XCTAssertEqual(a.value, b.value) }
    }

    func testSumMergeHalvesTheWidthAndProductsCoverBothDirections() throws {
        let layer = Bidirectional(GRU(units: 5), mergeMode: .sum)
        XCTAssertEqual(try layer.outputShape(for: [7, 3]), [5])
        XCTAssertEqual(try Bidirectional(GRU(units: 5, returnSequences: true)).outputShape(for: [7, 3]), [7, 10])
        let p = layer.products(inputShape: [7, 3], batch: 2, inputGradient: true)
        let single = GRU(units: 5).products(inputShape: [7, 3], batch: 2, inputGradient: true)
        XCTAssertEqual(p.forward.map(\.label), single.forward.map { "forward " + $0.label }
                       + single.forward.map { "backward " + $0.label })
        XCTAssertEqual(p.backward.flops, 2 * single.backward.flops)
    }

    /// The backward layer with the forward layer's weights on the reversed sequence: with equal
    /// weights, the backward half of the output is the forward layer run on x reversed in time.
    func testBackwardHalfReadsTheReversedSequence() throws {
        let layer = Bidirectional(LSTM(units: 3, returnSequences: true))
        var rng = RandomGenerator(seed: 2)
        try layer.build(inputShape: [4, 2], using: &rng)
        for (f, b) in zip(layer.forwardLayer.parameters, layer.backwardLayer.parameters) { b.value = f.value }
        let x = Tensor(shape: [1, 4, 2], data: (0..<8).map { _ in rng.nextNormal() })
        var reversed = x
        for t in 0..<4 { for j in 0..<2 { reversed.data[t * 2 + j] = x.data[(3 - t) * 2 + j] } }
        let y = layer.forward(x, training: false)
        let single = LSTM(units: 3, returnSequences: true)
        try single.build(inputShape: [4, 2], using: &rng)
        for (s, f) in zip(single.parameters, layer.forwardLayer.parameters) { s.value = f.value }
        let yr = single.forward(reversed, training: false)
        for t in 0..<4 {
            XCTAssertEqual(Array(y.data[(t * 6 + 3)..<(t * 6 + 6)]), Array(yr.data[((3 - t) * 3)..<((3 - t) * 3 + 3)]))
        }
    }

    func testBuffersAreReusedAcrossCalls() throws {
        var rng = RandomGenerator(seed: 4)
        for mode in Bidirectional.MergeMode.allCases {
            let layer = Bidirectional(GRU(units: 3, returnSequences: true), mergeMode: mode)
            try layer.build(inputShape: [5, 2], using: &rng)
            let x = Tensor(shape: [2, 5, 2], data: (0..<20).map { _ in rng.nextNormal() })
            let dy = Tensor(shape: [2, 5, mode == .concat ? 6 : 3], repeating: 0.5)
            let out1 = SequenceTestSupport.address(layer.forward(x, training: true))
            let in1 = SequenceTestSupport.address(layer.backward(dy))
            layer.releaseCache()
            let out2 = SequenceTestSupport.address(layer.forward(x, training: true))
            let in2 = SequenceTestSupport.address(layer.backward(dy))
            XCTAssertEqual(out1, out2, "\(mode)")
            XCTAssertEqual(in1, in2, "\(mode)")
        }
    }

    // MARK: tier 2: finite differences

    func testGradients() throws {
        var seed: UInt64 = 50
        for mode in Bidirectional.MergeMode.allCases {
            for sequences in [true, false] {
                for gru in [true, false] {
                    seed += 1
                    var rng = RandomGenerator(seed: seed)
                    let inner: any RecurrentLayer = gru ? GRU(units: 3, returnSequences: sequences)
                        : LSTM(units: 3, returnSequences: sequences)
                    let layer = Bidirectional(inner, mergeMode: mode)
                    try layer.build(inputShape: [4, 2], using: &rng)
                    let x = Tensor(shape: [2, 4, 2], data: (0..<16).map { _ in rng.nextNormal() })
                    checkGradients(layer, input: x, coordinates: 8)
                }
            }
        }
    }
}
