import Layers
import Tensor

/// `max_pooling2d`: Keras `MaxPooling2D`; `strides` defaults to `pool_size`.
public struct MaxPooling2DSpec: DecodableLayerSpec {
    public static let typeName = "max_pooling2d"
    public static let keys = ["pool_size", "strides", "padding"]

    public var poolSize: (Int, Int)
    public var strides: (Int, Int)
    public var padding: Padding

    /// `strides: nil` means `poolSize` (Keras' default).
    public init(poolSize: (Int, Int) = (2, 2), strides: (Int, Int)? = nil, padding: Padding = .valid) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
    }

    static func decode(_ body: ConfigNode) throws -> MaxPooling2DSpec {
        let m = try body.mapping(allowed: keys)
        return MaxPooling2DSpec(poolSize: try m["pool_size"]?.pair() ?? (2, 2),
                                strides: try m["strides"]?.pair(),
                                padding: try m["padding"]?.padding() ?? .valid)
    }

    public var arguments: [(key: String, value: String)] {
        [("pool_size", LayerYAML.pair(poolSize)), ("strides", LayerYAML.pair(strides)), ("padding", padding.rawValue)]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        MaxPool2D(poolSize: poolSize, strides: strides, padding: padding)
    }

    public static func == (a: MaxPooling2DSpec, b: MaxPooling2DSpec) -> Bool {
        a.poolSize == b.poolSize && a.strides == b.strides && a.padding == b.padding
    }
}
