import Foundation

/// Why a path cannot be used, in the system's words: a file inside a folder that cannot be read
/// exists, yet `FileManager.fileExists` says it does not, and the messages said "not found".
enum PathAccess {
    /// nil when `path` can be looked at (stat(2) succeeds), else "does not exist" or "cannot be
    /// reached (REASON)", e.g. "(Permission denied)" for a file in a folder that cannot be read.
    static func problem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) != 0 else { return nil }
        let reason = errno
        // `clip.wav/`: a file named as a folder
        if reason == ENOTDIR, path.hasSuffix("/"), stat(String(path.dropLast()), &info) == 0 {
            return "is a file, not a folder (without the last '/', it names the file)"
        }
        return reason == ENOENT || reason == ENOTDIR ? "does not exist"
            : "cannot be reached (\(String(cString: strerror(reason))))"
    }

    /// `path` with repeated slashes after its first character made one (`clips//sub` was written so into
    /// predictions.csv); a leading `//`, which POSIX leaves to the system, stays.
    static func tidy(_ path: String) -> String {
        guard path.dropFirst().contains("//") else { return path }
        var out = String(path.prefix(1))
        for c in path.dropFirst() where !(c == "/" && out.hasSuffix("/") && out.count > 1) { out.append(c) }
        return out
    }

    /// `path` with its `..` resolved as the file system does: after a link, `..` is the link target's
    /// parent, where Foundation's URLs drop the link's name as text (`a_link/../b` became `b`, another
    /// folder). Only the folder part is resolved, so a last component that is a link keeps its name. A
    /// path without `..`, or one whose folder does not resolve, is returned as it is.
    static func physical(_ path: String) -> String {
        guard path.split(separator: "/").contains("..") else { return path }
        let folder = (path as NSString).deletingLastPathComponent, last = (path as NSString).lastPathComponent
        guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + last
    }

    /// nil when the folder at `path` can be listed and entered (read and search permission), else
    /// the system's reason ("Permission denied").
    static func listProblem(_ path: String) -> String? {
        access(path, R_OK | X_OK) == 0 ? nil : String(cString: strerror(errno))
    }
}
