import Foundation

extension ExperimentConfig {
    /// Reads the `augmentation` section; an empty one (or one with nothing on) gives nil. A part with
    /// nothing under it (`mixup:`) is an error; `mixup: {}` is the part with its defaults. `model`
    /// must be decoded already: augmentation needs a network on frames (image or sequence input).
    static func decodeAugmentation(_ node: ConfigNode, model: ModelConfig) throws -> AugmentationConfig? {
        var a = AugmentationConfig()
        let m = try node.mapping(allowed: ["gain_db", "time_shift_seconds", "noise", "spec_augment", "mixup"])
        // a part written with nothing under it (`noise:`) would read as off, as an empty section does,
        // yet turn the part on: refused, `{}` asks for the part with its defaults
        for key in ["noise", "spec_augment", "mixup"] {
            if let v = m[key], v.isNull {
                throw v.error("has nothing under it: write `\(key): {}` for its defaults, or remove the line")
            }
        }
        if let v = m["gain_db"] { a.gainDB = try range(v, min: -60, max: 60, example: "[-6, 6]") }
        if let v = m["time_shift_seconds"] { a.timeShiftSeconds = try v.double(min: 0, max: 60, minExclusive: true) }
        if let v = m["noise"] { a.noise = try decodeNoise(v) }
        if let v = m["spec_augment"] {
            var s = AugmentationConfig.SpecAugmentSettings()
            let k = try v.mapping(allowed: ["time_masks", "time_width", "freq_masks", "freq_width"])
            if let w = k["time_masks"] { s.timeMasks = try w.int(min: 0, max: 100) }
            if let w = k["time_width"] { s.timeWidth = try w.int(min: 0, max: 100_000) }
            if let w = k["freq_masks"] { s.freqMasks = try w.int(min: 0, max: 100) }
            if let w = k["freq_width"] { s.freqWidth = try w.int(min: 0, max: 100_000) }
            a.specAugment = s
        }
        if let v = m["mixup"] {
            var s = AugmentationConfig.MixupSettings()
            let k = try v.mapping(allowed: ["alpha"])
            if let w = k["alpha"] { s.alpha = try w.double(min: 0, max: 100, minExclusive: true) }
            a.mixup = s
        }
        guard !a.isEmpty else { return nil }
        if model.kind == .randomForest || model.input == .descriptors {
            throw node.error("applies to networks on frames (model.input image or sequence), "
                             + "not to \(model.kind == .randomForest ? "a random forest" : "descriptor input")")
        }
        return a
    }

    private static func decodeNoise(_ node: ConfigNode) throws -> AugmentationConfig.NoiseAugmentation {
        typealias Noise = AugmentationConfig.NoiseAugmentation
        var n = Noise()
        let m = try node.mapping(allowed: ["kind", "snr_db", "folder", "probability"])
        if let v = m["kind"] { n.kind = try v.choice(Noise.Kind.self, among: Noise.Kind.allCases) }
        if let v = m["snr_db"] { n.snrDB = try range(v, min: -30, max: 100, example: "[10, 30]") }
        if let v = m["probability"] { n.probability = try v.double(min: 0, max: 1) }
        if let v = m["folder"] {
            guard n.kind == .folder else { throw v.error("applies to `kind: folder` only") }
            let path = try v.string().trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else { throw v.error("is empty: name a folder of noise clips") }
            n.folder = path
        }
        if n.kind == .folder && n.folder == nil {
            throw node.error("kind folder needs `folder:` (a folder of noise clips)")
        }
        return n
    }

    /// `[low, high]` with min <= low <= high <= max.
    private static func range(_ node: ConfigNode, min: Double, max: Double,
                              example: String) throws -> ClosedRange<Double> {
        guard node.node.sequence != nil else { throw node.error("expected two numbers like \(example)") }
        let items = try node.sequence()
        guard items.count == 2 else { throw node.error("expected two numbers like \(example)") }
        let (low, high) = (try items[0].double(min: min, max: max), try items[1].double(min: min, max: max))
        guard low <= high else { throw node.error("[\(low), \(high)]: the first number is larger than the second") }
        return low...high
    }
}
