import Layers

/// `gru`: Keras `GRU` on (frames, features) sequences, in Keras 3's default form `reset_after: true`
/// (the only form accepted: the reset gate multiplies h_{t-1} R_h + b_recurrent_h).
public struct GRUSpec: DecodableLayerSpec {
    public static let typeName = "gru"
    public static let keys = ["units", "return_sequences", "activation", "recurrent_activation", "dropout", "reset_after"]

    /// Hidden units (required).
    public var units: Int
    /// True: one output per frame; false: the last frame's only.
    public var returnSequences: Bool
    public var activation: Activation
    public var recurrentActivation: Activation
    /// Keras's `dropout`: the fraction of input features dropped in training, one mask per sequence
    /// for all its steps, in [0, 1); printed only when not 0 (configs without it keep their hashes).
    public var dropout: Double = 0

    public init(units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                recurrentActivation: Activation = .sigmoid) {
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
    }

    static func decode(_ body: ConfigNode) throws -> GRUSpec {
        let m = try body.mapping(allowed: keys)
        guard let u = m["units"] else { throw body.error("needs `units`") }
        var spec = GRUSpec(units: try u.int(min: 1, max: 1 << 16))
        if let v = m["return_sequences"] { spec.returnSequences = try v.bool() }
        if let v = m["activation"] { spec.activation = try v.recurrentLayerActivation() }
        if let v = m["recurrent_activation"] { spec.recurrentActivation = try v.recurrentLayerActivation() }
        if let v = m["dropout"] { spec.dropout = try v.double(min: 0, max: 0.999) }
        if let v = m["reset_after"], try !v.bool() {
            throw v.error("only reset_after: true (the Keras 3 default) is supported")
        }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [("units", "\(units)"), ("return_sequences", "\(returnSequences)"), ("activation", activation.rawValue),
         ("recurrent_activation", recurrentActivation.rawValue), ("reset_after", "true")]
            + (dropout != 0 ? [("dropout", "\(dropout)")] : [])
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        GRU(units: units, returnSequences: returnSequences, activation: activation,
            recurrentActivation: recurrentActivation, dropout: Float(dropout))
    }
}

