import Tensor

// Legend: N batch, T time steps, D input features, U units of each direction, M = 2U (concat) or U.
// Buffers, owned by the wrapper (sized on the first call, then reused):
//   reversedInput  (N, T, D)   x with its time axis reversed: the backward layer's input
//   output         (N, T, M) with returnSequences, else (N, M)
//   forwardGradient, backwardGradient   the two layers' output gradients, each of their output shape
//                                       (the backward one in the backward layer's reversed time order)
//   inputGradient  (N, T, D)   dx = dx_forward + reverse(dx_backward)
// The two layers' outputs are their own buffers, read right after their forward passes; `mul` keeps
// references to them for backward (released by `releaseCache`).

/// A recurrent layer `Bidirectional` can wrap: an LSTM or a GRU.
public protocol RecurrentLayer: Layer {
    /// U, the size of the hidden state (the layer's output width).
    var units: Int { get }
    /// Whether the output holds every step (N, T, U) or only the last one (N, U).
    var returnSequences: Bool { get }
    /// A new, unbuilt layer of the same type and configuration (the other direction).
    func makeTwin() -> any RecurrentLayer
}

/// Runs a recurrent layer over the sequence in both directions and merges the two outputs, Keras
/// `Bidirectional` (the default `merge_mode='concat'`, or `sum`, `ave`, `mul`).
///
/// Input (N, T, D); output (N, T, M) when the wrapped layer returns sequences, else (N, M); M = 2U for
/// `concat` (forward output first), U otherwise. The backward layer, a twin of the wrapped one with
/// its own weights, reads the time-reversed sequence; with `returnSequences` its output is reversed
/// back, so that step t of both halves belongs to input step t; without, its output is its last step
/// (the state after reading x_0). Weights in Keras order and names: the forward layer's
/// (`forward_lstm/kernel`, ...) then the backward layer's (`backward_lstm/kernel`, ...), saved as
/// `bidirectional/forward_lstm/kernel`; the inner names come from the wrapped layer's default name
/// (`forward_lstm`, `forward_gru`), not from Keras's global layer counter.
public final class Bidirectional: Layer {
    /// How the two directions' outputs are combined (Keras `merge_mode`).
    public enum MergeMode: String, Sendable, CaseIterable {
        case concat, sum, ave, mul
    }

    public var name = "bidirectional"
    public var kind: String { "Bidirectional" }
    /// The layer reading x_0 ... x_{T-1}.
    public let forwardLayer: any RecurrentLayer
    /// Its twin reading x_{T-1} ... x_0.
    public let backwardLayer: any RecurrentLayer
    public let mergeMode: MergeMode

    public var parameters: [Parameter] { forwardLayer.parameters + backwardLayer.parameters }

    private var reversedInput = Tensor.empty     // x reversed in time (N, T, D)
    private var output = Tensor.empty            // (N, T, M) or (N, M)
    private var forwardGradient = Tensor.empty   // d loss / d forward output
    private var backwardGradient = Tensor.empty  // d loss / d backward output, in its own time order
    private var inputGradient = Tensor.empty     // dx (N, T, D)
    private var forwardOutput = Tensor.empty     // `mul` only: the forward layer's last output (a reference)
    private var backwardOutput = Tensor.empty    // `mul` only: the backward layer's last output (a reference)
    private var sizedFor: [Int] = []             // input shape (N, T, D) the buffers were sized for

    /// Wraps `layer` (the forward direction) and a twin of it (the backward direction).
    public init(_ layer: any RecurrentLayer, mergeMode: MergeMode = .concat) {
        forwardLayer = layer
        backwardLayer = layer.makeTwin()
        self.mergeMode = mergeMode
        let base = layer.name
        forwardLayer.name = "forward_" + base
        backwardLayer.name = "backward_" + base
        for p in forwardLayer.parameters { p.name = "\(forwardLayer.name)/\(p.name)" }
        for p in backwardLayer.parameters { p.name = "\(backwardLayer.name)/\(p.name)" }
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        var shape = try forwardLayer.outputShape(for: inputShape)
        if mergeMode == .concat { shape[shape.count - 1] *= 2 }
        return shape
    }

