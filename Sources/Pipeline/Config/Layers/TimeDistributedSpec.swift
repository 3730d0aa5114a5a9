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
        // only the types it wraps are offered (an extra key listed every layer type)
        let (_, inner) = try body.singleEntry(allowed: keys)
        return TimeDistributedSpec(try DenseSpec.decode(inner))
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
