import Layers
import Pipeline
import Tensor
import XCTest

/// `Trainer.run(epochSet:)`: each epoch trains on its own windows (the clip crops of `input: clip`),
/// and a run stopped mid-epoch and resumed ends with the weights of an uninterrupted run.
final class EpochSetTests: XCTestCase {
    func model() throws -> Sequential {
        try Sequential(inputShape: [4], layers: [Dense(units: 6, activation: .relu), Dropout(rate: 0.3),
                                                 Dense(units: 3, activation: .softmax)], seed: 1)
    }

    /// Windows of `epoch`: the same labels, features drawn from (epoch).
    func windows(epoch: Int) -> WindowSet {
        var rng = RandomGenerator(seed: 100 + UInt64(epoch))
        let labels = (0..<24).map { Int32($0 % 3) }
        let x = (0..<24).flatMap { i in
            (0..<4).map { j in Float(j == Int(labels[i]) ? 1 : 0) + 0.3 * rng.nextNormal() }
        }
        return WindowSet(x: Tensor(shape: [24, 4], data: x), labels: labels, files: labels)
    }

    func trainer() throws -> Trainer {
        Trainer(model: try model(), optimizer: Adam(learningRate: 0.02), loss: SoftmaxCrossEntropy(), batchSize: 5,
                seed: 4)
    }

    func testEachEpochSeesItsOwnWindowsAndResumeIsExact() throws {
        var asked: [Int] = []
        let whole = try trainer()
        XCTAssertEqual(try whole.run(train: windows(epoch: 0), validation: windows(epoch: 99), epochs: 3,
                                     events: TrainingEvents(),
                                     epochSet: { asked.append($0); return self.windows(epoch: $0) }),
                       .finished)
        XCTAssertEqual(asked, [0, 1, 2])

        let first = try trainer()
        var steps = 0
        var events = TrainingEvents()
        events.shouldStop = { steps += 1; return steps == 7 }       // epoch 1 (5 steps per epoch), step 2
        XCTAssertEqual(try first.run(train: windows(epoch: 0), validation: windows(epoch: 99), epochs: 3,
                                     events: events, epochSet: windows(epoch:)), .interrupted)
        let resumed = try trainer()
        resumed.model.assignWeights(from: first.model)
        try resumed.optimizer.restore(first.optimizer.state(), for: resumed.model.parameters)
        resumed.state = first.state
        XCTAssertEqual(try resumed.run(train: windows(epoch: 0), validation: windows(epoch: 99), epochs: 3,
                                       events: TrainingEvents(), epochSet: windows(epoch:)), .finished)
        for (a, b) in zip(whole.model.parameters, resumed.model.parameters) {
            XCTAssertEqual(a.value.data, b.value.data)
        }

        let fixed = try trainer()
        _ = try fixed.run(train: windows(epoch: 0), validation: windows(epoch: 99), epochs: 3, events: TrainingEvents())
        XCTAssertNotEqual(fixed.model.parameters[0].value.data, whole.model.parameters[0].value.data)
    }
}
