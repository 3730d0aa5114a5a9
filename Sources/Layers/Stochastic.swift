/// A layer that draws random numbers in training (Dropout). Training reseeds it before every step
/// from (run seed, epoch, step), so an interrupted and resumed run draws exactly the same masks.
public protocol StochasticLayer: AnyObject {
    func reseed(_ seed: UInt64)
}

extension Sequential {
    /// Reseeds every stochastic layer from `seed` (each layer gets its own stream).
    public func reseed(_ seed: UInt64) {
        for (i, layer) in layers.enumerated() {
            (layer as? StochasticLayer)?.reseed(seed ^ (UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15))
        }
    }
}
