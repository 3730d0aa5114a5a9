import Tensor

// Legend: N batch, T time steps, D input features, U units, G = 4U gate columns (i, f, c, o).
// Buffers, all row-major and owned by the layer (sized on the first call, then reused):
//   x (N, T, D)                      the input, kept by reference for the kernel gradient
//   state = [gates | cells | cellAct | hPrev], every block indexed by (n, t):
//     gates   (N, T, G)   x W + b + h_{t-1} R, then activated in place: i, f, g = act(z_c), o
//     cells   (N, T, U)   c_t
//     cellAct (N, T, U)   act(c_t)
//     hPrev   (N, T, U)   h_{t-1} (row t = 0 is zeros): the state the step-t gates were computed from
//   output   (N, T, U) with returnSequences, else (N, U) = h_{T-1}
//   scratch = [dGates (N, T, G) | dh (N, U) | dc (N, U) | dAct (U)]
//   dx (N, T, D)
// hPrev is h shifted by one step, so that both the forward recurrent product of step t (rows (n, t),
// stride T*U) and the recurrent-kernel gradient (all N*T rows at once) read it as a matrix.

/// Long short-term memory over a sequence, with Keras semantics (`keras.layers.LSTM`).
///
/// Input (N, T, D); output (N, T, U) when `returnSequences`, else (N, U), the last step.
/// Weights in Keras order: `kernel` (D, 4U) glorot_uniform, `recurrent_kernel` (U, 4U) orthogonal,
/// `bias` (4U) zeros with the forget slice [U, 2U) set to one. Gate order i, f, c, o:
///
///     z = x_t kernel + h_{t-1} recurrent_kernel + bias,  i, f, o = recurrentActivation(z_i, z_f, z_o)
///     c_t = f * c_{t-1} + i * activation(z_c),         h_t = o * activation(c_t),   h_0 = c_0 = 0
///
/// The input projection of all N*T steps is one matrix product; only h_{t-1} R stays in the time
/// loop. `backward` is full backpropagation through time.
public final class LSTM: Layer {
    public var name = "lstm"
    public var kind: String { "LSTM" }
    /// U, the size of the hidden state.
    public let units: Int
    /// Whether the output holds every step (N, T, U) or only the last one (N, U).
    public let returnSequences: Bool
    /// Applied to the candidate cell value and to the cell state (Keras `activation`, tanh).
    public let activation: Activation
    /// Applied to the input, forget and output gates (Keras `recurrent_activation`, sigmoid).
    public let recurrentActivation: Activation

    /// (D, 4U), present after `build`.
    public private(set) var kernel: Parameter?
    /// (U, 4U), present after `build`.
    public private(set) var recurrentKernel: Parameter?
    /// (4U), present after `build`.
    public private(set) var bias: Parameter?

    public var parameters: [Parameter] { [kernel, recurrentKernel, bias].compactMap { $0 } }

    private var input: Tensor?
    private var batch = 0, steps = 0
    private var state = Tensor.empty
    private var output = Tensor.empty
    private var scratch = Tensor.empty
    private var dx = Tensor.empty

