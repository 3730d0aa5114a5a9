import Tensor

/// A layer with a Keras `bias` that `use_bias: false` leaves out (Dense, Conv1D, Conv2D,
/// DepthwiseConv2D, SeparableConv2D): without it the bias stays zero, out of `parameters` (so out of
/// weight files and optimizers), and its gradient is not summed.
protocol BiasedLayer: Layer {
    /// The bias (the layer's output channels), zeros when not used.
    var bias: Parameter { get }
    /// Keras `use_bias`: false leaves the bias out (before a batch normalization, whose beta takes its
    /// place; inside a SeparableConv2D, whose bias comes after its pointwise product).
    var useBias: Bool { get }
}

extension BiasedLayer {
    /// bias.grad (C) += the column sums of dz (rows, C), when the layer has a bias.
    func accumulateBiasGradient(_ dz: UnsafePointer<Float>, rows: Int, columns: Int) {
        guard useBias else { return }
        bias.grad.data.withUnsafeMutableBufferPointer { gb in
            accumulateColumnSums(dz, rows: rows, columns: columns, into: gb.baseAddress!)
        }
    }

    /// The kernels, then the bias when the layer has one: Keras's weight order.
    func parameters(kernels: [Parameter]) -> [Parameter] { useBias ? kernels + [bias] : kernels }
}
