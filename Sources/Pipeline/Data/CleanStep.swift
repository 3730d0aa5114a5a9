import Audio
import Dispatch
import Durable
import Foundation

/// The cleaning step (docs/WORKFLOW.md §2) over a data set: every source in wavfiles/ is decoded, mixed
/// to mono, resampled and gated, and written to clean/ as a 32-bit float WAV - only when the clean
/// file is missing or stale. clean/manifest.json records, per file, the source's size, time, identity
/// (`SourceIdentity`: device, inode, ctime) and hash, and the rate and threshold used: a change of
/// size or time rebuilds that file, and so does a changed identity whose bytes differ (two files of
/// one size and time swapped by name). Clips run in parallel, on more threads
/// than cores (`FileLoop`): each clean file's fsyncs would otherwise leave its core idle.
///
/// Bad input (docs/WORKFLOW.md §10.2): a source that cannot be decoded or resampled is skipped with one warning
/// naming it and the reason (a stale clean file of it is removed); a clip shorter than
/// `minimumSamples` after cleaning (a silent one: nothing passes the gate) is written but skipped
/// with a warning; a WAV cut short is used with a warning (the frames present). The warnings are
/// the same whether a file is cleaned now or reused. A clean file that cannot be written is a
/// fault, not bad input: the step finishes the other files, saves the manifest and throws.
public enum CleanStep {
    /// What cleaning produced for the requested files.
    public struct Result: Sendable {
        /// Cleaned samples of each requested file at the target rate; nil when the file was skipped.
        public var samples: [[Float]?]
        /// One per skipped or cut-short file, naming it and the reason.
        public var warnings: [DataWarning]
        /// Files cleaned anew (the others were reused from clean/ or skipped).
        public var rebuilt: Int
    }

    struct Manifest: Codable {
        /// 2: entries carry the source's identity and hash. A manifest of another version makes every
        /// file stale once (version 1 could not tell two files of one size and time apart).
        static let currentVersion = 2
        var version = currentVersion
        var rate: Int
        var threshold: Double
        var files: [String: Entry] = [:]
        struct Entry: Codable, Equatable {
            var source: SourceStamp
            /// The source's device, inode and ctime when it was cleaned, or last found unchanged.
            var identity: SourceIdentity?
            /// `SourceIdentity.contentHash` of the source's bytes when it was cleaned.
            var sourceHash: String?
            var samples: Int
            /// What cleaning noted about the source (a WAV cut short), repeated when reused.
            var note: String?
        }
    }

    /// Path of the clean file for `fname`: clean/<fname>, with `.wav` appended unless it ends so.
    public static func cleanURL(_ fname: String, in data: DataFolder) -> URL {
        data.clean.appendingPathComponent(cleanName(fname))
    }

    /// The clean file's name for `fname`: `.wav` appended unless it ends so (`zz` and `zz.wav` are
    /// both cleaned into zz.wav: AudioTable keeps the first such row only).
    static func cleanName(_ fname: String) -> String {
        fname.lowercased().hasSuffix(".wav") ? fname : fname + ".wav"
    }

    /// One file's outcome.
    private struct Outcome {
        var samples: [Float]?
        var entry: Manifest.Entry?
        var warning: String?
        var rebuilt = false
        var fault: Error?
    }

