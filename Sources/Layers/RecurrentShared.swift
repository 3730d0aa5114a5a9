import Tensor

// What LSTM and GRU share besides their step arithmetic: the output shape, the initialisation of
// kernel and recurrent kernel, and the matrix products they report.

/// (T, U) with `returnSequences`, else (U), for an input (T, D); an error naming the layer otherwise.
func recurrentOutputShape(_ inputShape: [Int], units: Int, returnSequences: Bool,
                          layer: String) throws -> [Int] {
    guard inputShape.count == 2, inputShape[0] > 0, inputShape[1] > 0 else {
        throw ShapeError("\(layer): expects input (time steps, features), got \(inputShape)")
    }
    return returnSequences ? [inputShape[0], units] : [units]
}

/// Keras's initialisation of a gated recurrent layer's weights, G = gates * U: kernel (D, G)
/// glorot_uniform, then recurrent_kernel (U, G) orthogonal, drawn in that order from `rng`; both
/// gradients zeroed. The bias is each layer's own.
func initializeRecurrentKernels(kernel: Parameter, recurrentKernel: Parameter, inputs d: Int, units: Int,
                                gates: Int, using rng: inout RandomGenerator) {
    let g = gates * units
    kernel.initialise(Initializer.glorotUniform.make([d, g], using: &rng))
    recurrentKernel.initialise(Initializer.orthogonal(gain: 1).make([units, g], using: &rng))
}

/// The matrix products of a gated recurrent layer (LSTM: 4 gates, GRU: 3) on (N, T, D) inputs, G =
/// gates * U. Forward: xW (N*T, G) = x (N*T, D) kernel (D, G) once, and hR (N, G) = h (N, U) R (U, G)
/// for every step after the first, in the column blocks `gemmInSmallColumnBlocks` makes. Backward: dh
/// (N, U) = (the gradient of the step's recurrent product, (N, G)) R^T for every step but the last;
/// dW, dR over all N*T rows; dx (N*T, D) = dGates kernel^T when `inputGradient`.
func recurrentProducts(inputShape: [Int], batch n: Int, inputGradient: Bool, units u: Int,
                       gates: Int) -> LayerProducts {
    guard inputShape.count == 2 else { return LayerProducts() }
    let (t, d, g) = (inputShape[0], inputShape[1], gates * u)
    var products = LayerProducts(forward: [MatrixProduct("xW", m: n * t, n: g, k: d)])
    if t > 1 {
        products.forward += smallColumnBlockProducts("hR", m: n, n: g, k: u, count: t - 1)
        products.backward.append(MatrixProduct("dh", m: n, n: u, k: g, transB: true, count: t - 1))
    }
    products.backward.append(MatrixProduct("dW", m: d, n: g, k: n * t, transA: true))
    products.backward.append(MatrixProduct("dR", m: u, n: g, k: n * t, transA: true))
    if inputGradient { products.backward.append(MatrixProduct("dx", m: n * t, n: d, k: g, transB: true)) }
    return products
}
