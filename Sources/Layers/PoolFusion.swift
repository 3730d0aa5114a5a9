/// The handshake between a ReLU `Conv2D` and the 2x2, stride-2 valid `MaxPool2D` after it, which
/// `Sequential` pairs by giving both the same instance.
///
/// When the convolution's training forward can compute the pool itself (F(4x4, 3x3) Winograd tiles,
/// each covering 2 x 2 pool windows: `Winograd3x3.run(... routes:)`), it returns the pooled output
/// and sets `convolutionPooled`; the pool then passes that output through, and in backward passes its
/// gradient back unchanged, for the convolution to route it to each window's maximum inside its own
/// gradient transform. The full convolution output is never written and the pool's two passes
/// disappear. Outputs and gradients (input, kernel, bias) equal those of the two layers apart bit
/// for bit.
///
///     conv forward:  x (N, H, W, C) -> y (N, OH / 2, OW / 2, F)   (convolutionPooled = true)
///     pool forward:  y -> y;        pool backward: dy -> dy
///     conv backward: dy (N, OH / 2, OW / 2, F) -> dx (N, H, W, C)
public final class PoolFusion {
    /// Whether the convolution's last forward returned the pooled output (set by it on every call).
    public internal(set) var convolutionPooled = false
    /// The shape of that pooled output (N, OH / 2, OW / 2, F), which the pool checks it is given.
    public internal(set) var pooledShape: [Int] = []

    public init() {}
}
