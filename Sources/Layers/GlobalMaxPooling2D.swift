import Tensor

/// The maximum of every channel over the whole image, Keras `GlobalMaxPooling2D` (channels last,
/// `keepdims: false`).
///
/// Legend: N batch, H W C input, P = H * W positions, k[n, c] the number of positions holding the
/// maximum of channel c of example n.
///
///     x (N, H, W, C) -> y (N, C),   y[n, c] = max_p x[n, p, c]
///     backward: dx[n, p, c] = dy[n, c] / k[n, c] where x[n, p, c] == y[n, c], else 0
///
/// Tied maxima share the gradient equally, as TensorFlow's `reduce_max` gradient does (unlike
/// `MaxPool2D`, whose kernel gives it all to the first maximum); the fixture checks this rule.
public final class GlobalMaxPooling2D: Layer {
    public var name = "global_max_pooling2d"
    public var kind: String { "GlobalMaxPooling2D" }

    private var input = Tensor.empty          // the last forward's x (a reference, not a copy)
    private var output = Tensor.empty         // y (N, C)
    private var inputGradient = Tensor.empty  // dx (N, H, W, C)
    private var shares: [Float] = []          // backward: one example's tie counts, then dy / count (C)

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

    /// Channel maxima. Shape: x (N, H, W, C) -> y (N, C), a reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.shape.count == 4 && x.count > 0, "\(name): input \(x.shape) must be non-empty (N, H, W, C)")
        let (n, p, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        output.ensureShape([n, c])
        input = x
        x.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeMutableBufferPointer { yp in
                for b in 0..<n {
                    let image = b * p * c, y = yp.baseAddress! + b * c
                    for j in 0..<c { y[j] = xp[image + j] }
                    for q in 1..<p {
                        let at = image + q * c
                        for j in 0..<c where xp[at + j] > y[j] { y[j] = xp[at + j] }
                    }
                }
            }
        }
        return output
    }

    /// Each output gradient shared equally by the positions holding the maximum.
    /// Shape: dy (N, C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape && input.shape.count == 4 && input.shape[0] == dy.shape[0],
                     "\(name): backward got dy \(dy.shape), last output was \(output.shape) (forward first)")
        let (n, p, c) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3])
        inputGradient.ensureShape(input.shape)
        if shares.count != c { shares = [Float](repeating: 0, count: c) }
        input.data.withUnsafeBufferPointer { xp in
            output.data.withUnsafeBufferPointer { yp in
                dy.data.withUnsafeBufferPointer { dyp in
                    inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                        shares.withUnsafeMutableBufferPointer { ties in
                            for b in 0..<n {
                                let image = b * p * c, y = yp.baseAddress! + b * c
                                for j in 0..<c { ties[j] = 0 }
                                for q in 0..<p {
                                    for j in 0..<c where xp[image + q * c + j] == y[j] { ties[j] += 1 }
                                }
                                for j in 0..<c { ties[j] = dyp[b * c + j] / ties[j] }     // the share of each
                                for q in 0..<p {
                                    let at = image + q * c
                                    for j in 0..<c { dxp[at + j] = xp[at + j] == y[j] ? ties[j] : 0 }
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// Drops the reference to the last input (another layer's buffer).
    public func releaseCache() { input = .empty }
}
