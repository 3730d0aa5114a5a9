import Layers

/// `global_average_pooling2d`: Keras `GlobalAveragePooling2D`, (H, W, C) -> (C); no arguments.
public struct GlobalAveragePooling2DSpec: DecodableLayerSpec {
    public static let typeName = "global_average_pooling2d"
    public static let keys: [String] = []

    public init() {}

    static func decode(_ body: ConfigNode) throws -> GlobalAveragePooling2DSpec {
        _ = try body.mapping(allowed: keys)
        return GlobalAveragePooling2DSpec()
    }

    public var arguments: [(key: String, value: String)] { [] }

    public func makeLayer(_ context: LayerContext) -> any Layer { GlobalAveragePooling2D() }
}
