import Layers
import Tensor
import TestSupport
import XCTest

/// RMSprop against Keras 3's own trajectories (Tests/Fixtures/make_rmsprop_fixtures.py): three
/// variables, eight steps of fixed gradients.
final class RMSpropKerasTests: XCTestCase {
    static let fixture = "training/rmsprop.safetensors"

    func testFollowsKeras() throws {
        let f = try Fixtures.load(Self.fixture)
        let exponential = LearningRateSchedule.exponentialDecay(initial: 0.01, decaySteps: 3, decayRate: 0.5,
                                                                staircase: false)
        let cases: [(String, RMSprop)] = [
            ("rmsprop", RMSprop(learningRate: 0.01)),
            ("rmsprop_momentum", RMSprop(learningRate: 0.01, momentum: 0.9)),
            ("rmsprop_centered", RMSprop(learningRate: 0.01, centered: true)),
            ("rmsprop_everything", RMSprop(learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true,
                                           weightDecay: 0.1, clipping: .norm(1))),
            ("rmsprop_exponential", RMSprop(momentum: 0.9, schedule: exponential)),
        ]
        for (name, optimizer) in cases {
            try assertFollowsKeras(optimizer, fixture: f, name: name, steps: 8)
            XCTAssertEqual(optimizer.iterations, 8, name)
        }
    }

    /// The fixture can tell the options apart: each moves some weight well beyond the 2e-6 tolerance.
    func testEachOptionIsVisibleInTheFixture() throws {
        let f = try Fixtures.load(Self.fixture)
        func largestDifference(_ a: String, _ b: String) throws -> Float {
            try (0..<3).map { i in
                zip(try f.tensor("\(a)_\(i)").data, try f.tensor("\(b)_\(i)").data).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
        }
        for other in ["rmsprop_momentum", "rmsprop_centered", "rmsprop_everything", "rmsprop_exponential"] {
            XCTAssertGreaterThan(try largestDifference(other, "rmsprop"), 1e-3, other)
        }
    }

    /// A checkpoint taken after four steps and restored into a new optimizer continues the trajectory
    /// exactly: every slot (velocity, momentum, average gradient) and `iterations` come back.
    func testCheckpointRestoresEverySlot() throws {
        let f = try Fixtures.load(Self.fixture)
        let make = { RMSprop(learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-3, centered: true,
                             weightDecay: 0.1, clipping: .norm(1)) }
        let state = try assertCheckpointContinuesKeras(make, fixture: f, name: "rmsprop_everything")
        XCTAssertEqual(Set(state.keys), Set(["rmsprop/iterations"] + (0..<3).flatMap { i in
            ["rmsprop/velocity/\(i)", "rmsprop/momentum/\(i)", "rmsprop/average_gradient/\(i)"]
        }))
        let parameters = try (0..<3).map { i in Parameter(name: "w\(i)", value: try f.tensor("w0_\(i)")) }
        var missing = state
        missing["rmsprop/average_gradient/1"] = nil
        XCTAssertThrowsError(try make().restore(missing, for: parameters)) { error in
            XCTAssertEqual("\(error)", "optimizer state slot rmsprop/average_gradient/1 (w1) is missing or not of shape [3]")
        }
        // without momentum or centring, the state holds only the velocity
        let plain = RMSprop()
        plain.step(parameters)
        XCTAssertEqual(Set(plain.state().keys),
                       Set(["rmsprop/iterations", "rmsprop/velocity/0", "rmsprop/velocity/1", "rmsprop/velocity/2"]))
    }
}