    /// Cleans (or reuses) every file of `fnames` (paths relative to wavfiles/).
    /// `minimumSamples`: a clip shorter than this after cleaning is skipped with a warning.
    /// `progress(done, total)` is called from worker threads, serially.
    /// - Throws: when clean/ or a clean file cannot be written (after the other files are done).
    public static func run(fnames: [String], data: DataFolder, rate: Int, threshold: Double, minimumSamples: Int,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let manifestURL = data.clean.appendingPathComponent("manifest.json")
        var manifest = (try? JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL)))
            ?? Manifest(rate: rate, threshold: threshold)
        if manifest.version != Manifest.currentVersion || manifest.rate != rate || manifest.threshold != threshold {
            manifest = Manifest(rate: rate, threshold: threshold)   // every file is stale
        }
        try createFolder(data.clean)
        let old = manifest.files
        let results = Locked([Outcome](repeating: Outcome(), count: fnames.count))
        let done = Locked(0)
        // the manifest as the files are done, saved every `progressSaveSeconds` so that a run stopped
        // half-way (Ctrl-C ends it at once) does not clean again what it finished
        let saved = try? Data(contentsOf: manifestURL)
        let progressSave = Locked((manifest: manifest, saved: saved, at: Date()))
        let start = manifest
        FileLoop.run(iterations: fnames.count) { i in
            var outcome = clean(fnames[i], previous: old[fnames[i]], data: data, rate: rate, threshold: threshold)
            if let s = outcome.samples, s.count < minimumSamples {
                let seconds = String(format: "%.3f", Double(s.count) / Double(rate))
                outcome.warning = (outcome.warning.map { $0 + "; " } ?? "") + (s.isEmpty
                    ? "silent: nothing passes the envelope gate (threshold \(threshold)); skipped"
                    : "\(seconds) s after cleaning, shorter than one window (\(minimumSamples) samples); skipped")
                outcome.samples = nil
            }
            results.withLock { $0[i] = outcome }
            progressSave.withLock { state in
                state.manifest.files[fnames[i]] = outcome.entry
                guard outcome.rebuilt, Date().timeIntervalSince(state.at) >= progressSaveSeconds else { return }
                state.saved = (try? saveManifest(state.manifest, to: manifestURL, unless: state.saved)) ?? state.saved
                state.at = Date()
            }
            done.withLock { $0 += 1; progress($0, fnames.count) }
        }
        let all = results.value
        manifest = start
        for (i, r) in all.enumerated() { manifest.files[fnames[i]] = r.entry }
        // not rewritten when nothing changed: an up-to-date clean/ may be read-only. When only the
        // sources' identities changed (a copied data folder, its files found the same by their bytes),
        // writing them is what spares the next run the comparison, not a change of clean/: a clean/
        // that cannot take them is used as it is
        let identitiesOnly = manifest.files.count == start.files.count && manifest.files.allSatisfy { name, entry in
            var earlier = start.files[name]
            earlier?.identity = entry.identity
            return earlier == entry
        }
        if identitiesOnly {
            _ = try? saveManifest(manifest, to: manifestURL, unless: progressSave.value.saved)
        } else {
            _ = try saveManifest(manifest, to: manifestURL, unless: progressSave.value.saved)
        }
        if let fault = all.lazy.compactMap(\.fault).first { throw fault }
        let warnings = zip(fnames, all).compactMap { fname, r in
            r.warning.map { DataWarning(file: data.display(data.wavfiles.appendingPathComponent(fname)), message: $0) }
        }
        return Result(samples: all.map(\.samples), warnings: warnings, rebuilt: all.filter(\.rebuilt).count)
    }

    /// Seconds between the saves of the manifest while files are cleaned (EARMARK_MANIFEST_SAVE_SECONDS
    /// overrides, for tests).
    static let progressSaveSeconds = ProcessInfo.processInfo.environment["EARMARK_MANIFEST_SAVE_SECONDS"]
        .flatMap { Double($0) } ?? 2

    /// Writes `manifest` atomically unless its bytes are `unless` (the file as it is).
    /// - Returns: the bytes now in the file.
    static func saveManifest(_ manifest: Manifest, to url: URL, unless current: Data?) throws -> Data {
        let encoder = JSONEncoder(); encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(manifest)
        if data != current { try writeAtomically(data, to: url) }
        return data
    }

    /// Reuses the clean file of `fname` when `previous` says it was made from the source as it is
    /// now, else cleans the source and writes it.
    private static func clean(_ fname: String, previous: Manifest.Entry?, data: DataFolder, rate: Int,
                              threshold: Double) -> Outcome {
        let source = data.wavfiles.appendingPathComponent(fname)
        let target = cleanURL(fname, in: data)
        guard let stamp = SourceStamp(of: source) else { return Outcome(warning: "file not found; skipped") }
        let identity = SourceIdentity(of: source)
        if let previous, let e = unchanged(previous, stamp: stamp, identity: identity, source: source) {
            if e.samples == 0, FileManager.default.fileExists(atPath: target.path) {
                return Outcome(samples: [], entry: e, warning: e.note)   // a zero-frame WAV does not decode
            }
            if let reused = try? AudioDecoder.decode(contentsOf: target), reused.sampleRate == rate,
               reused.samples.count == e.samples {
                return Outcome(samples: reused.samples, entry: e, warning: e.note)
            }
        }
        let cleaned: [Float], note: String?
        let sourceHash = SourceIdentity.contentHash(of: source)   // before the decoder reads it
        do {
            let clip = try AudioDecoder.decode(contentsOf: source)
            cleaned = try Cleaning.clean(clip, targetRate: rate, threshold: threshold, name: source.path)
            note = clip.cutShortNote
        } catch {
            try? FileManager.default.removeItem(at: target)   // a clean file of an older version is stale
            return Outcome(warning: ((error as? AudioError)?.explanation ?? "\(error)") + "; skipped")
        }
        let folder = target.deletingLastPathComponent()   // clean/ or a subfolder of it (fname sub/a.wav)
        do { try createFolder(folder) } catch { return Outcome(fault: error) }
        do { try WavWriter.write(cleaned, sampleRate: rate, to: target) } catch { return Outcome(fault: error) }
        KillPoint.reached("clean")
        return Outcome(samples: cleaned, entry: Manifest.Entry(source: stamp, identity: identity, sourceHash: sourceHash,
                                                               samples: cleaned.count, note: note),
                       warning: note, rebuilt: true)
    }

    /// `previous` when its clean file was made from the source as it is now, with the source's
    /// current identity; nil when the source changed. Size and time must match. The same identity is
    /// enough; another one (the data folder copied with its times, a rename, two files swapped) needs
    /// the same bytes, which then make the identity the entry's.
    private static func unchanged(_ previous: Manifest.Entry, stamp: SourceStamp, identity: SourceIdentity?,
                                  source: URL) -> Manifest.Entry? {
        guard previous.source == stamp, let identity else { return nil }
        if previous.identity == identity { return previous }
        guard let hash = previous.sourceHash, SourceIdentity.contentHash(of: source) == hash else { return nil }
        var moved = previous
        moved.identity = identity
        return moved
    }
}

/// A value behind a lock, for results gathered from worker threads.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()
    init(_ value: Value) { stored = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock(); defer { lock.unlock() }
        return try body(&stored)
    }
    var value: Value { withLock { $0 } }
}
