import Foundation
import Tensor

/// A stack of layers applied in order, Keras `Sequential` semantics.
///
/// Building names the layers like Keras (`conv2d`, `conv2d_1`, ...), infers every shape from the
/// input shape, creates the parameters from one seeded generator and gives every layer that needs
/// scratch memory the model's single `Workspace`.
///
///     x (N, inputShape...) -> forward -> (N, outputShape...)
public final class Sequential {
    /// The layers, in order.
    public let layers: [Layer]
    /// Shape of one input example (batch excluded), e.g. [9, 13, 1].
    public let inputShape: [Int]
    /// Shape of one output (batch excluded), e.g. [10].
    public let outputShape: [Int]
    /// Output shape of every layer (batch excluded), for summaries and checks.
    public let layerOutputShapes: [[Int]]
    /// Scratch memory shared by all conv layers.
    public let workspace = Workspace()
    /// When set, training forward passes and backward passes add each layer's wall time here.
    public var layerTimes: LayerTimes?
    /// When set, `backward` calls it with each layer's index as soon as that layer's backward has
    /// returned: the parameter gradients of layers i..<layers.count are then final for this pass (a
    /// training engine starts updating them while the earlier layers still run).
    public var backwardProgress: (@Sendable (Int) -> Void)?
    /// The plan `infer` runs (fused steps, nothing kept for backward), made on its first call.
    private lazy var inferencePlan = InferencePlan(layers: layers, inputShapes: layerInputShapes)
    /// Input shape of every layer (batch excluded).
    var layerInputShapes: [[Int]] { [inputShape] + layerOutputShapes.dropLast() }

    /// Builds the model for `inputShape`, initialising parameters from `seed`.
    /// - Throws: `ShapeError` naming the first layer whose shape does not work.
    public init(inputShape: [Int], layers: [Layer], seed: UInt64 = 0) throws {
        precondition(!layers.isEmpty, "Sequential needs at least one layer")
        self.layers = layers
        self.inputShape = inputShape
        var rng = RandomGenerator(seed: seed)
        var budget = ParameterBudget()
        var counts: [String: Int] = [:]
        var shape = inputShape
        var shapes: [[Int]] = []
        for layer in layers {
            let base = layer.name
            let n = counts[base, default: 0]
            counts[base] = n + 1
            layer.name = n == 0 ? base : "\(base)_\(n)"
            do {
                let next = try layer.outputShape(for: shape)      // checks the input before counting on it
                try budget.add(layer, inputShape: shape)           // before any parameter is allocated
                try layer.build(inputShape: shape, using: &rng)
                shape = next
            } catch let error as ShapeError {
                throw ShapeError("layer \(layer.name) (\(layer.kind)) on input \(shape): \(error.description)")
            }
            if let user = layer as? WorkspaceUser { user.workspace = workspace }
            shapes.append(shape)
        }
        outputShape = shape
        layerOutputShapes = shapes
        cropConvolutionsBeforeValidPools()
        rectifyGradientsInPoolsAfterReLU()
        fusePoolsIntoReLUConvolutions()
    }

    /// A ReLU convolution followed by a 2x2, stride-2 valid max pool: the two share a `PoolFusion`, so
    /// that the convolution computes the pool in its training forward when its tiles allow and routes
    /// the pool's gradient itself (`Conv2D.poolFusion`). The results are equal (`PoolFusion`).
    private func fusePoolsIntoReLUConvolutions() {
        for i in layers.indices.dropLast() {
            guard let conv = layers[i] as? Conv2D, conv.activation == .relu, let pool = layers[i + 1] as? MaxPool2D,
                  pool.poolSize == (2, 2), pool.strides == (2, 2), pool.padding == .valid else { continue }
            let fusion = PoolFusion()
            conv.poolFusion = fusion
            pool.fusion = fusion
        }
    }

    /// A ReLU convolution followed by a max pool: the pool's backward applies the ReLU's derivative
    /// while it routes the gradient (`MaxPool2D.rectifiesGradient`: a window's maximum is the
    /// convolution's output there, positive exactly where the derivative is 1), so the convolution
    /// skips its own pass over dz (`Conv2D.receivesPreActivationGradient`). A ReLU convolution
    /// followed by another convolution: the same, the next one gating its input gradient. The
    /// gradients are equal.
    private func rectifyGradientsInPoolsAfterReLU() {
        for i in layers.indices.dropLast() {
            guard let conv = layers[i] as? Conv2D, conv.activation == .relu,
                  let pool = layers[i + 1] as? MaxPool2D else { continue }
            pool.rectifiesGradient = true
            conv.receivesPreActivationGradient = true
        }
        // likewise a ReLU convolution followed by a convolution, which gates its input gradient by its
        // input, the ReLU's output (`Conv2D.rectifiesInputGradient`)
        for i in layers.indices.dropLast() {
            guard let conv = layers[i] as? Conv2D, conv.activation == .relu,
                  let next = layers[i + 1] as? Conv2D else { continue }
            next.rectifiesInputGradient = true
            conv.receivesPreActivationGradient = true
        }
    }

