import Layers
import Pipeline
import Tensor
import XCTest

final class TrainerTests: XCTestCase {
    func model() throws -> Sequential {
        try Sequential(inputShape: [4], layers: [Dense(units: 6, activation: .relu), Dropout(rate: 0.3),
                                                 Dense(units: 3, activation: .softmax)], seed: 1)
    }

    func windows(_ n: Int, seed: UInt64) -> WindowSet {
        var rng = RandomGenerator(seed: seed)
        let labels = (0..<n).map { Int32($0 % 3) }
        let x = (0..<n).flatMap { i in
            (0..<4).map { j in Float(j == Int(labels[i]) ? 1 : 0) + 0.3 * rng.nextNormal() }
        }
        return WindowSet(x: Tensor(shape: [n, 4], data: x), labels: labels, files: labels)
    }

    func testEachEpochHasItsOwnReproducibleShuffle() throws {
        let t = Trainer(model: try model(), optimizer: Adam(), loss: SoftmaxCrossEntropy(), batchSize: 4, seed: 9)
        let a = t.order(epoch: 0, count: 50), b = t.order(epoch: 1, count: 50)
        XCTAssertEqual(a.sorted(), Array(0..<50))
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(a, Trainer(model: try model(), optimizer: Adam(), loss: SoftmaxCrossEntropy(), batchSize: 4,
                                  seed: 9)
            .order(epoch: 0, count: 50))
        let fixed = Trainer(model: try model(), optimizer: Adam(), loss: SoftmaxCrossEntropy(), batchSize: 4,
                            shuffle: false, seed: 9)
        XCTAssertEqual(fixed.order(epoch: 3, count: 5), [0, 1, 2, 3, 4])
    }

    func testTrainingLearnsAndReportsEveryEpochAndTheBest() throws {
        let t = Trainer(model: try model(), optimizer: Adam(learningRate: 0.02), loss: SoftmaxCrossEntropy(),
                        batchSize: 8, seed: 2)
        var events = TrainingEvents()
        var records: [(EpochRecord, Bool)] = []
        var checkpoints = 0
        events.epochEnd = { records.append(($0, $1)) }
        events.checkpoint = { checkpoints += 1 }
        XCTAssertEqual(try t.run(train: windows(96, seed: 1), validation: windows(30, seed: 2), epochs: 8,
                                 events: events), .finished)
        XCTAssertEqual(records.map(\.0.epoch), Array(1...8))
        XCTAssertEqual(checkpoints, 8)
        XCTAssertTrue(records[0].1, "the first epoch is always the best so far")
        let best = records.map(\.0.validationAccuracy).max()!
        XCTAssertEqual(t.state.bestValidationAccuracy, best)
        XCTAssertGreaterThan(best, 0.9)
        XCTAssertLessThan(records.last!.0.loss, records.first!.0.loss)
    }

    func testWithoutValidationWindowsEveryEpochReplacesTheSavedModel() throws {
        let t = Trainer(model: try model(), optimizer: Adam(learningRate: 0.02), loss: SoftmaxCrossEntropy(),
                        batchSize: 8, seed: 2)
        let none = WindowSet(x: Tensor(shape: [0, 4]), labels: [], files: [])
        var events = TrainingEvents()
        var improved: [Bool] = []
        events.epochEnd = { improved.append($1) }
        XCTAssertEqual(try t.run(train: windows(48, seed: 1), validation: none, epochs: 3, events: events), .finished)
        XCTAssertEqual(improved, [true, true, true], "with nothing to choose by, the last epoch's model is kept")
        XCTAssertEqual(t.state.bestValidationAccuracy, -1, "no validation accuracy was ever measured")
    }

    func testANonFiniteLossStopsAndNamesTheStep() throws {
        var bad = windows(40, seed: 3)
        bad.x.data[4 * 21] = .nan            // window 21: step 3 of epoch 1 without shuffling (batch 8)
        let t = Trainer(model: try model(), optimizer: Adam(), loss: SoftmaxCrossEntropy(), batchSize: 8,
                        shuffle: false, seed: 2)
        var checkpoints = 0
        var events = TrainingEvents()
        events.checkpoint = { checkpoints += 1 }
        XCTAssertThrowsError(try t.run(train: bad, validation: windows(9, seed: 4), epochs: 2,
                                       events: events)) { error in
            let e = error as? NonFiniteLossError
            XCTAssertEqual(e?.epoch, 0)
            XCTAssertEqual(e?.step, 2)
            XCTAssertTrue(String(describing: error).contains("epoch 1, step 3"), String(describing: error))
        }
        XCTAssertEqual(checkpoints, 0, "no checkpoint is written from a state with NaN weights")
    }
}
