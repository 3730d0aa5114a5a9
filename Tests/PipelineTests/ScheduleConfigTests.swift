import Layers
import Pipeline
import XCTest

/// `training.learning_rate_schedule`: each kind decoded with Keras's defaults, printed (and hashed)
/// only when set, the schedule that reaches the optimizer, its length over the whole run when
/// `decay_steps` is left out, and a message naming the file, line and key for each mistake.
final class ScheduleConfigTests: XCTestCase {
    let layers = ScheduleConfigTests.minimalLayers

    func parse(_ training: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(layers + "training:\n" + training, file: "cfg/x.yaml", defaultName: "x")
    }

    /// Parses, prints and parses back to an equal config with another hash than the one without it.
    func roundTrip(_ training: String, line: UInt = #line) throws -> ExperimentConfig {
        let c = try parse(training)
        try assertPrintsBackAndHashesApart(c, from: try parse("  learning_rate: \(c.training.learningRate)\n"),
                                           line: line)
        return c
    }

    func testEachKindParsesWithKerasDefaultsAndPrintsBack() throws {
        let plain = try parse("  epochs: 3\n")
        XCTAssertNil(plain.training.learningRateSchedule)
        XCTAssertFalse(plain.yaml().contains("learning_rate_schedule"))
        XCTAssertNil(plain.training.makeOptimizer(stepsPerEpoch: 5).schedule)

        let cosine = try roundTrip("  learning_rate: 0.01\n  learning_rate_schedule: {kind: cosine_decay, decay_steps: 100}\n")
        XCTAssertEqual(cosine.training.learningRateSchedule,
                       ScheduleSetting(.cosineDecay(initial: 0.01, decaySteps: 100, alpha: 0, warmupTarget: nil,
                                                    warmupSteps: 0)))
        XCTAssertTrue(cosine.yaml().contains(
            "  learning_rate_schedule: {kind: cosine_decay, decay_steps: 100, alpha: 0.0}\nsplit:"), cosine.yaml())
        let warm = try roundTrip("  learning_rate_schedule: {kind: cosine_decay, decay_steps: 9, alpha: 0.1, "
                                 + "warmup_target: 0.01, warmup_steps: 3}\n")
        XCTAssertEqual(warm.training.learningRateSchedule?.configured,
                       .cosineDecay(initial: 0.001, decaySteps: 9, alpha: 0.1, warmupTarget: 0.01, warmupSteps: 3))
        let exponential = try roundTrip("  learning_rate_schedule: {kind: exponential_decay, decay_steps: 4, "
                                        + "decay_rate: 0.9, staircase: true}\n")
        XCTAssertEqual(exponential.training.learningRateSchedule?.configured,
                       .exponentialDecay(initial: 0.001, decaySteps: 4, decayRate: 0.9, staircase: true))
        let inverse = try roundTrip("  learning_rate_schedule: {kind: inverse_time_decay, decay_steps: 4, decay_rate: 2}\n")
        XCTAssertEqual(inverse.training.learningRateSchedule?.configured,
                       .inverseTimeDecay(initial: 0.001, decaySteps: 4, decayRate: 2, staircase: false))
        let polynomial = try roundTrip("  learning_rate_schedule: {kind: polynomial_decay, decay_steps: 50}\n")
        XCTAssertEqual(polynomial.training.learningRateSchedule?.configured,
                       .polynomialDecay(initial: 0.001, decaySteps: 50, end: 0.0001, power: 1, cycle: false))
        // the piecewise schedule's first value is the initial rate: learning_rate follows it
        let piecewise = try roundTrip("  optimizer: sgd\n  learning_rate_schedule:\n    kind: piecewise_constant_decay\n"
                                      + "    boundaries: [100, 200]\n    values: [0.1, 0.01, 0.001]\n")
        XCTAssertEqual(piecewise.training.learningRate, 0.1)
        XCTAssertEqual(piecewise.training.learningRateSchedule?.configured,
                       .piecewiseConstantDecay(boundaries: [100, 200], values: [0.1, 0.01, 0.001]))
        let sgd = piecewise.training.makeOptimizer(stepsPerEpoch: 10)
        XCTAssertTrue(sgd is SGD)
        XCTAssertEqual(sgd.schedule, piecewise.training.learningRateSchedule?.configured)
        XCTAssertEqual(sgd.learningRate, 0.1)
    }

