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
    /// Training-time augmentation; nil (no `augmentation:` section) trains on the examples as they are.
    public var augmentation: AugmentationConfig?
    /// The file it was read from ("" for a config built in code).
    public var source = ""

    public init(name: String) { self.name = name }
}

/// How clips become network inputs (docs/WORKFLOW.md §2-§4; keys: docs/FORMATS.md). The frame geometry
/// (frames per window, values per frame, samples between frames) is Audio's: `frontEnd` derives the
/// `FeatureFrontEnd` and the properties below ask it.
public struct FeatureConfig: Equatable, Sendable {
    /// The feature kinds a config may name. `fbank` (raw filter-bank energies, spanning many
    /// orders of magnitude) is left out: one global min/max would squash all but the loudest bands.
    public static let kinds: [FeatureKind] = [.mfcc, .logfbank, .logmel]
    public var kind = FeatureKind.mfcc
    /// Rate clips are resampled to (Hz).
    public var rate = 16000
    /// Length of one training window in seconds (0.1 s = 1600 samples at 16 kHz).
    public var windowSeconds = 0.1
    // python_speech_features settings (kinds mfcc and logfbank)
    public var winlen = 0.025
    public var winstep = 0.01
    public var nfilt = 26
    public var numcep = 13
    public var nfft = 512
    public var preemph = 0.97
    public var ceplifter = 22
    /// librosa log-mel settings (kind logmel).
    public var logMel = LogMelSettings()
    /// Envelope gate threshold on the 0.1 s rolling mean of |y| (docs/WORKFLOW.md §2.3).
    public var threshold = 0.0005
    /// Windows drawn per `windowSeconds` of cleaned audio (the original draws 2 * int(total / 0.1)).
    public var windowsPerStep = 2
    /// Seconds between the starts of prediction windows (and of sliding clip crops); nil means
    /// `windowSeconds` (window input) or `clipSeconds` (clip input): the reference's non-overlapping walk.
    public var hopSeconds: Double? = nil
    /// How raw features are scaled before the network (`FeatureScaling`).
    public var scaling = ScalingMethod.minmax
    /// What one network input is cut from.
    public var input = InputMode.window
    /// Length of a clip crop in seconds (input `clip`).
    public var clipSeconds = 5.0
    /// The descriptor groups of a per-clip descriptor row (random forests and `input: descriptors`),
    /// in row order: `descriptors: [spectral, condition]`.
    public var descriptorSets: [DescriptorSet] = [.spectral]

    /// `descriptors:` the groups of columns in a per-clip descriptor row.
    public enum DescriptorSet: String, Sendable, CaseIterable {
        /// MFCC and librosa's six spectral descriptors, means and standard deviations (38 for numcep 13).
        case spectral
        /// Audio's `ConditionDescriptors`: impulsiveness and modulation per frequency band, shaft orders, spectral kurtosis, bearing lines (24).
        case condition
        /// Audio's `EnvelopeLines`: the prominence spectra of 50 narrow bands' envelopes at 2-400 Hz, a
        /// 50 x 200 map in row-major order (10,000 columns; a network reads it through `reshape`).
        case envelopeLines = "envelope_lines"
    }

    /// The log-mel keys, librosa's names; defaults of a common audio-tagging setup at 16 kHz.
    public struct LogMelSettings: Equatable, Sendable {
        public var nMels = 64
        public var nFFT = 1024
        public var hopLength = 512
        public var fmin = 0.0
        /// Highest mel edge (Hz); nil: rate / 2.
        public var fmax: Double? = nil
        /// Dynamic range kept below the maximum of each window (or clip, input `clip`) in dB; nil: all.
        public var topDB: Double? = 80
    }

    /// `scaling:` the method fitted to the training features.
    public enum ScalingMethod: String, Sendable, CaseIterable {
        /// One global min and max (the reference's).
        case minmax
        /// Per-coefficient mean and standard deviation.
        case standard
    }

    /// `input:` what the network sees.
    public enum InputMode: String, Sendable, CaseIterable {
        /// Random `window_seconds` windows in training (drawn once), every hop in prediction.
        case window
        /// One `clip_seconds` crop per clip per epoch (random start, frames of the whole clip's
        /// features); sliding crops averaged in prediction.
        case clip
    }

    /// What the settings do that the user may not expect, as python_speech_features warns of it: an
    /// FFT shorter than a frame truncates every frame to its first `nfft` samples (the values are
    /// psf's, which does the same). `file` names the config in the warning. For the window and clip
    /// features only: the descriptors have settings of their own.
    public func warnings(file: String) -> [DataWarning] {
        guard kind != .logmel, nfft < audioParameters.frameLength else { return [] }
        return [DataWarning(file: file, message: "features.nfft (\(nfft)) is shorter than a frame (winlen \(winlen) s, "
                            + "\(audioParameters.frameLength) samples): each frame is truncated to its first \(nfft) "
                            + "samples, as python_speech_features does; raise nfft to use whole frames")]
    }

