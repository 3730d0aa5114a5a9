import Layers
import Tensor

/// A test-only layer with non-trainable state: the identity on (N, D) that keeps a moving mean of
/// its inputs in training (as a batch normalization keeps `moving_mean`).
public final class MovingMeanLayer: Layer {
    public var name = "moving_mean_layer"
    public var kind: String { "MovingMean" }
    public let movingMean = LayerState(name: "moving_mean", value: .empty)
    public var state: [LayerState] { [movingMean] }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        movingMean.value = Tensor(shape: [inputShape.last!], repeating: 0)
    }

    /// Training: moving_mean = 0.9 moving_mean + 0.1 mean over the batch. Shape: x (N, D) -> x.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return x }
        let (n, d) = (x.shape[0], x.shape[1])
        for j in 0..<d {
            var sum: Float = 0
            for i in 0..<n { sum += x.data[i * d + j] }
            movingMean.value.data[j] = 0.9 * movingMean.value.data[j] + 0.1 * sum / Float(n)
        }
        return x
    }

    public func backward(_ dy: Tensor) -> Tensor { dy }

    public init() {}

    /// Dense(4) -> MovingMeanLayer -> Dense(2) on 3 inputs.
    public static func model(seed: UInt64) throws -> Sequential {
        try Sequential(inputShape: [3], layers: [Dense(units: 4), MovingMeanLayer(), Dense(units: 2)], seed: seed)
    }

    /// Trains the moving mean of `model` on one batch so that it is not zero.
    public static func moveState(_ model: Sequential) {
        let x = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        _ = model.forward(x, training: true)
    }
}
