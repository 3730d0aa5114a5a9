import Layers

/// `cropping2d`: Keras `Cropping2D`, rows and columns removed from each side of each image
/// (`cropping`: n, [rows, columns] or [[top, bottom], [left, right]]; default none).
public struct Cropping2DSpec: DecodableLayerSpec {
    public static let typeName = "cropping2d"
    public static let keys = ["cropping"]
    public var cropping: ImageBorders

    public init(cropping: ImageBorders = ImageBorders(0)) { self.cropping = cropping }

    static func decode(_ body: ConfigNode) throws -> Cropping2DSpec {
        let m = try body.mapping(allowed: keys)
        return Cropping2DSpec(cropping: try m["cropping"].map(ImageBorders.init) ?? ImageBorders(0))
    }

    public var arguments: [(key: String, value: String)] { [("cropping", cropping.yaml)] }

    public func makeLayer(_ context: LayerContext) -> any Layer { Cropping2D(cropping: cropping) }
}
