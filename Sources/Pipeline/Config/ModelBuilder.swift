import Layers
import Tensor

extension ExperimentConfig {
    /// Shape of one network input: (frames, coefficients, 1) for `image`, (frames, coefficients)
    /// for `sequence` - (9, 13, 1) and (9, 13) for the reference.
    public var inputShape: [Int] {
        let f = features
        return model.input == .image ? [f.framesPerWindow, f.coefficients, 1] : [f.framesPerWindow, f.coefficients]
    }

    /// Builds the configured network for `classes` output classes, parameters from `seed`.
    /// - Throws: `ConfigError` naming the file and `model.layers[i]` when a shape does not work
    ///   (a pool that shrinks a dimension to zero, a Conv2D on a sequence input, ...).
    public func makeModel(classes: Int, seed: UInt64) throws -> Sequential {
        guard case .dense(_, .softmax)? = model.layers.last else {
            throw ConfigError(file: source, key: "model.layers[\(model.layers.count - 1)]",
                              "the last layer must be `dense: {units: classes, activation: softmax}` (the loss is categorical cross-entropy)")
        }
        var layers: [Layer] = []
        for (i, spec) in model.layers.enumerated() {
            layers.append(makeLayer(spec, classes: classes, seed: seed &+ UInt64(i) &* 7919))
        }
        // shape inference first, so that the error can name the layer's index in the file
        var shape = inputShape
        for (i, layer) in layers.enumerated() {
            do { shape = try layer.outputShape(for: shape) } catch let e as ShapeError {
                throw ConfigError(file: source, key: "model.layers[\(i)]", "\(layer.kind) on input \(shape): \(e.description)")
            }
        }
        if case .dense(let units?, _) = model.layers.last, units != classes {
            throw ConfigError(file: source, key: "model.layers[\(model.layers.count - 1)].dense.units",
                              "is \(units) but the data has \(classes) classes (write `units: classes`)")
        }
        return try Sequential(inputShape: inputShape, layers: layers, seed: seed)
    }

    private func makeLayer(_ spec: LayerSpec, classes: Int, seed: UInt64) -> Layer {
        switch spec {
        case let .conv2d(filters, kernel, strides, padding, activation):
            return Conv2D(filters: filters, kernelSize: kernel, strides: strides, padding: padding, activation: activation)
        case let .maxPooling2d(pool, strides, padding):
            return MaxPool2D(poolSize: pool, strides: strides, padding: padding)
        case let .dropout(rate):
            return Dropout(rate: Float(rate), seed: seed)
        case .flatten:
            return Flatten()
        case let .dense(units, activation):
            return Dense(units: units ?? classes, activation: activation)
        case let .lstm(units, returnSequences, activation, recurrent):
            return LSTM(units: units, returnSequences: returnSequences, activation: activation, recurrentActivation: recurrent)
        case let .timeDistributed(inner):
            return TimeDistributed(makeLayer(inner, classes: classes, seed: seed))
        }
    }
}
