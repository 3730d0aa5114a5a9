import Foundation
import Layers
import Tensor

/// Everything one training run needs, read from cfg/<name>.yaml. Keys are Keras argument names in
/// snake_case; every key has the default of the reference workflow (docs/WORKFLOW.md §1; keys: docs/FORMATS.md §3).
public struct ExperimentConfig: Equatable, Sendable {
    /// Name of the run: the model file is models/<name>.safetensors, reports go to runs/<name>/.
    public var name: String
    public var features = FeatureConfig()
    public var model = ModelConfig()
    public var training = TrainingConfig()
    public var split = SplitConfig()
    /// The file it was read from ("" for a config built in code).
    public var source = ""

    public init(name: String) { self.name = name }
}

/// How clips become network inputs (docs/WORKFLOW.md §2-§4).
public struct FeatureConfig: Equatable, Sendable {
    public enum Kind: String, Sendable, CaseIterable { case mfcc, logfbank }
    public var kind = Kind.mfcc
    /// Rate clips are resampled to (Hz).
    public var rate = 16000
    /// Length of one training window in seconds (0.1 s = 1600 samples at 16 kHz).
    public var windowSeconds = 0.1
    public var winlen = 0.025
    public var winstep = 0.01
    public var nfilt = 26
    public var numcep = 13
    public var nfft = 512
    public var preemph = 0.97
    public var ceplifter = 22
    /// Envelope gate threshold on the 0.1 s rolling mean of |y| (docs/WORKFLOW.md §2.3).
    public var threshold = 0.0005
    /// Windows drawn per `windowSeconds` of cleaned audio (the original draws 2 * int(total / 0.1)).
    public var windowsPerStep = 2

    /// Samples in one window.
    public var windowSamples: Int { Int((Double(rate) * windowSeconds).rounded()) }
    /// Frame length and step in samples, python_speech_features' round-half-up.
    public var frameLength: Int { Int((winlen * Double(rate) + 0.5).rounded(.down)) }
    public var frameStep: Int { Int((winstep * Double(rate) + 0.5).rounded(.down)) }
    /// Frames per window: 1 + ceil((window - frameLength) / frameStep), 9 for the reference.
    public var framesPerWindow: Int {
        let n = windowSamples
        return n <= frameLength ? 1 : 1 + Int((Double(n - frameLength) / Double(frameStep)).rounded(.up))
    }
    /// Coefficients per frame: numcep for MFCC, nfilt for log filter banks.
    public var coefficients: Int { kind == .mfcc ? numcep : nfilt }
}

/// Optimisation settings (docs/WORKFLOW.md §7-§8).
public struct TrainingConfig: Equatable, Sendable {
    public enum OptimizerKind: String, Sendable, CaseIterable { case adam, sgd }
    public enum ClassWeight: String, Sendable, CaseIterable { case balanced, none }
    public var epochs = 10
    public var batchSize = 32
    public var optimizer = OptimizerKind.adam
    public var learningRate = 0.001
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-7
    public var momentum = 0.0
    public var nesterov = false
    public var classWeight = ClassWeight.balanced
    public var shuffle = true
    public var seed = 0
}

/// File-level held-out splits (docs/WORKFLOW.md §11).
public struct SplitConfig: Equatable, Sendable {
    /// Fraction of each class's files held out for the test.
    public var test = 0.2
    /// Fraction of the remaining files of each class used for validation.
    public var validation = 0.1
}
