import Layers

/// `zero_padding2d`: Keras `ZeroPadding2D`, rows and columns of zeros around each image
/// (`padding`: n, [rows, columns] or [[top, bottom], [left, right]]; default 1 on every side).
public struct ZeroPadding2DSpec: DecodableLayerSpec {
    public static let typeName = "zero_padding2d"
    public static let keys = ["padding"]
    public var padding: ImageBorders

    public init(padding: ImageBorders = ImageBorders(1)) { self.padding = padding }

    static func decode(_ body: ConfigNode) throws -> ZeroPadding2DSpec {
        let m = try body.mapping(allowed: keys)
        return ZeroPadding2DSpec(padding: try m["padding"].map(ImageBorders.init) ?? ImageBorders(1))
    }

    public var arguments: [(key: String, value: String)] { [("padding", padding.yaml)] }

    public func makeLayer(_ context: LayerContext) -> any Layer { ZeroPadding2D(padding: padding) }
}
