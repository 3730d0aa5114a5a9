import Tensor

// Legend: N batch, T time steps, D input features, U units, G = 3U gate columns (z, r, h).
// Buffers, all row-major and owned by the layer (sized on the first call, then reused):
//   input (N, T, D)                  x, kept by reference for the kernel gradient
//   stepValues = [gates | inner | hPrev], every block indexed by (n, t) (`GRUStepValues`):
//     gates (N, T, G)   x W + b_input, then activated in place: z, r, hh (the candidate state)
//     inner (N, T, G)   h_{t-1} R + b_recurrent, kept as computed (its h block is what r multiplies)
//     hPrev (N, T, U)   h_{t-1} (row t = 0 is zeros): the state the step-t gates were computed from
//   output   (N, T, U) with returnSequences, else (N, U) = h_{T-1}
//   gradientScratch = [dGates (N, T, G) | dInner (N, T, G) | dh (N, U)]   (`GRUStepGradients`)
//     dGates: d loss / d (x W + b_input) = (dz, dr, da);  dInner: d loss / d inner = (dz, dr, da * r)
//   inputGradient dx (N, T, D)
// hPrev is h shifted by one step, so that both the forward recurrent product of step t (rows (n, t),
// stride T*U) and the recurrent-kernel gradient (all N*T rows at once) read it as a matrix.

/// Gated recurrent unit over a sequence, with Keras 3 semantics (`keras.layers.GRU`,
/// `reset_after=True`, the Keras 3 default and the only form here).
///
/// Input (N, T, D); output (N, T, U) when `returnSequences`, else (N, U), the last step.
/// Weights in Keras order: `kernel` (D, 3U) glorot_uniform, `recurrent_kernel` (U, 3U) orthogonal,
/// `bias` (2, 3U) zeros: row 0 the input bias, row 1 the recurrent bias. Gate order z, r, h
/// (update, reset, candidate):
///
///     x_* = x_t kernel_* + b_input_*,   m_* = h_{t-1} recurrent_kernel_* + b_recurrent_*
///     z = recurrentActivation(x_z + m_z),   r = recurrentActivation(x_r + m_r)
///     hh = activation(x_h + r * m_h),       h_t = z * h_{t-1} + (1 - z) * hh,   h_0 = 0
///
/// The input projection of all N*T steps is one matrix product; only h_{t-1} R stays in the time
/// loop. `backward` is full backpropagation through time.
public final class GRU: Layer {
    public var name = "gru"
    public var kind: String { "GRU" }
    /// U, the size of the hidden state.
    public let units: Int
    /// Whether the output holds every step (N, T, U) or only the last one (N, U).
    public let returnSequences: Bool
    /// Applied to the candidate state (Keras `activation`, tanh).
    public let activation: Activation
    /// Applied to the update and reset gates (Keras `recurrent_activation`, sigmoid).
    public let recurrentActivation: Activation

