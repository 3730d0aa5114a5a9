import Foundation
import Pipeline

/// `predict`'s per-clip work inside one process, as `predict` does it for each clip once the model
/// is loaded: decode, resample, gate (`ClipClassifier.clean`), MFCC windows, the CNN and the mean
/// (`ClipClassifier.predict`). The first clip (cold: FFT plans, buffers, page faults) is timed
/// apart from the `repeats` clips after it (warm); no CSV is written on either side.
struct PredictWarm {
    let audio: BenchAudio
    let repeats: Int

    /// Seconds of the first clip and of each later one.
    func run() throws -> (first: Double, warm: [Double]) {
        let classifier = try ModelFile.classifier(contentsOf: audio.model)
        var failure: Error?
        func once() -> Double {
            Timing.seconds {
                do {
                    let cleaned = try classifier.clean(contentsOf: audio.clip10s)
                    guard classifier.predict(cleaned: [cleaned]).first?.probabilities != nil else {
                        throw BenchError("\(audio.clip10s.path): no prediction for the benchmark clip")
                    }
                } catch { failure = error }
            }
        }
        let first = once()
        let warm = (0..<repeats).map { _ in once() }
        if let failure { throw failure }
        return (first, warm)
    }
}
