import Layers
import Tensor
import TestSupport
import XCTest

final class Pooling1DTests: XCTestCase {
    // MARK: tier 1: Keras fixtures (Tests/Fixtures/make_pool1d_fixtures.py)

    /// Inputs rounded to halves: tied windows give the whole gradient to their first maximum.
    func testMaxValidWithTiesMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.max(.init())), "maxpool1d_valid_tied")
    }

    /// Overlapping windows (pool 3, stride 1) add their gradients where they share a maximum.
    func testMaxOverlappingWithTiesMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.max(.init(poolSize: 3, strides: 1))), "maxpool1d_overlapping_tied")
    }

    /// `same`, pool 3, stride 2 on 8 steps: the odd padding step at the end never wins.
    func testMaxSameWithStrideMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.max(.init(poolSize: 3, strides: 2, padding: .same))), "maxpool1d_same_stride")
    }

    func testAverageValidWithStrideMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.average(.init(poolSize: 4, strides: 3))), "avgpool1d_valid")
    }

    /// `same`, pool 4, stride 2 on 7 steps: the border windows average only their steps inside.
    func testAverageSameWithStrideMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.average(.init(poolSize: 4, strides: 2, padding: .same))),
                              "avgpool1d_same_stride")
    }

    /// Tied channel maxima share the gradient equally.
    func testGlobalMaxWithTiesMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.globalMax), "global_maxpool1d_tied")
    }

    func testGlobalAverageMatchesKeras() throws {
        try checkLayerFixture(Pooling1D(.globalAverage), "global_avgpool1d")
    }

    /// The values by hand: one sequence of 5 steps and 2 channels.
    func testSmallSequenceByHand() {
        let x = Tensor(shape: [1, 5, 2], data: [1, -1,
                                                4, -2,
                                                2, -3,
                                                2, -4,
                                                0, -5])
        let maxPool = Pooling1D(.max(.init(poolSize: 2, padding: .same)))   // windows [0,1] [2,3] [4]
        XCTAssertEqual(maxPool.forward(x, training: false).data, [4, -1, 2, -3, 0, -5])
        // the tie in window [2, 3] of channel 0 routes to step 2, the first
        XCTAssertEqual(maxPool.backward(Tensor(shape: [1, 3, 2], data: [1, 2, 3, 4, 5, 6])).data,
                       [0, 2, 1, 0, 3, 4, 0, 0, 5, 6])
        let average = Pooling1D(.average(.init(poolSize: 2, padding: .same)))
        XCTAssertEqual(average.forward(x, training: false).data, [2.5, -1.5, 2, -3.5, 0, -5])
        XCTAssertEqual(average.backward(Tensor(shape: [1, 3, 2], data: [2, 4, 6, 8, 10, 12])).data,
                       [1, 2, 1, 2, 3, 4, 3, 4, 10, 12])
        let globalMax = Pooling1D(.globalMax)
        XCTAssertEqual(globalMax.forward(x, training: false).data, [4, -1])
        let globalAverage = Pooling1D(.globalAverage)
        XCTAssertEqual(globalAverage.forward(x, training: false).data, [1.8, -3])
        XCTAssertEqual(globalAverage.backward(Tensor(shape: [1, 2], data: [5, 10])).data,
                       [1, 2, 1, 2, 1, 2, 1, 2, 1, 2])
    }

    // MARK: tier 2: finite differences

    /// Distinct values 0.1 apart, so that a step of 1e-2 never changes which value is the maximum.
    private func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let count = Tensor.elementCount(shape)
        return Tensor(shape: shape, data: (0..<count).map { Float($0) * 0.1 - 2 }.shuffled(using: &rng))
    }

    func testGradients() throws {
        let modes: [Pooling1D.Mode] = [.max(.init()), .max(.init(poolSize: 3, strides: 2, padding: .same)),
                                       .average(.init(poolSize: 3, strides: 1)),
                                       .average(.init(poolSize: 2, strides: 3, padding: .same)),
                                       .globalMax, .globalAverage]
        for (i, mode) in modes.enumerated() {
            let pool = try built(Pooling1D(mode), [7, 3])
            checkGradients(pool, input: distinct([2, 7, 3], seed: 90 + UInt64(i)))
        }
    }

    // MARK: shapes, names, errors

    func testShapesNamesAndKinds() throws {
        let cases: [(Pooling1D.Mode, String, String, [Int])] = [
            (.max(.init()), "max_pooling1d", "MaxPooling1D", [4, 6]),
            (.max(.init(poolSize: 3, strides: 2, padding: .same)), "max_pooling1d", "MaxPooling1D", [5, 6]),
            (.average(.init(poolSize: 3, strides: 1)), "average_pooling1d", "AveragePooling1D", [7, 6]),
            (.globalMax, "global_max_pooling1d", "GlobalMaxPooling1D", [6]),
            (.globalAverage, "global_average_pooling1d", "GlobalAveragePooling1D", [6]),
        ]
        for (mode, name, kind, shape) in cases {
            let pool = Pooling1D(mode)
            XCTAssertEqual(pool.name, name)
            XCTAssertEqual(pool.kind, kind)
            XCTAssertTrue(pool.parameters.isEmpty)
            XCTAssertEqual(try pool.outputShape(for: [9, 6]), shape, "\(kind)")
        }
        XCTAssertEqual(Pooling1D.Window(poolSize: 3).strides, 3, "strides default to pool_size")
    }

    /// Errors name the layer (as `Sequential` renamed it), its type and the shapes.
    func testShapeErrorsNameTheLayer() {
        let pool = Pooling1D(.max(.init(poolSize: 10)))
        pool.name = "max_pooling1d_2"
        XCTAssertThrowsError(try pool.outputShape(for: [9, 6])) { error in
            XCTAssertEqual("\(error)", "max_pooling1d_2 (MaxPooling1D): pool_size 10 is longer than the 9 input "
                           + "steps with padding valid")
        }
        XCTAssertNoThrow(try Pooling1D(.max(.init(poolSize: 10, padding: .same))).outputShape(for: [9, 6]))
        XCTAssertThrowsError(try Pooling1D(.globalAverage).outputShape(for: [9, 13, 1])) { error in
            XCTAssertEqual("\(error)", "global_average_pooling1d (GlobalAveragePooling1D): expects input "
                           + "(time steps, channels), all positive, got [9, 13, 1]")
        }
    }

    /// In a model: a training step and inference give the same output, and the pool's buffers are
    /// reused from one batch to the next (two forwards of different inputs, both right).
    func testInSequentialAfterConv1D() throws {
        let model = try Sequential(inputShape: [9, 4], layers: [
            Conv1D(filters: 5, kernelSize: 2, padding: .same, activation: .relu),
            Pooling1D(.max(.init())), Pooling1D(.average(.init(poolSize: 2, strides: 1))),
            Pooling1D(.globalMax), Dense(units: 3, activation: .softmax),
        ], seed: 3)
        XCTAssertEqual(model.layers.map(\.name), ["conv1d", "max_pooling1d", "average_pooling1d",
                                                  "global_max_pooling1d", "dense"])
        XCTAssertEqual(model.layerOutputShapes, [[9, 5], [4, 5], [3, 5], [5], [3]])
        let a = randomTensor([4, 9, 4], seed: 5), b = randomTensor([4, 9, 4], seed: 6)
        let trainedA = model.forward(a, training: true).data
        let trainedB = model.forward(b, training: true).data
        XCTAssertEqual(model.infer(a).data, trainedA)
        XCTAssertEqual(model.infer(b).data, trainedB)
        XCTAssertNotEqual(trainedA, trainedB)
    }
}
