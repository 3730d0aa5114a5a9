import Layers

/// `reshape`: Keras `Reshape`, `- reshape: {target_shape: [50, 200, 1]}` (one axis may be -1).
public struct ReshapeSpec: DecodableLayerSpec {
    public static let typeName = "reshape"
    public static let keys = ["target_shape"]
    public var targetShape: [Int]

    public init(targetShape: [Int]) { self.targetShape = targetShape }

    static func decode(_ body: ConfigNode) throws -> ReshapeSpec {
        let m = try body.mapping(allowed: keys)
        guard let node = m["target_shape"] else {
            throw body.error("needs target_shape: the shape of each example after the layer, e.g. [50, 200, 1]")
        }
        let shape = try node.sequence().map { try $0.int(min: -1, max: 1 << 24) }
        guard !shape.isEmpty, !shape.contains(0), shape.filter({ $0 == -1 }).count <= 1 else {
            throw node.error("must list one or more sizes >= 1, with at most one -1 (the size left to infer)")
        }
        return ReshapeSpec(targetShape: shape)
    }

    public var arguments: [(key: String, value: String)] {
        [("target_shape", "[" + targetShape.map(String.init).joined(separator: ", ") + "]")]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer { Reshape(targetShape: targetShape) }
}