    /// Without `decay_steps` the schedule decays over epochs x steps per epoch (after the warmup, for a
    /// cosine with one), so the last update of the run has the end rate.
    func testWithoutDecayStepsTheScheduleSpansTheRun() throws {
        let c = try roundTrip("  epochs: 4\n  learning_rate: 0.01\n  learning_rate_schedule: {kind: cosine_decay, alpha: 0.1}\n")
        XCTAssertFalse(c.yaml().contains("decay_steps"), c.yaml())
        XCTAssertEqual(c.training.makeOptimizer(stepsPerEpoch: 25).schedule,
                       .cosineDecay(initial: 0.01, decaySteps: 100, alpha: 0.1, warmupTarget: nil, warmupSteps: 0))
        let warm = try parse("  epochs: 4\n  learning_rate_schedule: {kind: cosine_decay, warmup_target: 0.01, warmup_steps: 10}\n")
        let schedule = try XCTUnwrap(warm.training.makeOptimizer(stepsPerEpoch: 25).schedule)
        XCTAssertEqual(schedule, .cosineDecay(initial: 0.001, decaySteps: 90, alpha: 0, warmupTarget: 0.01, warmupSteps: 10))
        XCTAssertEqual(schedule.rate(atStep: 10), 0.01)
        XCTAssertEqual(schedule.rate(atStep: 100), 0)
        let polynomial = try parse("  epochs: 2\n  learning_rate_schedule: {kind: polynomial_decay, end_learning_rate: 0}\n")
        XCTAssertEqual(polynomial.training.makeOptimizer(stepsPerEpoch: 3).schedule?.rate(atStep: 6), 0)
        XCTAssertNotEqual(try parse("  learning_rate_schedule: {kind: exponential_decay, decay_rate: 0.5}\n").configHash,
                          try parse("  learning_rate_schedule: {kind: exponential_decay, decay_rate: 0.5, decay_steps: 1}\n")
                            .configHash)
    }

    func testMistakesNameTheFileLineAndKey() {
        let schedule = "  learning_rate_schedule: "
        let bad: [(String, String)] = [
            (schedule + "cosine_decay\n", "cfg/x.yaml:6: training.learning_rate_schedule: must be a mapping"),
            (schedule + "{decay_steps: 10}\n", "training.learning_rate_schedule: needs kind: one of cosine_decay, "
                + "exponential_decay, inverse_time_decay, polynomial_decay, piecewise_constant_decay"),
            (schedule + "{kind: step_decay}\n", "training.learning_rate_schedule.kind: 'step_decay'"),
            (schedule + "{kind: cosine_decay, decay_rate: 0.5}\n", "training.learning_rate_schedule.decay_rate"),
            (schedule + "{kind: cosine_decay, decay_steps: 0}\n", "training.learning_rate_schedule.decay_steps"),
            (schedule + "{kind: cosine_decay, warmup_steps: 5}\n",
             "training.learning_rate_schedule: warmup_target and warmup_steps go together"),
            (schedule + "{kind: exponential_decay, decay_steps: 5}\n",
             "training.learning_rate_schedule: kind exponential_decay needs decay_rate"),
            (schedule + "{kind: exponential_decay, decay_rate: 1.5}\n", "training.learning_rate_schedule.decay_rate"),
            (schedule + "{kind: piecewise_constant_decay, boundaries: [5, 5], values: [1, 2, 3]}\n",
             "training.learning_rate_schedule.boundaries: must be one or more increasing step numbers"),
            (schedule + "{kind: piecewise_constant_decay, boundaries: [5], values: [0.1]}\n",
             "training.learning_rate_schedule.values: must hold one rate more than boundaries (2, not 1)"),
            ("  learning_rate: 0.5\n" + schedule + "{kind: piecewise_constant_decay, boundaries: [5], values: [0.1, 0.01]}\n",
             "cfg/x.yaml:6: training.learning_rate: is 0.5, but learning_rate_schedule's first value is 0.1"),
            ("  reduce_lr_on_plateau: {patience: 2}\n" + schedule + "{kind: cosine_decay}\n",
             "cfg/x.yaml:6: training.reduce_lr_on_plateau: cannot be combined with learning_rate_schedule"),
        ]
        assertConfigErrors(bad, prefix: layers + "training:\n")
        let forest = "model:\n  kind: random_forest\ntraining:\n  learning_rate_schedule: {kind: cosine_decay}\n"
        assertConfigErrors([(forest, "cfg/x.yaml:4: training.learning_rate_schedule: does not apply to a random forest")])
    }
}
