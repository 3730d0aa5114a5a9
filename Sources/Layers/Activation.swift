import Foundation
import Tensor

/// Elementwise activations with Keras names (`relu`, `tanh`, `sigmoid`, `hard_sigmoid`,
/// `softmax`, `linear`, and Keras 3's `elu`, `selu`, `softplus`, `softsign`, `leaky_relu` (negative
/// slope 0.2, the default of Keras's `leaky_relu` activation), `relu6`). Softmax acts on the last axis
/// of a (R, D) view. Each derivative is a function of the output, which is all `backward` keeps.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case linear, relu, tanh, sigmoid
    case hardSigmoid = "hard_sigmoid"
    case softmax
    case elu, selu, softplus, softsign
    case leakyReLU = "leaky_relu"
    case relu6

    /// SELU's constants (Keras, TensorFlow): selu(x) = scale x for x > 0, scale alpha (e^x - 1) otherwise.
    public static let seluAlpha: Float = 1.673_263_2, seluScale: Float = 1.050_701
    /// The negative slope of Keras's `leaky_relu` activation.
    public static let leakyReLUSlope: Float = 0.2

    /// The activations LSTM and GRU accept: the elementwise ones ONNX's recurrent operators can name.
    public static let recurrentLayerCases: [Activation] = [.linear, .relu, .tanh, .sigmoid, .hardSigmoid]

    /// y = f(x) in place over a (rows, columns) buffer.
    @inlinable
    public func apply(_ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let n = rows * columns
        switch self {
        case .linear: return
        case .relu: for i in 0..<n { y[i] = max(y[i], 0) }
        case .tanh: tanhInPlace(y, count: n)          // vectorised (Tensor/FastMath.swift)
        case .sigmoid: sigmoidInPlace(y, count: n)
        case .hardSigmoid: for i in 0..<n { y[i] = min(max(0.2 * y[i] + 0.5, 0), 1) }
        case .elu: for i in 0..<n { y[i] = y[i] > 0 ? y[i] : fastExp(y[i]) - 1 }
        case .selu:
            let (a, s) = (Activation.seluAlpha, Activation.seluScale)
            for i in 0..<n { y[i] = y[i] > 0 ? s * y[i] : s * a * (fastExp(y[i]) - 1) }
        case .softplus:
            // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow, and exact for large |x|
            for i in 0..<n { y[i] = max(y[i], 0) + Foundation.log1p(fastExp(-abs(y[i]))) }
        case .softsign: for i in 0..<n { y[i] = y[i] / (1 + abs(y[i])) }
        case .leakyReLU: for i in 0..<n { y[i] = y[i] > 0 ? y[i] : Activation.leakyReLUSlope * y[i] }
        case .relu6: for i in 0..<n { y[i] = min(max(y[i], 0), 6) }
        case .softmax:
            var row = y
            for _ in 0..<rows {
                var top = -Float.infinity
                for j in 0..<columns { top = max(top, row[j]) }
                var total: Float = 0
                for j in 0..<columns { row[j] = fastExp(row[j] - top); total += row[j] }
                let inv = 1 / total
                for j in 0..<columns { row[j] *= inv }
                row += columns
            }
        }
    }

    /// dx = dy * f'(x), given the activation OUTPUT y = f(x) (every case here is expressible in y).
    /// dy and dx may be the same buffer.
    @inlinable
    public func backward(output y: UnsafePointer<Float>, gradient dy: UnsafePointer<Float>,
                         into dx: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        let n = rows * columns
        switch self {
        case .linear: if UnsafePointer(dx) != dy { dx.update(from: dy, count: n) }
        case .relu: for i in 0..<n { dx[i] = y[i] > 0 ? dy[i] : 0 }
        case .tanh: for i in 0..<n { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .sigmoid: for i in 0..<n { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        case .hardSigmoid: for i in 0..<n { dx[i] = (y[i] > 0 && y[i] < 1) ? dy[i] * 0.2 : 0 }
        // elu: e^x = y + 1 below 0; selu: scale alpha e^x = y + scale alpha; softplus: sigmoid(x) =
        // 1 - e^-y; softsign: 1 / (1 + |x|)^2 = (1 - |y|)^2; at x = 0 each takes TensorFlow's side (elu's
        // and leaky_relu's the negative one, selu's the positive one)
        case .elu: for i in 0..<n { dx[i] = y[i] > 0 ? dy[i] : dy[i] * (y[i] + 1) }
        case .selu:
            let (a, s) = (Activation.seluAlpha, Activation.seluScale)
            for i in 0..<n { dx[i] = y[i] < 0 ? dy[i] * (y[i] + s * a) : dy[i] * s }   // TensorFlow: scale at 0
        case .softplus: for i in 0..<n { dx[i] = dy[i] * -Foundation.expm1(-y[i]) }
        case .softsign: for i in 0..<n { dx[i] = dy[i] * (1 - abs(y[i])) * (1 - abs(y[i])) }
        case .leakyReLU: for i in 0..<n { dx[i] = y[i] > 0 ? dy[i] : dy[i] * Activation.leakyReLUSlope }
        case .relu6: for i in 0..<n { dx[i] = (y[i] > 0 && y[i] < 6) ? dy[i] : 0 }
        case .softmax:
            // dx_j = y_j (dy_j - sum_k dy_k y_k)
            for r in 0..<rows {
                let o = r * columns
                var dot: Float = 0
                for j in 0..<columns { dot += dy[o + j] * y[o + j] }
                for j in 0..<columns { dx[o + j] = y[o + j] * (dy[o + j] - dot) }
            }
        }
    }
}

extension Activation {
    /// dz = dy * f'(z) of a layer whose output y = f(z) has rows of `columns` values, written into
    /// `buffer` (the layer's own, sized here on first use, so that inference never allocates it); dy
    /// itself for `linear` (no copy). Shape: dy, y (..., columns) -> dz, the same shape.
    func preActivationGradient(_ dy: Tensor, output y: Tensor, columns: Int, into buffer: inout Tensor) -> Tensor {
        if self == .linear { return dy }
        buffer.ensureShape(dy.shape)
        dy.data.withUnsafeBufferPointer { dyp in
            y.data.withUnsafeBufferPointer { yp in
                buffer.data.withUnsafeMutableBufferPointer { dzp in
                    backward(output: yp.baseAddress!, gradient: dyp.baseAddress!, into: dzp.baseAddress!,
                             rows: dyp.count / columns, columns: columns)
                }
            }
        }
        return buffer
    }
}
