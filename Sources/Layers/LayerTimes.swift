import Dispatch
import Foundation

/// Wall time of each layer's forward (training) and backward passes, summed over the passes a
/// `Sequential` ran while its `layerTimes` was set: where a step's time goes layer by layer, which a
/// sampling profile does not say when a library without frame pointers (OpenBLAS) runs the work.
/// `train` prints it with EARMARK_STEP_PHASES=1 for the replica on the caller's thread.
public final class LayerTimes {
    /// Seconds per layer, summed over the passes.
    public private(set) var forwardSeconds: [Double]
    public private(set) var backwardSeconds: [Double]
    /// Training forward passes timed.
    public private(set) var passes = 0

    /// Times for a model of `layers` layers.
    public init(layers: Int) {
        forwardSeconds = [Double](repeating: 0, count: layers)
        backwardSeconds = [Double](repeating: 0, count: layers)
    }

    /// The clock, in nanoseconds.
    @inline(__always)
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func addForward(_ layer: Int, since start: UInt64) {
        forwardSeconds[layer] += Double(LayerTimes.now() &- start) / 1e9
        if layer == 0 { passes += 1 }
    }

    func addBackward(_ layer: Int, since start: UInt64) {
        backwardSeconds[layer] += Double(LayerTimes.now() &- start) / 1e9
    }

    /// One line per layer, microseconds per pass, e.g. `conv2d_3 (Conv2D): forward 690.1, backward 1411.7 us`,
    /// then their total.
    public func summary(names: [String]) -> String {
        let n = Double(max(passes, 1))
        var lines = zip(names.indices, names).map { i, name in
            String(format: "%@: forward %.1f, backward %.1f us", name, forwardSeconds[i] / n * 1e6,
                   backwardSeconds[i] / n * 1e6)
        }
        lines.append(String(format: "all layers: %.1f us per pass (%d passes)",
                            (forwardSeconds.reduce(0, +) + backwardSeconds.reduce(0, +)) / n * 1e6, passes))
        return lines.joined(separator: "\n")
    }
}
