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

/// A file that cannot be read or written: names it and says why.
public struct FileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ path: String, _ reason: String) { description = "\(path): \(reason)" }
}
