import Tensor

/// Pooling over the steps of a sequence, Keras `MaxPooling1D`, `AveragePooling1D`,
/// `GlobalMaxPooling1D` and `GlobalAveragePooling1D` (channels last, TensorFlow padding rules).
///
/// Legend: N batch, T steps, C channels, K pool size, S stride, OT output steps.
///
///     windowed: x (N, T, C) -> y (N, OT, C)    valid: OT = (T - K) / S + 1    same: OT = ceil(T / S)
///     global:   x (N, T, C) -> y (N, C)
///
/// A sequence is a (T, 1) image with C channels, and TensorFlow runs its 1-D pools that way (its
/// `max_pool1d` and `avg_pool1d` add the unit axis and call the 2-D ops), so this layer does too: it
/// views x as (N, T, 1, C) without copying and runs the verified 2-D layer with (K, 1) windows and
/// (S, 1) strides, or the global 2-D pool. Every rule carries over: padding never wins a max and is
/// not counted in an average, a window's tied maxima give the whole gradient to the first one, and a
/// global maximum's ties share it equally (TensorFlow's `reduce_max` gradient).
public final class Pooling1D: Layer {
    /// The window of a windowed pool: Keras's `pool_size`, `strides` (`pool_size` when not given) and
    /// `padding`.
    public struct Window: Equatable, Sendable {
        public var poolSize: Int
        public var strides: Int
        public var padding: Padding

        public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid) {
            self.poolSize = poolSize
            self.strides = strides ?? poolSize
            self.padding = padding
        }
    }

    /// Which pool: over windows of steps, or over all of them.
    public enum Mode: Equatable, Sendable {
        case max(Window)
        case average(Window)
        case globalMax
        case globalAverage
    }

    public let mode: Mode
    public var name: String { didSet { image.name = name } }
    public var kind: String {
        switch mode {
        case .max: return "MaxPooling1D"
        case .average: return "AveragePooling1D"
        case .globalMax: return "GlobalMaxPooling1D"
        case .globalAverage: return "GlobalAveragePooling1D"
        }
    }

    /// The 2-D layer that computes the pool on the (N, T, 1, C) view.
    private let image: Layer
    private var inputShape: [Int] = []        // the last forward's x.shape (N, T, C), for backward
    private var outputSteps = 0               // OT for `inputShape` (windowed modes)

    /// Shape: (N, T, C) -> (N, OT, C) for `max` and `average`, (N, C) for the global modes.
    public init(_ mode: Mode) {
        self.mode = mode
        switch mode {
        case .max(let w):
            name = "max_pooling1d"
            image = MaxPool2D(poolSize: (w.poolSize, 1), strides: (w.strides, 1), padding: w.padding)
        case .average(let w):
            name = "average_pooling1d"
            image = AveragePooling2D(poolSize: (w.poolSize, 1), strides: (w.strides, 1), padding: w.padding)
        case .globalMax:
            name = "global_max_pooling1d"
            image = GlobalMaxPooling2D()
        case .globalAverage:
            name = "global_average_pooling1d"
            image = GlobalAveragePooling2D()
        }
        image.name = name
    }

    /// The window of a windowed mode, nil for a global one.
    public var window: Window? {
        switch mode {
        case .max(let w), .average(let w): return w
        case .globalMax, .globalAverage: return nil
        }
    }

    /// (T, C) -> (OT, C) or (C); throws, naming this layer, for an input that is not a sequence of
    /// positive size, a non-positive pool size or stride, or a `valid` window longer than the sequence.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(name) (\(kind)): expects input (time steps, channels), all positive, got \(inputShape)")
        }
        let (steps, channels) = (inputShape[0], inputShape[1])
        guard let w = window else { return [channels] }
        guard w.poolSize > 0, w.strides > 0 else {
            throw ShapeError("\(name) (\(kind)): pool_size \(w.poolSize) and strides \(w.strides) must be positive")
        }
        switch w.padding {
        case .valid:
            guard w.poolSize <= steps else {
                throw ShapeError("\(name) (\(kind)): pool_size \(w.poolSize) is longer than the \(steps) input "
                                 + "steps with padding valid")
            }
            return [(steps - w.poolSize) / w.strides + 1, channels]
        case .same:
            return [(steps + w.strides - 1) / w.strides, channels]
        }
    }

    /// Shape: x (N, T, C) -> y (N, OT, C) or (N, C), a view of the 2-D layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 3 && x.count > 0, "\(name) (\(kind)): input \(x.shape), expected non-empty (N, T, C)")
        if x.shape != inputShape {
            inputShape = x.shape
            if window != nil {
                do { outputSteps = try outputShape(for: [x.shape[1], x.shape[2]])[0] } catch {
                    preconditionFailure("\(error)")
                }
            }
        }
        let (n, t, c) = (x.shape[0], x.shape[1], x.shape[2])
        let y = image.forward(x.reshaped([n, t, 1, c]), training: training)
        return window == nil ? y : y.reshaped([n, outputSteps, c])
    }

    /// Shape: dy (N, OT, C) or (N, C) -> dx (N, T, C), a view of the 2-D layer's reused buffer.
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(inputShape.count == 3, "\(name) (\(kind)): backward before forward")
        let (n, c) = (inputShape[0], inputShape[2])
        let expected = window == nil ? [n, c] : [n, outputSteps, c]
        precondition(dy.shape == expected, "\(name) (\(kind)): output gradient \(dy.shape), expected \(expected)")
        let d = window == nil ? dy : dy.reshaped([n, outputSteps, 1, c])
        return image.backward(d).reshaped(inputShape)
    }

    public func releaseCache() { image.releaseCache() }
}
