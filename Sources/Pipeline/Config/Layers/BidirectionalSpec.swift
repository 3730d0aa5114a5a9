import Layers

/// `bidirectional`: Keras `Bidirectional` around one recurrent layer, written
/// `bidirectional: {lstm: {units: 64, return_sequences: true}, merge_mode: concat}` (or `gru: {...}`);
/// `merge_mode` is `concat` (the default), `sum`, `ave` or `mul`.
public struct BidirectionalSpec: DecodableLayerSpec {
    public static let typeName = "bidirectional"
    /// The layer types that may be wrapped (exactly one of them is a key), then `merge_mode`.
    public static let keys = [LSTMSpec.typeName, GRUSpec.typeName, "merge_mode"]

    /// A recurrent layer the wrapper accepts.
    public enum Wrapped: Equatable, Sendable {
        case lstm(LSTMSpec)
        case gru(GRUSpec)

        var spec: any LayerSpec {
            switch self {
            case .lstm(let s): return s
            case .gru(let s): return s
            }
        }
    }

    /// The wrapped layer (the forward direction; the backward one is its twin).
    public var inner: Wrapped
    public var mergeMode: Bidirectional.MergeMode

    public init(_ inner: Wrapped, mergeMode: Bidirectional.MergeMode = .concat) {
        self.inner = inner
        self.mergeMode = mergeMode
    }

    static func decode(_ body: ConfigNode) throws -> BidirectionalSpec {
        let m = try body.mapping(allowed: keys)
        let wrapped = [LSTMSpec.typeName, GRUSpec.typeName].filter { m[$0] != nil }
        guard wrapped.count == 1 else { throw body.error("bidirectional wraps exactly one lstm or gru layer") }
        let inner: Wrapped = if let v = m[LSTMSpec.typeName] { .lstm(try LSTMSpec.decode(v)) }
            else { .gru(try GRUSpec.decode(m[GRUSpec.typeName]!)) }
        var spec = BidirectionalSpec(inner)
        if let v = m["merge_mode"] {
            spec.mergeMode = try v.choice(Bidirectional.MergeMode.self, among: Bidirectional.MergeMode.allCases)
        }
        return spec
    }

    public var arguments: [(key: String, value: String)] {
        [(inner.spec.typeName, LayerYAML.flow(inner.spec.arguments)), ("merge_mode", mergeMode.rawValue)]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        guard let layer = inner.spec.makeLayer(context) as? any RecurrentLayer else {
            preconditionFailure("bidirectional: \(inner.spec.typeName) does not make a recurrent layer")
        }
        return Bidirectional(layer, mergeMode: mergeMode)
    }
}
