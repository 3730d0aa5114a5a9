import Layers
import Tensor

/// `average_pooling2d`: Keras `AveragePooling2D`; `strides` defaults to `pool_size`; `same` windows
/// average only their cells inside the image.
public struct AveragePooling2DSpec: DecodableLayerSpec {
    public static let typeName = "average_pooling2d"
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

    static func decode(_ body: ConfigNode) throws -> AveragePooling2DSpec {
        let m = try body.mapping(allowed: keys)
        return AveragePooling2DSpec(poolSize: try m["pool_size"]?.pair() ?? (2, 2),
                                    strides: try m["strides"]?.pair(),
                                    padding: try m["padding"]?.padding() ?? .valid)
    }

    public var arguments: [(key: String, value: String)] {
        [("pool_size", LayerYAML.pair(poolSize)), ("strides", LayerYAML.pair(strides)), ("padding", padding.rawValue)]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        AveragePooling2D(poolSize: poolSize, strides: strides, padding: padding)
    }

    public static func == (a: AveragePooling2DSpec, b: AveragePooling2DSpec) -> Bool {
        a.poolSize == b.poolSize && a.strides == b.strides && a.padding == b.padding
    }
}