    /// An LSTM layer of `units` units. Both activations must be elementwise (not softmax).
    public init(units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                recurrentActivation: Activation = .sigmoid) {
        precondition(units > 0, "LSTM needs a positive number of units, got \(units)")
        precondition(activation != .softmax && recurrentActivation != .softmax,
                     "LSTM activations must be elementwise, got \(activation) / \(recurrentActivation)")
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0 else {
            throw ShapeError("\(name) (LSTM): expects input (time steps, features), got \(inputShape)")
        }
        return returnSequences ? [inputShape[0], units] : [units]
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        let (d, g) = (inputShape[1], 4 * units)
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform.make([d, g], using: &rng))
        recurrentKernel = Parameter(name: "recurrent_kernel",
                                    value: Initializer.orthogonal(gain: 1).make([units, g], using: &rng))
        var b = Tensor(shape: [g], repeating: 0)
        for j in units..<(2 * units) { b.data[j] = 1 }   // unit_forget_bias
        bias = Parameter(name: "bias", value: b)
    }

    /// Sizes every buffer for (N, T); a no-op when the batch size and length are unchanged.
    private func prepare(batch n: Int, steps t: Int, features d: Int) {
        if n == batch && t == steps { return }
        let u = units, g = 4 * units
        batch = n; steps = t
        state.ensureShape([n * t * (g + 3 * u)])
        output.ensureShape(returnSequences ? [n, t, u] : [n, u])
        scratch.ensureShape([n * t * g + 2 * n * u + u])
        dx.ensureShape([n, t, d])
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard let kernel, let recurrentKernel, let bias else {
            preconditionFailure("\(name) (LSTM): forward before build")
        }
        let d = kernel.value.shape[0]
        precondition(x.rank == 3 && x.shape[2] == d && x.shape[0] > 0 && x.shape[1] > 0,
                     "\(name) (LSTM): input \(x.shape), expected (N, T, \(d))")
        let (n, t) = (x.shape[0], x.shape[1])
        prepare(batch: n, steps: t, features: d)
        input = x
        let (u, g) = (units, 4 * units)
        let (act, rec, seq) = (activation, recurrentActivation, returnSequences)
        x.data.withUnsafeBufferPointer { xp in
        kernel.value.data.withUnsafeBufferPointer { wp in
        recurrentKernel.value.data.withUnsafeBufferPointer { rp in
        bias.value.data.withUnsafeBufferPointer { bp in
        state.data.withUnsafeMutableBufferPointer { sp in
        output.data.withUnsafeMutableBufferPointer { op in
            let gates = sp.baseAddress!
            let cells = gates + n * t * g, cellAct = cells + n * t * u, hPrev = cellAct + n * t * u
            let out = op.baseAddress!
            // input projection of every step: gates (N*T, G) = x (N*T, D) W (D, G) + b
            gemm(m: n * t, n: g, k: d, a: xp.baseAddress!, b: wp.baseAddress!, c: gates)
            addRowBias(gates, rows: n * t, columns: g, bias: bp.baseAddress!)
            for s in 0..<n { (hPrev + s * t * u).update(repeating: 0, count: u) }   // h_{-1} = 0
            for step in 0..<t {
                if step > 0 {
                    // gates rows (n, step) += hPrev rows (n, step) (N, U) R (U, G); row stride T*U / T*G
                    // (in column blocks: OpenBLAS then reads R in place instead of packing it every step)
                    gemmInSmallColumnBlocks(m: n, n: g, k: u, a: hPrev + step * u, lda: t * u, b: rp.baseAddress!,
                                            beta: 1, c: gates + step * g, ldc: t * g)
                }
                for s in 0..<n {
                    let row = s * t + step                       // (n, t) row index
                    let z = gates + row * g
                    rec.apply(z, rows: 1, columns: 2 * u)        // i, f (adjacent)
                    act.apply(z + 2 * u, rows: 1, columns: u)    // candidate
                    rec.apply(z + 3 * u, rows: 1, columns: u)    // o
                    let (i, f, cand, o) = (z, z + u, z + 2 * u, z + 3 * u)
                    let c = cells + row * u, a = cellAct + row * u
                    if step == 0 {
                        for j in 0..<u { c[j] = i[j] * cand[j] }
                    } else {
                        let cOld = c - u                         // row (n, t - 1)
                        for j in 0..<u { c[j] = f[j] * cOld[j] + i[j] * cand[j] }
                    }
                    a.update(from: c, count: u)
                    act.apply(a, rows: 1, columns: u)
                    // h_t goes to the next step's hPrev row and/or to the output
                    let next = step < t - 1 ? hPrev + (row + 1) * u : nil
                    let h = seq ? out + row * u : (next ?? out + s * u)
                    for j in 0..<u { h[j] = o[j] * a[j] }
                    if seq, let next { next.update(from: h, count: u) }
                }
            }
        }}}}}}
        return output
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let kernel, let recurrentKernel, let bias, let x = input else {
            preconditionFailure("\(name) (LSTM): backward without a forward pass")
        }
        let (n, t, d, u, g) = (batch, steps, kernel.value.shape[0], units, 4 * units)
        precondition(dy.shape == output.shape, "\(name) (LSTM): output gradient \(dy.shape), expected \(output.shape)")
        let (act, rec, seq) = (activation, recurrentActivation, returnSequences)
        dy.data.withUnsafeBufferPointer { dyp in
        state.data.withUnsafeBufferPointer { sp in
        scratch.data.withUnsafeMutableBufferPointer { scp in
        recurrentKernel.value.data.withUnsafeBufferPointer { rp in
            let gates = sp.baseAddress!
            let cells = gates + n * t * g, cellAct = cells + n * t * u
            let dGates = scp.baseAddress!
            let dh = dGates + n * t * g, dc = dh + n * u, dAct = dc + n * u
            let dyBase = dyp.baseAddress!
            dc.update(repeating: 0, count: n * u)
            for step in stride(from: t - 1, through: 0, by: -1) {
                // dh (N, U) = dGates rows (n, step + 1) (N, G) R^T (G, U): the path through h_step -> z_{step+1}
                if step == t - 1 {
                    dh.update(repeating: 0, count: n * u)
                } else {
                    gemm(transB: true, m: n, n: u, k: g, a: dGates + (step + 1) * g, lda: t * g,
                         b: rp.baseAddress!, ldb: g, c: dh)
                }
                if seq {
                    for s in 0..<n { accumulate(dyBase + (s * t + step) * u, into: dh + s * u, count: u) }
                } else if step == t - 1 {
                    accumulate(dyBase, into: dh, count: n * u)
                }
                for s in 0..<n {
                    let row = s * t + step
                    let z = gates + row * g, dz = dGates + row * g
                    let (i, f, cand, o) = (z, z + u, z + 2 * u, z + 3 * u)
                    let a = cellAct + row * u
                    let dhs = dh + s * u, dcs = dc + s * u
                    // h = o * act(c): d o and d act(c)
                    for j in 0..<u {
                        dz[3 * u + j] = dhs[j] * a[j]
                        dAct[j] = dhs[j] * o[j]
                    }
                    act.backward(output: a, gradient: dAct, into: dAct, rows: 1, columns: u)
                    // c = f * c_old + i * cand: d i, d f, d cand; dc carries f * dc to step - 1
                    if step == 0 {
                        for j in 0..<u {
                            let dcj = dcs[j] + dAct[j]
                            dz[j] = dcj * cand[j]; dz[u + j] = 0; dz[2 * u + j] = dcj * i[j]
                        }
                    } else {
                        let cOld = cells + (row - 1) * u
                        for j in 0..<u {
                            let dcj = dcs[j] + dAct[j]
                            dz[j] = dcj * cand[j]; dz[u + j] = dcj * cOld[j]; dz[2 * u + j] = dcj * i[j]
                            dcs[j] = dcj * f[j]
                        }
                    }
                    // through the activations, in place (outputs i, f | cand | o)
                    rec.backward(output: i, gradient: dz, into: dz, rows: 1, columns: 2 * u)
                    act.backward(output: cand, gradient: dz + 2 * u, into: dz + 2 * u, rows: 1, columns: u)
                    rec.backward(output: o, gradient: dz + 3 * u, into: dz + 3 * u, rows: 1, columns: u)
                }
            }
            let hPrev = cellAct + n * t * u
            // dW (D, G) += x^T (D, N*T) dGates (N*T, G)
            x.data.withUnsafeBufferPointer { xp in
                kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                    gemm(transA: true, m: d, n: g, k: n * t, a: xp.baseAddress!, b: dGates, beta: 1, c: gw.baseAddress!)
                }
            }
            // dR (U, G) += hPrev^T (U, N*T) dGates (N*T, G): every step's h_{t-1}^T dz_t in one product
            recurrentKernel.grad.data.withUnsafeMutableBufferPointer { gr in
                gemm(transA: true, m: u, n: g, k: n * t, a: hPrev, b: dGates, beta: 1, c: gr.baseAddress!)
            }
            bias.grad.data.withUnsafeMutableBufferPointer { gb in
                accumulateColumnSums(dGates, rows: n * t, columns: g, into: gb.baseAddress!)
            }
            // dx (N*T, D) = dGates (N*T, G) W^T (G, D)
            kernel.value.data.withUnsafeBufferPointer { wp in
                dx.data.withUnsafeMutableBufferPointer { dxp in
                    gemm(transB: true, m: n * t, n: d, k: g, a: dGates, b: wp.baseAddress!, ldb: g, c: dxp.baseAddress!)
                }
            }
        }}}}
        return dx
    }

    public func releaseCache() { input = nil }
}