    /// (D, 3U), Keras weight `kernel`; empty until `build`.
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (U, 3U), Keras weight `recurrent_kernel`; empty until `build`.
    public let recurrentKernel = Parameter(name: "recurrent_kernel", value: .empty)
    /// (2, 3U), Keras weight `bias`: the input bias, then the recurrent bias; empty until `build`.
    public let bias = Parameter(name: "bias", value: .empty)

    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }
    /// Keras's `dropout`: the fraction of input features dropped in training, one mask per sequence
    /// for all its steps (`RecurrentInputDropout`); 0: none.
    public var dropout: Float { inputDropout.rate }
    /// The input dropout (its `spatial.freezeMask` keeps one mask, for gradient checks).
    let inputDropout: RecurrentInputDropout

    private var input = Tensor.empty           // the last forward's x (a reference, not a copy)
    private var stepValues = Tensor.empty      // gates | inner | hPrev of every step
    private var output = Tensor.empty          // (N, T, U) or (N, U)
    private var gradientScratch = Tensor.empty // dGates | dInner | dh
    private var inputGradient = Tensor.empty   // dx (N, T, D)
    private var sizedFor: [Int] = []           // input shape (N, T, D) the buffers were sized for
    private var inputProduct: PanelledMatrixProduct? // the input projection (W in panels; nil: gemm)
    private var stepProduct: PanelledMatrixProduct? // a step's inner += h_{t-1} R (R in panels; nil: gemm)
    private var stepGradientProduct: PanelledMatrixProduct? // backward's dh += dInner R^T (R^T in panels; nil: gemm)

    /// A GRU layer of `units` units. Both activations must be elementwise (not softmax).
    public init(units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                recurrentActivation: Activation = .sigmoid, dropout: Float = 0) {
        precondition(units > 0, "GRU needs a positive number of units, got \(units)")
        precondition(activation != .softmax && recurrentActivation != .softmax,
                     "GRU activations must be elementwise, got \(activation) / \(recurrentActivation)")
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        inputDropout = RecurrentInputDropout(rate: dropout)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try recurrentOutputShape(inputShape, units: units, returnSequences: returnSequences,
                                 layer: "\(name) (GRU)")
    }

    /// D * 3U + U * 3U + 2 * 3U (the input and recurrent biases).
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.product(ParameterBudget.sum(inputShape.last ?? 0, units, 2), 3, units)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        let g = 3 * units
        initializeRecurrentKernels(kernel: kernel, recurrentKernel: recurrentKernel, inputs: inputShape[1],
                                   units: units, gates: 3, using: &rng)
        bias.initialise(Tensor(shape: [2, g], repeating: 0))
    }

    /// Sizes every buffer for x (N, T, D); a no-op when the shape is unchanged.
    private func resize(for shape: [Int]) {
        let (n, t, d) = (shape[0], shape[1], shape[2])
        let u = units, g = 3 * units
        stepValues.ensureShape([n * t * (2 * g + u)])
        output.ensureShape(returnSequences ? [n, t, u] : [n, u])
        gradientScratch.ensureShape([2 * n * t * g + n * u])
        inputGradient.ensureShape([n, t, d])
        inputProduct = PanelledMatrixProduct(m: n * t, n: g, k: d, lda: d, ldc: g, beta: 1)
        stepProduct = PanelledMatrixProduct(m: n, n: g, k: u, lda: t * u, ldc: t * g)
        stepGradientProduct = PanelledMatrixProduct(m: n, n: u, k: g, lda: t * g, ldc: u, beta: 1)
        sizedFor = shape
    }

    /// Every step's gates and hidden state. Shape: x (N, T, D) -> (N, T, U) or (N, U), this layer's
    /// reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let x = inputDropout.apply(x, training: training)
        let d = kernel.value.shape.first ?? 0
        precondition(kernel.value.rank == 2 && recurrentKernel.value.count == units * 3 * units
                     && bias.value.count == 6 * units, "\(name) (GRU): forward before build")
        precondition(x.rank == 3 && x.shape[2] == d && x.shape[0] > 0 && x.shape[1] > 0,
                     "\(name) (GRU): input \(x.shape), expected (N, T, \(d))")
        if x.shape != sizedFor { resize(for: x.shape) }
        input = x
        let (n, t, g) = (x.shape[0], x.shape[1], 3 * units)
        stepValues.data.withUnsafeMutableBufferPointer { sp in
            let saved = GRUStepValues(sp.baseAddress!, rows: n * t, units: units)
            x.data.withUnsafeBufferPointer { xp in
                kernel.value.data.withUnsafeBufferPointer { wp in
                    bias.value.data.withUnsafeBufferPointer { bp in
                        // input projection of every step: gates (N*T, G) = b_input + x (N*T, D) W (D, G)
                        fillRows(saved.gates, rows: n * t, columns: g, with: bp.baseAddress!)
                        if let inputProduct {
                            inputProduct.pack(wp.baseAddress!, version: kernel.version)   // again only when W changed
                            inputProduct(a: xp.baseAddress!, c: saved.gates)
                        } else {
                            gemm(m: n * t, n: g, k: d, a: xp.baseAddress!, b: wp.baseAddress!, beta: 1, c: saved.gates)
                        }
                        // inner (N*T, G) starts as b_recurrent; the steps add h_{t-1} R
                        for row in 0..<(n * t) {
                            (saved.inner + row * g).update(from: bp.baseAddress! + g, count: g)
                        }
                    }
                }
            }
            output.data.withUnsafeMutableBufferPointer { op in
                recurrentKernel.value.data.withUnsafeBufferPointer { rp in
                    runSteps(saved, recurrentKernel: rp.baseAddress!, output: op.baseAddress!, batch: n, steps: t)
                }
            }
        }
        return output
    }

    /// The time loop of forward, after the input projection: for every step, inner += h_{t-1} R, the
    /// gates and h_t (into the next step's hPrev row and/or the output).
    private func runSteps(_ saved: GRUStepValues, recurrentKernel r: UnsafePointer<Float>,
                          output out: UnsafeMutablePointer<Float>, batch n: Int, steps t: Int) {
        let (u, g) = (units, 3 * units)
        let (act, rec, seq) = (activation, recurrentActivation, returnSequences)
        let (gates, inner, hPrev) = (saved.gates, saved.inner, saved.hPrev)
        for s in 0..<n { (hPrev + s * t * u).update(repeating: 0, count: u) }   // h_{-1} = 0
        if t > 1 { stepProduct?.pack(r, version: recurrentKernel.version) }   // again only when R changed
        for step in 0..<t {
            if step > 0 {
                // inner rows (n, step) += hPrev rows (n, step) (N, U) R (U, G); row stride T*U / T*G:
                // libxsmm's kernels on R packed in column panels (packed above when R changed), else
                // OpenBLAS in column blocks
                if let stepProduct {
                    stepProduct(a: hPrev + step * u, c: inner + step * g)
                } else {
                    gemmInSmallColumnBlocks(m: n, n: g, k: u, a: hPrev + step * u, lda: t * u, b: r,
                                            beta: 1, c: inner + step * g, ldc: t * g)
                }
            }
            for s in 0..<n {
                let row = s * t + step                       // (n, t) row index
                let x = gates + row * g, m = inner + row * g
                for j in 0..<(2 * u) { x[j] += m[j] }
                rec.apply(x, rows: 1, columns: 2 * u)        // z, r (adjacent)
                let (z, reset, cand) = (x, x + u, x + 2 * u)
                for j in 0..<u { cand[j] += reset[j] * m[2 * u + j] }
                act.apply(cand, rows: 1, columns: u)         // hh
                // h_t goes to the next step's hPrev row and/or to the output
                let old = hPrev + row * u
                let next = step < t - 1 ? hPrev + (row + 1) * u : nil
                let h = seq ? out + row * u : (next ?? out + s * u)
                for j in 0..<u { h[j] = z[j] * old[j] + (1 - z[j]) * cand[j] }
                if seq, let next { next.update(from: h, count: u) }
            }
        }
    }

    /// Backpropagation through time: the gate gradients of every step (`backpropagateSteps`), then
    /// the weight gradients and dx, each one product over all N*T rows.
    /// Shape: dy (N, T, U) or (N, U) -> dx (N, T, D).
    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// `backward(dy)`; without `inputGradient`, dx is left out and an empty tensor returned.
    public func backward(_ dy: Tensor, inputGradient computeInputGradient: Bool) -> Tensor {
        precondition(input.count > 0, "\(name) (GRU): backward without a forward pass")
        precondition(dy.shape == output.shape, "\(name) (GRU): output gradient \(dy.shape), expected \(output.shape)")
        let rows = sizedFor[0] * sizedFor[1]
        // mutable access to stepValues only because `GRUStepValues` is one view for both passes: backward reads it
        stepValues.data.withUnsafeMutableBufferPointer { sp in
            gradientScratch.data.withUnsafeMutableBufferPointer { gp in
                let saved = GRUStepValues(sp.baseAddress!, rows: rows, units: units)
                let grads = GRUStepGradients(gp.baseAddress!, rows: rows, units: units)
                backpropagateSteps(dy, saved, grads)
                accumulateWeightGradients(hPrev: saved.hPrev, grads)
                if computeInputGradient { self.computeInputGradient(dGates: grads.dGates) }
            }
        }
        return computeInputGradient ? inputDropout.backward(inputGradient) : .empty
    }

    /// dGates and dInner of every step, from the last to the first: dh (the paths through h_step),
    /// then the gate gradients of every sequence at that step.
    private func backpropagateSteps(_ dy: Tensor, _ saved: GRUStepValues, _ grads: GRUStepGradients) {
        let (n, t) = (sizedFor[0], sizedFor[1])
        dy.data.withUnsafeBufferPointer { dyp in
            recurrentKernel.value.data.withUnsafeBufferPointer { rp in
                if t > 1 { stepGradientProduct?.packTransposed(rp.baseAddress!) }   // R^T, once per backward
                for step in stride(from: t - 1, through: 0, by: -1) {
                    hiddenGradient(step: step, dy: dyp.baseAddress!, recurrentKernel: rp.baseAddress!, grads)
                    for s in 0..<n { gateGradients(row: s * t + step, sequence: s, saved, grads) }
                }
            }
        }
    }

    /// dh (N, U) of h_step: zero at the last step; before it, dh holds z_{step+1} * dh_{step+1} (left by
    /// `gateGradients`) and gets dInner rows (n, step + 1) (N, G) R^T (G, U), the path through
    /// h_step -> inner_{step+1}; then the output gradient of h_step is added. The product runs on R^T in
    /// panels (`stepGradientProduct`, packed by `backpropagateSteps`): OpenBLAS's gemm with R
    /// transposed packs all of R again at every step.
    private func hiddenGradient(step: Int, dy: UnsafePointer<Float>, recurrentKernel r: UnsafePointer<Float>,
                                _ grads: GRUStepGradients) {
        let (n, t, u, g) = (sizedFor[0], sizedFor[1], units, 3 * units)
        let dh = grads.dh
        if step == t - 1 {
            dh.update(repeating: 0, count: n * u)
        } else {
            if let stepGradientProduct {
                stepGradientProduct(a: grads.dInner + (step + 1) * g, c: dh)
            } else {
                gemm(transB: true, m: n, n: u, k: g, a: grads.dInner + (step + 1) * g, lda: t * g, b: r, ldb: g,
                     beta: 1, c: dh)
            }
        }
        if returnSequences {
            for s in 0..<n { accumulate(dy + (s * t + step) * u, into: dh + s * u, count: u) }
        } else if step == t - 1 {
            accumulate(dy, into: dh, count: n * u)
        }
    }

    /// dGates and dInner of row (n, t) from dh of sequence n, through h = z * h_old + (1 - z) * hh,
    /// hh = act(x_h + r * m_h) and the gate activations; dh becomes z * dh, the direct path to h_old.
    private func gateGradients(row: Int, sequence s: Int, _ saved: GRUStepValues, _ grads: GRUStepGradients) {
        let (u, g) = (units, 3 * units)
        let x = saved.gates + row * g, m = saved.inner + row * g, old = saved.hPrev + row * u
        let (z, reset, cand) = (x, x + u, x + 2 * u)
        let dx = grads.dGates + row * g, dm = grads.dInner + row * g
        let dhs = grads.dh + s * u
        // h = z * h_old + (1 - z) * hh: d z and d hh (in the candidate column, before act')
        for j in 0..<u {
            dx[j] = dhs[j] * (old[j] - cand[j])
            dx[2 * u + j] = dhs[j] * (1 - z[j])
            dhs[j] *= z[j]
        }
        // through act: da = d (x_h + r * m_h); then d r = da * m_h and d m_h = da * r
        activation.backward(output: cand, gradient: dx + 2 * u, into: dx + 2 * u, rows: 1, columns: u)
        for j in 0..<u {
            dx[u + j] = dx[2 * u + j] * m[2 * u + j]
            dm[2 * u + j] = dx[2 * u + j] * reset[j]
        }
        // through the gate activations, in place (outputs z, r adjacent); x_z, m_z (and x_r, m_r) share them
        recurrentActivation.backward(output: z, gradient: dx, into: dx, rows: 1, columns: 2 * u)
        dm.update(from: dx, count: 2 * u)
    }

    /// kernel.grad += x^T dGates, recurrentKernel.grad += hPrev^T dInner, bias.grad rows += column sums
    /// of dGates and dInner.
    private func accumulateWeightGradients(hPrev: UnsafePointer<Float>, _ grads: GRUStepGradients) {
        let (rows, d, u, g) = (sizedFor[0] * sizedFor[1], sizedFor[2], units, 3 * units)
        // dW (D, G) += x^T (D, N*T) dGates (N*T, G)
        input.data.withUnsafeBufferPointer { xp in
            kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                gemm(transA: true, m: d, n: g, k: rows, a: xp.baseAddress!, b: grads.dGates, beta: 1,
                     c: gw.baseAddress!)
            }
        }
        // dR (U, G) += hPrev^T (U, N*T) dInner (N*T, G): every step's h_{t-1}^T dm_t in one product
        recurrentKernel.grad.data.withUnsafeMutableBufferPointer { gr in
            gemm(transA: true, m: u, n: g, k: rows, a: hPrev, b: grads.dInner, beta: 1, c: gr.baseAddress!)
        }
        bias.grad.data.withUnsafeMutableBufferPointer { gb in
            accumulateColumnSums(grads.dGates, rows: rows, columns: g, into: gb.baseAddress!)
            accumulateColumnSums(grads.dInner, rows: rows, columns: g, into: gb.baseAddress! + g)
        }
    }

    /// dx (N*T, D) = dGates (N*T, G) W^T (G, D).
    private func computeInputGradient(dGates: UnsafePointer<Float>) {
        let (rows, d, g) = (sizedFor[0] * sizedFor[1], sizedFor[2], 3 * units)
        kernel.value.data.withUnsafeBufferPointer { wp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                gemm(transB: true, m: rows, n: d, k: g, a: dGates, b: wp.baseAddress!, ldb: g, c: dxp.baseAddress!)
            }
        }
    }

    public func releaseCache() { input = .empty }

    /// The products of a gated recurrent layer with 3 gates (`recurrentProducts`).
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        recurrentProducts(inputShape: inputShape, batch: n, inputGradient: inputGradient, units: units,
                          gates: 3)
    }
}

