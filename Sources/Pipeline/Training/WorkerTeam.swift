import Dispatch
import Foundation
import Synchronization

/// A fixed team of threads for the parallel loops of `TrainingEngine`: `run(iterations:_:)` is
/// `DispatchQueue.concurrentPerform` without the wake-up of a sleeping thread on every call.
///
/// The caller runs iterations 0, T + 1, 2(T + 1), ... and worker p (1...T) the iterations p,
/// p + T + 1, ...; `run` returns when all are done. A worker that has finished its share spins for
/// the next loop for up to `spinNanoseconds` (OpenMP's "block time"), then sleeps on a semaphore
/// until `run` wakes it: batches that follow each other start without any wake-up, and an idle team
/// costs no CPU after the spin. Waking a sleeping thread costs tens of microseconds, a large share of
/// a small batch's work (BENCHMARKS.md records the figure).
///
/// A team larger than the machine's cores does not spin (spinning threads would take the cores
/// from the ones with work): its workers sleep at once, as concurrentPerform's do.
/// Not reentrant: one `run` at a time (the engine's passes follow each other on one thread).
final class WorkerTeam: @unchecked Sendable {
    /// How long a finished worker polls for the next loop before it sleeps (teams that fit the cores).
    static let spinNanoseconds: UInt64 = 2_000_000

    /// What the threads share; they hold it, not the team, so that the team's deinit can stop them.
    private final class State: @unchecked Sendable {
        let generation = Atomic<Int>(0)     // loops started (the stop request is one more)
        let pending = Atomic<Int>(0)        // workers that have not finished the current loop
        var body: ((Int) -> Void)?          // the current loop's body, written before `generation`
        var iterations = 0
        var stopping = false
        let slots: [Slot]
        init(workers: Int) { slots = (0..<workers).map { _ in Slot() } }
    }

    /// A sleeping worker's flag and the semaphore it sleeps on.
    private final class Slot: @unchecked Sendable {
        let parked = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private let state: State
    /// Worker threads T (the caller is the team's other member).
    let workers: Int
    /// This team's spin before sleeping: `spinNanoseconds`, or 0 when T + 1 exceeds the cores.
    let spin: UInt64

    /// A team of `workers` threads besides the caller (0: `run` is a plain loop).
    init(workers: Int) {
        precondition(workers >= 0, "WorkerTeam: negative worker count \(workers)")
        self.workers = workers
        spin = workers + 1 <= ProcessInfo.processInfo.activeProcessorCount ? WorkerTeam.spinNanoseconds : 0
        state = State(workers: workers)
        let state = self.state, size = workers + 1, spin = self.spin
        for p in stride(from: 1, through: workers, by: 1) {
            let thread = Thread { WorkerTeam.work(state, member: p, teamSize: size, spin: spin) }
            thread.name = "earmark-worker-\(p)"
            thread.start()
        }
    }

    deinit {
        state.stopping = true
        state.generation.add(1, ordering: .sequentiallyConsistent)
        wakeSleepers()
    }

    /// Runs body(0..<iterations) over the caller and the workers; returns when every iteration is done.
    func run(iterations: Int, _ body: (Int) -> Void) {
        if workers == 0 || iterations <= 1 {
            for i in 0..<iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            state.body = body
            state.iterations = iterations
            state.pending.store(workers, ordering: .sequentiallyConsistent)
            state.generation.add(1, ordering: .sequentiallyConsistent)
            wakeSleepers()
            var i = 0
            while i < iterations { body(i); i += workers + 1 }
            var polls = 0
            while state.pending.load(ordering: .acquiring) != 0 {
                polls += 1
                if spin == 0 || polls > 64 { sched_yield() }   // let a worker without a core run
            }
            state.body = nil
        }
    }

    /// Signals every worker that went to sleep (each flag is taken by exactly one side: see `work`).
    private func wakeSleepers() {
        for slot in state.slots where slot.parked.exchange(false, ordering: .sequentiallyConsistent) {
            slot.wake.signal()
        }
    }

    /// A worker's life: wait for a new generation (spin, then sleep), run its share, report.
    private static func work(_ state: State, member p: Int, teamSize: Int, spin: UInt64) {
        let slot = state.slots[p - 1]
        var seen = 0
        while true {
            var spinStart: UInt64 = 0
            var polls = 0
            while state.generation.load(ordering: .acquiring) == seen {
                polls += 1
                if spin > 0 {
                    // yield between polls: a thread that needs this core (the caller, another
                    // replica) gets it at once; otherwise the poll resumes within a microsecond
                    if polls > 64 { sched_yield() }
                    if polls & 1023 != 0 { continue }
                    let now = DispatchTime.now().uptimeNanoseconds
                    if spinStart == 0 { spinStart = now; continue }
                    if now - spinStart < spin { continue }
                }
                // sleep: announce it, then look again (a loop may have started meanwhile)
                slot.parked.store(true, ordering: .sequentiallyConsistent)
                if state.generation.load(ordering: .sequentiallyConsistent) == seen
                    || !slot.parked.exchange(false, ordering: .sequentiallyConsistent) {
                    // either nothing started (the next run signals us) or run took the flag (and signals)
                    slot.wake.wait()
                }
                spinStart = 0
            }
            seen = state.generation.load(ordering: .acquiring)
            if state.stopping { return }
            if let body = state.body {
                var i = p
                while i < state.iterations { body(i); i += teamSize }
            }
            state.pending.subtract(1, ordering: .releasing)
        }
    }
}
