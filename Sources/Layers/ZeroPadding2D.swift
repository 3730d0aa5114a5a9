import Tensor

/// Keras `ZeroPadding2D`: rows and columns of zeros added around each image.
///
///     x (N, H, W, C) -> y (N, top + H + bottom, left + W + right, C);   dx = dy without the border
public final class ZeroPadding2D: Layer {
    public var name = "zero_padding2d"
    public var kind: String { "ZeroPadding2D" }
    public let padding: ImageBorders

    private var output = Tensor.empty         // y
    private var inputGradient = Tensor.empty  // dx

    /// Shape: (N, H, W, C) -> (N, H + top + bottom, W + left + right, C).
    public init(padding: ImageBorders) { self.padding = padding }

    /// (H, W, C) -> the padded shape; throws for a negative border or an input that is not an image.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard padding.isValid, inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (ZeroPadding2D): padding \(padding) must be >= 0 on an input (height, width, "
                             + "channels), all positive, got \(inputShape)")
        }
        return [inputShape[0] + padding.top + padding.bottom, inputShape[1] + padding.left + padding.right,
                inputShape[2]]
    }

    /// Shape: x (N, H, W, C) -> y (N, H', W', C), this layer's buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 4, "\(name): input \(x.shape) is not (N, H, W, C)")
        output.ensureShape([x.shape[0]] + (try! outputShape(for: Array(x.shape.dropFirst()))))
        ImageBorders.copyWindow(x, top: 0, left: 0, height: x.shape[1], width: x.shape[2], into: &output,
                                top: padding.top, left: padding.left)
        return output
    }

    /// dx = the part of dy over the input. Shape: dy (N, H', W', C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape, "\(name): backward got dy \(dy.shape), last output was \(output.shape)")
        let h = dy.shape[1] - padding.top - padding.bottom, w = dy.shape[2] - padding.left - padding.right
        inputGradient.ensureShape([dy.shape[0], h, w, dy.shape[3]])
        ImageBorders.copyWindow(dy, top: padding.top, left: padding.left, height: h, width: w, into: &inputGradient,
                                top: 0, left: 0)
        return inputGradient
    }
}
