import Tensor

// Legend: N batch, T time steps, F... the feature axes the wrapped layer acts on.
// x (N, T, F...) is handed to the wrapped layer as (N*T, F...) and its output (N*T, F'...) comes
// back as (N, T, F'...). Reshaping shares the storage (copy-on-write array, no element copies), and
// the shapes are cached, so the wrapper adds no work and no allocation to a training step.

/// Applies a layer to every time step (Keras `TimeDistributed`), as ONE call over N*T rows.
///
/// Input (N, T, F...), output (N, T, F'...) where the wrapped layer maps (B, F...) to (B, F'...).
/// `TimeDistributed(Dense(units: 64, activation: .relu))` on (N, T, D) is one (N*T, D) x (D, 64)
/// product. The parameters are the wrapped layer's (same objects, same names: Keras stores them
/// as `time_distributed/kernel`, ...); the wrapped layer must not depend on the batch grouping.
public final class TimeDistributed: Layer {
    public var name = "time_distributed"
    public var kind: String { "TimeDistributed" }
    /// The wrapped layer.
    public let layer: any Layer

    public var parameters: [Parameter] { layer.parameters }
    public var state: [LayerState] { layer.state }

    private var outerInput: [Int] = []    // (N, T, F...) of the last forward pass
    private var flatInput: [Int] = []     // (N*T, F...)
    private var flatOutput: [Int] = []    // (N*T, F'...)
    private var outerOutput: [Int] = []   // (N, T, F'...)

    /// Wraps `layer`, which then sees every time step as a separate sample.
    public init(_ layer: any Layer) {
        self.layer = layer
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count >= 2, inputShape[0] > 0 else {
            throw ShapeError("\(name) (TimeDistributed): expects input (time steps, features...), got \(inputShape)")
        }
        return [inputShape[0]] + (try layer.outputShape(for: Array(inputShape.dropFirst())))
    }

    /// The wrapped layer's, for one step's shape.
    public func parameterCount(for inputShape: [Int]) -> Int {
        layer.parameterCount(for: Array(inputShape.dropFirst()))
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        try layer.build(inputShape: Array(inputShape.dropFirst()), using: &rng)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank >= 3, "\(name) (TimeDistributed): input \(x.shape), expected (N, T, features...)")
        if x.shape != outerInput {
            outerInput = x.shape
            flatInput = [x.shape[0] * x.shape[1]] + x.shape.dropFirst(2)
        }
        let y = layer.forward(x.reshaped(flatInput), training: training)
        precondition(y.rank >= 1 && y.shape[0] == flatInput[0],
                     "\(name) (TimeDistributed): wrapped \(layer.kind) mapped \(flatInput) to \(y.shape)")
        if y.shape != flatOutput {
            flatOutput = y.shape
            outerOutput = [outerInput[0], outerInput[1]] + y.shape.dropFirst()
        }
        return y.reshaped(outerOutput)
    }

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == outerOutput,
                     "\(name) (TimeDistributed): output gradient \(dy.shape), expected \(outerOutput)")
        let dx = layer.backward(dy.reshaped(flatOutput))
        precondition(dx.shape == flatInput,
                     "\(name) (TimeDistributed): wrapped \(layer.kind) returned input gradient \(dx.shape), "
                     + "expected \(flatInput)")
        return dx.reshaped(outerInput)
    }

    public func releaseCache() { layer.releaseCache() }

    /// The wrapped layer's products for a batch of N*T on (F...).
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        guard let t = inputShape.first else { return LayerProducts() }
        return layer.products(inputShape: Array(inputShape.dropFirst()), batch: n * t, inputGradient: inputGradient)
    }
}
