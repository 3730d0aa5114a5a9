import Dispatch
import Foundation

/// Where the time of `TrainingEngine`'s training steps goes, phase by phase, summed over the steps.
///
///     compute    split the batch, forward, loss, backward on every replica (and the local sum of
///                the replicas' losses)
///     pack       the gradients, state and statistics copied into the allreduce's buffer (ranks > 1)
///     wait       waiting for the slowest rank: a one-float allreduce before the real one, only with
///                EARMARK_STEP_PHASES=1 (otherwise this time is part of `allreduce`)
///     allreduce  the step's MPI_Allreduce
///     unpack     the summed gradients and averaged state copied back
///     optimizer  the update (and, with several replicas, the replicas' gradient sum and weight copy);
///                in one process with several replicas and an elementwise optimizer the update
///                overlaps the other replicas' passes (`OverlappedUpdate`): compute is then replica
///                0's pass, and optimizer the rest of the step, waiting for the others included
///
/// Reading the clock costs tens of nanoseconds, so the phases are always timed; only `wait` needs
/// the extra collective call and is measured on request. `train` prints the phases per step at the
/// end of a run when EARMARK_STEP_PHASES=1 (docs/SCALING.md uses them).
public struct StepPhases: Sendable {
    public enum Phase: Int, CaseIterable, Sendable {
        case compute, pack, wait, allreduce, unpack, optimizer
    }

    /// Whether `wait` is measured apart (EARMARK_STEP_PHASES=1).
    public static let separateWait = ProcessInfo.processInfo.environment["EARMARK_STEP_PHASES"] == "1"

    /// Seconds per phase, summed over `steps`.
    public private(set) var seconds = [Double](repeating: 0, count: Phase.allCases.count)
    /// Steps timed.
    public private(set) var steps = 0
    private var mark: UInt64 = 0

    public init() {}

    /// Starts a step's clock.
    mutating func begin() {
        steps += 1
        mark = DispatchTime.now().uptimeNanoseconds
    }

    /// Adds the time since the last mark to `phase`.
    mutating func end(_ phase: Phase) {
        let now = DispatchTime.now().uptimeNanoseconds
        seconds[phase.rawValue] += Double(now &- mark) / 1e9
        mark = now
    }

    /// Milliseconds per step of every phase that took time, e.g.
    /// `compute 11.02, pack 0.21, wait 1.30, allreduce 0.66, unpack 0.22, optimizer 0.31 ms per step (104 steps)`.
    public var summary: String {
        let n = Double(max(steps, 1))
        let parts = Phase.allCases.filter { seconds[$0.rawValue] > 0 }.map {
            String(format: "%@ %.2f", "\($0)", seconds[$0.rawValue] / n * 1e3)
        }
        return parts.joined(separator: ", ") + " ms per step (\(steps) steps)"
    }
}
