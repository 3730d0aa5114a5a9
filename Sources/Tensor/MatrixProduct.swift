/// The shape of one matrix product a kernel issues through `gemm`, `count` times:
///
///     c (m, n) = op(a) (m, k) op(b) (k, n)        op(a) = a^T when `transA`, op(b) = b^T when `transB`
///
/// Layers report the products of their forward and backward passes as these (`Layer.products`), so
/// that a benchmark can count FLOPs and time `cblas_sgemm` alone on exactly the products a step runs.
public struct MatrixProduct: Hashable, Sendable {
    /// What the product computes, for reports (`y`, `dW`, `hR`, `Winograd M`, ...).
    public var label: String
    public var m: Int, n: Int, k: Int
    public var transA: Bool, transB: Bool
    /// How many times the step issues this product.
    public var count: Int

    public init(_ label: String, m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false,
                count: Int = 1) {
        self.label = label
        self.m = m; self.n = n; self.k = k
        self.transA = transA; self.transB = transB
        self.count = count
    }

    /// Multiply-adds of all `count` products, counted as two FLOPs each.
    public var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(count) }
}

extension Array where Element == MatrixProduct {
    /// Total FLOPs of the products.
    public var flops: Double { reduce(0) { $0 + $1.flops } }

    /// The same products with `prefix` and a space before every label (a layer's name).
    public func labelled(_ prefix: String) -> [MatrixProduct] {
        map { var p = $0; p.label = "\(prefix) \(p.label)"; return p }
    }
}
