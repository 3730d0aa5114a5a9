import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// TrainingEngine with several replicas must be the same computation as one model on the whole batch:
/// the same loss, the same updated weights and the same inference output (up to float summation
/// order); with one replica it must be the serial step itself, bit for bit.
final class TrainingEngineTests: XCTestCase {
    private func cnn() throws -> Sequential {
        try Sequential(inputShape: [5, 6, 1], layers: [
            Conv2D(filters: 3, kernelSize: (3, 3), padding: .same, activation: .relu),
            MaxPool2D(poolSize: (2, 2)), Flatten(),
            Dense(units: 5, activation: .tanh), Dense(units: 3, activation: .softmax),
        ], seed: 3)
    }

    private func rnn() throws -> Sequential {
        try Sequential(inputShape: [4, 3], layers: [
            LSTM(units: 5, returnSequences: true), TimeDistributed(Dense(units: 2, activation: .relu)),
            Flatten(), Dense(units: 3, activation: .softmax),
        ], seed: 4)
    }

    private func batch(_ shape: [Int], n: Int) -> (Tensor, [Int32]) {
        var rng = RandomGenerator(seed: 9)
        let count = n * shape.reduce(1, *)
        let x = Tensor(shape: [n] + shape, data: (0..<count).map { _ in rng.nextUniform() })
        return (x, (0..<n).map { _ in Int32(rng.nextInt(below: 3)) })
    }