/// Pointers to the blocks of `GRU.stepValues` for N*T rows, valid while its storage is accessed:
/// gates and inner (N*T, G), hPrev (N*T, U).
private struct GRUStepValues {
    let gates, inner, hPrev: UnsafeMutablePointer<Float>

    init(_ base: UnsafeMutablePointer<Float>, rows: Int, units u: Int) {
        gates = base
        inner = gates + rows * 3 * u
        hPrev = inner + rows * 3 * u
    }
}

/// Pointers to the blocks of `GRU.gradientScratch`, valid while its storage is accessed:
/// dGates and dInner (N*T, G), dh (N, U) of the current step.
private struct GRUStepGradients {
    let dGates, dInner, dh: UnsafeMutablePointer<Float>

    init(_ base: UnsafeMutablePointer<Float>, rows: Int, units u: Int) {
        dGates = base
        dInner = dGates + rows * 3 * u
        dh = dInner + rows * 3 * u
    }
}

extension GRU: RecurrentLayer {
    public func makeTwin() -> any RecurrentLayer {
        GRU(units: units, returnSequences: returnSequences, activation: activation,
            recurrentActivation: recurrentActivation, dropout: dropout)
    }
}

extension GRU: InputGradientOptional {}

extension GRU: StochasticLayer {
    /// Restarts the input dropout's mask generator from `seed`.
    public func reseed(_ seed: UInt64) { inputDropout.spatial.reseed(seed) }
}
