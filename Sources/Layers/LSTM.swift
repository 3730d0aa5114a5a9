import CSupport
import Tensor

// Legend: N batch, T time steps, D input features, U units, G = 4U gate columns (i, f, c, o).
// Buffers, all row-major and owned by the layer (sized on the first call, then reused):
//   input (N, T, D)                  x, kept by reference for the kernel gradient
//   stepValues = [gates | cells | cellAct | hPrev], every block indexed by (n, t) (`StepValues`):
//     gates   (N, T, G)   x W + h_{t-1} R, then + b and activated in place by the cell: i, f, g = act(z_c), o
//     cells   (N, T, U)   c_t
//     cellAct (N, T, U)   act(c_t)
//     hPrev   (N, T, U)   h_{t-1} (row t = 0 is zeros): the state the step-t gates were computed from
//   output   (N, T, U) with returnSequences, else (N, U) = h_{T-1}
//   gradientScratch = [dGates (N, T, G) | dh (N, U) | dc (N, U) | dAct (U)]   (`StepGradients`)
//   inputGradient dx (N, T, D)
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

    /// (D, 4U), Keras weight `kernel`; empty until `build`.
    public let kernel = Parameter(name: "kernel", value: .empty)
    /// (U, 4U), Keras weight `recurrent_kernel`; empty until `build`.
    public let recurrentKernel = Parameter(name: "recurrent_kernel", value: .empty)
    /// (4U), Keras weight `bias`; empty until `build`.
    public let bias = Parameter(name: "bias", value: .empty)

    public var parameters: [Parameter] { [kernel, recurrentKernel, bias] }
    /// Keras's `dropout`: the fraction of input features dropped in training, one mask per sequence
    /// for all its steps (`RecurrentInputDropout`); 0: none.
    public var dropout: Float { inputDropout.rate }
    /// The input dropout (its `spatial.freezeMask` keeps one mask, for gradient checks).
    let inputDropout: RecurrentInputDropout

    private var input = Tensor.empty           // the last forward's x (a reference, not a copy)
    private var stepValues = Tensor.empty      // gates | cells | cellAct | hPrev of every step
    private var output = Tensor.empty          // (N, T, U) or (N, U)
    private var gradientScratch = Tensor.empty // dGates | dh | dc | dAct
    private var inputGradient = Tensor.empty   // dx (N, T, D)
    private var sizedFor: [Int] = []           // input shape (N, T, D) the buffers were sized for
    private var inputProduct: PanelledMatrixProduct? // the input projection (W in panels; nil: gemm)
    private var stepProduct: PanelledMatrixProduct? // a step's gates += h_{t-1} R (R in panels; nil: gemm)
    private var stepGradientProduct: PanelledMatrixProduct? // backward's dh = dGates R^T (R^T in panels; nil: gemm)

    /// An LSTM layer of `units` units. Both activations must be elementwise (not softmax).
    public init(units: Int, returnSequences: Bool = false, activation: Activation = .tanh,
                recurrentActivation: Activation = .sigmoid, dropout: Float = 0) {
        precondition(units > 0, "LSTM needs a positive number of units, got \(units)")
        precondition(activation != .softmax && recurrentActivation != .softmax,
                     "LSTM activations must be elementwise, got \(activation) / \(recurrentActivation)")
        self.units = units
        self.returnSequences = returnSequences
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        inputDropout = RecurrentInputDropout(rate: dropout)
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try recurrentOutputShape(inputShape, units: units, returnSequences: returnSequences,
                                 layer: "\(name) (LSTM)")
    }

    /// D * 4U + U * 4U + 4U.
    public func parameterCount(for inputShape: [Int]) -> Int {
        ParameterBudget.product(ParameterBudget.sum(inputShape.last ?? 0, units, 1), 4, units)
    }

    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        let g = 4 * units
        initializeRecurrentKernels(kernel: kernel, recurrentKernel: recurrentKernel, inputs: inputShape[1],
                                   units: units, gates: 4, using: &rng)
        var b = Tensor(shape: [g], repeating: 0)
        for j in units..<(2 * units) { b.data[j] = 1 }   // unit_forget_bias
        bias.initialise(b)
    }

    /// Sizes every buffer for x (N, T, D); a no-op when the shape is unchanged.
    private func resize(for shape: [Int]) {
        let (n, t, d) = (shape[0], shape[1], shape[2])
        let u = units, g = 4 * units
        stepValues.ensureShape([n * t * (g + 3 * u)])
        output.ensureShape(returnSequences ? [n, t, u] : [n, u])
        gradientScratch.ensureShape([n * t * g + 2 * n * u + u])
        inputGradient.ensureShape([n, t, d])
        inputProduct = PanelledMatrixProduct(m: n * t, n: g, k: d, lda: d, ldc: g, beta: 0)
        stepProduct = PanelledMatrixProduct(m: n, n: g, k: u, lda: t * u, ldc: t * g)
        stepGradientProduct = PanelledMatrixProduct(m: n, n: u, k: g, lda: t * g, ldc: u, beta: 0)
        sizedFor = shape
    }

    /// Every step's gates, cell and hidden state. Shape: x (N, T, D) -> (N, T, U) or (N, U), this
    /// layer's reused buffer.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        pass(inputDropout.apply(x, training: training), forBackward: true)
    }

    /// The output of `forward(x, training: false)` (up to float rounding) for `Sequential.infer`, faster
    /// and with nothing kept for `backward`: with tanh and sigmoid the cell runs in CSupport's
    /// `earmark_lstm_cell_inference` (3 divisions per unit instead of 5, only c and h written) and, with
    /// `returnSequences`, each step's recurrent product reads h_{t-1} from the output rows (hPrev is not
    /// filled). Other activations run `forward`. Shape: x (N, T, D) -> (N, T, U) or (N, U).
    public func infer(_ x: Tensor) -> Tensor {
        fusedCell ? pass(x, forBackward: false) : forward(x, training: false)
    }

    /// `forward` (everything backward reads kept) or `infer` (`inferSteps`, nothing kept).
    private func pass(_ x: Tensor, forBackward: Bool) -> Tensor {
        let d = kernel.value.shape.first ?? 0
        precondition(kernel.value.rank == 2 && recurrentKernel.value.count == units * 4 * units
                     && bias.value.count == 4 * units, "\(name) (LSTM): forward before build")
        precondition(x.rank == 3 && x.shape[2] == d && x.shape[0] > 0 && x.shape[1] > 0,
                     "\(name) (LSTM): input \(x.shape), expected (N, T, \(d))")
        if x.shape != sizedFor { resize(for: x.shape) }
        input = forBackward ? x : .empty
        let (n, t) = (x.shape[0], x.shape[1])
        stepValues.data.withUnsafeMutableBufferPointer { sp in
            let saved = StepValues(sp.baseAddress!, rows: n * t, units: units)
            projectInputs(x, into: saved.gates)
            output.data.withUnsafeMutableBufferPointer { op in
                recurrentKernel.value.data.withUnsafeBufferPointer { rp in
                    bias.value.data.withUnsafeBufferPointer { bp in
                        let (r, b, out) = (rp.baseAddress!, bp.baseAddress!, op.baseAddress!)
                        if forBackward {
                            runSteps(saved, recurrentKernel: r, bias: b, output: out, batch: n, steps: t)
                        } else {
                            inferSteps(saved, recurrentKernel: r, bias: b, output: out, batch: n, steps: t)
                        }
                    }
                }
            }
        }
        return output
    }

    /// The input projection of every step: gates (N*T, G) = x (N*T, D) W (D, G); the cell adds b.
    private func projectInputs(_ x: Tensor, into gates: UnsafeMutablePointer<Float>) {
        let (rows, d) = (x.shape[0] * x.shape[1], x.shape[2])
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                if let inputProduct {
                    inputProduct.pack(wp.baseAddress!, version: kernel.version)   // again only when W changed
                    inputProduct(a: xp.baseAddress!, c: gates)
                } else {
                    gemm(m: rows, n: 4 * units, k: d, a: xp.baseAddress!, b: wp.baseAddress!, c: gates)
                }
            }
        }
    }

    /// The time loop of `infer`: for every step, gates += h_{t-1} R, then the inference cell into c
    /// (row (n, 0) of `cells`, one state per sequence, overwritten every step) and h_t. h_{t-1} is read
    /// where the previous step wrote it: the output row (n, t - 1) with `returnSequences` (the same row
    /// stride T*U as hPrev), else hPrev's row (n, t).
    private func inferSteps(_ saved: StepValues, recurrentKernel r: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                            output out: UnsafeMutablePointer<Float>, batch n: Int, steps t: Int) {
        let (u, g, seq) = (units, 4 * units, returnSequences)
        let (gates, hPrev) = (saved.gates, saved.hPrev)
        if t > 1 { stepProduct?.pack(r, version: recurrentKernel.version) }
        for step in 0..<t {
            if step > 0 {
                let h = seq ? out + (step - 1) * u : hPrev + step * u   // rows (n, step - 1) / (n, step)
                if let stepProduct {
                    stepProduct(a: h, c: gates + step * g)
                } else {
                    gemmInSmallColumnBlocks(m: n, n: g, k: u, a: h, lda: t * u, b: r,
                                            beta: 1, c: gates + step * g, ldc: t * g)
                }
            }
            for s in 0..<n {
                let row = s * t + step
                let h = seq ? out + row * u : (step < t - 1 ? hPrev + (row + 1) * u : out + s * u)
                earmark_lstm_cell_inference(gates + row * g, b, saved.cells + s * t * u, step == 0 ? 1 : 0, h, u)
            }
        }
    }

    /// The time loop of forward, after the input projection: for every step, gates += h_{t-1} R, the
    /// bias and the activations, c_t and h_t (into the next step's hPrev row and/or the output).
    private func runSteps(_ saved: StepValues, recurrentKernel r: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                          output out: UnsafeMutablePointer<Float>, batch n: Int, steps t: Int) {
        let (u, g, seq) = (units, 4 * units, returnSequences)
        let (gates, cells, cellAct, hPrev) = (saved.gates, saved.cells, saved.cellAct, saved.hPrev)
        for s in 0..<n { (hPrev + s * t * u).update(repeating: 0, count: u) }   // h_{-1} = 0
        if t > 1 { stepProduct?.pack(r, version: recurrentKernel.version) }   // again only when R changed
        for step in 0..<t {
            if step > 0 {
                // gates rows (n, step) += hPrev rows (n, step) (N, U) R (U, G); row stride T*U / T*G:
                // libxsmm's kernels on R packed in column panels (packed above when R changed), else
                // OpenBLAS in column blocks
                if let stepProduct {
                    stepProduct(a: hPrev + step * u, c: gates + step * g)
                } else {
                    gemmInSmallColumnBlocks(m: n, n: g, k: u, a: hPrev + step * u, lda: t * u, b: r,
                                            beta: 1, c: gates + step * g, ldc: t * g)
                }
            }
            for s in 0..<n {
                let row = s * t + step                       // (n, t) row index
                // h_t goes to the next step's hPrev row and/or to the output
                let next = step < t - 1 ? hPrev + (row + 1) * u : nil
                let h = seq ? out + row * u : (next ?? out + s * u)
                let cOld = step == 0 ? nil : cells + (row - 1) * u   // row (n, t - 1)
                if fusedCell {
                    earmark_lstm_cell(gates + row * g, gates + row * g + u, gates + row * g + 2 * u,
                                      gates + row * g + 3 * u, b, cOld, cells + row * u, cellAct + row * u, h, u)
                } else {
                    cell(gates + row * g, bias: b, cOld: cOld, c: cells + row * u, cellAct: cellAct + row * u, h: h)
                }
                if seq, let next { next.update(from: h, count: u) }
            }
        }
    }

    /// Whether the cell runs in CSupport's fused `earmark_lstm_cell` (Keras's default activations,
    /// tanh and sigmoid, in one vectorised call) rather than in `cell`, which takes any activations.
    private var fusedCell: Bool { activation == .tanh && recurrentActivation == .sigmoid }

    /// One sequence's cell at one step, for any elementwise activations: the gates z (4U) plus the bias,
    /// activated in place, c = f * cOld + i * cand (i * cand at the first step), cellAct = act(c),
    /// h = o * cellAct.
    private func cell(_ z: UnsafeMutablePointer<Float>, bias b: UnsafePointer<Float>, cOld: UnsafePointer<Float>?,
                      c: UnsafeMutablePointer<Float>, cellAct a: UnsafeMutablePointer<Float>,
                      h: UnsafeMutablePointer<Float>) {
        let u = units
        for j in 0..<(4 * u) { z[j] += b[j] }
        recurrentActivation.apply(z, rows: 1, columns: 2 * u)        // i, f (adjacent)
        activation.apply(z + 2 * u, rows: 1, columns: u)             // candidate
        recurrentActivation.apply(z + 3 * u, rows: 1, columns: u)    // o
        let (i, f, cand, o) = (z, z + u, z + 2 * u, z + 3 * u)
        if let cOld {
            for j in 0..<u { c[j] = f[j] * cOld[j] + i[j] * cand[j] }
        } else {
            for j in 0..<u { c[j] = i[j] * cand[j] }
        }
        a.update(from: c, count: u)
        activation.apply(a, rows: 1, columns: u)
        for j in 0..<u { h[j] = o[j] * a[j] }
    }

    /// Backpropagation through time: the gate gradients of every step (`backpropagateSteps`), then
    /// the weight gradients and dx, each one product over all N*T rows.
    /// Shape: dy (N, T, U) or (N, U) -> dx (N, T, D).
    public func backward(_ dy: Tensor) -> Tensor { backward(dy, inputGradient: true) }

    /// `backward(dy)`; without `inputGradient`, dx is left out and an empty tensor returned.
    public func backward(_ dy: Tensor, inputGradient computeInputGradient: Bool) -> Tensor {
        precondition(input.count > 0, "\(name) (LSTM): backward without a forward pass")
        precondition(dy.shape == output.shape, "\(name) (LSTM): output gradient \(dy.shape), expected \(output.shape)")
        let rows = sizedFor[0] * sizedFor[1]
        // mutable access to stepValues only because `StepValues` is one view for both passes: backward reads it
        stepValues.data.withUnsafeMutableBufferPointer { sp in
            gradientScratch.data.withUnsafeMutableBufferPointer { gp in
                let saved = StepValues(sp.baseAddress!, rows: rows, units: units)
                let grads = StepGradients(gp.baseAddress!, rows: rows, batch: sizedFor[0], units: units)
                backpropagateSteps(dy, saved, grads)
                accumulateWeightGradients(hPrev: saved.hPrev, dGates: grads.dGates)
                if computeInputGradient { self.computeInputGradient(dGates: grads.dGates) }
            }
        }
        return computeInputGradient ? inputDropout.backward(inputGradient) : .empty
    }

    /// dGates of every step, from the last to the first: dh (the path through h_step), then the
    /// gates' gradients of every sequence at that step.
    private func backpropagateSteps(_ dy: Tensor, _ saved: StepValues, _ grads: StepGradients) {
        let (n, t) = (sizedFor[0], sizedFor[1])
        grads.dc.update(repeating: 0, count: n * units)
        dy.data.withUnsafeBufferPointer { dyp in
            recurrentKernel.value.data.withUnsafeBufferPointer { rp in
                if t > 1 { stepGradientProduct?.packTransposed(rp.baseAddress!) }   // R^T, once per backward
                for step in stride(from: t - 1, through: 0, by: -1) {
                    hiddenGradient(step: step, dy: dyp.baseAddress!, recurrentKernel: rp.baseAddress!, grads)
                    for s in 0..<n {
                        if fusedCell {
                            fusedGateGradients(row: s * t + step, sequence: s, first: step == 0, saved, grads)
                        } else {
                            gateGradients(row: s * t + step, sequence: s, first: step == 0, saved, grads)
                        }
                    }
                }
            }
        }
    }

    /// dh (N, U) = dGates rows (n, step + 1) (N, G) R^T (G, U), the path through h_step -> z_{step+1}
    /// (zero at the last step), plus the output gradient of h_step. The product runs on R^T in panels
    /// (`stepGradientProduct`, packed by `backpropagateSteps`): OpenBLAS's gemm with R transposed
    /// packs all of R again at every step.
    private func hiddenGradient(step: Int, dy: UnsafePointer<Float>, recurrentKernel r: UnsafePointer<Float>,
                                _ grads: StepGradients) {
        let (n, t, u, g) = (sizedFor[0], sizedFor[1], units, 4 * units)
        let dh = grads.dh
        if step == t - 1 {
            dh.update(repeating: 0, count: n * u)
        } else {
            if let stepGradientProduct {
                stepGradientProduct(a: grads.dGates + (step + 1) * g, c: dh)
            } else {
                gemm(transB: true, m: n, n: u, k: g, a: grads.dGates + (step + 1) * g, lda: t * g, b: r, ldb: g, c: dh)
            }
        }
        if returnSequences {
            for s in 0..<n { accumulate(dy + (s * t + step) * u, into: dh + s * u, count: u) }
        } else if step == t - 1 {
            accumulate(dy, into: dh, count: n * u)
        }
    }

    /// dz of row (n, t) from dh and dc of sequence n, through h = o * act(c) and
    /// c = f * c_old + i * cand and the gate activations; dc becomes f * dc for step t - 1.
    private func gateGradients(row: Int, sequence s: Int, first: Bool, _ saved: StepValues, _ grads: StepGradients) {
        let (u, g) = (units, 4 * units)
        let (act, rec) = (activation, recurrentActivation)
        let z = saved.gates + row * g, dz = grads.dGates + row * g
        let (i, f, cand, o) = (z, z + u, z + 2 * u, z + 3 * u)
        let a = saved.cellAct + row * u
        let dhs = grads.dh + s * u, dcs = grads.dc + s * u, dAct = grads.dAct
        // h = o * act(c): d o and d act(c)
        for j in 0..<u {
            dz[3 * u + j] = dhs[j] * a[j]
            dAct[j] = dhs[j] * o[j]
        }
        act.backward(output: a, gradient: dAct, into: dAct, rows: 1, columns: u)
        // c = f * c_old + i * cand: d i, d f, d cand; dc carries f * dc to step - 1
        if first {
            for j in 0..<u {
                let dcj = dcs[j] + dAct[j]
                dz[j] = dcj * cand[j]; dz[u + j] = 0; dz[2 * u + j] = dcj * i[j]
            }
        } else {
            let cOld = saved.cells + (row - 1) * u
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

    /// `gateGradients` with Keras's default activations (`fusedCell`), in one call of CSupport's
    /// `earmark_lstm_cell_backward`: one pass over the units instead of the seven of the Swift path.
    private func fusedGateGradients(row: Int, sequence s: Int, first: Bool, _ saved: StepValues,
                                    _ grads: StepGradients) {
        let (u, g) = (units, 4 * units)
        let z = saved.gates + row * g, dz = grads.dGates + row * g
        let cOld: UnsafePointer<Float>? = first ? nil : UnsafePointer(saved.cells + (row - 1) * u)
        earmark_lstm_cell_backward(z, z + u, z + 2 * u, z + 3 * u, saved.cellAct + row * u, cOld,
                                   grads.dh + s * u, grads.dc + s * u, dz, dz + u, dz + 2 * u, dz + 3 * u, u)
    }

    /// kernel.grad += x^T dGates, recurrentKernel.grad += hPrev^T dGates, bias.grad += column sums.
    private func accumulateWeightGradients(hPrev: UnsafePointer<Float>, dGates: UnsafePointer<Float>) {
        let (rows, d, u, g) = (sizedFor[0] * sizedFor[1], sizedFor[2], units, 4 * units)
        // dW (D, G) += x^T (D, N*T) dGates (N*T, G)
        input.data.withUnsafeBufferPointer { xp in
            kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                gemm(transA: true, m: d, n: g, k: rows, a: xp.baseAddress!, b: dGates, beta: 1, c: gw.baseAddress!)
            }
        }
        // dR (U, G) += hPrev^T (U, N*T) dGates (N*T, G): every step's h_{t-1}^T dz_t in one product
        recurrentKernel.grad.data.withUnsafeMutableBufferPointer { gr in
            gemm(transA: true, m: u, n: g, k: rows, a: hPrev, b: dGates, beta: 1, c: gr.baseAddress!)
        }
        bias.grad.data.withUnsafeMutableBufferPointer { gb in
            accumulateColumnSums(dGates, rows: rows, columns: g, into: gb.baseAddress!)
        }
    }

    /// dx (N*T, D) = dGates (N*T, G) W^T (G, D).
    private func computeInputGradient(dGates: UnsafePointer<Float>) {
        let (rows, d, g) = (sizedFor[0] * sizedFor[1], sizedFor[2], 4 * units)
        kernel.value.data.withUnsafeBufferPointer { wp in
            inputGradient.data.withUnsafeMutableBufferPointer { dxp in
                gemm(transB: true, m: rows, n: d, k: g, a: dGates, b: wp.baseAddress!, ldb: g, c: dxp.baseAddress!)
            }
        }
    }

    public func releaseCache() { input = .empty }

    /// The products of a gated recurrent layer with 4 gates (`recurrentProducts`).
    public func products(inputShape: [Int], batch n: Int, inputGradient: Bool) -> LayerProducts {
        recurrentProducts(inputShape: inputShape, batch: n, inputGradient: inputGradient, units: units,
                          gates: 4)
    }
}

