import Layers

/// `flatten`: Keras `Flatten`, no arguments (`- flatten: {}`).
public struct FlattenSpec: DecodableLayerSpec {
    public static let typeName = "flatten"
    public static let keys: [String] = []

    public init() {}

    static func decode(_ body: ConfigNode) throws -> FlattenSpec {
        _ = try body.mapping(allowed: keys)
        return FlattenSpec()
    }

    public var arguments: [(key: String, value: String)] { [] }

    public func makeLayer(_ context: LayerContext) -> any Layer { Flatten() }
}
