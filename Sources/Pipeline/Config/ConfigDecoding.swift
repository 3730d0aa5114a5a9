import Audio
import Durable
import Foundation
import Layers
import Tensor
import Yams

extension ExperimentConfig {
    /// Reads and validates a config file. Every key is checked: an unknown key, a wrong type or an
    /// out-of-range value is a `ConfigError` naming the file, line and key, raised before any work.
    public static func load(contentsOf url: URL) throws -> ExperimentConfig {
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch {
            throw ConfigError(file: url.path, key: "", ReadFailure.reason(for: url, error: error))
        }
        return try parse(try text(of: bytes, file: url.path), file: url.path,
                         defaultName: url.deletingPathExtension().lastPathComponent)
    }

    /// A config file's bytes as text: UTF-8 (a byte-order mark allowed). UTF-16 or UTF-32 text, or
    /// bytes that are not UTF-8 (a Latin-1 comment), are an error naming the file and the line, where
    /// Foundation's "isn't in the correct format" named neither.
    static func text(of bytes: Data, file: String) throws -> String {
        let b = [UInt8](bytes)
        let wide = b.starts(with: [0xFF, 0xFE, 0x00, 0x00]) || b.starts(with: [0x00, 0x00, 0xFE, 0xFF]) ? "UTF-32"
            : b.starts(with: [0xFF, 0xFE]) || b.starts(with: [0xFE, 0xFF]) ? "UTF-16" : nil
        if let wide = wide ?? (b.count >= 2 && (b[0] == 0 || b[1] == 0) ? "UTF-16 or UTF-32" : nil) {
            throw ConfigError(file: file, line: 1, key: "", "is \(wide) text; save the config as UTF-8")
        }
        // a UTF-8 byte-order mark is allowed (YAML allows it; Yams does not skip it)
        let body = b.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(b.dropFirst(3)) : b
        if let text = String(validating: body, as: UTF8.self) { return text }
        // the first line that is not UTF-8
        var start = 0, line = 1
        for (i, byte) in body.enumerated() where byte == 0x0A {
            if String(validating: body[start..<i], as: UTF8.self) == nil { break }
            start = i + 1
            line += 1
        }
        throw ConfigError(file: file, line: line, key: "", "is not UTF-8 text (a byte of another encoding, such as "
                          + "Latin-1); save the config as UTF-8")
    }

    /// What is wrong with a config name, which names its files (models/NAME.safetensors, runs/NAME/),
    /// or nil: letters, digits, '-', '_' and '.', not starting with '.' ('..' made runs/.. the data
    /// folder, writing the report over the user's files there; '.' wrote it into runs/ itself).
    /// (A name taken from the file's name is not held to the characters: the file system took it.)
    static func nameProblem(_ name: String, checkingCharacters: Bool = true) -> String? {
        let allowed = name.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard !name.isEmpty, allowed || !checkingCharacters else {
            return "'\(name)' must be letters, digits, '-', '_' or '.' (it names files)"
        }
        if name.hasPrefix(".") { return "'\(name)' must not start with '.' (it names files and folders)" }
        return nil
    }

