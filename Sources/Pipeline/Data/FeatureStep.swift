import Audio
import Foundation
import Tensor

/// Windows of cleaned audio to network-shaped raw features (before `FeatureScaling`).
public enum FeatureStep {
    /// Features of every window, all cores.
    ///
    ///     clips[c] (n_c samples), windows (W) -> x (W, inputShape...), e.g. (W, 9, 13, 1)
    public static func features(clips: [[Float]], windows: [WindowRef], config: ExperimentConfig) -> Tensor {
        let f = config.features
        var x = Tensor(shape: [windows.count] + config.inputShape)
        x.data.withUnsafeMutableBufferPointer { out in
            f.frontEnd.computeBatch(clips: clips, windows: windows, length: f.windowSamples, into: out)
        }
        return x
    }
}