    /// A convolution followed by a valid max pool whose windows never reach its last rows or columns
    /// computes only the part the pool reads (`Conv2D.outputCrop`); the pool's output is unchanged.
    private func cropConvolutionsBeforeValidPools() {
        for i in layers.indices.dropLast() {
            guard let conv = layers[i] as? Conv2D, let pool = layers[i + 1] as? MaxPool2D,
                  pool.padding == .valid else { continue }
            let (convHeight, convWidth) = (layerOutputShapes[i][0], layerOutputShapes[i][1])
            let (poolHeight, poolWidth) = (layerOutputShapes[i + 1][0], layerOutputShapes[i + 1][1])
            let readHeight = (poolHeight - 1) * pool.strides.0 + pool.poolSize.0
            let readWidth = (poolWidth - 1) * pool.strides.1 + pool.poolSize.1
            if readHeight < convHeight || readWidth < convWidth {
                conv.outputCrop = (readHeight, readWidth)
            }
        }
    }

    /// Every parameter with its Keras weight name `layer/weight` (`conv2d_1/kernel`), in layer order.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        layers.flatMap { layer in layer.parameters.map { ("\(layer.name)/\($0.name)", $0) } }
    }

    /// Every non-trainable state tensor with its Keras weight name `layer/name` (`batch_normalization/moving_mean`),
    /// in layer order.
    public var namedState: [(name: String, state: LayerState)] {
        layers.flatMap { layer in layer.state.map { ("\(layer.name)/\($0.name)", $0) } }
    }

    /// All non-trainable state in layer order.
    public var state: [LayerState] { layers.flatMap { $0.state } }

    /// All parameters in layer order.
    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    /// Copies every parameter value and every non-trainable state value of `other`, a model of the
    /// same architecture (a restored checkpoint).
    public func assignWeights(from other: Sequential) {
        precondition(other.parameters.map(\.value.shape) == parameters.map(\.value.shape)
                     && other.state.map(\.value.shape) == state.map(\.value.shape),
                     "Sequential.assignWeights: the models differ")
        for (mine, theirs) in zip(parameters, other.parameters) { mine.value = theirs.value }
        for (mine, theirs) in zip(state, other.state) { mine.value = theirs.value }
    }

    /// Number of trainable scalars (equal to Keras's `count_params()`).
    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The network's output for a batch.
    ///
    ///     x (N, inputShape...) -> (N, outputShape...)
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(Array(x.shape.dropFirst()) == inputShape,
                     "Sequential.forward: input \(x.shape), expected (N, \(inputShape))")
        releaseCaches()
        var h = x
        guard training, let times = layerTimes else {
            for layer in layers { h = layer.forward(h, training: training) }
            return h
        }
        for (i, layer) in layers.enumerated() {
            let start = LayerTimes.now()
            h = layer.forward(h, training: training)
            times.addForward(i, since: start)
        }
        return h
    }

    /// The network's output for a batch at inference, through the fused inference plan
    /// (`InferencePlan`: a 3x3 convolution and the 2x2 pool after it as one Winograd step,
    /// dropout skipped). Equal to `forward(x, training: false)` up to float rounding (~1e-6 relative), faster,
    /// and keeps nothing for `backward`: differentiate through `forward`.
    ///
    ///     x (N, inputShape...) -> (N, outputShape...)
    public func infer(_ x: Tensor) -> Tensor {
        precondition(Array(x.shape.dropFirst()) == inputShape,
                     "Sequential.infer: input \(x.shape), expected (N, \(inputShape))")
        releaseCaches()
        return inferencePlan.run(x)
    }

    /// The matrix products of one training step (forward and backward) and of one `infer` call at
    /// batch `n`, labelled `layer product` (see `Layer.products`). The first layer's input gradient
    /// is left out: training does not need it.
    public func products(batch n: Int) -> ModelProducts {
        var products = ModelProducts()
        for (index, (layer, shape)) in zip(layers, layerInputShapes).enumerated() {
            let p = layer.products(inputShape: shape, batch: n, inputGradient: index > 0)
            products.forward += p.forward.labelled(layer.name)
            products.backward += p.backward.labelled(layer.name)
        }
        products.inference = inferencePlan.products(batch: n)
        return products
    }

    /// Number of layer pairs `infer` runs as one fused Winograd conv + pool step.
    public var fusedInferenceSteps: Int { inferencePlan.fusedConvPoolCount }
    /// Batch normalizations `infer` runs with the `Activation` layer after them in one step.
    public var fusedNormalizationSteps: Int { inferencePlan.fusedNormalizationCount }

    /// Backpropagates d loss / d output through every layer, adding into the parameter gradients.
    /// When the last layer has a softmax output and `dy` is the gradient with respect to its
    /// pre-activation (the fused softmax cross-entropy gradient), pass `preActivation: true`.
    /// `inputGradient: false` (training, which never reads it) lets the first layer leave out
    /// d loss / d input when it can (`InputGradientOptional`).
    /// - Returns: d loss / d input; an empty tensor when it was left out.
    @discardableResult
    public func backward(_ dy: Tensor, preActivation: Bool = false, inputGradient: Bool = true) -> Tensor {
        var g = dy
        for (i, layer) in layers.enumerated().reversed() {
            let start = layerTimes == nil ? 0 : LayerTimes.now()
            defer { layerTimes?.addBackward(i, since: start) }
            if preActivation && i == layers.count - 1 {
                guard let fused = layer as? SoftmaxOutputLayer else {
                    preconditionFailure("backward(preActivation:) needs a softmax output layer, got \(layer.kind)")
                }
                g = fused.backward(preActivationGradient: g)
            } else if i == 0 && !inputGradient, let first = layer as? InputGradientOptional {
                g = first.backward(g, inputGradient: false)
            } else {
                g = layer.backward(g)
            }
            backwardProgress?(i)
        }
        return g
    }

    /// Clears every parameter gradient.
    public func zeroGrad() { for layer in layers { layer.zeroGrad() } }

    /// Drops every layer's cached references to other layers' tensors (`Layer.releaseCache`), so that
    /// the tensor last given to `forward` or `infer` can be rewritten in place by its owner. `forward`
    /// and `infer` call it first; call it after the last pass to release the input and outputs.
    public func releaseCaches() { for layer in layers { layer.releaseCache() } }

    /// A Keras-style summary table: layer (type), output shape, parameter count. The columns are 34 and
    /// 22 characters wide (Keras 2's), wider when a title or shape needs it, so that no two cells touch.
    public func summary() -> String {
        let rows = zip(layers, layerOutputShapes).map { layer, shape in
            (title: "\(layer.name) (\(layer.kind))",
             shape: "(None, " + shape.map(String.init).joined(separator: ", ") + ")",
             count: String(layer.parameterCount))
        }
        let titleWidth = max(34, (rows.map(\.title.count).max() ?? 0) + 1)
        let shapeWidth = max(22, (rows.map(\.shape.count).max() ?? 0) + 1)
        let rule = String(repeating: "=", count: titleWidth + shapeWidth + 10)
        func line(_ a: String, _ b: String, _ c: String) -> String {
            a.padding(toLength: titleWidth, withPad: " ", startingAt: 0)
                + b.padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + c
        }
        return ([line("Layer (type)", "Output Shape", "Param #"), rule] + rows.map { line($0.title, $0.shape, $0.count) }
                + [rule, "Total params: \(parameterCount)"]).joined(separator: "\n")
    }
}

