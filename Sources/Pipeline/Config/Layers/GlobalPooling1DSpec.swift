import Layers

/// `global_max_pooling1d`: Keras `GlobalMaxPooling1D`, (T, C) -> (C); no arguments.
public struct GlobalMaxPooling1DSpec: DecodableLayerSpec {
    public static let typeName = "global_max_pooling1d"
    public static let keys: [String] = []

    public init() {}

    static func decode(_ body: ConfigNode) throws -> GlobalMaxPooling1DSpec {
        _ = try body.mapping(allowed: keys)
        return GlobalMaxPooling1DSpec()
    }

    public var arguments: [(key: String, value: String)] { [] }

    public func makeLayer(_ context: LayerContext) -> any Layer { Pooling1D(.globalMax) }
}

/// `global_average_pooling1d`: Keras `GlobalAveragePooling1D`, (T, C) -> (C); no arguments.
public struct GlobalAveragePooling1DSpec: DecodableLayerSpec {
    public static let typeName = "global_average_pooling1d"
    public static let keys: [String] = []

    public init() {}

    static func decode(_ body: ConfigNode) throws -> GlobalAveragePooling1DSpec {
        _ = try body.mapping(allowed: keys)
        return GlobalAveragePooling1DSpec()
    }

    public var arguments: [(key: String, value: String)] { [] }

    public func makeLayer(_ context: LayerContext) -> any Layer { Pooling1D(.globalAverage) }
}
