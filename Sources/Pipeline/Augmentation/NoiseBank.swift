import Audio
import Foundation

/// The noise clips of `augmentation.noise.folder`: every file of the folder (subfolders included,
/// sorted by path) that decodes as audio, mixed to mono and resampled to the features' rate.
/// Files that do not decode are left out; a folder without any usable clip is an error.
public struct NoiseBank: Sendable {
    /// The clips at the features' rate, in path order.
    public var clips: [[Float]]

    public init(clips: [[Float]]) { self.clips = clips }

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
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey],
                                                    options: [.skipsHiddenFiles])
        var urls: [URL] = []
        while let url = walker?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true { urls.append(url) }
        }
        urls.sort { $0.path < $1.path }
        var clips: [[Float]] = []
        for url in urls {
            guard let clip = try? AudioDecoder.decode(contentsOf: url),
                  let samples = try? Resampler.resample(clip.samples, from: clip.sampleRate, to: rate, name: url.path),
                  !samples.isEmpty, samples.contains(where: { $0 != 0 }) else { continue }
            clips.append(samples)
        }
        guard !clips.isEmpty else {
            throw fail("holds no usable audio (\(urls.count) files, none decodes to a non-silent clip)")
        }
        return NoiseBank(clips: clips)
    }
}