    /// The Audio module's python_speech_features parameters for these settings.
    public var audioParameters: FeatureParameters {
        FeatureParameters(sampleRate: rate, winlen: winlen, winstep: winstep, numcep: numcep, nfilt: nfilt,
                          nfft: nfft, preemph: preemph, ceplifter: Double(ceplifter))
    }
    /// The Audio module's log-mel parameters for these settings.
    public var logMelParameters: LogMelParameters {
        LogMelParameters(sampleRate: rate, nMels: logMel.nMels, nFFT: logMel.nFFT, hopLength: logMel.hopLength,
                         fmin: logMel.fmin, fmax: logMel.fmax, topDB: logMel.topDB)
    }
    /// The front end of `kind`: all frame geometry is asked of it.
    public var frontEnd: FeatureFrontEnd {
        kind == .logmel ? .logMel(logMelParameters) : .speech(audioParameters, kind)
    }
    /// Samples in one window, round half up (1600 for the reference).
    public var windowSamples: Int { frontEnd.samples(seconds: windowSeconds) }
    /// Samples in one clip crop (input `clip`).
    public var clipSamples: Int { frontEnd.samples(seconds: clipSeconds) }
    /// Samples between prediction windows (input `window`): hop_seconds, default one window.
    public var hopSamples: Int { max(1, frontEnd.samples(seconds: hopSeconds ?? windowSeconds)) }
    /// Frames between sliding clip crops (input `clip`): hop_seconds (default clip_seconds) in
    /// frames, rounded, at least 1.
    public var hopFrames: Int {
        max(1, Int((Double(frontEnd.samples(seconds: hopSeconds ?? clipSeconds)) / Double(frameStep)).rounded()))
    }
    /// Frame length in samples: python_speech_features' round-half-up winlen (400), or n_fft.
    public var frameLength: Int { kind == .logmel ? logMel.nFFT : audioParameters.frameLength }
    /// Samples between frames: 160 for the reference, hop_length for log-mel.
    public var frameStep: Int { frontEnd.frameStep }
    /// Frames per network input: of one window (9 for the reference) or of one clip crop.
    public var framesPerWindow: Int { frontEnd.frameCount(samples: input == .clip ? clipSamples : windowSamples) }
    /// Values per frame: numcep for MFCC, nfilt for log filter banks, n_mels for log-mel.
    public var coefficients: Int { frontEnd.width }
    /// Cleaned clips shorter than this are skipped: one window plus a sample (window input; the
    /// sampler needs length > window), one sample (clip input: short clips are padded).
    public var minimumCleanSamples: Int { input == .clip ? 1 : windowSamples + 1 }
}

/// Optimisation settings (docs/WORKFLOW.md §7-§8).
public struct TrainingConfig: Equatable, Sendable {
    public enum OptimizerKind: String, Sendable, CaseIterable { case adam, sgd, rmsprop, nadam }
    /// `class_weight`: each training window's weight in the loss by its class.
    public enum ClassWeight: Equatable, Sendable {
        /// n / (k count_c) over the training windows (scikit-learn's `balanced`, the reference's).
        case balanced
        /// Every class 1.
        case none
        /// `{name: weight, ...}`: one weight for each class, by name (Keras's `class_weight` dict).
        case given([String: Double])
    }
    public var epochs = 10
    /// What `epochs` may be, in a config and on the command line (`--epochs`).
    public static let epochRange = 1...100_000
    public var batchSize = 32
    public var optimizer = OptimizerKind.adam
    public var learningRate = 0.001
    public var beta1 = 0.9
    public var beta2 = 0.999
    public var epsilon = 1e-7
    /// SGD's and RMSprop's momentum (0: none).
    public var momentum = 0.0
    public var nesterov = false
    /// RMSprop's `rho`, the decay of its running mean of squared gradients (`optimizer: rmsprop` only).
    public var rho = 0.9
    /// RMSprop's `centered`: divide by the running variance instead of the mean square (`rmsprop` only).
    public var centered = false
    /// `weight_decay`: Keras's decoupled weight decay, each step w -= w * weight_decay * learning_rate
    /// before the optimizer's update (Adam with it is AdamW); 0, the default, for none.
    public var weightDecay = 0.0
    /// `clipnorm`, `global_clipnorm` or `clipvalue` (at most one): Keras's gradient clipping before each
    /// update (nil, the default: none).
    public var clipping: GradientClipping?
    public var classWeight = ClassWeight.balanced
    /// `label_smoothing`: Keras's `CategoricalCrossentropy(label_smoothing=...)`, the share of each
    /// target spread evenly over the classes, in training and in the validation loss (0: none).
    public var labelSmoothing = 0.0
    public var shuffle = true
    public var seed = 0
    /// `early_stopping: {monitor, patience, min_delta}`: stop when the watched figure has not improved
    /// for `patience` epochs (nil, the default: run every epoch).
    public var earlyStopping: EarlyStopping?
    /// `reduce_lr_on_plateau: {monitor, factor, patience, min_delta, cooldown, min_lr}`: lower the
    /// learning rate when the watched figure stops improving (nil, the default: a constant rate).
    public var reduceLROnPlateau: ReduceLROnPlateau?
    /// `model_checkpoint: {monitor, save_best_only}`: which epoch's weights are the saved model (nil, the
    /// default: the best validation accuracy's, `ModelCheckpoint()`).
    public var modelCheckpoint: ModelCheckpoint?
    /// `learning_rate_schedule: {kind, ...}`: one of Keras's learning-rate schedules, starting from
    /// `learningRate`, applied before every update (nil, the default: a constant rate).
    public var learningRateSchedule: ScheduleSetting?
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
