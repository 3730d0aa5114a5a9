import Foundation
import Tensor

/// How `Sequential.infer` runs a model: its layers in order, except that layer pairs with a faster
/// fused form (that keeps nothing for backward) run as one step. The plan is made from the layers once; it holds no
/// weights (each step reads its layers' current parameters on every call).
///
/// Steps:
/// - `Conv2D` (3x3, stride 1, same or valid, any activation but softmax) followed by `MaxPool2D`
///   (2x2, stride 2, valid): one `WinogradStep` with the pooling in the output transform
///   (Tensor/Winograd.swift). (Other 3x3 stride-1 convolutions use Winograd in `Conv2D.forward`.)
/// - `IdentityAtInference` layers (the dropout layers and the Gaussian noise layers): skipped.
/// - `BatchNormalization`: its `infer`, the moving statistics (read on every call, so it follows
///   training) folded into one per-channel affine pass; with an `Activation` layer after it, the
///   activation applied in place in the same step (the Keras idiom convolution -> normalization ->
///   activation then makes two passes over the map instead of five).
/// - `InferenceForward` layers (`LSTM`, `BatchNormalization`): their `infer`.
final class InferencePlan {
    private enum Step {
        case layer(Layer)
        case inferring(InferenceForward)
        case winograd(WinogradStep)
        case normalizing(BatchNormalization, then: Activation)
    }

    private let steps: [Step]
    private let stepInputShapes: [[Int]]       // batch excluded

    /// - Parameter shapes: every layer's input shape (batch excluded), in order.
    init(layers: [Layer], inputShapes shapes: [[Int]]) {
        var steps: [Step] = [], stepInputShapes: [[Int]] = []
        var i = 0
        while i < layers.count {
            if i + 1 < layers.count, let conv = layers[i] as? Conv2D, let pool = layers[i + 1] as? MaxPool2D,
               let step = WinogradStep(conv, pooledBy: pool, inputShape: shapes[i]) {
                steps.append(.winograd(step))
                stepInputShapes.append(shapes[i])
                i += 2
                continue
            }
            if i + 1 < layers.count, let norm = layers[i] as? BatchNormalization,
               let activation = layers[i + 1] as? ActivationLayer {
                steps.append(.normalizing(norm, then: activation.activation))
                stepInputShapes.append(shapes[i])
                i += 2
                continue
            }
            if let layer = layers[i] as? InferenceForward {
                steps.append(.inferring(layer))
                stepInputShapes.append(shapes[i])
            } else if !(layers[i] is IdentityAtInference) {
                steps.append(.layer(layers[i]))
                stepInputShapes.append(shapes[i])
            }
            i += 1
        }
        self.steps = steps
        self.stepInputShapes = stepInputShapes
    }

    /// The matrix products `run` issues for a batch of `n`, labelled with the layer names: a fused
    /// step's Winograd products, every other layer's forward products.
    func products(batch n: Int) -> [MatrixProduct] {
        zip(steps, stepInputShapes).flatMap { step, shape -> [MatrixProduct] in
            switch step {
            case .layer(let layer):
                return layer.products(inputShape: shape, batch: n, inputGradient: false).forward.labelled(layer.name)
            case .inferring(let layer):
                return layer.products(inputShape: shape, batch: n, inputGradient: false).forward.labelled(layer.name)
            case .winograd(let step):
                return step.products(batch: n)
            case .normalizing:
                return []
            }
        }
    }

    /// Number of fused conv + pool steps.
    var fusedConvPoolCount: Int {
        steps.reduce(0) { if case .winograd = $1 { return $0 + 1 } else { return $0 } }
    }

    /// Number of batch normalizations with the activation after them in one step.
    var fusedNormalizationCount: Int {
        steps.reduce(0) { if case .normalizing = $1 { return $0 + 1 } else { return $0 } }
    }

    /// The model's output for a batch. x (N, inputShape...) -> (N, outputShape...), a buffer of the
    /// last step reused by the next call.
    func run(_ x: Tensor) -> Tensor {
        var h = x
        for step in steps {
            switch step {
            case .layer(let layer): h = layer.forward(h, training: false)
            case .inferring(let layer): h = layer.infer(h)
            case .winograd(let step): h = step.forward(h)
            case .normalizing(let norm, let activation): h = norm.infer(h, activation: activation)
            }
        }
        return h
    }
}

/// A layer with an inference pass of its own for `Sequential.infer`: equal to `forward(_:training: false)`
/// up to float rounding, faster, and keeping nothing for `backward`.
public protocol InferenceForward: Layer {
    /// Shape: x (N, inputShape...) -> (N, outputShape...), a buffer of the layer reused by the next call.
    func infer(_ x: Tensor) -> Tensor
}

