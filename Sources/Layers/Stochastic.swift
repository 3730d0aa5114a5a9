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

/// The shape check of the dropout layers: `rate` in [0, 1) and, for the spatial ones, an input of
/// `axes.count` positive axes, called `axes.names` in the message. Throws a `ShapeError` naming the
/// layer.
func checkDropout(_ layer: Layer, rate: Float, inputShape: [Int], axes: (count: Int, names: String)? = nil) throws {
    guard rate >= 0, rate < 1 else {
        throw ShapeError("\(layer.name) (\(layer.kind)): rate must be in [0, 1), got \(rate)")
    }
    if let axes, inputShape.count != axes.count || !inputShape.allSatisfy({ $0 > 0 }) {
        throw ShapeError("\(layer.name) (\(layer.kind)): input shape \(inputShape) must be \(axes.names), all positive")
    }
}