    /// YAML that cannot be read, named at its line and column with libyaml's problem. Yams's own text
    /// quoted the whole line under a caret line: for a config of one long line (200 KB of brackets),
    /// a 400 KB message.
    static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let during = context.map { "\($0.text) (line \($0.mark.line), column \($0.mark.column)): " } ?? ""
            return ConfigError(file: file, line: mark.line, key: "",
                               "is not valid YAML at column \(mark.column): \(during)\(problem)")
        default:
            let text = String(describing: error)
            return ConfigError(file: file, key: "", "is not valid YAML (\(text.prefix(300))\(text.count > 300 ? "..." : ""))")
        }
    }

    /// A key given twice in one mapping, named at the line of its second occurrence (YAML's parser
    /// names the mapping's first line and quotes the whole file): the lines from `mappingLine` on are
    /// searched for `key:` as a block key or inside a flow mapping.
    static func duplicateKeyError(_ keys: [String], mappingLine: Int, text: String, file: String) -> ConfigError {
        let key = keys.sorted().first ?? ""
        let lines = text.components(separatedBy: "\n")
        let escaped = NSRegularExpression.escapedPattern(for: key)
        let pattern = try? NSRegularExpression(pattern: #"(^|[{,]\s*|^\s*-?\s*)["']?"# + escaped + #"["']?\s*:"#)
        var found: [Int] = []
        for (i, line) in lines.enumerated() where i + 1 >= max(mappingLine, 1) {
            let range = NSRange(line.startIndex..., in: line)
            found += Array(repeating: i + 1, count: pattern?.numberOfMatches(in: line, range: range) ?? 0)
            if found.count >= 2 { break }
        }
        guard found.count >= 2 else {
            return ConfigError(file: file, key: key, "is given twice in one mapping (line \(mappingLine) on)")
        }
        return ConfigError(file: "\(file):\(found[1])", key: key,
                           "is given twice in one mapping (first on line \(found[0]))")
    }

    /// Parses config text; `file` is used in messages, `defaultName` when the text has no `name`.
    public static func parse(_ text: String, file: String, defaultName: String) throws -> ExperimentConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let YamlError.duplicatedKeysInMapping(keys, context) {
            throw duplicateKeyError(keys, mappingLine: context.mark.line, text: text, file: file)
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        } catch {
            throw ConfigError(file: file, key: "", "is not valid YAML (\(error))")
        }
        var config = ExperimentConfig(name: defaultName)
        config.source = file
        guard let root else { throw ConfigError(file: file, key: "", "is empty: it needs at least model.layers") }
        let top = try ConfigNode(node: root, key: "", file: file)
            .mapping(allowed: ["name", "features", "model", "training", "split", "augmentation"])
        if let n = top["name"] {
            config.name = try n.string()
            if let problem = nameProblem(config.name) { throw n.error(problem) }
        } else if let problem = nameProblem(config.name, checkingCharacters: false) {
            throw ConfigError(file: file, key: "name", "not given, and the file's name gives \(problem)")
        }
        if let f = top["features"] { config.features = try decodeFeatures(f) }
        guard let m = top["model"] else {
            throw ConfigError(file: file, key: "model", "is missing (it holds input and layers)")
        }
        config.model = try decodeModel(m)
        if let t = top["training"] { config.training = try decodeTraining(t, forest: config.model.kind == .randomForest) }
        if let s = top["split"] { config.split = try decodeSplit(s) }
        if let a = top["augmentation"] { config.augmentation = try decodeAugmentation(a, model: config.model) }
        let training = try top["training"]?.mapping(allowed: trainingKeys)
        if config.model.kind == .randomForest {
            for (key, why) in [("learning_rate_schedule", "it is fitted once, not in updates"),
                               ("label_smoothing", "it has no loss to smooth")] {
                if let node = training?[key] { throw node.error("does not apply to a random forest (\(why))") }
            }
            // the optimizer's settings and the networks' class weights, set to anything but their defaults,
            // were ignored by a forest; at their defaults they are accepted (`--print-config` prints them)
            let t = config.training, d = TrainingConfig()
            let ignored: [(String, Bool, String)] = [
                ("optimizer", t.optimizer == d.optimizer, "it is fitted once, not in updates"),
                ("learning_rate", t.learningRate == d.learningRate, "it is fitted once, not in updates"),
                ("beta_1", t.beta1 == d.beta1, "it has no optimizer"), ("beta_2", t.beta2 == d.beta2, "it has no optimizer"),
                ("epsilon", t.epsilon == d.epsilon, "it has no optimizer"),
                ("momentum", t.momentum == d.momentum, "it has no optimizer"),
                ("nesterov", t.nesterov == d.nesterov, "it has no optimizer"),
                ("rho", t.rho == d.rho, "it has no optimizer"), ("centered", t.centered == d.centered, "it has no optimizer"),
                ("weight_decay", t.weightDecay == d.weightDecay, "it has no weights to decay"),
                ("clipnorm", t.clipping == nil, "it has no gradients"),
                ("global_clipnorm", t.clipping == nil, "it has no gradients"),
                ("clipvalue", t.clipping == nil, "it has no gradients"),
                ("class_weight", t.classWeight == d.classWeight, "its class weights are model.class_weight"),
            ]
            for (key, isDefault, why) in ignored where !isDefault {
                if let node = training?[key] { throw node.error("does not apply to a random forest (\(why))") }
            }
        }
        if let node = training?["model_checkpoint"] {
            if config.model.kind == .randomForest {
                throw node.error("does not apply to a random forest (it is fitted once, not in epochs)")
            }
            if config.split.validation == 0, config.training.modelCheckpoint?.saveBestOnly == true {
                throw node.error("chooses by a validation figure, but split.validation is 0 (no validation files)")
            }
        }
        for key in ["early_stopping", "reduce_lr_on_plateau"] {
            guard let node = training?[key] else { continue }
            if config.model.kind == .randomForest {
                throw node.error("does not apply to a random forest (it is fitted once, not in epochs)")
            }
            if config.split.validation == 0 {
                throw node.error("watches a validation figure, but split.validation is 0 (no validation files)")
            }
        }
        return config
    }

    /// python_speech_features keys (kinds mfcc and logfbank) and librosa log-mel keys (kind logmel).
    static let speechKeys = ["winlen", "winstep", "nfilt", "numcep", "nfft", "preemph", "ceplifter"]
    static let logMelKeys = ["n_mels", "n_fft", "hop_length", "fmin", "fmax", "top_db"]

    private static func decodeFeatures(_ node: ConfigNode) throws -> FeatureConfig {
        var f = FeatureConfig()
        // the kind first, so that an unknown key lists this kind's keys only (it offered the other kind's,
        // which were then refused)
        if let v = node.peek("kind") { f.kind = try v.choice(FeatureKind.self, among: FeatureConfig.kinds) }
        let common = ["threshold", "windows_per_step", "hop_seconds", "scaling", "input", "clip_seconds", "descriptors"]
        let own = f.kind == .logmel ? logMelKeys : speechKeys
        let foreign = f.kind == .logmel ? speechKeys : logMelKeys
        // each kind's own keys only: a key the kind ignores would be printed nowhere and hashed nowhere
        for key in foreign { if let v = node.peek(key) { throw v.error("does not apply to kind \(f.kind.rawValue)") } }
        let m = try node.mapping(allowed: ["kind", "rate", "window_seconds"] + own + common)
        if let v = m["rate"] { f.rate = try v.int(min: 1000, max: 384_000) }
        if let v = m["window_seconds"] { f.windowSeconds = try v.double(min: 0, max: 10, minExclusive: true) }
        if let v = m["winlen"] { f.winlen = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["winstep"] { f.winstep = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["nfilt"] { f.nfilt = try v.int(min: 1, max: 512) }
        if let v = m["numcep"] { f.numcep = try v.int(min: 1, max: 512) }
        if let v = m["nfft"] { f.nfft = try v.int(min: 16, max: 65536) }
        if let v = m["preemph"] { f.preemph = try v.double(min: 0, max: 1) }
        if let v = m["ceplifter"] { f.ceplifter = try v.int(min: 0, max: 1000) }
        try decodeLogMel(m, into: &f.logMel)
        if let v = m["threshold"] { f.threshold = try v.double(min: 0, max: 1) }
        if let v = m["windows_per_step"] { f.windowsPerStep = try v.int(min: 1, max: 1000) }
        if let v = m["hop_seconds"] { f.hopSeconds = try v.double(min: 0, max: 60, minExclusive: true) }
        if let v = m["scaling"] {
            f.scaling = try v.choice(FeatureConfig.ScalingMethod.self, among: FeatureConfig.ScalingMethod.allCases)
        }
        if let v = m["input"] {
            f.input = try v.choice(FeatureConfig.InputMode.self, among: FeatureConfig.InputMode.allCases)
        }
        if let v = m["clip_seconds"] {
            guard f.input == .clip else { throw v.error("applies to `input: clip` only") }
            f.clipSeconds = try v.double(min: 0, max: 60, minExclusive: true)
        }
        if let v = m["descriptors"] {
            let sets = try v.sequence().map {
                try $0.choice(FeatureConfig.DescriptorSet.self, among: FeatureConfig.DescriptorSet.allCases)
            }
            guard !sets.isEmpty, Set(sets).count == sets.count else {
                throw v.error("must list one or more of spectral, condition, envelope_lines, each once")
            }
            f.descriptorSets = sets
        }
        if f.numcep > f.nfilt { throw node.error("numcep (\(f.numcep)) cannot exceed nfilt (\(f.nfilt))") }
        if f.frameLength < 1 || f.frameStep < 1 {
            throw node.error("winlen and winstep must each cover at least one sample at rate \(f.rate)")
        }
        if f.kind == .logmel {
            do { try f.logMelParameters.validate() } catch let invalid as FeatureParameters.Invalid {
                throw (m[invalid.key] ?? node).error(invalid.reason)
            }
        }
        if f.windowSamples < (f.kind == .logmel ? f.frameStep : f.frameLength) {
            throw node.error("window_seconds (\(f.windowSeconds)) is shorter than one frame "
                             + (f.kind == .logmel ? "step (hop_length \(f.logMel.hopLength))" : "(winlen \(f.winlen))"))
        }
        if f.input == .clip, f.clipSamples < f.frameStep {
            throw node.error("clip_seconds (\(f.clipSeconds)) is shorter than one frame step (\(f.frameStep) samples)")
        }
        return f
    }

    /// The log-mel keys (already checked to belong to the kind).
    private static func decodeLogMel(_ m: [String: ConfigNode], into l: inout FeatureConfig.LogMelSettings) throws {
        if let v = m["n_mels"] { l.nMels = try v.int(min: 1, max: 512) }
        if let v = m["n_fft"] { l.nFFT = try v.int(min: 16, max: 65536) }
        if let v = m["hop_length"] { l.hopLength = try v.int(min: 1, max: 65536) }
        if let v = m["fmin"] { l.fmin = try v.double(min: 0) }
        if let v = m["fmax"] { l.fmax = v.isNull ? nil : try v.double(min: 0, minExclusive: true) }
        if let v = m["top_db"] { l.topDB = v.isNull ? nil : try v.double(min: 0) }
    }

    static let trainingKeys = ["epochs", "batch_size", "optimizer", "learning_rate", "beta_1", "beta_2", "epsilon",
                               "momentum", "nesterov", "rho", "centered", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
                               "class_weight", "label_smoothing", "shuffle", "seed",
                               "early_stopping", "reduce_lr_on_plateau", "learning_rate_schedule",
                               "model_checkpoint"]

    /// `forest`: the model is a random forest, whose own check (in `parse`) names what does not apply
    /// to it, so the optimizer's keys are not checked against the optimizer here.
    private static func decodeTraining(_ node: ConfigNode, forest: Bool = false) throws -> TrainingConfig {
        var t = TrainingConfig()
        let m = try node.mapping(allowed: trainingKeys)
        if let v = m["epochs"] {
            t.epochs = try v.int(min: TrainingConfig.epochRange.lowerBound, max: TrainingConfig.epochRange.upperBound)
        }
        if let v = m["batch_size"] { t.batchSize = try v.int(min: 1, max: 65536) }
        if let v = m["optimizer"] {
            t.optimizer = try v.choice(TrainingConfig.OptimizerKind.self, among: TrainingConfig.OptimizerKind.allCases)
        }
        if let v = m["learning_rate"] { t.learningRate = try v.double(min: 0, max: 10, minExclusive: true) }
        if let v = m["beta_1"] { t.beta1 = try v.double(min: 0, max: 0.999_999) }
        if let v = m["beta_2"] { t.beta2 = try v.double(min: 0, max: 0.999_999_9) }
        if let v = m["epsilon"] { t.epsilon = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["momentum"] { t.momentum = try v.double(min: 0, max: 0.999_999) }
        if let v = m["nesterov"] { t.nesterov = try v.bool() }
        // a setting the chosen optimizer does not read is an error, not ignored; its default is accepted, as
        // `--print-config` prints every one of these for every optimizer
        let defaults = TrainingConfig()
        let readBy: [(key: String, by: [TrainingConfig.OptimizerKind], isDefault: Bool)] = [
            ("beta_1", [.adam, .nadam], t.beta1 == defaults.beta1), ("beta_2", [.adam, .nadam], t.beta2 == defaults.beta2),
            ("epsilon", [.adam, .nadam, .rmsprop], t.epsilon == defaults.epsilon),
            ("momentum", [.sgd, .rmsprop], t.momentum == defaults.momentum),
            ("nesterov", [.sgd], t.nesterov == defaults.nesterov),
        ]
        for setting in readBy where !forest && !setting.by.contains(t.optimizer) && !setting.isDefault {
            if let v = m[setting.key] {
                throw v.error("applies to optimizer \(setting.by.map(\.rawValue).joined(separator: " and ")) only "
                              + "(this config's is \(t.optimizer.rawValue), which would ignore it)")
            }
        }
        for key in ["rho", "centered"] where !forest && t.optimizer != .rmsprop {
            if let v = m[key] { throw v.error("applies to optimizer rmsprop only (this config's is \(t.optimizer.rawValue))") }
        }
        if let v = m["rho"] { t.rho = try v.double(min: 0, max: 0.999_999) }
        if let v = m["centered"] { t.centered = try v.bool() }
        if let v = m["weight_decay"] { t.weightDecay = try v.double(min: 0, max: 10) }
        let clips: [(String, (Float) -> GradientClipping)] = [("clipnorm", { .norm($0) }),
                                                              ("global_clipnorm", { .globalNorm($0) }),
                                                              ("clipvalue", { .value($0) })]
        for (key, make) in clips {
            guard let v = m[key] else { continue }
            if t.clipping != nil {
                throw v.error("only one of clipnorm, global_clipnorm and clipvalue can be set")
            }
            t.clipping = make(Float(try v.double(min: 0, max: 1e6, minExclusive: true)))
        }
        if let v = m["class_weight"] {
            t.classWeight = try classWeight(v)
        }
        if let v = m["label_smoothing"] {
            t.labelSmoothing = try v.double(min: 0, max: 0.999)
        }
        if let v = m["shuffle"] { t.shuffle = try v.bool() }
        if let v = m["seed"] { t.seed = try v.int(min: 0) }
        if let v = m["early_stopping"] {
            let e = try v.mapping(allowed: ["monitor", "patience", "min_delta"])
            guard let patience = e["patience"] else {
                throw v.error("needs patience: the epochs without improvement after which training stops")
            }
            t.earlyStopping = EarlyStopping(patience: try patience.int(min: 0, max: 100_000),
                                            minDelta: try e["min_delta"]?.double(min: 0, max: 1) ?? 0,
                                            monitor: try monitor(e["monitor"]))
        }
        // a callback with nothing under it would read as off yet turn it on: `{}` asks for its defaults
        for key in ["reduce_lr_on_plateau", "model_checkpoint"] {
            if let v = m[key], v.isNull {
                throw v.error("has nothing under it: write `\(key): {}` for its defaults, or remove the line")
            }
        }
        if let v = m["reduce_lr_on_plateau"] {
            let r = try v.mapping(allowed: ["monitor", "factor", "patience", "min_delta", "cooldown", "min_lr"])
            let defaults = ReduceLROnPlateau()
            let factor = try r["factor"]?.double(min: 0, max: 1, minExclusive: true) ?? defaults.factor
            if factor == 1, let node = r["factor"] { throw node.error("must be below 1 (it multiplies the rate)") }
            t.reduceLROnPlateau = ReduceLROnPlateau(
                factor: factor, patience: try r["patience"]?.int(min: 0, max: 100_000) ?? defaults.patience,
                minDelta: try r["min_delta"]?.double(min: 0, max: 1) ?? defaults.minDelta,
                cooldown: try r["cooldown"]?.int(min: 0, max: 100_000) ?? defaults.cooldown,
                minLearningRate: try r["min_lr"]?.double(min: 0, max: 10) ?? defaults.minLearningRate,
                monitor: try monitor(r["monitor"]))
        }
        if let v = m["model_checkpoint"] {
            let c = try v.mapping(allowed: ["monitor", "save_best_only"])
            t.modelCheckpoint = ModelCheckpoint(monitor: try monitor(c["monitor"]),
                                                saveBestOnly: try c["save_best_only"]?.bool() ?? true)
        }
        if let v = m["learning_rate_schedule"] {
            if let plateau = m["reduce_lr_on_plateau"] {
                throw plateau.error("cannot be combined with learning_rate_schedule (the schedule sets every "
                                    + "update's rate; Keras refuses it too)")
            }
            t.learningRateSchedule = try decodeSchedule(v, learningRate: &t.learningRate,
                                                        learningRateNode: m["learning_rate"])
        }
        return t
    }

    /// `class_weight`: `balanced`, `none`, or a mapping of class names to weights > 0.
    /// The longest class name `class_weight` takes (printed, even with every character escaped, it
    /// stays within YAML's 1,024-character limit on a mapping key).
    static let maximumClassNameLength = 256

    private static func classWeight(_ node: ConfigNode) throws -> TrainingConfig.ClassWeight {
        guard node.isMapping else {
            switch try node.string() {
            case "balanced": return .balanced
            case "none": return .none
            case let s: throw node.error("'\(s)' is not one of balanced, none, or a mapping {class: weight, ...}")
            }
        }
        var weights: [String: Double] = [:]
        for (name, value) in try node.namedEntries() {
            // printed back as a YAML key (model files, cache keys), which YAML limits to 1,024 characters
            // as written: a class name longer than `maximumClassNameLength` or with a control character
            // (each printed as a 6-character escape) could not be read back
            let control = name.unicodeScalars.contains { $0.properties.generalCategory == .control }
            guard name.count <= maximumClassNameLength, !control else {
                let shown = String(String.UnicodeScalarView(name.unicodeScalars.prefix(40).map {
                    $0.properties.generalCategory == .control ? "?" : $0
                })) + (name.count > 40 ? "..." : "")
                throw node.error("class '\(shown)': a class name has at most \(maximumClassNameLength) characters and "
                                 + "no control character (tab, newline, ...)")
            }
            weights[name] = try value.double(min: 0, max: 1e6, minExclusive: true)
        }
        guard !weights.isEmpty else { throw node.error("gives no class a weight") }
        return .given(weights)
    }

    /// A callback's `monitor` (absent: val_accuracy, the figure that chooses the saved model).
    private static func monitor(_ node: ConfigNode?) throws -> MonitoredMetric {
        try node?.choice(MonitoredMetric.self, among: MonitoredMetric.allCases) ?? .valAccuracy
    }

    private static func decodeSplit(_ node: ConfigNode) throws -> SplitConfig {
        var s = SplitConfig()
        let m = try node.mapping(allowed: ["test", "validation", "group_column"])
        if let v = m["test"] { s.test = try v.double(min: 0, max: 0.9) }
        if let v = m["validation"] { s.validation = try v.double(min: 0, max: 0.9) }
        if let v = m["group_column"] {
            let name = try v.string().trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name != "fname", name != "label" else {
                throw v.error("'\(name)' cannot group files: name an audio.csv column other than fname and label")
            }
            s.groupColumn = name
        }
        return s
    }
}
