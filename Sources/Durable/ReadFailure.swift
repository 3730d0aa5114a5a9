import Foundation

/// Why a file could not be read, in words a user can act on.
///
/// Foundation's own messages for a failed read are vague or wrong on Linux: a folder gives
/// "The operation could not be completed. (NSCocoaErrorDomain error 256.)" and a device such as
/// /dev/null "You don't have permission.". After a read has failed, `reason(for:error:)` looks at
/// the path itself (lstat through the links, then access) and says what it found; only when the
/// path looks readable does it fall back to the error's own text.
public enum ReadFailure {
    /// "does not exist", "is a folder, not a file", "is not a regular file (a character device)",
    /// "cannot be opened: permission denied", or `error`'s description.
    public static func reason(for url: URL, error: Error) -> String {
        var info = stat()
        let found = url.withUnsafeFileSystemRepresentation { path in path.map { stat($0, &info) == 0 } ?? false }
        guard found else {
            let code = errno
            return code == ENOENT || code == ENOTDIR ? "does not exist"
                : "cannot be opened: \(String(cString: strerror(code)))"
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return "is a folder, not a file"
        case S_IFREG: break
        case S_IFCHR: return "is not a regular file (a character device)"
        case S_IFBLK: return "is not a regular file (a block device)"
        case S_IFIFO: return "is not a regular file (a pipe)"
        case S_IFSOCK: return "is not a regular file (a socket)"
        default: return "is not a regular file"
        }
        let readable = url.withUnsafeFileSystemRepresentation { path in path.map { access($0, R_OK) == 0 } ?? false }
        if !readable { return "cannot be opened: permission denied" }
        return "cannot be read (\(error.localizedDescription))"
    }
}
