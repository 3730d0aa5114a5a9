import Audio
import Foundation
import Tensor

/// Classifies the windows of a stream as they complete: the cleaned samples of a `StreamingCleaner`
/// in, one `Window` per window out, cut and computed as `Predictor` cuts and computes a clip.
///
/// Window k covers the kept samples [k * hop, k * hop + window) (`WindowSampler.consecutiveWindows`);
/// its features are those `FeatureStep` computes for it in a clip (they depend only on the window's
/// samples), then the model's `FeatureScaling` and the network. Windows that complete in the same
/// push go through the network together, on one BLAS thread. One difference with `predict`: the reference walk never
/// uses a window that ends exactly at the last sample of a clip, and a stream cannot know that a
/// window is the last one, so it gives that window (only when the cleaned length minus one window
/// is a multiple of the hop) where `predict` does not.
public final class StreamPredictor {
    /// One window's outcome.
    public struct Window: Sendable {
        /// Window number k (0, 1, ...), counted over every window of the stream.
        public var index: Int
        /// Where the window starts and ends in the stream, in samples at the model's rate (the
        /// gate removes samples, so end - start can exceed the window length).
        public var startSample: Int
        public var endSample: Int
        /// Class probabilities (softmax of the network, `classes` order); nil when the window
        /// touches a non-finite input frame and was dropped.
        public var probabilities: [Float]?
    }

    public let model: TrainedModel
    private let engine: TrainingEngine
    private let window: Int
    private let hop: Int
    private var kept: [Float] = []
    private var positions: [Int] = []
    private var tainted: [Bool] = []
    private var base = 0          // kept-sample index of kept[0]
    private var next = 0          // the next window's number

    /// Why `model` cannot classify a stream (nil when it can): only networks with window input.
    public static func refusal(_ model: TrainedModel) -> String? {
        if model.config.model.input == .descriptors {
            return "its network reads clip descriptors (model input: descriptors), computed over whole clips; "
                + "--stream needs a network with window input"
        }
        if model.config.features.input == .clip {
            return "it reads whole-clip features (features input: clip), which need the end of the clip; "
                + "--stream needs a network with window input"
        }
        return nil
    }

    /// Throws a `FileError` naming `name` when `refusal(model)` gives a reason.
    public init(model: TrainedModel, name: String = "model") throws {
        if let reason = Self.refusal(model) { throw FileError(name, "cannot classify a stream: " + reason) }
        self.model = model
        engine = TrainingEngine(replicas: [model.network])
        // a stream classifies a window or two at a time: small products, which OpenBLAS's threads
        // slow down (bench stream: the median latency per window triples with 2 threads on 2 cores)
        BLAS.threads = 1
        window = model.config.features.windowSamples
        hop = model.config.features.hopSamples
    }

    /// Adds the kept samples of a push; returns the windows they complete, in order.
    public func push(_ cleaned: StreamingCleaner.Output) -> [Window] {
        kept += cleaned.samples
        positions += cleaned.positions
        tainted += cleaned.tainted
        var ready: [(number: Int, offset: Int)] = []
        while next * hop + window <= base + kept.count {
            ready.append((next, next * hop - base))
            next += 1
        }
        let windows = classify(ready)
        let used = min(next * hop - base, kept.count)
        if used > 0 {
            kept.removeFirst(used); positions.removeFirst(used); tainted.removeFirst(used)
            base += used
        }
        return windows
    }

    /// Features, scaling and the network for the windows starting at `offset` in `kept`.
    private func classify(_ ready: [(number: Int, offset: Int)]) -> [Window] {
        guard !ready.isEmpty else { return [] }
        var windows = ready.map { r in
            Window(index: r.number, startSample: positions[r.offset],
                   endSample: positions[r.offset + window - 1] + 1, probabilities: nil)
        }
        let clean = ready.indices.filter { i in !tainted[ready[i].offset..<(ready[i].offset + window)].contains(true) }
        guard !clean.isEmpty else { return windows }
        let refs = clean.map { WindowRef(clip: 0, start: ready[$0].offset) }
        var x = FeatureStep.features(clips: [kept], windows: refs, config: model.config)
        model.scaling.apply(to: &x)
        let p = engine.predict(x, batchSize: 256)
        let k = model.classes.count
        for (row, i) in clean.enumerated() {
            windows[i].probabilities = Array(p.data[(row * k)..<((row + 1) * k)])
        }
        return windows
    }
}
