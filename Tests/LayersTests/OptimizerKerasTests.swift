import Layers
import Tensor
import TestSupport
import XCTest

/// Keras's decoupled `weight_decay` and gradient clipping in Adam and SGD against Keras 3's own
/// trajectories (Tests/Fixtures/make_optimizer_fixtures.py): three variables, five steps of fixed gradients.
/// A Keras optimizer trajectory of a fixture: three variables `w0_{i}`, `steps` steps of gradients
/// `g{step}_{i}`, Keras's variables after them `{name}_{i}`; `optimizer` must end within 2e-6.
func assertFollowsKeras(_ optimizer: Optimizer, fixture f: SafeTensors.File, name: String, steps: Int,
                        file: StaticString = #filePath, line: UInt = #line) throws {
    let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
    for step in 0..<steps {
        for (i, p) in parameters.enumerated() { p.grad = try f.tensor("g\(step)_\(i)") }
        optimizer.step(parameters)
    }
    for (i, p) in parameters.enumerated() {
        let keras = try f.tensor("\(name)_\(i)")
        XCTAssertEqual(p.value.shape, keras.shape, name, file: file, line: line)
        assertClose(p.value.data, keras.data, tolerance: 2e-6, "\(name), variable \(i)", file: file, line: line)
    }
}

/// Four steps of `make()`'s optimizer on a fixture's gradients, its `state()` restored into a new one,
/// which takes the last four: the variables must end on Keras's trajectory `name`, as without the
/// checkpoint. Returns the state, for checks of its names.
@discardableResult
func assertCheckpointContinuesKeras(_ make: () -> Optimizer, fixture f: SafeTensors.File, name: String,
                                    file: StaticString = #filePath, line: UInt = #line) throws -> [String: Tensor] {
    let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
    func run(_ optimizer: Optimizer, steps: Range<Int>) throws {
        for step in steps {
            for (i, p) in parameters.enumerated() { p.grad = try f.tensor("g\(step)_\(i)") }
            optimizer.step(parameters)
        }
    }
    let first = make()
    try run(first, steps: 0..<4)
    let state = first.state()
    let second = make()
    try second.restore(state, for: parameters)
    XCTAssertEqual(second.iterations, 4, name, file: file, line: line)
    try run(second, steps: 4..<8)
    for (i, p) in parameters.enumerated() {
        assertClose(p.value.data, try f.tensor("\(name)_\(i)").data, tolerance: 2e-6, "\(name), variable \(i)",
                    file: file, line: line)
    }
    return state
}

final class OptimizerKerasTests: XCTestCase {
    func run(_ optimizer: Optimizer, fixture f: SafeTensors.File, name: String) throws {
        try assertFollowsKeras(optimizer, fixture: f, name: name, steps: 5)
    }

    func testAdamAndSGDWithWeightDecayFollowKeras() throws {
        let f = try Fixtures.load("training/optimizers.safetensors")
        try run(Adam(learningRate: 0.01, weightDecay: 0.1), fixture: f, name: "adam")
        try run(Adam(learningRate: 0.01), fixture: f, name: "adam_plain")
        try run(SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 0.1), fixture: f, name: "sgd")
        try run(SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1), fixture: f,
                name: "sgd_nesterov")
    }

    func testClippedGradientsFollowKeras() throws {
        let f = try Fixtures.load("training/optimizers.safetensors")
        try run(Adam(learningRate: 0.01, clipping: .norm(1)), fixture: f, name: "adam_clipnorm")
        try run(Adam(learningRate: 0.01, clipping: .globalNorm(1)), fixture: f, name: "adam_global_clipnorm")
        try run(SGD(learningRate: 0.05, momentum: 0.9, clipping: .norm(1)), fixture: f, name: "sgd_clipnorm")
        try run(SGD(learningRate: 0.05, momentum: 0.9, clipping: .value(0.3)), fixture: f, name: "sgd_clipvalue")
        try run(SGD(learningRate: 0.05, momentum: 0.9), fixture: f, name: "sgd_plain")
    }

    /// The fixture can tell: the decay and each clipping move some weight well beyond the tolerance
    /// above, compared with the same optimizer without them.
    func testEachOptionIsVisibleInTheFixture() throws {
        let f = try Fixtures.load("training/optimizers.safetensors")
        func largestDifference(_ a: String, _ b: String) throws -> Float {
            try (0..<3).map { i in
                zip(try f.tensor("\(a)_\(i)").data, try f.tensor("\(b)_\(i)").data).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        }
        XCTAssertGreaterThan(try largestDifference("adam", "adam_plain"), 1e-3)
        XCTAssertGreaterThan(try largestDifference("adam_clipnorm", "adam_plain"), 1e-4)
        XCTAssertGreaterThan(try largestDifference("adam_global_clipnorm", "adam_plain"), 1e-4)
        XCTAssertGreaterThan(try largestDifference("sgd_clipnorm", "sgd_plain"), 1e-2)
        XCTAssertGreaterThan(try largestDifference("sgd_clipvalue", "sgd_plain"), 1e-2)
    }
}
