import Audio
import Foundation
import Tensor

extension FeatureConfig {
    /// The Audio module's parameters for these settings.
    public var audioParameters: FeatureParameters {
        FeatureParameters(sampleRate: rate, winlen: winlen, winstep: winstep, numcep: numcep, nfilt: nfilt,
                          nfft: nfft, preemph: preemph, ceplifter: Double(ceplifter))
    }

    /// The Audio module's feature kind.
    public var audioKind: FeatureKind { kind == .mfcc ? .mfcc : .logfbank }
}

/// Windows of cleaned audio to network-shaped raw features (before min/max scaling).
public enum FeatureStep {
    /// Features of every window, all cores.
    ///
    ///     clips[c] (n_c samples), windows (W) -> x (W, inputShape...), e.g. (W, 9, 13, 1)
    public static func features(clips: [[Float]], windows: [WindowRef], config: ExperimentConfig) -> Tensor {
        let f = config.features
        var x = Tensor(shape: [windows.count] + config.inputShape)
        let extractor = FeatureExtractor.shared(f.audioParameters)
        x.data.withUnsafeMutableBufferPointer { out in
            extractor.computeBatch(f.audioKind, clips: clips, windows: windows, length: f.windowSamples, into: out)
        }
        return x
    }

    /// Global scalar min and max over all values (docs/WORKFLOW.md §5).
    public static func range(_ x: Tensor) -> (min: Float, max: Float) {
        x.data.withUnsafeBufferPointer { p in
            var lo = Float.infinity, hi = -Float.infinity
            for v in p { lo = min(lo, v); hi = max(hi, v) }
            return (lo, hi)
        }
    }
}