    /// Both directions' parameters.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.sum(forwardLayer.parameterCount(for: inputShape), backwardLayer.parameterCount(for: inputShape))
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        try forwardLayer.build(inputShape: inputShape, using: &rng)
        try backwardLayer.build(inputShape: inputShape, using: &rng)
    }

    /// Sizes the buffers for x (N, T, D); a no-op when the shape is unchanged.
    private func resize(for shape: [Int]) {
        let (n, t, u) = (shape[0], shape[1], forwardLayer.units)
        let width = mergeMode == .concat ? 2 * u : u
        reversedInput.ensureShape(shape)
        output.ensureShape(forwardLayer.returnSequences ? [n, t, width] : [n, width])
        let half = forwardLayer.returnSequences ? [n, t, u] : [n, u]
        forwardGradient.ensureShape(half)
        backwardGradient.ensureShape(half)
        inputGradient.ensureShape(shape)
        sizedFor = shape
    }

    /// Both directions and their merge. Shape: x (N, T, D) -> (N, T, M) or (N, M), this layer's buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        precondition(x.rank == 3 && x.shape[0] > 0 && x.shape[1] > 0,
                     "\(name) (Bidirectional): input \(x.shape), expected (N, T, D)")
        if x.shape != sizedFor { resize(for: x.shape) }
        // drop references to buffers about to be rewritten in place: `reversedInput` (held by the
        // backward layer) and the two layers' outputs (held for `mul`)
        backwardLayer.releaseCache()
        (forwardOutput, backwardOutput) = (.empty, .empty)
        reverseTime(x, into: &reversedInput)
        let yf = forwardLayer.forward(x, training: training)
        let yb = backwardLayer.forward(reversedInput, training: training)
        merge(yf, yb)
        if mergeMode == .mul { (forwardOutput, backwardOutput) = (yf, yb) }
        return output
    }

    /// output = merge(yf, yb'), yb' = yb reversed in time with `returnSequences`, else yb.
    private func merge(_ yf: Tensor, _ yb: Tensor) {
        let (n, u) = (sizedFor[0], forwardLayer.units)
        let t = forwardLayer.returnSequences ? sizedFor[1] : 1
        let mode = mergeMode
        yf.data.withUnsafeBufferPointer { fp in
            yb.data.withUnsafeBufferPointer { bp in
                output.data.withUnsafeMutableBufferPointer { op in
                    let (f, b, out) = (fp.baseAddress!, bp.baseAddress!, op.baseAddress!)
                    let width = mode == .concat ? 2 * u : u
                    for s in 0..<n {
                        for step in 0..<t {
                            let fr = f + (s * t + step) * u, br = b + (s * t + t - 1 - step) * u
                            let o = out + (s * t + step) * width
                            switch mode {
                            case .concat:
                                o.update(from: fr, count: u)
                                (o + u).update(from: br, count: u)
                            case .sum: for j in 0..<u { o[j] = fr[j] + br[j] }
                            case .ave: for j in 0..<u { o[j] = 0.5 * (fr[j] + br[j]) }
                            case .mul: for j in 0..<u { o[j] = fr[j] * br[j] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Splits dy into the two layers' output gradients, backpropagates both and adds their input
    /// gradients (the backward layer's reversed in time). Shape: dy (N, T, M) or (N, M) -> dx (N, T, D).
    public func backward(_ dy: Tensor) -> Tensor {
        precondition(dy.shape == output.shape,
                     "\(name) (Bidirectional): output gradient \(dy.shape), expected \(output.shape)")
        splitGradient(dy)
        let dxf = forwardLayer.backward(forwardGradient)
        let dxb = backwardLayer.backward(backwardGradient)
        let (n, t, d) = (sizedFor[0], sizedFor[1], sizedFor[2])
        dxf.data.withUnsafeBufferPointer { fp in
            dxb.data.withUnsafeBufferPointer { bp in
                inputGradient.data.withUnsafeMutableBufferPointer { op in
                    for s in 0..<n {
                        for step in 0..<t {
                            let f = fp.baseAddress! + (s * t + step) * d
                            let b = bp.baseAddress! + (s * t + t - 1 - step) * d
                            let o = op.baseAddress! + (s * t + step) * d
                            for j in 0..<d { o[j] = f[j] + b[j] }
                        }
                    }
                }
            }
        }
        return inputGradient
    }

    /// forwardGradient and backwardGradient (reversed back to the backward layer's time order) from dy
    /// through the merge.
    private func splitGradient(_ dy: Tensor) {
        let (n, u) = (sizedFor[0], forwardLayer.units)
        let t = forwardLayer.returnSequences ? sizedFor[1] : 1
        let mode = mergeMode
        let width = mode == .concat ? 2 * u : u
        dy.data.withUnsafeBufferPointer { dyp in
            forwardGradient.data.withUnsafeMutableBufferPointer { fp in
                backwardGradient.data.withUnsafeMutableBufferPointer { bp in
                    for s in 0..<n {
                        for step in 0..<t {
                            let g = dyp.baseAddress! + (s * t + step) * width
                            let fRow = (s * t + step) * u, bRow = (s * t + t - 1 - step) * u
                            let df = fp.baseAddress! + fRow, db = bp.baseAddress! + bRow
                            switch mode {
                            case .concat:
                                df.update(from: g, count: u)
                                db.update(from: g + u, count: u)
                            case .sum:
                                df.update(from: g, count: u)
                                db.update(from: g, count: u)
                            case .ave: for j in 0..<u { df[j] = 0.5 * g[j]; db[j] = 0.5 * g[j] }
                            case .mul:
                                for j in 0..<u {
                                    df[j] = g[j] * backwardOutput.data[bRow + j]
                                    db[j] = g[j] * forwardOutput.data[fRow + j]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func releaseCache() {
        forwardLayer.releaseCache()
        backwardLayer.releaseCache()
        forwardOutput = .empty
        backwardOutput = .empty
    }

    /// Both layers' products, labelled `forward ...` and `backward ...`.
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        let f = forwardLayer.products(inputShape: inputShape, batch: n, inputGradient: inputGradient)
        let b = backwardLayer.products(inputShape: inputShape, batch: n, inputGradient: inputGradient)
        return LayerProducts(forward: f.forward.labelled("forward") + b.forward.labelled("backward"),
                             backward: f.backward.labelled("forward") + b.backward.labelled("backward"))
    }
}

/// Copies x (N, T, D) into `reversed` with the time axis reversed: reversed[n, t] = x[n, T - 1 - t].
private func reverseTime(_ x: Tensor, into reversed: inout Tensor) {
    let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
    x.data.withUnsafeBufferPointer { xp in
        reversed.data.withUnsafeMutableBufferPointer { rp in
            for s in 0..<n {
                for step in 0..<t {
                    let source = xp.baseAddress! + (s * t + t - 1 - step) * d
                    (rp.baseAddress! + (s * t + step) * d).update(from: source, count: d)
                }
            }
        }
    }
}

extension Bidirectional: StochasticLayer {
    /// Reseeds both directions' input dropout, each with its own stream.
    public func reseed(_ seed: UInt64) {
        (forwardLayer as? StochasticLayer)?.reseed(seed)
        (backwardLayer as? StochasticLayer)?.reseed(seed ^ 0xD1B5_4A32_D192_ED03)
    }
}
