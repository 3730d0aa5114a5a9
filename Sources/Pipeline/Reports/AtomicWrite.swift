import Durable
import Foundation

/// Writes text to `url` durably and atomically (`AtomicFile`: a flushed temporary file in the same
/// folder, renamed into place, the folder flushed), creating the folder first. Every file Earmark
/// writes goes through `AtomicFile`: here, `SafeTensors.write` or `WavWriter`.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Binary form of `writeAtomically(_:to:)`.
public func writeAtomically(_ data: Data, to url: URL) throws {
    do { try AtomicFile.write(data, to: url, createFolders: true) } catch let error as AtomicFile.Error {
        throw FileError(url.path, "cannot be written (\(error.reason))")
    }
}

/// Creates `folder` and the missing folders above it (a cache's or a model's folder), by mkdir(2)
/// so that the system's reason is at hand.
/// - Throws: `FileError` naming the folder (`name`, else its path) and the reason ("Read-only file
///   system"), where Foundation's error printed its whole NSError, or saying that a file stands where
///   the folder goes.
public func createFolder(_ folder: URL, named name: String? = nil) throws {
    var missing: [String] = []
    var path = folder.standardizedFileURL.path
    while !FileManager.default.fileExists(atPath: path), path != "/", !path.isEmpty {
        missing.append(path)
        path = (path as NSString).deletingLastPathComponent
    }
    for created in missing.reversed() where mkdir(created, 0o777) != 0 {
        let reason = errno
        if reason == EEXIST { continue }      // another process made it meanwhile
        if reason == ENOTDIR {                // a file stands where a folder above it goes
            throw FileError(name ?? folder.path, "cannot be created: \((created as NSString).deletingLastPathComponent) "
                            + "is a file, not a folder")
        }
        throw FileError(name ?? folder.path, "cannot be created (\(String(cString: strerror(reason))))")
    }
    // a file where the folder goes passed, and the writes into it failed only after the work
    var info = stat()
    if stat(folder.path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
        throw FileError(name ?? folder.path, "is a file, not a folder: move it away")
    }
}

/// A file that cannot be read or written: names it and says why.
public struct FileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ path: String, _ reason: String) { description = "\(path): \(reason)" }
}
