import Audio
import Foundation
import Tensor

/// The noise clips of `augmentation.noise.folder`: every file of the folder (subfolders included,
/// sorted by path; links followed, hidden files skipped) that decodes as audio, mixed to mono and
/// resampled to the features' rate. Files that do not decode, or hold only silence, are left out with
/// one warning that counts them and names the first few with their reasons; a folder without any
/// usable clip is an error.
public struct NoiseBank: Sendable {
    /// The clips at the features' rate, in path order.
    public var clips: [[Float]]
    /// The files left out, each `name (reason)`.
    public var leftOut: [String] = []

    public init(clips: [[Float]]) { self.clips = clips }

    /// What identifies the clips mixed in: each clip's `CleanFingerprint`, in order, hashed together
    /// (16 hex digits). A checkpoint stores it, so that `--resume` refuses other noise clips (they gave
    /// another model than the uninterrupted run, without a word).
    public var fingerprint: String {
        let text = clips.map(CleanFingerprint.of).joined(separator: "|")
        return ContentHash.hex(Array(text.utf8).withUnsafeBytes { ContentHash.of($0, seed: UInt64(clips.count)) })
    }

    /// Reads the clips of `folder` at `rate`.
    /// - Throws: `ConfigError` naming `file` and the key `augmentation.noise.folder` with the
    ///   folder's path when it is missing, not a folder, or holds no usable audio.
    public static func load(folder: URL, rate: Int, file: String) throws -> NoiseBank {
        func fail(_ problem: String) -> ConfigError {
            ConfigError(file: file, key: "augmentation.noise.folder", "\(folder.path): \(problem)")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw fail("no such folder")
        }
        guard isFolder.boolValue else { throw fail("is a file, not a folder of noise clips") }
        if let problem = PathAccess.listProblem(folder.path) { throw fail("cannot be read (\(problem))") }
        var bank = NoiseBank(clips: [])
        let urls = files(in: folder, leftOut: &bank.leftOut)
        for url in urls {
            let reason: String
            do {
                let clip = try AudioDecoder.decode(contentsOf: url)
                let samples = try Resampler.resample(clip.samples, from: clip.sampleRate, to: rate, name: url.path)
                if samples.contains(where: { $0 != 0 }) { bank.clips.append(samples); continue }
                reason = "silent"
            } catch {
                reason = (error as? AudioError)?.explanation ?? "\(error)"
            }
            bank.leftOut.append("\(url.lastPathComponent) (\(reason))")   // a clip over the length limit too
        }
        guard !bank.clips.isEmpty else {
            throw fail("holds no usable audio (\(urls.count) file\(urls.count == 1 ? "" : "s"), none decodes to a non-silent clip"
                       + (bank.leftOut.isEmpty ? "" : "; left out: \(bank.leftOut.prefix(3).joined(separator: "; "))") + ")")
        }
        return bank
    }

    /// The regular files below `folder` in `FolderWalk`'s order (names sorted, links followed, each
    /// folder walked once, hidden entries skipped): the same clips in the same order wherever the
    /// folder was copied (its listing order decided which name a linked subfolder's clips took, and so
    /// the clips' order and fingerprint). What is not a clip is added to `leftOut` with its reason: a
    /// folder that cannot be read, a link that leads to no file or an entry that is not a regular file,
    /// a name that is not UTF-8 (it reads as U+FFFD, cannot be opened by it, and may read as another
    /// clip's name: that clip was mixed in twice).
    public static func files(in folder: URL, leftOut: inout [String]) -> [URL] {
        let walk = FolderWalk(folder)
        func name(_ path: String) -> String { (path as NSString).lastPathComponent }
        leftOut += walk.closed.map { "\(name($0.path))/ (cannot be read: \($0.reason))" }
        leftOut += walk.notUTF8Paths.map { "\(name($0)) (its name is not UTF-8: it cannot be opened by it)" }
        leftOut += walk.danglingLinks.map { "\(name($0)) (a link that leads to no file)" }
        leftOut += walk.specialPaths.map { "\(name($0)) (not a regular file)" }
        leftOut += walk.unreachable.map { "\(name($0.path)) (\($0.reason))" }
        return walk.files
    }

    /// One warning for the files left out of the folder, or nil.
    func warning(folder: URL) -> DataWarning? {
        guard !leftOut.isEmpty else { return nil }
        // entries: files, and folders that cannot be read
        return DataWarning(file: folder.path, message: "\(leftOut.count) noise entr\(leftOut.count == 1 ? "y" : "ies") left "
                           + "out: \(leftOut.prefix(3).joined(separator: "; "))\(leftOut.count > 3 ? "; ..." : "")")
    }
}
