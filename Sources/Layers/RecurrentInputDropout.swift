import Tensor

/// Keras's `dropout` argument of LSTM and GRU: in training, each sequence's input features are
/// dropped with probability `rate` and the kept ones scaled by 1 / (1 - rate), with ONE mask per
/// sequence for all its steps (Keras 3 draws the cell's mask from the first step's input and applies it
/// at every step). That is `SpatialDropout2D` on the (N, T, 1, D) view of x, which this wraps: its
/// seeded, counter-based masks and its reseeding come with it. At inference x passes unchanged.
///
///     x (N, T, D) -> x * mask (N, T, D), mask (N, D) broadcast over T: 0 or 1 / (1 - rate)
///     backward: dx (N, T, D) * mask
///
/// (Keras's `recurrent_dropout`, a mask on h_{t-1} inside the time loop, is not offered.)
final class RecurrentInputDropout {
    /// Fraction of input features dropped in training, in [0, 1).
    let rate: Float
    /// The dropout on the (N, T, 1, D) view.
    let spatial: SpatialDropout2D

    init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "recurrent dropout rate \(rate) must be in [0, 1)")
        self.rate = rate
        spatial = SpatialDropout2D(rate: rate)
    }

    /// x with the mask applied in training (a fresh mask each call); x itself otherwise or at rate 0.
    /// Shape: x (N, T, D) -> (N, T, D).
    func apply(_ x: Tensor, training: Bool) -> Tensor {
        guard training, rate > 0 else {
            _ = spatial.forward(x.reshaped([x.shape[0], x.shape[1], 1, x.shape[2]]), training: false)
            return x
        }
        let (n, t, d) = (x.shape[0], x.shape[1], x.shape[2])
        return spatial.forward(x.reshaped([n, t, 1, d]), training: true).reshaped([n, t, d])
    }

    /// dx through the last `apply`'s mask (dx itself when it applied none). Shape: (N, T, D) -> (N, T, D).
    func backward(_ dx: Tensor) -> Tensor {
        let (n, t, d) = (dx.shape[0], dx.shape[1], dx.shape[2])
        return spatial.backward(dx.reshaped([n, t, 1, d])).reshaped([n, t, d])
    }
}
