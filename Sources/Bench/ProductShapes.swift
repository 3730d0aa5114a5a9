import Layers
import Tensor

/// One matrix product of a training step: c (m, n) = op(a) (m, k) op(b) (k, n), `count` times.
struct Product: Hashable, Sendable {
    var label: String
    var m: Int, n: Int, k: Int
    var transA = false, transB = false
    var count = 1
    /// Multiply-adds counted as two FLOPs.
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(count) }
}

/// The matrix products of one forward pass and one backward pass of a model at batch N, read from
/// the layer shapes - the same products the layers issue (one cblas_sgemm each):
///
///     Conv2D    forward cols (N*OH*OW, P) x kernel (P, F); backward cols^T dz (P, F), dz kernel^T (R, P)
///     Dense     forward x (R, D) x kernel (D, U);           backward x^T dz (D, U), dz kernel^T (R, D)
///     LSTM      x (N*T, D) W (D, 4U) once + h R (N, U)x(U, 4U) per step t > 0;
///               backward dh = dz R^T per step t < T-1, dW, dR over all N*T rows, dx (N*T, D)
///
/// The input gradient of the first layer is not needed by training and is not counted
/// (Earmark's layers compute it anyway: that work is overhead, not useful FLOPs).
/// Elementwise work (bias, activations, pooling, dropout, Adam) is not counted either.
struct ModelProducts {
    var forward: [Product] = []
    var backward: [Product] = []

    var forwardFlops: Double { forward.reduce(0) { $0 + $1.flops } }
    var trainingFlops: Double { forwardFlops + backward.reduce(0) { $0 + $1.flops } }

    init(model: Sequential, batch n: Int) {
        var shape = model.inputShape
        for (index, layer) in model.layers.enumerated() {
            let first = index == 0
            add(layer, name: layer.name, input: shape, batch: n, first: first)
            shape = (try? layer.outputShape(for: shape)) ?? shape
        }
    }

    private mutating func add(_ layer: Layer, name: String, input shape: [Int], batch n: Int, first: Bool) {
        switch layer {
        case let conv as Conv2D:
            guard let g = WindowGeometry(height: shape[0], width: shape[1], channels: shape[2],
                                         kernel: conv.kernelSize, strides: conv.strides, padding: conv.padding)
            else { return }
            let r = n * g.outHeight * g.outWidth, p = g.patchSize, f = conv.filters
            forward.append(Product(label: "\(name) y", m: r, n: f, k: p))
            backward.append(Product(label: "\(name) dW", m: p, n: f, k: r, transA: true))
            if !first { backward.append(Product(label: "\(name) dx", m: r, n: p, k: f, transB: true)) }
        case let dense as Dense:
            let d = shape.last!, r = n * shape.dropLast().reduce(1, *), u = dense.units
            forward.append(Product(label: "\(name) y", m: r, n: u, k: d))
            backward.append(Product(label: "\(name) dW", m: d, n: u, k: r, transA: true))
            if !first { backward.append(Product(label: "\(name) dx", m: r, n: d, k: u, transB: true)) }
        case let wrapper as TimeDistributed:
            add(wrapper.layer, name: name, input: [n * shape[0]] + shape.dropFirst(), batch: 1, first: first)
        case let lstm as LSTM:
            let (t, d, u) = (shape[0], shape[1], lstm.units), g = 4 * u
            forward.append(Product(label: "\(name) xW", m: n * t, n: g, k: d))
            if t > 1 { forward.append(Product(label: "\(name) hR", m: n, n: g, k: u, count: t - 1)) }
            if t > 1 { backward.append(Product(label: "\(name) dh", m: n, n: u, k: g, transB: true, count: t - 1)) }
            backward.append(Product(label: "\(name) dW", m: d, n: g, k: n * t, transA: true))
            backward.append(Product(label: "\(name) dR", m: u, n: g, k: n * t, transA: true))
            if !first { backward.append(Product(label: "\(name) dx", m: n * t, n: d, k: g, transB: true)) }
        default:
            return
        }
    }
}