/// The matrix products of a model's training step and inference call (`Sequential.products`).
/// Elementwise work (bias, activations, pooling, dropout, Winograd transforms, optimizer) is not a product.
public struct ModelProducts: Sendable {
    /// Forward pass in training (`forward(_:training: true)`).
    public var forward: [MatrixProduct] = []
    /// Backward pass, without the first layer's input gradient.
    public var backward: [MatrixProduct] = []
    /// `infer` (the fused inference plan).
    public var inference: [MatrixProduct] = []

    public init() {}

    /// FLOPs of a training step's products: forward and backward.
    public var trainingFlops: Double { forward.flops + backward.flops }
    /// FLOPs of an inference call's products.
    public var inferenceFlops: Double { inference.flops }
}

/// A layer that uses the model's shared scratch memory (Conv2D).
public protocol WorkspaceUser: AnyObject {
    var workspace: Workspace { get set }
}

/// A layer that is the identity at inference (the dropout kinds): `Sequential.infer` skips it.
public protocol IdentityAtInference: Layer {}

/// A layer with a softmax activation that can take the gradient with respect to its
/// pre-activation directly (the fused softmax cross-entropy gradient `p - y`).
public protocol SoftmaxOutputLayer: Layer {
    var activation: Activation { get }
    /// Backward pass from d loss / d pre-activation (the activation's Jacobian skipped).
    func backward(preActivationGradient dz: Tensor) -> Tensor
}
