import Foundation

/// Writes text to `url` atomically (Foundation writes a temporary file in the same folder and renames
/// it into place), creating the folder first. Every file Earmark writes goes through here or
/// through `SafeTensors.write`.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Binary form of `writeAtomically(_:to:)`.
public func writeAtomically(_ data: Data, to url: URL) throws {
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    } catch {
        throw FileError(url.path, "cannot be written (\(error.localizedDescription))")
    }
}

/// A file that cannot be read or written: names it and says why.
public struct FileError: Error, CustomStringConvertible {
    public let description: String
    public init(_ path: String, _ reason: String) { description = "\(path): \(reason)" }
}
