import Layers

/// `gaussian_noise`: Keras `GaussianNoise`, zero-mean noise of deviation `stddev` added in training
/// only (an augmentation of the features when it is the first layer); its noise comes from the layer's
/// seed, like `dropout`'s masks.
public struct GaussianNoiseSpec: DecodableLayerSpec {
    public static let typeName = "gaussian_noise"
    public static let keys = ["stddev"]

    /// Deviation of the added noise, in [0, 100] (required).
    public var stddev: Double

    public init(stddev: Double) { self.stddev = stddev }

    static func decode(_ body: ConfigNode) throws -> GaussianNoiseSpec {
        let m = try body.mapping(allowed: keys)
        guard let stddev = m["stddev"] else { throw body.error("needs `stddev`") }
        return GaussianNoiseSpec(stddev: try stddev.double(min: 0, max: 100))
    }

    public var arguments: [(key: String, value: String)] { [("stddev", "\(stddev)")] }

    public func makeLayer(_ context: LayerContext) -> any Layer {
        GaussianNoise(stddev: Float(stddev), seed: context.seed)
    }
}