/// A 3x3 stride-1 Conv2D and the 2x2 max pool after it at inference, fused into one Winograd
/// F(2x2, 3x3) pass (`Winograd3x3`, `.maxPooled`):
///
///     x (N, H, W, C) -> y (N, OH / 2, OW / 2, F) = maxpool2x2(activation(conv3x3(x) + bias))
///
/// The activation is applied after the maximum: every activation allowed here is non-decreasing,
/// so it commutes with the maximum exactly.
final class WinogradStep {
    private let conv: Conv2D
    private let winograd: Winograd3x3
    private var output = Tensor.empty         // y (N, outputShape...)
    private let scratch = AlignedFloats()     // the padded input, V and M of one block (cache-line aligned)
    private let transformed = AlignedFloats() // U (X, C, F) of `transformedFrom`, cache-line aligned
    private var transformedFrom: [Float] = [] // the kernel U was made from, bit for bit

    /// nil when the pair is not one this step computes (another kernel size, stride or pool, or a
    /// softmax activation).
    init?(_ conv: Conv2D, pooledBy pool: MaxPool2D, inputShape: [Int]) {
        guard conv.kernelSize == (3, 3), conv.strides == (1, 1), conv.dilationRate == (1, 1), conv.activation != .softmax,
              pool.poolSize == (2, 2), pool.strides == (2, 2), pool.padding == .valid, inputShape.count == 3,
              let g = WindowGeometry(height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                     kernel: (3, 3), strides: (1, 1), padding: conv.padding),
              let winograd = [4, 2].lazy.compactMap({ tile in     // F(4x4, 3x3) when the pooled sides are even
                  Winograd3x3(height: g.height, width: g.width, channels: g.channels, filters: conv.filters,
                              padTop: g.padTop, padLeft: g.padLeft, convolutionOutput: (g.outHeight, g.outWidth),
                              output: .maxPooled, outputTile: tile)
              }).first
        else { return nil }
        self.conv = conv
        self.winograd = winograd
    }

    /// Winograd's 16 or 36 products per block of tiles (one tile per pool window, or per 2 x 2 of them).
    func products(batch n: Int) -> [MatrixProduct] {
        winograd.products(batch: n, label: "\(conv.name) y pooled Winograd M")
    }

    /// Shape: x (N, H, W, C) -> y (N, outputShape...), this step's reused buffer.
    func forward(_ x: Tensor) -> Tensor {
        let w = winograd, n = x.shape[0]
        precondition(x.shape == [n, w.height, w.width, w.channels],
                     "\(conv.name): inference input \(x.shape), expected (N, \(w.height), \(w.width), \(w.channels))")
        precondition(conv.kernel.value.count == 9 * w.channels * w.filters && conv.bias.value.count == w.filters,
                     "\(conv.name): kernel \(conv.kernel.value.shape) / bias \(conv.bias.value.shape) do not match")
        output.ensureShape([n] + w.outputShape)
        let sp = scratch.reserve(w.scratchCount(batch: n))
        transformKernelIfChanged()
        let up = transformed.pointer!
        x.data.withUnsafeBufferPointer { xp in
            conv.bias.value.data.withUnsafeBufferPointer { bp in
                output.data.withUnsafeMutableBufferPointer { yp in
                    w.run(xp.baseAddress!, batch: n, transformedKernel: up, bias: bp.baseAddress!,
                          output: yp.baseAddress!, scratch: sp)
                    conv.activation.apply(yp.baseAddress!, rows: yp.count / w.filters, columns: w.filters)
                }
            }
        }
        return output
    }

    /// Remakes U when the kernel differs (bit for bit) from the one it was made from: training
    /// changes the weights between calls, inference over many batches does not.
    private func transformKernelIfChanged() {
        let kernel = conv.kernel.value.data
        let same = kernel.count == transformedFrom.count && kernel.withUnsafeBytes { a in
            transformedFrom.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 }
        }
        if same { return }
        let u = transformed.reserve(winograd.transformedKernelCount)
        kernel.withUnsafeBufferPointer { kp in winograd.transformKernel(kp.baseAddress!, into: u) }
        // a copy of its own: sharing the kernel's storage would make the next in-place weight update copy it
        transformedFrom = [Float](unsafeUninitializedCapacity: kernel.count) { buffer, count in
            _ = buffer.initialize(from: kernel)
            count = kernel.count
        }
    }
}
