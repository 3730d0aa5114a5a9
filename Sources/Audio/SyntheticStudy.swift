import Foundation

/// Everything that defines one clip of the `study` variant: a pure tone and its degradations.
public struct StudyRecipe: Sendable, Equatable {
    /// Tone frequency in Hz (100-1000, uniform).
    public var frequency: Double
    /// Added white Gaussian noise: its standard deviation in absolute sample units; nil for none.
    public var noise: Double?
    /// Hard clipping at this fraction of the tone's peak; nil for none.
    public var clipThreshold: Double?
    /// Fourth-order low-pass cutoff in Hz; nil for none.
    public var lowpassHz: Double?
    /// Schroeder room reverb; nil for none.
    public var reverb: SyntheticRecipe.Reverb?
    /// Dynamic range compression; nil for none.
    public var compression: SyntheticRecipe.Compression?
}

/// One clip of the `study` variant.
public struct StudyClip: Sendable, Equatable {
    /// File name `<label>_<NNN>.wav`, e.g. `medium_004.wav`.
    public var name: String
    /// "high", "medium" or "low".
    public var label: String
    /// Mono samples. Shape: (seconds * sampleRate,) = (22050,) at the defaults.
    public var samples: [Float]
    /// The parameters the clip was made from.
    public var recipe: StudyRecipe
}

/// The audio-quality study's own recipe (docs/DATASETS.md), the second variant of the quality set.
///
/// A pure sine of amplitude 0.5 at 100-1000 Hz, 1 s at 22.05 kHz. `high`: the tone as is.
/// `medium`: either white noise of standard deviation 0.03-0.08 or clipping at 0.5-0.8 of the
/// tone's peak (even odds). `low`: heavy noise (0.1-0.3), then a low-pass at 1-3 kHz, reverb
/// (RT60 0.3-1 s, wet 0.2-0.5) and compression (ratio 4-8, threshold 4-10 dB below the RMS), in that
/// order. The study gives no reverb or compression settings; those ranges are Earmark's. Equal
/// thirds; a clip whose peak exceeds 1 is scaled down to 0.99.
///
/// Deterministic like `SyntheticDataset`: each clip has its own stream of (seed, label, index).
public enum SyntheticStudy {
    /// The labels, from best to worst quality (as `SyntheticDataset.labels`).
    public static let labels = SyntheticDataset.labels
    /// Default clips per label.
    public static let defaultClipsPerClass = 30
    /// The study's clip length in seconds.
    public static let defaultSeconds = 1.0
    /// The study's sample rate.
    public static let defaultSampleRate = 22050
    /// The tone's amplitude.
    static let amplitude = 0.5

    /// Generates `clipsPerClass` clips of each label in label order, then index order.
    /// - Returns: 3 * clipsPerClass clips of Int(seconds * sampleRate) samples.
    public static func generate(clipsPerClass: Int = defaultClipsPerClass, seconds: Double = defaultSeconds,
                                sampleRate: Int = defaultSampleRate, seed: UInt64) -> [StudyClip] {
        precondition(clipsPerClass >= 0 && seconds > 0 && sampleRate > 0, "need clips >= 0, seconds and rate > 0")
        let count = Int(seconds * Double(sampleRate))
        var clips: [StudyClip] = []
        for (classIndex, label) in labels.enumerated() {
            for index in 0..<clipsPerClass {
                // stream tag 'S' keeps these streams apart from the quality set's
                var rng = SyntheticRandom(seed: seed, stream: 0x53 << 56 | UInt64(classIndex) << 32 | UInt64(index))
                let recipe = draw(label: label, using: &rng)
                let samples = render(recipe, count: count, sampleRate: sampleRate, using: &rng)
                let number = String(index)
                let name = "\(label)_\(String(repeating: "0", count: max(0, 3 - number.count)))\(number).wav"
                clips.append(StudyClip(name: name, label: label, samples: samples, recipe: recipe))
            }
        }
        return clips
    }

    /// Draws the recipe of one clip of `label`.
    static func draw(label: String, using rng: inout SyntheticRandom) -> StudyRecipe {
        var r = StudyRecipe(frequency: rng.uniform(100, 1000), noise: nil, clipThreshold: nil, lowpassHz: nil,
                            reverb: nil, compression: nil)
        switch label {
        case "high": break
        case "medium":
            if rng.chance(0.5) { r.noise = rng.uniform(0.03, 0.08) } else { r.clipThreshold = rng.uniform(0.5, 0.8) }
        default:
            r.noise = rng.uniform(0.1, 0.3)
            r.lowpassHz = rng.uniform(1000, 3000)
            let time = rng.uniform(0.3, 1.0)
            r.reverb = SyntheticRecipe.Reverb(time: time, mix: rng.uniform(0.2, 0.5))
            let ratio = rng.uniform(4, 8)
            r.compression = SyntheticRecipe.Compression(ratio: ratio, thresholdDB: rng.uniform(-10, -4))
        }
        return r
    }

    /// Renders `recipe`: tone -> clipping -> noise -> low-pass -> reverb -> compression.
    static func render(_ recipe: StudyRecipe, count: Int, sampleRate: Int,
                       using rng: inout SyntheticRandom) -> [Float] {
        let fs = Double(sampleRate)
        var x = (0..<count).map { amplitude * sin(2 * Double.pi * recipe.frequency * Double($0) / fs) }
        if let t = recipe.clipThreshold {
            let limit = t * SyntheticSignal.peak(x)
            for i in 0..<count { x[i] = min(limit, max(-limit, x[i])) }
        }
        if let sigma = recipe.noise { for i in 0..<count { x[i] += sigma * rng.normal() } }
        if let cutoff = recipe.lowpassHz { SyntheticSignal.lowpass(&x, cutoff: cutoff, rate: sampleRate) }
        if let r = recipe.reverb { SyntheticSignal.reverb(&x, time: r.time, mix: r.mix, rate: sampleRate) }
        if let c = recipe.compression {
            SyntheticSignal.compress(&x, ratio: c.ratio, thresholdDB: c.thresholdDB, rate: sampleRate)
        }
        let p = SyntheticSignal.peak(x)
        let gain = p > 1 ? 0.99 / p : 1
        return x.map { Float($0 * gain) }
    }

    /// The `audio.csv` text for `clips`: `fname,label`, one line per clip, LF endings.
    public static func csv(for clips: [StudyClip]) -> String {
        "fname,label\n" + clips.map { "\($0.name),\($0.label)\n" }.joined()
    }
}
