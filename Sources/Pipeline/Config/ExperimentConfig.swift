import Audio
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

/// How clips become network inputs (docs/WORKFLOW.md §2-§4). The frame geometry (frame length and step,
/// frames per window, coefficients) is Audio's: `audioParameters` derives the `FeatureParameters`
/// and the properties below ask it.
public struct FeatureConfig: Equatable, Sendable {
    /// The feature kinds a config may name. `fbank` (raw filter-bank energies, spanning many
    /// orders of magnitude) is left out: one global min/max would squash all but the loudest bands.
    public static let kinds: [FeatureKind] = [.mfcc, .logfbank]
    public var kind = FeatureKind.mfcc
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

    /// The Audio module's parameters for these settings.
    public var audioParameters: FeatureParameters {
        FeatureParameters(sampleRate: rate, winlen: winlen, winstep: winstep, numcep: numcep, nfilt: nfilt,
                          nfft: nfft, preemph: preemph, ceplifter: Double(ceplifter))
    }
    /// Samples in one window, round half up (1600 for the reference).
    public var windowSamples: Int { audioParameters.samples(seconds: windowSeconds) }
    /// Frame length and step in samples, python_speech_features' round-half-up (400 and 160).
    public var frameLength: Int { audioParameters.frameLength }
    public var frameStep: Int { audioParameters.frameStep }
    /// Frames per window: 1 + ceil((window - frameLength) / frameStep), 9 for the reference.
    public var framesPerWindow: Int { audioParameters.frameCount(samples: windowSamples) }
    /// Coefficients per frame: numcep for MFCC, nfilt for log filter banks.
    public var coefficients: Int { audioParameters.width(kind) }
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
    /// The audio.csv column that groups files (part, machine, speaker, session): every file of a
    /// group goes to one split, and the fractions count groups. nil (the default) uses the column
    /// `group` when audio.csv has one and splits by file otherwise; a name given in the config
    /// must exist in audio.csv.
    public var groupColumn: String?

    /// The column used when the config names none.
    public static let defaultGroupColumn = "group"
}
