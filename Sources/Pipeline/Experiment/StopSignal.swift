import Foundation
import Synchronization

/// Ctrl-C and SIGTERM during training: the handler only raises a flag; the training loop finishes
/// its step, writes a checkpoint and returns (docs/WORKFLOW.md §10.2).
public enum StopSignal {
    private static let flag = Atomic<Int32>(0)

    /// Installs handlers for SIGINT and SIGTERM that record the signal.
    public static func install() {
        signal(SIGINT) { StopSignal.flag.store($0, ordering: .relaxed) }
        signal(SIGTERM) { StopSignal.flag.store($0, ordering: .relaxed) }
    }

    /// The signal received, if any.
    public static var received: Int32? {
        let s = flag.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }
}