/// Pointers to the blocks of `LSTM.stepValues` for N*T rows, valid while its storage is accessed:
/// gates (N*T, G), cells, cellAct and hPrev (N*T, U).
private struct StepValues {
    let gates, cells, cellAct, hPrev: UnsafeMutablePointer<Float>

    init(_ base: UnsafeMutablePointer<Float>, rows: Int, units u: Int) {
        gates = base
        cells = gates + rows * 4 * u
        cellAct = cells + rows * u
        hPrev = cellAct + rows * u
    }
}

/// Pointers to the blocks of `LSTM.gradientScratch`, valid while its storage is accessed:
/// dGates (N*T, G), dh and dc (N, U) of the current step, dAct (U) of the current row.
private struct StepGradients {
    let dGates, dh, dc, dAct: UnsafeMutablePointer<Float>

    init(_ base: UnsafeMutablePointer<Float>, rows: Int, batch n: Int, units u: Int) {
        dGates = base
        dh = dGates + rows * 4 * u
        dc = dh + n * u
        dAct = dc + n * u
    }
}

extension LSTM: RecurrentLayer {
    public func makeTwin() -> any RecurrentLayer {
        LSTM(units: units, returnSequences: returnSequences, activation: activation,
             recurrentActivation: recurrentActivation, dropout: dropout)
    }
}

extension LSTM: StochasticLayer {
    /// Restarts the input dropout's mask generator from `seed`.
    public func reseed(_ seed: UInt64) { inputDropout.spatial.reseed(seed) }
}

extension LSTM: InputGradientOptional {}

extension LSTM: InferenceForward {}
