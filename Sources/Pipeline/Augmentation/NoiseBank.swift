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

    /// The regular files below `folder`, sorted by path, with links followed (a folder given as a link,
    /// a linked subfolder, a linked clip: all were skipped, the last two without a word) and each folder
    /// walked once (a link cycle ends); hidden entries skipped; a link that leads to no file or an entry that is
    /// not a regular file is added to `leftOut` with its reason.
    static func files(in folder: URL, leftOut: inout [String]) -> [URL] {
        var found: [URL] = [], walked: Set<String> = []
        func walk(_ dir: URL) {
            guard walked.insert(dir.resolvingSymlinksInPath().path).inserted else { return }
            // a folder that cannot be read is said with its reason (its clips were left out without a word)
            if let problem = PathAccess.listProblem(dir.path) {
                leftOut.append("\(dir.lastPathComponent)/ (cannot be read: \(problem))")
                return
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let url = dir.appendingPathComponent(name)
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
                    // a link to nothing, or an entry of a folder that can be listed but not entered
                    let problem = PathAccess.problem(url.path)
                    leftOut.append("\(name) (\(problem == nil || problem == "does not exist" ? "a link that leads to no file" : problem!))")
                    continue
                }
                if isFolder.boolValue { walk(url); continue }
                let regular = try? url.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey]).isRegularFile
                if regular == true { found.append(url) } else { leftOut.append("\(name) (not a regular file)") }
            }
        }
        walk(folder)
        return found.sorted { $0.path < $1.path }
    }

    /// One warning for the files left out of the folder, or nil.
    func warning(folder: URL) -> DataWarning? {
        guard !leftOut.isEmpty else { return nil }
        // entries: files, and folders that cannot be read
        return DataWarning(file: folder.path, message: "\(leftOut.count) noise entr\(leftOut.count == 1 ? "y" : "ies") left "
                           + "out: \(leftOut.prefix(3).joined(separator: "; "))\(leftOut.count > 3 ? "; ..." : "")")
    }
}
