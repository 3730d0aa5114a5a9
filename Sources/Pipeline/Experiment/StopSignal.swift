import Foundation
import Synchronization

/// Ctrl-C, SIGTERM and SIGUSR1 during training: the handler only raises a flag; the training loop
/// finishes its step, writes a checkpoint and returns (docs/WORKFLOW.md §10.2). SIGUSR1 is the stop
/// for a job under mpirun: Open MPI forwards it to every rank and lets them finish, while Ctrl-C or
/// SIGTERM to mpirun make it abort the job (the ranks get SIGTERM, then SIGKILL a second later).
public enum StopSignal {
    private static let flag = Atomic<Int32>(0)

    /// Installs handlers for SIGINT, SIGTERM and SIGUSR1 that record the signal.
    public static func install() {
        signal(SIGINT) { StopSignal.flag.store($0, ordering: .relaxed) }
        signal(SIGTERM) { StopSignal.flag.store($0, ordering: .relaxed) }
        signal(SIGUSR1) { StopSignal.flag.store($0, ordering: .relaxed) }
    }

    private static let polls = Atomic<Int>(0)
    private static let stepLimit = Atomic<Int>(0)

    /// For tests: `shouldStop` also answers true from the `steps`-th poll on (the trainer polls once
    /// per training step), a deterministic stand-in for Ctrl-C during that step.
    public static func stop(afterSteps steps: Int) { stepLimit.store(steps, ordering: .relaxed) }

    private static let deathStep = Atomic<Int>(0)

    /// For tests of a rank that dies: the `step`-th poll kills this process (SIGKILL, no clean-up),
    /// as a crash or a lost host would.
    public static func die(atStep step: Int) { deathStep.store(step, ordering: .relaxed) }

    /// Whether training should stop now: a signal was received or the test step limit is reached.
    /// Counts one poll per call.
    public static func shouldStop() -> Bool {
        let n = polls.add(1, ordering: .relaxed).newValue, limit = stepLimit.load(ordering: .relaxed)
        if n == deathStep.load(ordering: .relaxed) { kill(getpid(), SIGKILL) }
        return received != nil || (limit > 0 && n >= limit)
    }

    /// The signal received, if any.
    public static var received: Int32? {
        let s = flag.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }
}
