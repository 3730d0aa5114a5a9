import Foundation
@testable import Pipeline
import Tensor
import XCTest

/// A rank's shard of an augmented batch equals those rows of the whole batch augmented on one
/// process (every draw numbered by the global row, mixup paired over the whole batch).
extension AugmentationTrainingTests {
    func testEveryShardOfAnAugmentedBatchEqualsThoseRowsOfTheWholeBatch() throws {
        let data = try makeData()
        let config = try self.config("{}", Self.everything)
        let prepared = try Preparation.run(config: config, data: data)
        let augmenter = try XCTUnwrap(TrainingAugmenter.make(config: config, prepared: prepared))
        let indices = Array((0..<prepared.train.count).reversed())[2..<15]    // 13 rows, any order
        var whole = Tensor.empty, wholeLabels: [Int32] = []
        prepared.train.gather(indices, into: &whole, labels: &wholeLabels)
        let wholeTargets = try XCTUnwrap(augmenter.augment(&whole, labels: &wholeLabels, indices: indices,
                                                           epoch: 1, step: 3))
        for size in [2, 3] {
            for rank in 0..<size {
                let rows = SingleProcess.shard(of: indices.count, rank: rank, size: size)
                var x = Tensor.empty, labels: [Int32] = []
                let targets = try XCTUnwrap(augmenter.augment(&x, labels: &labels, indices: indices, rows: rows,
                                                              of: prepared.train, epoch: 1, step: 3))
                XCTAssertEqual(x.data, whole.rows(rows).data, "rank \(rank) of \(size)")
                XCTAssertEqual(labels, Array(wholeLabels[rows]))
                XCTAssertEqual(targets.data, wholeTargets.rows(rows).data)
            }
        }
        // the protocol's generic version (augment the whole batch, keep the rows) agrees too
        final class Whole: BatchAugmentation {
            let inner: TrainingAugmenter
            init(_ inner: TrainingAugmenter) { self.inner = inner }
            func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, epoch: Int,
                         step: Int) -> Tensor? {
                inner.augment(&x, labels: &labels, indices: indices, epoch: epoch, step: step)
            }
        }
        var x = Tensor.empty, labels: [Int32] = []
        let targets = Whole(augmenter).augment(&x, labels: &labels, indices: indices, rows: 4..<9,
                                               of: prepared.train, epoch: 1, step: 3)
        XCTAssertEqual(x.data, whole.rows(4..<9).data)
        XCTAssertEqual(targets?.data, wholeTargets.rows(4..<9).data)
    }
}

/// The pieces of a multi-rank step and test scoring: a loss sum crosses a float allreduce exactly,
/// and test predictions survive their float encoding.
final class ShardTests: XCTestCase {
    func testALossSumCrossesAFloatSumExactly() {
        var slots = [Float](repeating: 0, count: 9)
        let values = [1.0 / 3, 123_456.789_012_345_6, 0, 2.5e-7 * .pi, 17.0 * 1.1]
        for v in values {
            slots.withUnsafeMutableBufferPointer { StepStatistics.split(v, into: $0.baseAddress! + 3) }
            // another rank's contribution to these slots is 0
            let summed = slots.map { $0 + 0 }
            XCTAssertEqual(summed.withUnsafeBufferPointer { StepStatistics.join($0.baseAddress! + 3) }, v)
        }
        slots.withUnsafeMutableBufferPointer { StepStatistics.split(.nan, into: $0.baseAddress!) }
        XCTAssertFalse(slots.withUnsafeBufferPointer { StepStatistics.join($0.baseAddress!) }.isFinite)
    }

    func testTestPredictionsSurviveTheirEncoding() {
        let predictions = [
            Predictor.ClipPrediction(probabilities: [0.25, 0.5, 0.25], windows: 3, windowPredictions: [1, 0, 1]),
            Predictor.ClipPrediction(probabilities: nil, windows: 0, windowPredictions: []),
            Predictor.ClipPrediction(probabilities: [0.9, 0.05, 0.05], windows: 1, windowPredictions: [0]),
        ]
        let decoded = DistributedScoring.decode(DistributedScoring.encode(predictions), classes: 3)
        XCTAssertEqual(decoded.map(\.probabilities), predictions.map(\.probabilities))
        XCTAssertEqual(decoded.map(\.windows), predictions.map(\.windows))
        XCTAssertEqual(decoded.map(\.windowPredictions), predictions.map(\.windowPredictions))
    }
}
