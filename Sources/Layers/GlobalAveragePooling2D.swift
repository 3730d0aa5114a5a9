import Tensor

/// The mean of every channel over the whole image, Keras `GlobalAveragePooling2D` (channels last,
/// `keepdims: false`).
///
/// Legend: N batch, H W C input, P = H * W positions.
///
///     x (N, H, W, C) -> y (N, C),   y[n, c] = sum_p x[n, p, c] / P
///     backward: dx[n, p, c] = dy[n, c] / P
public final class GlobalAveragePooling2D: Layer {
    public var name = "global_average_pooling2d"
    public var kind: String { "GlobalAveragePooling2D" }

    private var output = Tensor.empty         // y (N, C)
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var inputShape: [Int] = []        // (N, H, W, C) of the last forward pass
    private var sums: [Double] = []           // one example's channel sums (C)

    /// Shape: (N, H, W, C) -> (N, C).
    public init() {}

    /// (H, W, C) -> (C).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (\(kind)): input shape \(inputShape) must be (height, width, channels), "
                             + "all positive")
        }
        return [inputShape[2]]
    }

    /// Channel means, summed in Double. Shape: x (N, H, W, C) -> y (N, C), a reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.count == 4, "\(name): input \(x.shape) must be (N, H, W, C)")
        let (n, p, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        output.ensureShape([n, c])
        inputShape = x.shape
        if sums.count != c { sums = [Double](repeating: 0, count: c) }
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                sums.withUnsafeMutableBufferPointer { sum in
                    for b in 0..<n {
                        for j in 0..<c { sum[j] = 0 }
                        for q in 0..<p {
                            let at = (b * p + q) * c
                            for j in 0..<c { sum[j] += Double(xp[at + j]) }
                        }
                        for j in 0..<c { yp[b * c + j] = Float(sum[j] / Double(p)) }
                    }
                }
            }
        }
        return output
    }

    /// dx[n, p, c] = dy[n, c] / P. Shape: dy (N, C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && inputShape.count == 4,
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let (n, p, c) = (inputShape[0], inputShape[1] * inputShape[2], inputShape[3])
        inputGradient.ensureShape(inputShape)
        let share = 1 / Float(p)
        dy.data.withUnsafeBufferPointer { dyp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                for b in 0..<n {
                    for q in 0..<p {
                        let at = (b * p + q) * c
                        for j in 0..<c { dxp[at + j] = dyp[b * c + j] * share }
                    }
                }
            }
        }
        return inputGradient
    }
}
