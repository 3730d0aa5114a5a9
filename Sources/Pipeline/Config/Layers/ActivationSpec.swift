import Layers

/// `activation`: Keras `Activation`, an activation function as a layer of its own
/// (`- activation: {activation: relu}`), for instance after a `batch_normalization`.
public struct ActivationSpec: DecodableLayerSpec {
    public static let typeName = "activation"
    public static let keys = ["activation"]

    public var activation: Activation

    public init(_ activation: Activation) { self.activation = activation }

    static func decode(_ body: ConfigNode) throws -> ActivationSpec {
        let m = try body.mapping(allowed: keys)
        guard let v = m["activation"] else { throw body.error("needs `activation` (relu, tanh, softmax, ...)") }
        return ActivationSpec(try v.activation())
    }

    public var arguments: [(key: String, value: String)] { [("activation", activation.rawValue)] }

    public func makeLayer(_ context: LayerContext) -> any Layer { ActivationLayer(activation) }
}
