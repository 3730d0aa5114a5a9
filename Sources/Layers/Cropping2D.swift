import Tensor

/// Keras `Cropping2D`: rows and columns removed from each side of each image.
///
///     x (N, H, W, C) -> y (N, H - top - bottom, W - left - right, C);   dx = dy with a zero border
public final class Cropping2D: Layer {
    public var name = "cropping2d"
    public var kind: String { "Cropping2D" }
    public let cropping: ImageBorders

    private var output = Tensor.empty         // y
    private var inputGradient = Tensor.empty  // dx

    /// Shape: (N, H, W, C) -> (N, H - top - bottom, W - left - right, C).
    public init(cropping: ImageBorders) { self.cropping = cropping }

    /// (H, W, C) -> the cropped shape; throws for a negative border or a crop that leaves nothing.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard cropping.isValid, inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (Cropping2D): cropping \(cropping) must be >= 0 on an input (height, width, "
                             + "channels), all positive, got \(inputShape)")
        }
        let h = inputShape[0] - cropping.top - cropping.bottom, w = inputShape[1] - cropping.left - cropping.right
        guard h > 0, w > 0 else {
            throw ShapeError("\(name) (Cropping2D): cropping \(cropping) leaves nothing of input \(inputShape)")
        }
        return [h, w, inputShape[2]]
    }

    /// Shape: x (N, H, W, C) -> y (N, H', W', C), this layer's buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 4, "\(name): input \(x.shape) is not (N, H, W, C)")
        let shape = try! outputShape(for: Array(x.shape.dropFirst()))
        output.ensureShape([x.shape[0]] + shape)
        ImageBorders.copyWindow(x, top: cropping.top, left: cropping.left, height: shape[0], width: shape[1],
                                into: &output, top: 0, left: 0)
        return output
    }

    /// dx = dy placed back inside a zero border. Shape: dy (N, H', W', C) -> dx (N, H, W, C).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape, "\(name): backward got dy \(dy.shape), last output was \(output.shape)")
        inputGradient.ensureShape([dy.shape[0], dy.shape[1] + cropping.top + cropping.bottom,
                                   dy.shape[2] + cropping.left + cropping.right, dy.shape[3]])
        ImageBorders.copyWindow(dy, top: 0, left: 0, height: dy.shape[1], width: dy.shape[2], into: &inputGradient,
                                top: cropping.top, left: cropping.left)
        return inputGradient
    }
}
