import Layers
import Tensor
import TestSupport
import XCTest

/// Nadam against Keras 3's own trajectories (Tests/Fixtures/make_nadam_fixtures.py): three variables,
/// eight steps of fixed gradients.
final class NadamKerasTests: XCTestCase {
    static let fixture = "training/nadam.safetensors"

    func testFollowsKeras() throws {
        let f = try Fixtures.load(Self.fixture)
        let exponential = LearningRateSchedule.exponentialDecay(initial: 0.01, decaySteps: 3, decayRate: 0.5,
                                                                staircase: false)
        let cases: [(String, Nadam)] = [
            ("nadam", Nadam(learningRate: 0.01)),
            ("nadam_everything", Nadam(learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, weightDecay: 0.1,
                                       clipping: .norm(1))),
            ("nadam_exponential", Nadam(schedule: exponential)),
        ]
        for (name, optimizer) in cases {
            try assertFollowsKeras(optimizer, fixture: f, name: name, steps: 8)
            XCTAssertEqual(optimizer.iterations, 8, name)
        }
    }

    /// The fixture can tell the options apart, and Nadam from Adam: each moves some weight well beyond
    /// the 2e-6 tolerance.
    func testEachOptionIsVisibleInTheFixture() throws {
        let f = try Fixtures.load(Self.fixture)
        func largestDifference(_ a: String, _ b: [Float], variable i: Int) throws -> Float {
            zip(try f.tensor("\(a)_\(i)").data, b).map { abs($0 - $1) }.max() ?? 0
        }
        for other in ["nadam_everything", "nadam_exponential"] {
            let differences = try (0..<3).map { i in try largestDifference(other, try f.tensor("nadam_\(i)").data,
                                                                            variable: i) }
            XCTAssertGreaterThan(differences.max()!, 1e-3, other)
        }
        // Adam on the same gradients ends elsewhere
        let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
        let adam = Adam(learningRate: 0.01)
        for step in 0..<8 {
            for (i, p) in parameters.enumerated() { p.grad = try f.tensor("g\(step)_\(i)") }
            adam.step(parameters)
        }
        let fromAdam = try (0..<3).map { i in try largestDifference("nadam", parameters[i].value.data, variable: i) }
        XCTAssertGreaterThan(fromAdam.max()!, 1e-3)
    }

    /// A checkpoint taken after four steps and restored into a new optimizer continues the trajectory:
    /// both moments, `iterations` and the momentum schedule's running product come back.
    func testCheckpointRestoresEverySlot() throws {
        let f = try Fixtures.load(Self.fixture)
        let make = { Nadam(learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, weightDecay: 0.1,
                           clipping: .norm(1)) }
        let state = try assertCheckpointContinuesKeras(make, fixture: f, name: "nadam_everything")
        XCTAssertEqual(Set(state.keys), Set(["nadam/iterations", "nadam/u_product"]
                                            + (0..<3).flatMap { ["nadam/m/\($0)", "nadam/v/\($0)"] }))
        XCTAssertNotEqual(state["nadam/u_product"]?.data, [1], "the schedule's product moved")
        let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
        var missing = state
        missing["nadam/u_product"] = nil
        XCTAssertThrowsError(try make().restore(missing, for: parameters)) { error in
            XCTAssertEqual("\(error)", "optimizer state has no finite nadam/u_product")
        }
    }
}
