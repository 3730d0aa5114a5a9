import Foundation

/// One clip of the synthetic audio-quality dataset.
public struct SyntheticClip: Sendable, Equatable {
    /// File name, `<label>_<index>.wav` with a 3-digit zero-based index, e.g. `high_007.wav`.
    public var name: String
    /// Quality label: "high", "medium" or "low".
    public var label: String
    /// Mono samples in [-1, 1] at the requested rate. Shape: (seconds * sampleRate,).
    public var samples: [Float]
    /// The parameters the clip was made from.
    public var recipe: SyntheticRecipe
}

/// Earmark's built-in demo data: the synthetic audio-quality study (docs/WORKFLOW.md §12).
///
/// Clean tones (fundamental 110-880 Hz, 1-8 harmonics, vibrato, tremolo, a noise floor 55-65 dB
/// down) degraded by noise, reverb, compression, clipping and low-pass filtering at graded strength
/// (see `SyntheticRecipe.draw`): `high` = clean or barely degraded (SNR >= 35 dB), `medium` =
/// moderate (SNR 12-20 dB plus one moderate degradation), `low` = strong (SNR 0-5 dB plus two or
/// three strong degradations). Tone parameters are drawn from the same ranges for every label.
///
/// Deterministic: the same arguments give the same clips, bit for bit. Each clip has its own random
/// stream derived from (seed, label, index), so clip `high_003` is the same whatever
/// `clipsPerClass` is.
public enum SyntheticDataset {
    /// The labels, from best to worst quality.
    public static let labels = ["high", "medium", "low"]
    /// Default demo size: clips per label.
    public static let defaultClipsPerClass = 30
    /// Default demo clip length in seconds.
    public static let defaultSeconds = 2.5

    /// Generates `clipsPerClass` clips of each label, in label order (high, medium, low) and index
    /// order within a label.
    /// - Returns: 3 * clipsPerClass clips, each of Int(seconds * sampleRate) samples.
    public static func generate(clipsPerClass: Int = defaultClipsPerClass, seconds: Double = defaultSeconds,
                                sampleRate: Int = 16000, seed: UInt64) -> [SyntheticClip] {
        precondition(clipsPerClass >= 0, "clipsPerClass must be >= 0, got \(clipsPerClass)")
        precondition(seconds > 0 && sampleRate > 0,
                     "need seconds > 0 and sampleRate > 0, got \(seconds), \(sampleRate)")
        let count = Int(seconds * Double(sampleRate))
        var clips: [SyntheticClip] = []
        clips.reserveCapacity(labels.count * clipsPerClass)
        for (classIndex, label) in labels.enumerated() {
            for index in 0..<clipsPerClass {
                var rng = SyntheticRandom(seed: seed, stream: UInt64(classIndex) << 32 | UInt64(index))
                let recipe = SyntheticRecipe.draw(label: label, using: &rng)
                let samples = render(recipe, count: count, sampleRate: sampleRate, using: &rng)
                let number = String(index)
                let name = "\(label)_\(String(repeating: "0", count: max(0, 3 - number.count)))\(number).wav"
                clips.append(SyntheticClip(name: name, label: label, samples: samples, recipe: recipe))
            }
        }
        return clips
    }

    /// Renders `recipe` into `count` samples: tone -> low-pass -> reverb -> compression -> clipping ->
    /// noise -> scale to the recipe's peak.
    /// - Returns: (count,) samples in [-1, 1].
    public static func render(_ recipe: SyntheticRecipe, count: Int, sampleRate: Int, seed: UInt64) -> [Float] {
        var rng = SyntheticRandom(seed: seed)
        return render(recipe, count: count, sampleRate: sampleRate, using: &rng)
    }

    static func render(_ recipe: SyntheticRecipe, count: Int, sampleRate: Int,
                       using rng: inout SyntheticRandom) -> [Float] {
        guard count > 0 else { return [] }
        var x = SyntheticSignal.tone(recipe, count: count, rate: sampleRate, using: &rng)
        if let cutoff = recipe.lowpassHz { SyntheticSignal.lowpass(&x, cutoff: cutoff, rate: sampleRate) }
        if let reverb = recipe.reverb {
            SyntheticSignal.reverb(&x, time: reverb.time, mix: reverb.mix, rate: sampleRate)
        }
        if let c = recipe.compression {
            SyntheticSignal.compress(&x, ratio: c.ratio, thresholdDB: c.thresholdDB, rate: sampleRate)
        }
        if let drive = recipe.clipDrive { SyntheticSignal.clip(&x, drive: drive) }
        if let snr = recipe.snrDB { SyntheticSignal.addNoise(&x, snrDB: snr, using: &rng) }
        let p = SyntheticSignal.peak(x)
        let gain = p > 0 ? recipe.peak / p : 0
        return x.map { Float(min(1, max(-1, $0 * gain))) }
    }

    /// The `audio.csv` text for `clips`: a `fname,label` header and one line per clip (LF endings).
    public static func csv(for clips: [SyntheticClip]) -> String {
        "fname,label\n" + clips.map { "\($0.name),\($0.label)\n" }.joined()
    }
}
