import Layers

/// `time_distributed`: Keras `TimeDistributed`, the wrapped layer applied to every frame of a sequence.
/// Written `time_distributed: {dense: {units: 64, activation: relu}}`; only `dense` may be wrapped.
public struct TimeDistributedSpec: DecodableLayerSpec {
    public static let typeName = "time_distributed"
    /// The layer types that may be wrapped (the one key of the argument mapping).
    public static let keys = [DenseSpec.typeName]

    /// The wrapped layer.
    public var inner: any LayerSpec

    public init(_ inner: any LayerSpec) { self.inner = inner }

    static func decode(_ body: ConfigNode) throws -> TimeDistributedSpec {
        let inner = try LayerCatalog.decode(body)
        guard keys.contains(inner.typeName) else { throw body.error("time_distributed wraps a dense layer") }
        return TimeDistributedSpec(inner)
    }

    public var arguments: [(key: String, value: String)] {
        [(inner.typeName, LayerYAML.flow(inner.arguments))]
    }

    /// The wrapped layer gets this layer's context (classes and seed).
    public func makeLayer(_ context: LayerContext) -> any Layer {
        TimeDistributed(inner.makeLayer(context))
    }

    public static func == (a: TimeDistributedSpec, b: TimeDistributedSpec) -> Bool { a.inner.isEqual(to: b.inner) }
}
