import Audio
import Foundation

/// The audio front end's figures on the files of `BenchAudio`:
///
/// - MFCC windows/s: 0.1 s windows (1600 samples at 16 kHz) of mfcc_16k.wav at 0, 1600, 3200, ...
///   (the windows features_peers.py cuts), the reference settings (13 coefficients, 26 filters,
///   nfft 512) -> (9, 13) each, through `FeatureExtractor.computeBatch` on 1 thread and on every core.
/// - Seconds of audio cleaned per second: `Cleaning.clean(contentsOf:)` (decode, mono, resample to
///   16 kHz, envelope gate) of a 30 s file at 44.1 kHz and at 16 kHz, one file at a time (one thread),
///   and one file per core at once (clips spread over the cores, as `CleanStep` cleans a data set).
///
/// Each sample is the rate over one timed block (several passes when one pass is short, so that a
/// block lasts at least `minimumSeconds`); the figure is the median of `repeats` blocks.
struct AudioBenchmark {
    let audio: BenchAudio
    let warmup: Int
    let repeats: Int
    var minimumSeconds = 0.25
    /// The most windows per pass (features_peers.py's default --max-windows 600 gives 599 of a 60 s signal).
    var maximumWindows = 600

    struct MFCCResult {
        var windows: Int
        var singleThread: [Double]
        var allCores: [Double]
        var cores: Int
    }

    func runMFCC() throws -> MFCCResult {
        let signal = try AudioDecoder.decode(contentsOf: audio.mfccSignal).samples
        let length = BenchAudio.mfccRate / 10
        let starts = Array(stride(from: 0, to: signal.count - length, by: length).prefix(maximumWindows))
        let refs = starts.map { WindowRef(clip: 0, start: $0) }
        let extractor = FeatureExtractor.shared(FeatureParameters(sampleRate: 16000, numcep: 13, nfilt: 26, nfft: 512))
        let perWindow = extractor.frameCount(samples: length) * extractor.width(.mfcc)
        precondition(perWindow == 9 * 13, "MFCC of a 0.1 s window is \(perWindow) values, expected 9 x 13")
        var output = [Float](repeating: 0, count: refs.count * perWindow)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        func rate(threads: Int) -> [Double] {
            output.withUnsafeMutableBufferPointer { out in
                blocks(itemsPerPass: Double(refs.count)) {
                    extractor.computeBatch(.mfcc, clips: [signal], windows: refs, length: length, into: out,
                                           threads: threads)
                }
            }
        }
        return MFCCResult(windows: refs.count, singleThread: rate(threads: 1), allCores: rate(threads: cores),
                          cores: cores)
    }

    /// Seconds of audio cleaned per second for one file (its duration over the time `clean` takes).
    func runCleaning(_ url: URL) throws -> [Double] {
        let seconds = try AudioDecoder.decode(contentsOf: url).duration
        var failure: Error?
        let rates = blocks(itemsPerPass: seconds) {
            do { _ = try Cleaning.clean(contentsOf: url) } catch { failure = error }
        }
        if let failure { throw failure }
        return rates
    }

    /// Seconds of audio cleaned per second with `cores` copies of one file cleaned at once, one per thread.
    func runCleaningAllCores(_ url: URL, cores: Int) throws -> [Double] {
        let seconds = try AudioDecoder.decode(contentsOf: url).duration
        let failure = CleaningFailure()
        let rates = blocks(itemsPerPass: seconds * Double(cores)) {
            DispatchQueue.concurrentPerform(iterations: cores) { _ in
                do { _ = try Cleaning.clean(contentsOf: url) } catch { failure.record(error) }
            }
        }
        if let error = failure.error { throw error }
        return rates
    }

    /// Items per second of `pass`: `warmup` untimed passes, then `repeats` timed blocks of as many
    /// passes as make one block last `minimumSeconds` (measured on the warm-up).
    private func blocks(itemsPerPass: Double, _ pass: () -> Void) -> [Double] {
        var once = Timing.seconds(pass)
        for _ in 1..<max(1, warmup) { once = min(once, Timing.seconds(pass)) }
        let passes = max(1, Int((minimumSeconds / max(once, 1e-6)).rounded(.up)))
        return (0..<repeats).map { _ in
            let t = Timing.seconds { for _ in 0..<passes { pass() } }
            return itemsPerPass * Double(passes) / t
        }
    }
}

/// The first error of concurrent cleanings.
private final class CleaningFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Error?
    var error: Error? { lock.withLock { first } }
    func record(_ error: Error) { lock.withLock { if first == nil { first = error } } }
}

extension AudioClip {
    /// Duration in seconds.
    var duration: Double { Double(samples.count) / Double(sampleRate) }
}
