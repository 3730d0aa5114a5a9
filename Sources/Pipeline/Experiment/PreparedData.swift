import Audio
import Foundation
import Tensor

/// A data set made ready for training: the table, cleaned audio, the file split, and the
/// training and validation windows as scaled network inputs.
public struct PreparedData {
    public var table: AudioTable
    /// Class names, sorted; label k is classes[k].
    public var classes: [String]
    /// Class index of every table row.
    public var rowLabels: [Int32]
    /// Cleaned samples of every table row (empty for a row whose clip was skipped).
    public var clips: [[Float]]
    /// Row indices per split (usable rows only).
    public var trainRows: [Int], validationRows: [Int], testRows: [Int]
    /// Scaled windows of the training and validation files (input `clip`: epoch 0's crops of the
    /// training clips, every sliding crop of the validation clips).
    public var train: WindowSet, validation: WindowSet
    /// Input `clip`: the scaled whole-clip features of the training files, cropped anew each epoch.
    public var trainClips: ClipFeatures?
    /// The scaling fitted to the raw training features (already applied to `train` and `validation`).
    public var scaling: FeatureScaling
    /// Every warning met on the way (missing or skipped clips, small classes).
    public var warnings: [DataWarning]
    /// Whether the windows came from the feature cache.
    public var cacheHit: Bool
    /// Files cleaned anew into clean/ by this run (the others were reused or skipped).
    public var cleanedNow: Int
    /// How the files were split (the config's hold-out split, a cross-validation fold, or all).
    public var plan: SplitPlan = .holdOut
    /// The audio.csv column the split kept groups by, or nil when it split by file.
    public var groupColumn: String? = nil
    /// The group value of every table row (nil when split by file).
    public var groupValues: [String]? = nil
    /// Window input with an audio-domain augmentation: each training window's table row and first
    /// sample (the augmenter recomputes its features from the cleaned clip); else nil.
    public var trainWindowRefs: [WindowRef]? = nil
    /// The clips of `augmentation.noise.folder` (noise kind folder), else nil.
    public var noiseBank: NoiseBank? = nil

    /// The training windows of `epoch`: `train` (window input), or one random crop per training
    /// clip drawn from (config seed, epoch, clip) (clip input).
    public func trainingSet(epoch: Int, config: ExperimentConfig) -> WindowSet {
        guard let clips = trainClips else { return train }
        return clips.trainingCrops(epoch: epoch, seed: WindowSource.cropSeed(config), shape: config.inputShape)
    }

    /// Rows of audio.csv, skipped ones included.
    public var listedFiles: Int { table.rows.count + table.skipped.count }
    /// Files with a usable clip (in one of the splits).
    public var usableFiles: Int { trainRows.count + validationRows.count + testRows.count }
}
