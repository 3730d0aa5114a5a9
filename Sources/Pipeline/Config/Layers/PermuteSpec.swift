import Layers

/// `permute`: Keras `Permute`, `- permute: {dims: [2, 1]}`: the example's axes in a new order, numbered
/// from 1 (a (time, coefficients) sequence read over its coefficients, an image's axes swapped).
public struct PermuteSpec: DecodableLayerSpec {
    public static let typeName = "permute"
    public static let keys = ["dims"]
    public var dims: [Int]

    public init(dims: [Int]) { self.dims = dims }

    static func decode(_ body: ConfigNode) throws -> PermuteSpec {
        let m = try body.mapping(allowed: keys)
        guard let node = m["dims"] else {
            throw body.error("needs dims: the example's axes in their new order, numbered from 1, e.g. [2, 1]")
        }
        let dims = try node.sequence().map { try $0.int(min: 1, max: 8) }
        guard !dims.isEmpty else {
            throw node.error("is empty: list the example's axes in their new order, numbered from 1, e.g. [2, 1]")
        }
        guard dims.sorted() == Array(1...dims.count) else {
            throw node.error("must list each of 1 ... \(max(dims.count, 1)) once (the example's axes, numbered from 1)")
        }
        return PermuteSpec(dims: dims)
    }

    public var arguments: [(key: String, value: String)] {
        [("dims", "[" + dims.map(String.init).joined(separator: ", ") + "]")]
    }

    public func makeLayer(_ context: LayerContext) -> any Layer { Permute(dims: dims) }
}
