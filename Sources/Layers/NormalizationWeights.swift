import Tensor

/// The per-channel scale and offset of a normalization over the last axis (C), shared by
/// `BatchNormalization` and `LayerNormalization`: Keras's `gamma` (ones at build, learned only with
/// `scale`) and `beta` (zeros at build, learned only with `center`).
///
///     y = gamma_c xhat + beta_c,     gamma_c = 1 without `scale`, beta_c = 0 without `center`
///     dgamma_c = sum dy xhat,        dbeta_c = sum dy          (each only when learned)
public final class NormalizationWeights {
    /// (C), Keras weight `gamma`.
    public let gamma = Parameter(name: "gamma", value: .empty)
    /// (C), Keras weight `beta`.
    public let beta = Parameter(name: "beta", value: .empty)
    /// Whether `beta` is learned (Keras `center`).
    public let center: Bool
    /// Whether `gamma` is learned (Keras `scale`).
    public let scale: Bool

    public init(center: Bool, scale: Bool) {
        self.center = center
        self.scale = scale
    }

    /// gamma then beta (Keras weight order), each only when learned.
    public var parameters: [Parameter] { (scale ? [gamma] : []) + (center ? [beta] : []) }

    /// gamma ones and beta zeros, each (C), with zero gradients (Keras's initialisers).
    public func build(channels c: Int) {
        gamma.initialise(Tensor(shape: [c], repeating: 1))
        beta.initialise(Tensor(shape: [c], repeating: 0))
    }

    /// The gamma the layer multiplies by: its values, or ones without `scale` (C).
    public var effectiveGamma: [Float] {
        scale ? gamma.value.data : [Float](repeating: 1, count: gamma.value.count)
    }

    /// The beta the layer adds: its values, or zeros without `center` (C).
    public var effectiveBeta: [Float] {
        center ? beta.value.data : [Float](repeating: 0, count: beta.value.count)
    }
}

/// A normalization layer over the last axis with `NormalizationWeights`: its Keras names for them and
/// its trainable parameters come from here.
public protocol NormalizingLayer: Layer {
    /// gamma and beta, and whether each is learned (Keras `scale`, `center`).
    var weights: NormalizationWeights { get }
}

extension NormalizingLayer {
    /// Whether the layer learns the offset `beta` (Keras `center`).
    public var center: Bool { weights.center }
    /// Whether the layer learns the scale `gamma` (Keras `scale`).
    public var scale: Bool { weights.scale }
    /// Per-channel scale (C), ones at build; learned only with `scale`.
    public var gamma: Parameter { weights.gamma }
    /// Per-channel offset (C), zeros at build; learned only with `center`.
    public var beta: Parameter { weights.beta }
    /// gamma then beta (Keras weight order), each only when learned.
    public var parameters: [Parameter] { weights.parameters }
    /// C for each of gamma and beta that is learned.
    public func parameterCount(for inputShape: [Int]) -> Int {
        (inputShape.last ?? 0) * ((scale ? 1 : 0) + (center ? 1 : 0))
    }
}
