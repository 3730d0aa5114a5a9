import Foundation

/// Everything that defines one synthetic clip: the clean tone and the degradations applied to it.
///
/// Processing order (`SyntheticDataset.render`): tone with its noise floor -> low-pass -> reverb ->
/// compression -> clipping -> additive noise at `snrDB` -> scale to `peak`. The added noise comes
/// last, like a recorder's noise, so it stays white whatever came before. A nil degradation is
/// not applied.
public struct SyntheticRecipe: Sendable, Equatable {
    /// Schroeder reverb: decay time to -60 dB and wet share of the output.
    public struct Reverb: Sendable, Equatable {
        /// RT60 in seconds.
        public var time: Double
        /// Wet share in [0, 1]; the wet signal is scaled to the dry signal's RMS before mixing.
        public var mix: Double
    }

    /// Feed-forward compressor on a peak envelope (attack 5 ms, release 50 ms).
    public struct Compression: Sendable, Equatable {
        /// Input/output slope above the threshold (2 = 2 dB in, 1 dB out).
        public var ratio: Double
        /// Threshold relative to the clip's RMS level, in dB (negative: below the RMS).
        public var thresholdDB: Double
    }

    /// Fundamental frequency in Hz (110-880).
    public var fundamental: Double
    /// Number of harmonics including the fundamental (those above 0.45 * rate are left out).
    public var harmonics: Int
    /// Harmonic k has amplitude k^(-rolloff).
    public var harmonicRolloff: Double
    /// Vibrato rate in Hz.
    public var vibratoRate: Double
    /// Vibrato depth: peak frequency deviation as a fraction of the fundamental.
    public var vibratoDepth: Double
    /// Tremolo rate in Hz.
    public var tremoloRate: Double
    /// Tremolo depth in [0, 1): the amplitude swings between 1 - depth and 1.
    public var tremoloDepth: Double
    /// The clean tone's own white noise floor, in dB below the tone's RMS.
    public var noiseFloorDB: Double
    /// Added white noise: signal-to-noise ratio in dB against the RMS of the signal at that point.
    public var snrDB: Double?
    /// Room reverb, nil for none.
    public var reverb: Reverb?
    /// Dynamic range compression, nil for none.
    public var compression: Compression?
    /// Hard clipping: the signal is scaled to peak `drive` and clamped to [-1, 1]; nil for none.
    public var clipDrive: Double?
    /// Fourth-order low-pass (two cascaded Butterworth biquads) cutoff in Hz, nil for none.
    public var lowpassHz: Double?
    /// The finished clip's peak absolute sample value.
    public var peak: Double
}

extension SyntheticRecipe {
    /// Draws a recipe for one clip of quality `label` ("high", "medium" or "low").
    ///
    /// The tone parameters are drawn from the same ranges for every label, so the label is about
    /// quality only. Degradations by label:
    /// - high: noise at 40-55 dB SNR; 30% of clips also get one barely audible touch (compression
    ///   ratio 1.2-1.6 or a low-pass at 6-7.5 kHz). No clipping.
    /// - medium and low: `Grade.medium` and `Grade.low` (noise plus two, or three to four, of
    ///   clipping, low-pass, reverb and compression at moderate or strong settings).
    static func draw(label: String, using rng: inout SyntheticRandom) -> SyntheticRecipe {
        var recipe = SyntheticRecipe(
            fundamental: rng.logUniform(110, 880),
            harmonics: rng.int(in: 1...6),
            harmonicRolloff: rng.uniform(1.0, 2.0),
            vibratoRate: rng.uniform(4, 7),
            vibratoDepth: rng.uniform(0, 0.015),
            tremoloRate: rng.uniform(2, 8),
            tremoloDepth: rng.uniform(0, 0.35),
            noiseFloorDB: rng.uniform(55, 65),
            snrDB: nil, reverb: nil, compression: nil, clipDrive: nil, lowpassHz: nil,
            peak: rng.uniform(0.3, 0.9))
        switch label {
        case "high":
            recipe.snrDB = rng.uniform(40, 55)
            if rng.chance(0.3) {
                if rng.chance(0.5) {
                    recipe.compression = Compression(ratio: rng.uniform(1.2, 1.6), thresholdDB: rng.uniform(-3, 0))
                } else {
                    recipe.lowpassHz = rng.uniform(6000, 7500)
                }
            }
        case "medium":
            degrade(&recipe, .medium, &rng)
        default: // "low"
            degrade(&recipe, .low, &rng)
        }
        return recipe
    }

    /// One quality grade's degradations: noise at `snrDB`, then `count` of the four others (clipping,
    /// low-pass, reverb, compression), distinct and in random order, each drawn from its range.
    struct Grade {
        var snrDB: ClosedRange<Double>
        var count: ClosedRange<Int>
        var clipDrive, lowpassHz, reverbTime, reverbMix, compressionRatio, compressionThresholdDB: ClosedRange<Double>

        static let medium = Grade(snrDB: 15...22, count: 2...2, clipDrive: 1.4...2.2, lowpassHz: 2500...4500,
                                  reverbTime: 0.3...0.6, reverbMix: 0.2...0.35,
                                  compressionRatio: 3...5, compressionThresholdDB: -9 ... -3)
        static let low = Grade(snrDB: -2...4, count: 3...4, clipDrive: 4...10, lowpassHz: 500...1500,
                               reverbTime: 1...2, reverbMix: 0.5...0.75,
                               compressionRatio: 8...20, compressionThresholdDB: -15 ... -8)
    }

    enum Degradation: CaseIterable { case clip, lowpass, reverb, compression }

    /// Applies `grade` to `recipe`. The draw order (SNR, count unless fixed, the shuffle, then each
    /// degradation's values) is part of the data set's definition: changing it changes the demo clips.
    static func degrade(_ recipe: inout SyntheticRecipe, _ grade: Grade, _ rng: inout SyntheticRandom) {
        func draw(_ r: ClosedRange<Double>) -> Double { rng.uniform(r.lowerBound, r.upperBound) }
        recipe.snrDB = draw(grade.snrDB)
        let count = grade.count.count == 1 ? grade.count.lowerBound : rng.int(in: grade.count)
        var kinds = Degradation.allCases
        for i in stride(from: kinds.count - 1, to: 0, by: -1) { kinds.swapAt(i, rng.int(in: 0...i)) }
        for kind in kinds.prefix(count) {
            switch kind {
            case .clip: recipe.clipDrive = draw(grade.clipDrive)
            case .lowpass: recipe.lowpassHz = draw(grade.lowpassHz)
            case .reverb:
                let time = draw(grade.reverbTime)
                recipe.reverb = Reverb(time: time, mix: draw(grade.reverbMix))
            case .compression:
                let ratio = draw(grade.compressionRatio)
                recipe.compression = Compression(ratio: ratio, thresholdDB: draw(grade.compressionThresholdDB))
            }
        }
    }
}
