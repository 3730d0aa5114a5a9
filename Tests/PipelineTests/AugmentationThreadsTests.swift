import Foundation
import Layers
@testable import Pipeline
import Tensor
import XCTest

/// A batch's augmentation spread over an engine's threads equals the batch augmented on one thread.
extension AugmentationTrainingTests {
    func testAugmentationOnTheEnginesThreadsEqualsTheSerialBatch() throws {
        let data = try makeData()
        let engine = TrainingEngine(replicas: try (0..<2).map { _ in
            try Sequential(inputShape: [4], layers: [Dense(units: 3, activation: .softmax)], seed: 1)
        })
        XCTAssertEqual(engine.parallelLoop.threads, 2)
        var loops: [Int] = []
        let counted = ParallelLoop(threads: 2) { n, body in loops.append(n); engine.parallelLoop.run(n, body) }
        let clip = "{kind: logmel, n_mels: 16, n_fft: 256, hop_length: 128, input: clip, clip_seconds: 0.4}"
        for (features, batch) in [("{}", 13), (clip, 5)] {
            let config = try self.config(features, Self.everything, batch: batch)
            let prepared = try Preparation.run(config: config, data: data)
            func augmented(on loop: ParallelLoop?) throws -> (x: Tensor, labels: [Int32], targets: Tensor?) {
                let augmenter = try XCTUnwrap(TrainingAugmenter.make(config: config, prepared: prepared))
                if let loop { augmenter.spread(over: loop) }
                let indices = Array((0..<prepared.train.count).reversed().prefix(batch))[...]    // any order
                var x = Tensor.empty, labels: [Int32] = []
                prepared.train.gather(indices, into: &x, labels: &labels)
                let targets = augmenter.augment(&x, labels: &labels, indices: indices, epoch: 1, step: 3)
                return (x, labels, targets)
            }
            let serial = try augmented(on: nil), spread = try augmented(on: counted)
            XCTAssertEqual(spread.x.shape, serial.x.shape)
            XCTAssertTrue(spread.x.data == serial.x.data, "the batch differs (\(features))")
            XCTAssertEqual(spread.labels, serial.labels)
            XCTAssertTrue(spread.targets?.data == serial.targets?.data, "the mixup targets differ")
            XCTAssertNotNil(serial.targets, "mixup is on")
        }
        XCTAssertEqual(loops, [2, 2], "one loop of two threads per batch")
        // a trainer hands its engine's threads to the augmentation it is given
        let trainer = Trainer(engine: engine, optimizer: Adam(learningRate: 0.01), loss: SoftmaxCrossEntropy(),
                              batchSize: 4, seed: 1)
        let config = try self.config("{}", Self.everything)
        let augmenter = try XCTUnwrap(TrainingAugmenter.make(config: config,
                                                             prepared: try Preparation.run(config: config, data: data)))
        XCTAssertEqual(augmenter.loop.threads, 1)
        trainer.augmentation = augmenter
        XCTAssertEqual(augmenter.loop.threads, 2)
    }
}