    private func check(_ make: () throws -> Sequential, replicas: Int, n: Int,
                       optimizer: () -> Optimizer = { Adam() }) throws {
        let single = try make()
        let parallel = TrainingEngine(replicas: try (0..<replicas).map { _ in try make() })
        let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5])
        let (x, labels) = batch(single.inputShape, n: n)
        let a1 = optimizer(), a2 = optimizer()
        for _ in 0..<2 {
            single.zeroGrad()
            var dz = Tensor.empty
            let expected = loss.evaluate(probabilities: single.forward(x, training: true), labels: labels,
                                         preActivationGradient: &dz)
            single.backward(dz, preActivation: true)
            a1.step(single.parameters)
            let got = parallel.step(x, labels: labels, loss: loss, optimizer: a2)
            XCTAssertEqual(got.loss, expected.loss, accuracy: 1e-6)
            XCTAssertEqual(got.correct, expected.correct)
        }
        for (p, q) in zip(single.parameters, parallel.model.parameters) {
            assertClose(q.value, p.value, tolerance: 1e-5, "weights after two steps")
        }
        for replica in parallel.replicas.dropFirst() {
            for (p, q) in zip(parallel.model.parameters, replica.parameters) { XCTAssertEqual(p.value, q.value) }
        }
        assertClose(parallel.infer(x), single.forward(x, training: false), tolerance: 1e-5, "inference")
    }

    func testCNNTwoReplicasMatchOneModel() throws { try check(cnn, replicas: 2, n: 6) }
    func testRNNThreeReplicasUnevenBatchMatchOneModel() throws { try check(rnn, replicas: 3, n: 7) }
    func testMoreReplicasThanRows() throws { try check(cnn, replicas: 4, n: 2) }

    private func mlpWithDropout() throws -> Sequential {
        try Sequential(inputShape: [6], layers: [
            Dense(units: 8, activation: .relu), Dropout(rate: 0.3), Dense(units: 3, activation: .softmax),
        ], seed: 5)
    }

    /// One replica against the serial formula on an identical model: reseed, zeroGrad, forward, loss,
    /// fused backward, Adam.step (or SGD.step), over several steps; every loss, count and weight equal.
    private func checkOneReplicaIsTheSerialStep(_ make: () throws -> Sequential, optimizer: () -> Optimizer,
                                                n: Int) throws {
        let serial = try make()
        let engine = TrainingEngine(replicas: [try make()])
        let loss = SoftmaxCrossEntropy(classWeights: [1, 2, 0.5])
        let (o1, o2) = (optimizer(), optimizer())
        var dz = Tensor.empty
        for step in 0..<4 {
            let (x, labels) = batch(serial.inputShape, n: n + step)
            let seed = UInt64(100 + step)
            serial.reseed(seed)
            engine.reseed(seed)
            serial.zeroGrad()
            let expected = loss.evaluate(probabilities: serial.forward(x, training: true), labels: labels,
                                         preActivationGradient: &dz)
            serial.backward(dz, preActivation: true)
            o1.step(serial.parameters)
            let got = engine.step(x, labels: labels, loss: loss, optimizer: o2)
            XCTAssertEqual(got.loss, expected.loss, "loss of step \(step)")
            XCTAssertEqual(got.correct, expected.correct, "correct of step \(step)")
            for (p, q) in zip(serial.parameters, engine.model.parameters) {
                XCTAssertEqual(q.value, p.value, "\(p.name) after step \(step)")
            }
        }
        let (x, _) = batch(serial.inputShape, n: 11)
        let expected = Tensor(shape: [11] + serial.outputShape,
                              data: [serial.infer(x.slicedRows(0..<4)), serial.infer(x.slicedRows(4..<8)),
                                     serial.infer(x.slicedRows(8..<11))].flatMap(\.data))
        XCTAssertEqual(engine.predict(x, batchSize: 4), expected, "predict: infer over batches of 4")
        XCTAssertEqual(engine.infer(x), serial.infer(x), "infer")
    }

    func testOneReplicaIsTheSerialAdamStepBitForBit() throws {
        try checkOneReplicaIsTheSerialStep(cnn, optimizer: { Adam() }, n: 6)
        try checkOneReplicaIsTheSerialStep(rnn, optimizer: { Adam(learningRate: 0.01) }, n: 5)
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { Adam() }, n: 7)
    }

    /// Adam clips inside the engine's fused update: by value, and by each parameter's own norm, in the
    /// update overlapped with the backward pass; by the global norm once every gradient is summed; with one replica bit for bit the serial step, which clips the gradients in place
    /// and then updates (a step that skipped the clipping would leave different weights: the limits
    /// here are below the gradients' norms and values). SGD clips in its serial step.
    func testClippedGradientsMatchOneModel() throws {
        XCTAssertTrue(Adam(clipping: .norm(1)).needsGradientNorms)
        XCTAssertTrue(Adam(clipping: .globalNorm(1)).needsGradientNorms)
        XCTAssertFalse(Adam(clipping: .value(1)).needsGradientNorms)
        XCTAssertFalse(Adam().needsGradientNorms)
        XCTAssertTrue(Adam(clipping: .globalNorm(1)).needsEveryGradientNorm)
        XCTAssertFalse(Adam(clipping: .norm(1)).needsEveryGradientNorm)
        try check(cnn, replicas: 2, n: 6, optimizer: { Adam(learningRate: 0.01, clipping: .globalNorm(0.01)) })
        try check(rnn, replicas: 3, n: 7, optimizer: { Adam(learningRate: 0.01, clipping: .norm(0.01)) })
        try check(cnn, replicas: 2, n: 6, optimizer: { Adam(learningRate: 0.01, clipping: .value(0.001)) })
        try check(rnn, replicas: 3, n: 7, optimizer: { Adam(learningRate: 0.01, clipping: .value(0.001)) })
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { Adam(clipping: .norm(0.01)) }, n: 7)
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { Adam(clipping: .globalNorm(0.01)) }, n: 7)
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { Adam(clipping: .value(0.001)) }, n: 7)
        try checkOneReplicaIsTheSerialStep(cnn, optimizer: { Adam(weightDecay: 0.1, clipping: .norm(0.01)) }, n: 6)
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { SGD(learningRate: 0.1, clipping: .value(0.001)) },
                                           n: 7)
    }

    /// A scheduled rate reaches the overlapped update: the rate of each step is read after the step is
    /// counted (a rate captured before it would keep step 0's 0.01 for the second step, not 0.1).
    func testScheduledRatesMatchOneModel() throws {
        let schedule = LearningRateSchedule.piecewiseConstantDecay(boundaries: [0, 2], values: [0.01, 0.1, 0.001])
        try check(cnn, replicas: 2, n: 6, optimizer: { Adam(weightDecay: 0.5, schedule: schedule) })
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { Adam(schedule: schedule) }, n: 7)
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { SGD(momentum: 0.9, schedule: schedule) }, n: 7)
    }

    func testOneReplicaIsTheSerialSGDStepBitForBit() throws {
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: { SGD(learningRate: 0.1, momentum: 0.9) }, n: 7)
    }

    /// RMSprop, a serial optimizer like SGD: through the engine, one replica is its own step bit for bit
    /// and several replicas train what one model does.
    func testRMSpropThroughTheEngine() throws {
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: {
            RMSprop(learningRate: 0.01, momentum: 0.9, centered: true, clipping: .norm(0.01))
        }, n: 7)
        try check(cnn, replicas: 2, n: 6, optimizer: { RMSprop(learningRate: 0.01, momentum: 0.5) })
    }

    func testNadamThroughTheEngine() throws {
        try checkOneReplicaIsTheSerialStep(mlpWithDropout, optimizer: {
            Nadam(learningRate: 0.01, weightDecay: 0.01, clipping: .norm(0.01))
        }, n: 7)
        try check(cnn, replicas: 2, n: 6, optimizer: { Nadam(learningRate: 0.01) })
    }

    /// Every step is timed: a single process spends time computing and updating, and none packing,
    /// waiting or in an allreduce (those phases belong to ranks).
    func testStepPhasesTimeEveryStepOfOneProcess() throws {
        let engine = TrainingEngine(replicas: try (0..<2).map { _ in try cnn() })
        let (x, labels) = batch(engine.model.inputShape, n: 6)
        let adam = Adam()
        for _ in 0..<3 { _ = engine.step(x, labels: labels, loss: SoftmaxCrossEntropy(), optimizer: adam) }
        let phases = engine.phases
        XCTAssertEqual(phases.steps, 3)
        XCTAssertGreaterThan(phases.seconds[StepPhases.Phase.compute.rawValue], 0)
        XCTAssertGreaterThan(phases.seconds[StepPhases.Phase.optimizer.rawValue], 0)
        for phase in [StepPhases.Phase.pack, .wait, .allreduce, .unpack] {
            XCTAssertEqual(phases.seconds[phase.rawValue], 0, "\(phase)")
        }
        XCTAssertTrue(phases.summary.hasPrefix("compute "), phases.summary)
        XCTAssertTrue(phases.summary.hasSuffix(" ms per step (3 steps)"), phases.summary)
    }

    func testPredictSplitsBatchesOverReplicas() throws {
        let engine = TrainingEngine(replicas: try (0..<2).map { _ in try cnn() })
        let single = try cnn()
        let (x, _) = batch(single.inputShape, n: 9)
        assertClose(engine.predict(x, batchSize: 4), single.infer(x), tolerance: 1e-5, "predict in batches of 4")
    }

    /// A step writes every replica's new weights where they are, without copying a parameter's array
    /// (a key-path write to `Parameter.value`, a property with observers, goes through its setter with
    /// a copy of the whole array), and gives each of them a new `version`, the number the LSTM's packed
    /// weights are checked against.
    func testAStepUpdatesTheWeightsInPlaceAndChangesTheirVersions() throws {
        let engine = TrainingEngine(replicas: try (0..<2).map { _ in try rnn() })
        let (x, labels) = batch(engine.model.inputShape, n: 4)
        let (loss, adam) = (SoftmaxCrossEntropy(classWeights: [1, 1, 1]), Adam())
        let all = engine.replicas.flatMap(\.parameters)
        func addresses() -> [UInt] {
            all.map { p in p.value.data.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        }
        _ = engine.step(x, labels: labels, loss: loss, optimizer: adam)      // makes Adam's moments
        let (before, versions) = (addresses(), all.map(\.version))
        let values = all.map { p in p.value.data.map { $0 } }   // copies: holding the arrays would make the step copy them
        _ = engine.step(x, labels: labels, loss: loss, optimizer: adam)
        XCTAssertEqual(addresses(), before, "parameter arrays moved during a step")
        for (i, p) in all.enumerated() {
            XCTAssertNotEqual(p.value.data, values[i], "\(p.name) of replica \(i / (all.count / 2)) did not change")
            XCTAssertNotEqual(p.version, versions[i], "\(p.name) of replica \(i / (all.count / 2)): same version")
        }
    }
}

private extension Tensor {
    /// Rows `range` of a (N, ...) tensor.
    func slicedRows(_ range: Range<Int>) -> Tensor {
        let stride = count / shape[0]
        return Tensor(shape: [range.count] + shape.dropFirst(),
                      data: Array(data[(range.lowerBound * stride)..<(range.upperBound * stride)]))
    }
}

extension TrainingEngineTests {
    /// An engine sets OpenBLAS's thread count itself (1 per product with replicas, OpenBLAS's start-up
    /// count for a single model), so a run does not inherit what an earlier engine in the process left.
    func testTheBLASThreadCountDoesNotDependOnEarlierEngines() throws {
        let saved = BLAS.threads
        defer { BLAS.threads = saved }
        _ = TrainingEngine(replicas: [try cnn(), try cnn()])
        XCTAssertEqual(BLAS.threads, 1)
        _ = TrainingEngine(replicas: [try cnn()])
        XCTAssertEqual(BLAS.threads, BLAS.defaultThreads)
    }
}
