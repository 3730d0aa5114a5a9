import Tensor

/// Keras `Permute(dims)`: the axes after the batch reordered, `dims` naming them from 1 (Keras's
/// convention): `Permute([2, 1])` turns a (time, coefficients) sequence into (coefficients, time), so
/// that a recurrent layer steps over the coefficients; `Permute([2, 1, 3])` swaps an image's frames and
/// coefficients.
///
/// Legend: N batch, k the example's rank, d the example's shape, p = dims - 1 (0-based).
///
///     x (N, d[0], ..., d[k-1]) -> y (N, d[p[0]], ..., d[p[k-1]]),  y[n, i_0, ..., i_{k-1}] = x[n, j]
///     with j[p[a]] = i_a;  backward: dx[n, j] = dy[n, i], the inverse permutation
///
/// One pass over y per direction, an odometer over y's indices stepping x's pointer by the permuted
/// strides.
public final class Permute: Layer {
    public var name = "permute"
    public var kind: String { "Permute" }
    /// The example's axes in their new order, numbered from 1 (Keras `dims`).
    public let dims: [Int]

    private var output = Tensor.empty         // y
    private var inputGradient = Tensor.empty  // dx

    /// Shape: (N, d...) -> (N, d[dims[0] - 1], ...).
    public init(dims: [Int]) {
        self.dims = dims
    }

    /// The permuted shape; throws unless `dims` is a permutation of 1 ... rank of the example.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Permute): input shape \(inputShape) needs at least one axis, all positive")
        }
        guard dims.sorted() == Array(1...inputShape.count) else {
            throw ShapeError("\(name) (Permute): dims \(dims) must order the \(inputShape.count) axes of input "
                             + "\(inputShape), each of 1 ... \(inputShape.count) once")
        }
        return dims.map { inputShape[$0 - 1] }
    }

    /// Shape: x (N, d...) -> y (N, permuted d...), this layer's buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == dims.count + 1, "\(name): input \(x.shape) does not have \(dims.count) example axes")
        let example = Array(x.shape.dropFirst())
        output.ensureShape([x.shape[0]] + dims.map { example[$0 - 1] })
        Permute.gather(x, into: &output, inputShape: example, order: dims.map { $0 - 1 })
        return output
    }

    /// dx = dy with the axes put back. Shape: dy (N, permuted d...) -> dx (N, d...).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape, "\(name): backward got dy \(dy.shape), last output was \(output.shape)")
        let example = Array(dy.shape.dropFirst())
        var inverse = [Int](repeating: 0, count: dims.count)
        for (a, d) in dims.enumerated() { inverse[d - 1] = a }
        inputGradient.ensureShape([dy.shape[0]] + inverse.map { example[$0] })
        Permute.gather(dy, into: &inputGradient, inputShape: example, order: inverse)
        return inputGradient
    }

    /// y[n, i_0, ...] = x[n, j] with j[order[a]] = i_a: y's axis a is x's axis order[a].
    /// Shape: x (N, inputShape...) -> y (N, inputShape[order[0]], ...), y sized by the caller.
    private static func gather(_ x: Tensor, into y: inout Tensor, inputShape: [Int], order: [Int]) {
        let k = inputShape.count, count = inputShape.reduce(1, *), n = x.shape[0]
        var xStrides = [Int](repeating: 1, count: k)
        for a in stride(from: k - 2, through: 0, by: -1) { xStrides[a] = xStrides[a + 1] * inputShape[a + 1] }
        let sizes = order.map { inputShape[$0] }, steps = order.map { xStrides[$0] }
        x.data.withUnsafeBufferPointer { xp in
            y.data.withUnsafeMutableBufferPointer { yp in
                var index = [Int](repeating: 0, count: k)
                for b in 0..<n {
                    let xs = xp.baseAddress! + b * count, ys = yp.baseAddress! + b * count
                    for a in 0..<k { index[a] = 0 }
                    var offset = 0
                    for i in 0..<count {
                        ys[i] = xs[offset]
                        // odometer over y's indices, the last axis fastest
                        var a = k - 1
                        while a >= 0 {
                            index[a] += 1
                            offset += steps[a]
                            if index[a] < sizes[a] { break }
                            offset -= steps[a] * sizes[a]
                            index[a] = 0
                            a -= 1
                        }
                    }
                }
            }
        }
    }
}
