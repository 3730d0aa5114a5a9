#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// The temporary file of a write in progress, removed when a signal stops the process: commands that
/// write one file where the user says (`export --out`, `preprocess features --out`) install it, since
/// no data-folder sweep ever passes there (a Ctrl-C during the write left `.<name>.<uuid>.tmp` beside
/// the output for good). Commands that write into a data folder leave this to `DataLock`'s sweep.
public enum InterruptedWrite {
    /// The path of the temporary file being written, as a C string the handler can pass to unlink(2)
    /// (allocated once: a signal handler may call only async-signal-safe functions).
    nonisolated(unsafe) private static let path = UnsafeMutablePointer<CChar>.allocate(capacity: Int(PATH_MAX) + 1)
    private static let installed = Atomic<Bool>(false)
    private static let pending = Atomic<Bool>(false)

    /// Installs handlers for SIGINT, SIGTERM, SIGHUP and SIGUSR1, the scheduler's and mpirun's stop
    /// (except one the caller left ignored) that remove
    /// the temporary file being written, if any, and end the process with status 128 + the signal.
    public static func removeOnSignal() {
        guard installed.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
        else { return }
        for s in [SIGINT, SIGTERM, SIGHUP, SIGUSR1] {
            var current = sigaction()
            if sigaction(s, nil, &current) == 0, unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == 1 {
                continue      // SIG_IGN: left ignored, as the caller asked
            }
            signal(s) { sig in
                if InterruptedWrite.pending.load(ordering: .sequentiallyConsistent) { unlink(InterruptedWrite.path) }
                _exit(128 + sig)
            }
        }
    }

    /// Notes `temporary` as the file being written (`AtomicFile` calls it); a no-op until installed.
    static func begin(_ temporary: URL) {
        guard installed.load(ordering: .sequentiallyConsistent) else { return }
        let bytes = Array(temporary.path.utf8.prefix(Int(PATH_MAX)))
        pending.store(false, ordering: .sequentiallyConsistent)
        for (i, b) in bytes.enumerated() { path[i] = CChar(bitPattern: b) }
        path[bytes.count] = 0
        pending.store(true, ordering: .sequentiallyConsistent)
    }

    /// The write is over (renamed or removed).
    static func end() {
        pending.store(false, ordering: .sequentiallyConsistent)
    }
}
