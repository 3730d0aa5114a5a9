import Durable
import Foundation

/// The advisory lock of a data folder: `train`, `predict` and `preprocess` hold it while they read and
/// write DATA, so two of them on one folder run one after the other (the second says it waits) and
/// never mix their caches, models or predictions (docs/RELIABILITY.md, "Two processes").
public enum DataLock {
    /// Locks `root` (waiting, with a message on standard error, while another process holds it), then
    /// removes the temporary files that a killed writer left in the folders Earmark writes: DATA and
    /// its clean/, pickles/, models/, runs/ and plots/ (a demo set inside DATA is cleared under its own
    /// lock, by `hold(resolved:)` or a command given it). `extra`: further folders to clear (a
    /// predictions file written outside DATA), not recursively. `owner`: false on MPI ranks other
    /// than 0, which share rank 0's lock. A missing folder is not locked.
    public static func hold(_ root: URL, extra: [URL] = [], owner: Bool = true) {
        guard owner else { return }
        let shown = DataFolder(root: root).display(root)
        let locked = FolderLock.acquire(root) { pid in
            let holder = pid.map { " held by pid \($0)" } ?? ""
            StandardStreams.toStandardError("waiting for the lock on \(shown.isEmpty ? "." : shown)\(holder)\n")
        }
        guard locked else { return }
        let data = DataFolder(root: root)
        // not DATA/demo*: those have locks of their own, and a command working in one of them writes
        // temporary files there that are not stale (they were removed under it); `hold(resolved:)`,
        // or a command given the set itself, clears a demo set under its lock
        AtomicFile.removeStaleTemporaries(in: [root] + extra, recursive: false)
        AtomicFile.removeStaleTemporaries(in: [data.clean, data.pickles, data.models, data.runs, data.plots],
                                          recursive: true)
    }

    /// After `hold(requested)`: when the command resolved its data folder to another one (the demo set
    /// in DATA/demo[-NAME]), locks that one too, so that a command given `--data DATA/demo` waits for
    /// it (it ran alongside, writing the same models and caches). Parent first, then the set: a command
    /// given the set itself takes only its lock, so no two commands wait for each other.
    public static func hold(resolved folder: DataFolder, requested: URL, owner: Bool = true) {
        guard folder.root != requested.standardizedFileURL else { return }
        hold(folder.root, owner: owner)
    }
}
