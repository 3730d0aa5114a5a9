import CSndfile
import Foundation

/// Opening files with libsndfile from several threads.
///
/// libsndfile keeps the error of a failed `sf_open` in one process-wide slot, read with
/// `sf_strerror(NULL)`, and every other open overwrites it (a successful one with "No Error.").
/// Cleaning opens clips on all cores, so each open and, when it fails, the reading of its message
/// happen under one lock. Reading and writing the opened files stay parallel.
enum SndfileOpen {
    private static let lock = NSLock()

    /// Opens `url` in `mode` (SFM_READ or SFM_WRITE); the handle, or libsndfile's reason for failing.
    static func open(_ url: URL, mode: Int32, info: inout SF_INFO) -> Result<OpaquePointer, OpenFailure> {
        lock.lock()
        defer { lock.unlock() }
        let handle: OpaquePointer? = url.withUnsafeFileSystemRepresentation { path in
            guard let path else { return nil }
            return sf_open(path, mode, &info)
        }
        if let handle { return .success(handle) }
        return .failure(OpenFailure(reason: String(cString: sf_strerror(nil))))
    }

    /// Why an open failed, in libsndfile's words.
    struct OpenFailure: Error { let reason: String }
}
