import Layers
import ONNXProto
import Pipeline
import Tensor

/// The model's `FeatureScaling` as the first nodes, so the exported graph takes raw feature windows.
/// Same float operations as `FeatureScaling.apply`:
///
///     min/max:  (x - min) * (1 / (max - min))            one scalar each
///     standard: (x - mean[c]) / std[c]                     c = value index % C: broadcast over the
///                                                          input axes whose sizes multiply to C
extension GraphBuilder {
    func scaling(_ scaling: FeatureScaling, _ x: GraphValue) throws -> GraphValue {
        switch scaling {
        case let .minMax(lo, hi):
            let shifted = op("Sub", [x.name, constant("scaling/min", shape: [], values: [lo])], name: "scaling")
            let scaled = op("Mul", [shifted, constant("scaling/inverse_range", shape: [], values: [1 / (hi - lo)])],
                            name: "scaling")
            return GraphValue(name: scaled, shape: x.shape)
        case let .standard(mean, std):
            // The trailing axes holding one frame's C coefficients, e.g. (13, 1) of a (9, 13, 1) window.
            var broadcast: [Int] = []
            for size in x.shape.reversed() where broadcast.reduce(1, *) < mean.count { broadcast.insert(size, at: 0) }
            guard broadcast.reduce(1, *) == mean.count else {
                throw ExportError("standard scaling of \(mean.count) coefficients does not fit input \(x.shape)")
            }
            let centred = op("Sub", [x.name, constant("scaling/mean", shape: broadcast, values: mean)], name: "scaling")
            let scaled = op("Div", [centred, constant("scaling/std", shape: broadcast, values: std)], name: "scaling")
            return GraphValue(name: scaled, shape: x.shape)
        }
    }
}
