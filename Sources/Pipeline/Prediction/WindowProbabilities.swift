import Tensor

extension Predictor {
    /// The probabilities of every window `predict(cleaned:)` averages for a cleaned clip, in window
    /// order: shape (windows, classes); none for a clip shorter than one window plus a sample. The
    /// same inputs, scaling, batches and network as `predict`, so their mean is its clip probability.
    /// Window input only (`input: clip` gives the sliding crops' probabilities).
    public func windowProbabilities(cleaned clip: [Float]) -> [[Float]] {
        var (x, owner) = inputs([clip])
        guard !owner.isEmpty else { return [] }
        model.scaling.apply(to: &x)
        let p = engine.predict(x, batchSize: batchSize)
        let k = model.classes.count
        return owner.indices.map { Array(p.data[($0 * k)..<(($0 + 1) * k)]) }
    }
}
