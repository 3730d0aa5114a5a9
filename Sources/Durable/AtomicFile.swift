#if canImport(Glibc)
import Glibc
/// The system's `write(2)` (the name is shadowed inside `AtomicFile`).
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
/// The system's `write(2)` (the name is shadowed inside `AtomicFile`).
private let systemWrite = Darwin.write
#endif
import Foundation

/// The one way Earmark puts a file on disk: durably and atomically.
///
/// The content goes to a temporary file in the destination's folder (`.<name>.<random>.tmp`), which is
/// flushed to the disk (`fsync`), renamed over the destination, and then the folder itself is flushed so
/// the rename is on the disk too. After a crash or power cut the destination holds either its old
/// content or the complete new content, never a mixture or a truncated file. On any failure the
/// temporary file is removed, the destination is left as it was, and the error names the destination.
/// A destination that is a symbolic link is replaced (`resolvingLinks` gives the path to write for one
/// the user names); an existing file keeps its permission bits (not set-ID or sticky ones) and, where
/// the system allows, its owner; a folder, pipe, socket or device is refused.
public enum AtomicFile {
    /// Why a file could not be written: names the destination and gives the system's reason.
    public struct Error: Swift.Error, CustomStringConvertible {
        /// The destination path.
        public let path: String
        /// What failed ("cannot create ...: Permission denied", ...).
        public let reason: String
        public var description: String { "\(path): cannot be written (\(reason))" }
    }

