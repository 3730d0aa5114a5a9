import Foundation
import Synchronization

/// A parallel loop over files whose work mixes computing with waiting on the disk (each clean file's
/// `fsync`, its folder's, the reads of its source): `threads` threads, more than the cores, so that a
/// core whose thread waits for the disk runs another one's computing. `DispatchQueue.concurrentPerform`
/// runs one thread per core, and a thread blocked in `fsync` leaves its core idle.
///
/// Each thread takes the next index until none is left; the caller's thread is one of them and the
/// call returns when every iteration is done. The order of the iterations is not defined: `body`
/// writes its result by index.
enum FileLoop {
    /// Threads for a loop of file work on this machine: four per core. Cleaning 400 clips of 2.5 s
    /// at 44.1 kHz on 2 cores took 0.31-0.37 s with one thread per core, 0.27-0.31 with two,
    /// 0.21-0.27 with four and 0.25-0.28 with eight (BENCHMARKS.md "What was tried"). Each thread
    /// holds one clip's buffers at a time.
    static var defaultThreads: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

    /// Runs `body(i)` for every i in 0..<iterations on up to `threads` threads.
    static func run(iterations: Int, threads: Int = defaultThreads, _ body: @escaping @Sendable (Int) -> Void) {
        guard iterations > 0 else { return }
        let next = Counter()
        let work: @Sendable () -> Void = {
            while true {
                let i = next.value.add(1, ordering: .relaxed).oldValue
                guard i < iterations else { return }
                body(i)
            }
        }
        let helpers = min(max(threads, 1), iterations) - 1
        let done = DispatchGroup()
        for _ in 0..<helpers {
            done.enter()
            let thread = Thread { work(); done.leave() }
            thread.start()
        }
        work()
        done.wait()
    }

    /// The next index, shared by the threads of one loop.
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}
