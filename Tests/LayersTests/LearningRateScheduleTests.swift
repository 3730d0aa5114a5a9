import Layers
import Tensor
import TestSupport
import XCTest

/// Keras 3's learning-rate schedules against Keras's own rates, and Adam and SGD driven by them against
/// Keras's trajectories (Tests/Fixtures/make_schedule_fixtures.py).
final class LearningRateScheduleTests: XCTestCase {
    /// The fixture's schedules, by their names there.
    static let schedules: [(String, LearningRateSchedule)] = [
        ("cosine", .cosineDecay(initial: 0.01, decaySteps: 10, alpha: 0.1, warmupTarget: nil, warmupSteps: 0)),
        ("cosine_warmup", .cosineDecay(initial: 0.001, decaySteps: 10, alpha: 0, warmupTarget: 0.01, warmupSteps: 4)),
        ("exponential", .exponentialDecay(initial: 0.01, decaySteps: 3, decayRate: 0.5, staircase: false)),
        ("exponential_staircase", .exponentialDecay(initial: 0.01, decaySteps: 3, decayRate: 0.5, staircase: true)),
        ("piecewise", .piecewiseConstantDecay(boundaries: [3, 7], values: [0.01, 0.005, 0.001])),
        ("polynomial", .polynomialDecay(initial: 0.01, decaySteps: 8, end: 0.001, power: 2, cycle: false)),
        ("polynomial_cycle", .polynomialDecay(initial: 0.01, decaySteps: 5, end: 0.002, power: 1, cycle: true)),
        ("inverse_time", .inverseTimeDecay(initial: 0.01, decaySteps: 2, decayRate: 0.5, staircase: false)),
        ("inverse_time_staircase", .inverseTimeDecay(initial: 0.01, decaySteps: 2, decayRate: 0.5, staircase: true)),
    ]

    /// Every schedule's rate at steps 0 ... 23: the warmup, the decay, the clamp after `decay_steps`,
    /// the staircase, the cycles and each side of every boundary; to float32 rounding of the schedule's
    /// largest rate (near the end of a cosine, 1 + cos(x) loses the low bits of cos(x) in both).
    func testRatesFollowKeras() throws {
        let f = try Fixtures.load("training/schedules.safetensors")
        for (name, schedule) in Self.schedules {
            let keras = try f.tensor("rate_\(name)").data
            XCTAssertEqual(keras.count, 24, name)
            let tolerance = keras.max()! * 1e-6
            for (step, expected) in keras.enumerated() {
                XCTAssertEqual(schedule.rate(atStep: step), expected, accuracy: tolerance, "\(name), step \(step)")
            }
        }
    }

    /// The fixture can tell the schedules apart from a constant rate and from an off-by-one step.
    func testTheFixtureSeesEveryStepOfTheSchedule() throws {
        let f = try Fixtures.load("training/schedules.safetensors")
        for (name, schedule) in Self.schedules {
            let keras = try f.tensor("rate_\(name)").data
            XCTAssertGreaterThan(Set(keras).count, 2, name)
            let shifted = (0..<23).filter { abs(schedule.rate(atStep: $0 + 1) - keras[$0]) > keras[$0] * 1e-3 }
            XCTAssertFalse(shifted.isEmpty, "\(name): a schedule read one step late would pass")
        }
    }

    func run(_ optimizer: Optimizer, fixture f: SafeTensors.File, name: String) throws {
        try assertFollowsKeras(optimizer, fixture: f, name: name, steps: 8)
    }

    /// Eight updates with a schedule: its rate drives the update and the weight decay, after clipping.
    func testOptimizersWithSchedulesFollowKeras() throws {
        let f = try Fixtures.load("training/schedules.safetensors")
        let schedule = Dictionary(uniqueKeysWithValues: Self.schedules)
        try run(Adam(weightDecay: 0.1, schedule: schedule["cosine_warmup"]), fixture: f, name: "adam_cosine_warmup")
        try run(SGD(momentum: 0.9, schedule: schedule["exponential_staircase"]), fixture: f,
                name: "sgd_exponential_staircase")
        try run(Adam(clipping: .norm(1), schedule: schedule["piecewise"]), fixture: f, name: "adam_piecewise_clipnorm")
    }

    /// The optimizer's `learningRate` is the schedule's: step 0's before any update, then that of the
    /// last update; the state's `iterations` picks the rate after a restore.
    func testLearningRateIsTheLastUpdatesAndResumesFromTheIterations() throws {
        let schedule = LearningRateSchedule.piecewiseConstantDecay(boundaries: [1], values: [0.5, 0.25])
        let adam = Adam(learningRate: 0.001, schedule: schedule)
        XCTAssertEqual(adam.learningRate, 0.5)
        let p = Parameter(name: "w", value: Tensor(shape: [2], data: [1, 2]))
        p.grad = Tensor(shape: [2], data: [0.1, -0.1])
        for expected: Float in [0.5, 0.5, 0.25] {
            adam.step([p])
            XCTAssertEqual(adam.learningRate, expected)
        }
        let resumed = Adam(schedule: schedule)
        try resumed.restore(adam.state(), for: [p])
        resumed.step([p])
        XCTAssertEqual(resumed.iterations, 4)
        XCTAssertEqual(resumed.learningRate, 0.25)
    }

    func testDecayingOverReplacesTheDecayLength() {
        let cosine = LearningRateSchedule.cosineDecay(initial: 1, decaySteps: 1, alpha: 0, warmupTarget: nil, warmupSteps: 0)
        XCTAssertEqual(cosine.decaying(over: 100).rate(atStep: 50), 0.5, accuracy: 1e-6)
        XCTAssertEqual(cosine.decaying(over: 100).rate(atStep: 100), 0, accuracy: 1e-6)
        let piecewise = LearningRateSchedule.piecewiseConstantDecay(boundaries: [2], values: [1, 2])
        XCTAssertEqual(piecewise.decaying(over: 100), piecewise)
    }
}
