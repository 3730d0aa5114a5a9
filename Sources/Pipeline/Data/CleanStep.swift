import Audio
import Dispatch
import Foundation

/// The cleaning step (REFERENCE.md 2) over a data set: every source in wavfiles/ is decoded, mixed
/// to mono, resampled and gated, and written to clean/ as a 32-bit float WAV - only when the clean
/// file is missing or stale. clean/manifest.json records, per file, the source's size and time and
/// the rate and threshold used; any change rebuilds that file. Clips run in parallel.
public enum CleanStep {
    /// What cleaning produced for the requested files.
    public struct Result: Sendable {
        /// Cleaned samples of each requested file at the target rate; nil when the file was skipped.
        public var samples: [[Float]?]
        /// One per skipped file, naming it and the reason.
        public var warnings: [DataWarning]
        /// Files cleaned anew (the others were reused from clean/).
        public var rebuilt: Int
    }

    struct Manifest: Codable {
        var version = 1
        var rate: Int
        var threshold: Double
        var files: [String: Entry] = [:]
        struct Entry: Codable, Equatable { var source: SourceStamp; var samples: Int }
    }

    /// Path of the clean file for `fname`: clean/<fname>, with `.wav` appended unless it ends so.
    public static func cleanURL(_ fname: String, in data: DataFolder) -> URL {
        let name = fname.lowercased().hasSuffix(".wav") ? fname : fname + ".wav"
        return data.clean.appendingPathComponent(name)
    }

    /// Cleans (or reuses) every file of `fnames` (paths relative to wavfiles/).
    /// `minimumSamples`: a clip shorter than this after cleaning is skipped with a warning.
    /// `progress(done, total)` is called from worker threads, serially.
    public static func run(fnames: [String], data: DataFolder, rate: Int, threshold: Double, minimumSamples: Int,
                           progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> Result {
        let manifestURL = data.clean.appendingPathComponent("manifest.json")
        var manifest = (try? JSONDecoder().decode(Manifest.self, from: Data(contentsOf: manifestURL))) ?? Manifest(rate: rate, threshold: threshold)
        if manifest.rate != rate || manifest.threshold != threshold {
            manifest = Manifest(rate: rate, threshold: threshold)   // every file is stale
        }
        do { try FileManager.default.createDirectory(at: data.clean, withIntermediateDirectories: true) } catch {
            throw FileError(data.clean.path, "cannot be created (\(error.localizedDescription))")
        }
        let old = manifest.files
        let results = Locked([(samples: [Float]?, entry: Manifest.Entry?, warning: DataWarning?, rebuilt: Bool)](
            repeating: (nil, nil, nil, false), count: fnames.count))
        let done = Locked(0)
        DispatchQueue.concurrentPerform(iterations: fnames.count) { i in
            let fname = fnames[i]
            let source = data.wavfiles.appendingPathComponent(fname)
            let target = cleanURL(fname, in: data)
            var outcome: (samples: [Float]?, entry: Manifest.Entry?, warning: DataWarning?, rebuilt: Bool) = (nil, nil, nil, false)
            if let stamp = SourceStamp(of: source) {
                if let e = old[fname], e.source == stamp, let reused = try? AudioDecoder.decode(contentsOf: target),
                   reused.sampleRate == rate, reused.samples.count == e.samples {
                    outcome = (reused.samples, e, nil, false)
                } else {
                    do {
                        let cleaned = try Cleaning.clean(contentsOf: source, targetRate: rate, threshold: threshold)
                        try WavWriter.write(cleaned, sampleRate: rate, to: target)
                        outcome = (cleaned, Manifest.Entry(source: stamp, samples: cleaned.count), nil, true)
                    } catch {
                        outcome.warning = DataWarning(file: nil, message: "\(error); skipped")
                    }
                }
                if let s = outcome.samples, s.count < minimumSamples {
                    let seconds = Double(s.count) / Double(rate)
                    outcome.warning = DataWarning(file: data.display(source), message: "\(String(format: "%.3f", seconds)) s after cleaning, shorter than one window (\(minimumSamples) samples); skipped")
                    outcome.samples = nil
                }
            } else {
                outcome.warning = DataWarning(file: data.display(source), message: "file not found; skipped")
            }
            results.withLock { $0[i] = outcome }
            done.withLock { $0 += 1; progress($0, fnames.count) }
        }
        let all = results.value
        for (i, r) in all.enumerated() {
            if let e = r.entry { manifest.files[fnames[i]] = e } else { manifest.files[fnames[i]] = nil }
        }
        let encoder = JSONEncoder(); encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try writeAtomically(try encoder.encode(manifest), to: manifestURL)
        return Result(samples: all.map(\.samples), warnings: all.compactMap(\.warning), rebuilt: all.filter(\.rebuilt).count)
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
