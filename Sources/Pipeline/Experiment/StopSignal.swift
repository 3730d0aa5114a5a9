import CSupport
import Foundation
import Synchronization

/// Ctrl-C, SIGTERM and SIGUSR1 in `train`. During the training steps (`deferred`) the handler only
/// raises a flag; the training loop finishes its step, writes a checkpoint and returns
/// (docs/WORKFLOW.md §10.2). Anywhere else (cleaning, features, scoring, reports), and at a second
/// signal, the process ends at once with status 128 + the signal (130 for Ctrl-C), after one line
/// on standard error: every file is written atomically, so what was finished is kept and the rest is
/// redone by the next run (a signal there used to wait for the data preparation to end, which takes
/// minutes on a large set, or was swallowed by the scoring and the run exited 0).
/// SIGUSR1 is the stop for a job under mpirun: Open MPI forwards it to every rank and lets them
/// finish, while Ctrl-C or SIGTERM to mpirun make it abort the job (the ranks get SIGTERM, then
/// SIGKILL a second later).
public enum StopSignal {
    private static let flag = Atomic<Int32>(0)
    private static let deferring = Atomic<Bool>(false)
    /// The line written when a signal ends the process at once (built before any handler runs:
    /// a signal handler may only call async-signal-safe functions such as write and _exit).
    nonisolated(unsafe) private static var endLine: [UInt8] = []

    /// Installs handlers for SIGINT, SIGTERM and SIGUSR1, except for a signal the caller left
    /// ignored (`trap '' INT`, a shell's background job): it stays ignored, as in any Unix command.
    public static func install() {
        endLine = Array(("\nstopped at once by a signal: the files written so far are complete; run the command "
                         + "again (train --resume continues from the last checkpoint)\n").utf8)
        for s in [SIGINT, SIGTERM, SIGUSR1] where earmark_signal_is_ignored(s) == 0 {
            signal(s) { sig in
                if StopSignal.deferring.load(ordering: .relaxed),
                   StopSignal.flag.compareExchange(expected: 0, desired: sig, ordering: .relaxed).exchanged {
                    return   // the training step finishes and the loop writes its checkpoint
                }
                StopSignal.endLine.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
                _exit(128 + sig)
            }
        }
    }

    /// Runs `body` (the training steps) with signals deferred: one only raises the flag that
    /// `shouldStop` reads; a second ends the process at once.
    public static func deferred<T>(_ body: () throws -> T) rethrows -> T {
        deferring.store(true, ordering: .relaxed)
        defer { deferring.store(false, ordering: .relaxed) }
        return try body()
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
