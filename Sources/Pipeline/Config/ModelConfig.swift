import Layers
import Tensor

/// Layer stack and input layout, or (`kind: random_forest`) a random forest's hyper-parameters.
public struct ModelConfig: Equatable, Sendable {
    /// `network`: layers trained by the engine (the default, not printed); `random_forest`: Classical's
    /// forest on the per-clip descriptor rows (`ForestConfig`).
    public enum Kind: String, Sendable, CaseIterable { case network, randomForest = "random_forest" }
    public var kind = Kind.network
    /// The forest's hyper-parameters (used when `kind` is `randomForest`).
    public var forest = ForestConfig()
    /// `image`: windows are (frames, coefficients, 1) for Conv2D; `sequence`: (frames, coefficients) for LSTM;
    /// `descriptors`: one standardised row of descriptors per clip (F), for Dense layers.
    public enum Input: String, Sendable, CaseIterable { case image, sequence, descriptors }
    public var input = Input.image
    /// The layers in order, one spec per layer (the types are listed in `LayerCatalog`).
    public var layers: [any LayerSpec] = []
    /// The line of each layer in the file it was read from (empty for a config made in code), for the
    /// shape errors `makeModel` finds after reading: not part of the config's equality.
    public var layerLines: [Int] = []

    /// The line of layer `i` in its file, when known.
    func line(ofLayer i: Int) -> Int? { layerLines.indices.contains(i) ? layerLines[i] : nil }

    public init(input: Input = .image, layers: [any LayerSpec] = []) {
        self.input = input
        self.layers = layers
    }

    public static func == (a: ModelConfig, b: ModelConfig) -> Bool {
        a.kind == b.kind && a.forest == b.forest && a.input == b.input && a.layers.count == b.layers.count
            && zip(a.layers, b.layers).allSatisfy { $0.isEqual(to: $1) }
    }
}

extension ExperimentConfig {
    /// Reads the `model` section: `input` and the non-empty `layers` list, or `kind: random_forest`
    /// and the forest's keys.
    static func decodeModel(_ node: ConfigNode) throws -> ModelConfig {
        var model = ModelConfig()
        let kinds = ModelConfig.Kind.allCases
        if let k = node.peek("kind") {
            model.kind = try k.choice(ModelConfig.Kind.self, among: kinds)
        }
        if model.kind == .randomForest {
            model.forest = try ForestConfig.decode(try node.mapping(allowed: ["kind"] + ForestConfig.keys))
            return model
        }
        let m = try node.mapping(allowed: ["kind", "input", "layers"])
        if let v = m["input"] { model.input = try v.choice(ModelConfig.Input.self, among: ModelConfig.Input.allCases) }
        guard let layers = m["layers"] else { throw node.error("needs `layers`, a list of Keras layers") }
        let items = try layers.sequence()
        model.layers = try items.map(LayerCatalog.decode)
        model.layerLines = items.compactMap(\.line)
        if model.layerLines.count != model.layers.count { model.layerLines = [] }
        guard !model.layers.isEmpty else { throw layers.error("is empty: a model needs at least one layer") }
        return model
    }
}
