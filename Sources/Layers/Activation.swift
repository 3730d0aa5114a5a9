import Tensor

/// Elementwise activations with Keras names (`relu`, `tanh`, `sigmoid`, `hard_sigmoid`,
/// `softmax`, `linear`). Softmax acts on the last axis of a (R, D) view.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case linear, relu, tanh, sigmoid
    case hardSigmoid = "hard_sigmoid"
    case softmax

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
