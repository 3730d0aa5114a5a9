import Layers

/// `global_max_pooling2d`: Keras `GlobalMaxPooling2D`, (H, W, C) -> (C); no arguments.
public struct GlobalMaxPooling2DSpec: DecodableLayerSpec {
    public static let typeName = "global_max_pooling2d"
    public static let keys: [String] = []

    public init() {}

    static func decode(_ body: ConfigNode) throws -> GlobalMaxPooling2DSpec {
        _ = try body.mapping(allowed: keys)
        return GlobalMaxPooling2DSpec()
    }

    public var arguments: [(key: String, value: String)] { [] }

    public func makeLayer(_ context: LayerContext) -> any Layer { GlobalMaxPooling2D() }
}
