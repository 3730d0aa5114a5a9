import Layers
import Tensor

extension ExperimentConfig {
    /// Shape of one network input: (frames, coefficients, 1) for `image`, (frames, coefficients)
    /// for `sequence` - (9, 13, 1) and (9, 13) for the reference; (F) descriptor columns for `descriptors`.
    public var inputShape: [Int] {
        let f = features
        switch model.input {
        case .image: return [f.framesPerWindow, f.coefficients, 1]
        case .sequence: return [f.framesPerWindow, f.coefficients]
        case .descriptors: return [DescriptorTable.columns(for: f).count]
        }
    }

    /// Values a per-coefficient scaling covers: the coefficients of one frame for window and clip
    /// inputs, the descriptor columns for `descriptors`.
    public var scaledWidth: Int {
        switch model.input {
        case .image, .sequence: return features.coefficients
        case .descriptors: return DescriptorTable.columns(for: features).count
        }
    }

    /// Builds the configured network for `classes` output classes, parameters from `seed`.
    /// - Throws: `ConfigError` naming the file and `model.layers[i]` when a shape does not work
    ///   (a pool that shrinks a dimension to zero, a Conv2D on a sequence input, ...).
    /// `activationBatch`: the examples one pass of this process holds at once (training: the batch
    /// this process trains on), whose activations must fit beside the parameters (`ActivationBudget`);
    /// 1 for a network loaded to predict or export, which chooses its own batch (`Predictor`).
    /// `replicas`: the copies training holds, each with its own parameters and gradients (8 bytes a
    /// parameter beside the first copy's 16).
    public func makeModel(classes: Int, seed: UInt64, activationBatch: Int = 1, replicas: Int = 1) throws -> Sequential {
        let (output, layers) = try makeLayers(classes: classes, seed: seed, activationBatch: activationBatch,
                                              replicas: replicas)
        if let units = output.units, units != classes {
            throw ConfigError(file: source, key: "model.layers[\(model.layers.count - 1)].\(DenseSpec.typeName).units",
                              "is \(units) but the data has \(classes) classes (write `units: classes`)")
        }
        return try Sequential(inputShape: inputShape, layers: layers, seed: seed)
    }

    /// The checks of `makeModel` that need no data (the output layer, every layer's shape from the
    /// input shape, the parameters within this machine's memory: `ParameterBudget`, and one
    /// example's activations beside them: `ActivationBudget`; the batch's are checked when the
    /// training network is made, once the data says how many examples a batch holds), before any audio is read: a mistake in the layers costs no cleaning and no feature
    /// extraction, and `train compare` stops before its first config trains. The class count is the
    /// output layer's `units` when it gives one, else 2.
    /// - Throws: `ConfigError` naming the file and `model.layers[i]`.
    public func checkLayerShapes() throws {
        guard model.kind == .network else { return }
        let units = (model.layers.last as? DenseSpec)?.units
        _ = try makeLayers(classes: units ?? 2, seed: 0, activationBatch: 1, replicas: 1)
    }

    /// The checks of `makeModel` and of the class weights that need the data's class list and nothing
    /// else: `train compare` makes them for every config once audio.csv is read, before the first
    /// config trains (a later config's `units: 5` on 3 classes, or a `class_weight` naming a class
    /// the data does not have, ended the comparison after the earlier configs had trained).
    /// - Throws: `ConfigError` naming the file and the key.
    public func checkAgainstClasses(_ classes: [String]) throws {
        guard model.kind == .network else { return }
        if let output = model.layers.last as? DenseSpec, let units = output.units, units != classes.count {
            throw ConfigError(file: source, line: model.line(ofLayer: model.layers.count - 1),
                              key: "model.layers[\(model.layers.count - 1)].\(DenseSpec.typeName).units",
                              "is \(units) but the data has \(classes.count) classes (write `units: classes`)")
        }
        if case .given = training.classWeight {
            _ = try training.classWeight.weights(classes: classes, labels: [], source: source)
        }
    }

    /// The output layer's spec and the layers, their shapes inferred from `inputShape` so that an
    /// error can name the layer's index in the file.
    private func makeLayers(classes: Int, seed: UInt64, activationBatch: Int,
                            replicas: Int) throws -> (output: DenseSpec, layers: [Layer]) {
        guard let output = model.layers.last as? DenseSpec, output.activation == .softmax else {
            throw ConfigError(file: source, line: model.line(ofLayer: model.layers.count - 1),
                              key: "model.layers[\(model.layers.count - 1)]",
                              "the last layer must be `dense: {units: classes, activation: softmax}` "
                              + "(the loss is categorical cross-entropy)")
        }
        var layers: [Layer] = []
        for (i, spec) in model.layers.enumerated() {
            layers.append(spec.makeLayer(LayerContext(classes: classes, seed: seed &+ UInt64(i) &* 7919)))
        }
        var shape = inputShape
        var budget = ParameterBudget()
        var activations = ActivationBudget(batchSize: activationBatch)
        do { try activations.add(shape, of: "the network's input") } catch let e as ShapeError {
            throw ConfigError(file: source, key: "features", "\(e.description): fewer frames or coefficients per "
                              + "example (features.rate, window or clip length, hop, filters)"
                              + (activationBatch > 1 ? " or a smaller training.batch_size" : ""))
        }
        for (i, layer) in layers.enumerated() {
            do {
                let next = try layer.outputShape(for: shape)
                try budget.add(layer, inputShape: shape)
                try activations.add(next, of: "\(layer.name) (\(layer.kind))",
                                    parameterBytes: ParameterBudget.product(budget.total,
                                                                            ParameterBudget.bytesPerParameter + 8 * (max(1, replicas) - 1)))
                shape = next
            } catch let e as ShapeError {
                throw ConfigError(file: source, line: model.line(ofLayer: i), key: "model.layers[\(i)]",
                                  "\(layer.kind) on input \(shape): \(e.description)")
            }
        }
        // the loss takes one probability per class and example: the output must be (classes)
        guard shape.count == 1 else {
            throw ConfigError(file: source, line: model.line(ofLayer: model.layers.count - 1),
                              key: "model.layers[\(model.layers.count - 1)]",
                              "the output layer gives \(shape) per example, not one probability per class: put a "
                              + "`flatten: {}` or a global pooling layer before it (an LSTM or GRU before it needs "
                              + "return_sequences: false)")
        }
        return (output, layers)
    }
}