    /// Writes `data` to `url`. With `createFolders` the missing folders above `url` are created first
    /// (each new folder's parent is flushed as well).
    public static func write(_ data: Data, to url: URL, createFolders: Bool = false) throws {
        try write(to: url, createFolders: createFolders) { temporary in
            let fd = try openNew(temporary, for: url)
            defer { close(fd) }
            try data.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = systemWrite(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failure(url, "write")
                    }
                    done += n
                }
            }
        }
    }

    /// Lets `produce` fill a temporary file by path (for libraries that open files themselves, such as
    /// libsndfile), then flushes it, renames it over `url` and flushes the folder. `produce` must close
    /// the file before it returns; whatever it throws is passed on after the temporary file is removed.
    public static func write(to given: URL, createFolders: Bool = false,
                             producing produce: (URL) throws -> Void) throws {
        if createFolders { try makeFolders(given.deletingLastPathComponent(), for: given) }
        // a link at the destination is replaced, never written through: a link in Earmark's own folders
        // (clean/, models/) may lead to a user's recording (`resolvingLinks` is for paths the user names)
        let url = given
        let folder = url.deletingLastPathComponent()
        var existing = stat()
        let present = url.withUnsafeFileSystemRepresentation { lstat($0!, &existing) } == 0
        let kind = existing.st_mode & S_IFMT
        if present, kind != S_IFREG, kind != S_IFLNK {
            let what = kind == S_IFDIR ? "a folder" : "not a regular file (a pipe, socket or device)"
            throw Error(path: given.path, reason: "is \(what): only a file is replaced")
        }
        // a file keeps its permission bits (a 0600 file came back 0644), but not set-user-ID, set-group-ID
        // or sticky ones, and its owner where the system lets us give it (root writing a user's file)
        let mode: mode_t? = present && kind == S_IFREG ? existing.st_mode & 0o777 : nil
        let owner = mode == nil ? nil : (uid: existing.st_uid, gid: existing.st_gid)
        let temporary = folder.appendingPathComponent(temporaryName(for: url.lastPathComponent))
        InterruptedWrite.begin(temporary)
        defer { InterruptedWrite.end() }
        do {
            try produce(temporary)
            if let owner, owner.uid != geteuid() || owner.gid != getegid() {
                _ = temporary.withUnsafeFileSystemRepresentation { chown($0!, owner.uid, owner.gid) }
            }
            if let mode, temporary.withUnsafeFileSystemRepresentation({ chmod($0!, mode) }) != 0 {
                throw failure(given, "give the new file the old one's permissions")
            }
            try sync(temporary, for: given, what: "flush")
            KillPoint.reached("write")
            KillPoint.reached("write:\(given.deletingLastPathComponent().lastPathComponent)/")
            KillPoint.reached("write:\(given.lastPathComponent)")
            let renamed = temporary.withUnsafeFileSystemRepresentation { from in
                url.withUnsafeFileSystemRepresentation { to in rename(from!, to!) }
            }
            guard renamed == 0 else { throw failure(given, "rename into place") }
        } catch {
            _ = temporary.withUnsafeFileSystemRepresentation { unlink($0!) }
            throw error
        }
        try syncFolder(folder, for: given)
    }

    /// `url`, or the file its chain of symbolic links leads to (which need not exist yet); at most 40
    /// links are followed, as the system does. For an output path the user names (`--out`): written
    /// through its links, as open(2) would (the rename replaced the link and left its target stale).
    public static func resolvingLinks(_ url: URL) throws -> URL {
        // the folder part resolved by the system, so that `..` after a link is the link target's parent
        func physical(_ url: URL) -> URL {
            let folder = url.deletingLastPathComponent().path
            guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return url }
            defer { free(resolved) }
            // a name that is not UTF-8 cannot be said back to the system through a String: kept as given
            guard let text = String(validatingCString: resolved) else { return url }
            return URL(fileURLWithPath: text, isDirectory: true).appendingPathComponent(url.lastPathComponent)
        }
        var current = physical(URL(fileURLWithPath: (url.path as NSString).deletingLastPathComponent, isDirectory: true)
            .appendingPathComponent(url.lastPathComponent))
        for _ in 0..<40 {
            var info = stat()
            guard current.withUnsafeFileSystemRepresentation({ lstat($0!, &info) }) == 0,
                  info.st_mode & S_IFMT == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = current.withUnsafeFileSystemRepresentation { readlink($0!, &buffer, buffer.count - 1) }
            guard n > 0 else { throw failure(url, "read the link") }
            guard let target = String(validating: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) else {
                throw Error(path: url.path, reason: "cannot follow its link: the name it leads to is not UTF-8")
            }
            current = physical(target.hasPrefix("/") ? URL(fileURLWithPath: target)
                : current.deletingLastPathComponent().appendingPathComponent(target))
        }
        errno = ELOOP
        throw failure(url, "follow its links")
    }

    /// Creates `path` exclusively (a stale temporary file of the same name is an error, never reused).
    private static func openNew(_ path: URL, for url: URL) throws -> Int32 {
        let fd = path.withUnsafeFileSystemRepresentation {
            open($0!, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        guard fd >= 0 else {
            throw failure(url, "create a temporary file in \(path.deletingLastPathComponent().path)")
        }
        return fd
    }

    /// Opens `path` and flushes its content (and size) to the disk.
    private static func sync(_ path: URL, for url: URL, what: String) throws {
        let fd = path.withUnsafeFileSystemRepresentation { open($0!, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure(url, "reopen the temporary file to \(what) it") }
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw failure(url, what) }
        }
    }

    /// Flushes a folder's entries (the rename). File systems that cannot flush folders (EINVAL) are
    /// accepted.
    private static func syncFolder(_ folder: URL, for url: URL) throws {
        let fd = folder.withUnsafeFileSystemRepresentation { open($0!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { throw failure(url, "open the folder to flush it") }
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno == EINVAL { return }
            if errno != EINTR { throw failure(url, "flush the folder") }
        }
    }

    /// Creates `folder` and its missing ancestors, flushing the parent of each folder it creates.
    private static func makeFolders(_ folder: URL, for url: URL) throws {
        var missing: [URL] = []
        var current = folder.standardizedFileURL
        while !FileManager.default.fileExists(atPath: current.path), current.path != "/" {
            missing.append(current)
            current = current.deletingLastPathComponent()
        }
        for created in missing.reversed() {
            do { try FileManager.default.createDirectory(at: created, withIntermediateDirectories: false) } catch {
                if !FileManager.default.fileExists(atPath: created.path) {   // another writer may have made it
                    throw Error(path: url.path, reason: "cannot create folder \(created.path)")
                }
            }
            try syncFolder(created.deletingLastPathComponent(), for: url)
        }
    }

    /// An `Error` for `url` with the current `errno` explained.
    private static func failure(_ url: URL, _ step: String) -> Error {
        Error(path: url.path, reason: "cannot \(step): \(String(cString: strerror(errno)))")
    }
}
