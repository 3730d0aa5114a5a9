import Audio
import Foundation
import Layers
import Tensor
import Yams

extension ExperimentConfig {
    /// Reads and validates a config file. Every key is checked: an unknown key, a wrong type or an
    /// out-of-range value is a `ConfigError` naming the file, line and key, raised before any work.
    public static func load(contentsOf url: URL) throws -> ExperimentConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigError(file: url.path, key: "", "cannot be read (\(error.localizedDescription))")
        }
        return try parse(text, file: url.path, defaultName: url.deletingPathExtension().lastPathComponent)
    }

    /// Parses config text; `file` is used in messages, `defaultName` when the text has no `name`.
    public static func parse(_ text: String, file: String, defaultName: String) throws -> ExperimentConfig {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            throw ConfigError(file: file, key: "", "is not valid YAML (\(error))")
        }
        var config = ExperimentConfig(name: defaultName)
        config.source = file
        guard let root else { throw ConfigError(file: file, key: "", "is empty: it needs at least model.layers") }
        let top = try ConfigNode(node: root, key: "", file: file)
            .mapping(allowed: ["name", "features", "model", "training", "split"])
        if let n = top["name"] {
            config.name = try n.string()
            guard !config.name.isEmpty, config.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw n.error("'\(config.name)' must be letters, digits, '-', '_' or '.' (it names files)")
            }
        }
        if let f = top["features"] { config.features = try decodeFeatures(f) }
        guard let m = top["model"] else { throw ConfigError(file: file, key: "model", "is missing (it holds input and layers)") }
        config.model = try decodeModel(m)
        if let t = top["training"] { config.training = try decodeTraining(t) }
        if let s = top["split"] { config.split = try decodeSplit(s) }
        return config
    }

    private static func decodeFeatures(_ node: ConfigNode) throws -> FeatureConfig {
        var f = FeatureConfig()
        let m = try node.mapping(allowed: ["kind", "rate", "window_seconds", "winlen", "winstep", "nfilt", "numcep",
                                           "nfft", "preemph", "ceplifter", "threshold", "windows_per_step"])
        if let v = m["kind"] { f.kind = try v.choice(FeatureKind.self, among: FeatureConfig.kinds) }
        if let v = m["rate"] { f.rate = try v.int(min: 1000, max: 384_000) }
        if let v = m["window_seconds"] { f.windowSeconds = try v.double(min: 0, max: 10, minExclusive: true) }
        if let v = m["winlen"] { f.winlen = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["winstep"] { f.winstep = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["nfilt"] { f.nfilt = try v.int(min: 1, max: 512) }
        if let v = m["numcep"] { f.numcep = try v.int(min: 1, max: 512) }
        if let v = m["nfft"] { f.nfft = try v.int(min: 16, max: 65536) }
        if let v = m["preemph"] { f.preemph = try v.double(min: 0, max: 1) }
        if let v = m["ceplifter"] { f.ceplifter = try v.int(min: 0, max: 1000) }
        if let v = m["threshold"] { f.threshold = try v.double(min: 0, max: 1) }
        if let v = m["windows_per_step"] { f.windowsPerStep = try v.int(min: 1, max: 1000) }
        if f.numcep > f.nfilt { throw node.error("numcep (\(f.numcep)) cannot exceed nfilt (\(f.nfilt))") }
        if f.frameLength < 1 || f.frameStep < 1 { throw node.error("winlen and winstep must each cover at least one sample at rate \(f.rate)") }
        if f.windowSamples < f.frameLength {
            throw node.error("window_seconds (\(f.windowSeconds)) is shorter than one frame (winlen \(f.winlen))")
        }
        return f
    }

    static let layerTypes = ["conv2d", "max_pooling2d", "dropout", "flatten", "dense", "lstm", "time_distributed"]

    private static func decodeModel(_ node: ConfigNode) throws -> ModelConfig {
        var model = ModelConfig()
        let m = try node.mapping(allowed: ["input", "layers"])
        if let v = m["input"] { model.input = try v.choice(ModelConfig.Input.self, among: ModelConfig.Input.allCases) }
        guard let layers = m["layers"] else { throw node.error("needs `layers`, a list of Keras layers") }
        model.layers = try layers.sequence().map(decodeLayer)
        guard !model.layers.isEmpty else { throw layers.error("is empty: a model needs at least one layer") }
        return model
    }

    private static func activation(_ m: [String: ConfigNode], _ key: String, _ fallback: Activation) throws -> Activation {
        try m[key].map { try $0.choice(Activation.self, among: Activation.allCases) } ?? fallback
    }

    private static func decodeLayer(_ node: ConfigNode) throws -> LayerSpec {
        let (type, body) = try node.singleEntry(allowed: layerTypes)
        switch type {
        case "conv2d":
            let m = try body.mapping(allowed: ["filters", "kernel_size", "strides", "padding", "activation"])
            guard let filters = m["filters"] else { throw body.error("needs `filters`") }
            return .conv2d(filters: try filters.int(min: 1, max: 65536),
                           kernelSize: try m["kernel_size"]?.pair() ?? (3, 3),
                           strides: try m["strides"]?.pair() ?? (1, 1),
                           padding: try m["padding"]?.choice(Padding.self, among: Padding.allCases) ?? .valid,
                           activation: try activation(m, "activation", .linear))
        case "max_pooling2d":
            let m = try body.mapping(allowed: ["pool_size", "strides", "padding"])
            return .maxPooling2d(poolSize: try m["pool_size"]?.pair() ?? (2, 2),
                                 strides: try m["strides"]?.pair(),
                                 padding: try m["padding"]?.choice(Padding.self, among: Padding.allCases) ?? .valid)
        case "dropout":
            let m = try body.mapping(allowed: ["rate"])
            guard let rate = m["rate"] else { throw body.error("needs `rate`") }
            let r = try rate.double(min: 0, max: 1)
            guard r < 1 else { throw rate.error("must be below 1 (1 drops everything)") }
            return .dropout(rate: r)
        case "flatten":
            _ = try body.mapping(allowed: [])
            return .flatten
        case "dense":
            let m = try body.mapping(allowed: ["units", "activation"])
            guard let u = m["units"] else { throw body.error("needs `units` (a number, or `classes` for the output layer)") }
            let units: Int? = (try? u.string()) == "classes" ? nil : try u.int(min: 1, max: 1 << 20)
            return .dense(units: units, activation: try activation(m, "activation", .linear))
        case "lstm":
            let m = try body.mapping(allowed: ["units", "return_sequences", "activation", "recurrent_activation"])
            guard let u = m["units"] else { throw body.error("needs `units`") }
            return .lstm(units: try u.int(min: 1, max: 1 << 16),
                         returnSequences: try m["return_sequences"]?.bool() ?? false,
                         activation: try activation(m, "activation", .tanh),
                         recurrentActivation: try activation(m, "recurrent_activation", .sigmoid))
        default: // time_distributed
            let inner = try decodeLayer(body)
            guard case .dense = inner else { throw body.error("time_distributed wraps a dense layer") }
            return .timeDistributed(inner)
        }
    }

    private static func decodeTraining(_ node: ConfigNode) throws -> TrainingConfig {
        var t = TrainingConfig()
        let m = try node.mapping(allowed: ["epochs", "batch_size", "optimizer", "learning_rate", "beta_1", "beta_2",
                                           "epsilon", "momentum", "nesterov", "class_weight", "shuffle", "seed"])
        if let v = m["epochs"] { t.epochs = try v.int(min: 1, max: 100_000) }
        if let v = m["batch_size"] { t.batchSize = try v.int(min: 1, max: 65536) }
        if let v = m["optimizer"] { t.optimizer = try v.choice(TrainingConfig.OptimizerKind.self, among: TrainingConfig.OptimizerKind.allCases) }
        if let v = m["learning_rate"] { t.learningRate = try v.double(min: 0, max: 10, minExclusive: true) }
        if let v = m["beta_1"] { t.beta1 = try v.double(min: 0, max: 0.999_999) }
        if let v = m["beta_2"] { t.beta2 = try v.double(min: 0, max: 0.999_999_9) }
        if let v = m["epsilon"] { t.epsilon = try v.double(min: 0, max: 1, minExclusive: true) }
        if let v = m["momentum"] { t.momentum = try v.double(min: 0, max: 0.999_999) }
        if let v = m["nesterov"] { t.nesterov = try v.bool() }
        if let v = m["class_weight"] { t.classWeight = try v.choice(TrainingConfig.ClassWeight.self, among: TrainingConfig.ClassWeight.allCases) }
        if let v = m["shuffle"] { t.shuffle = try v.bool() }
        if let v = m["seed"] { t.seed = try v.int(min: 0) }
        return t
    }

    private static func decodeSplit(_ node: ConfigNode) throws -> SplitConfig {
        var s = SplitConfig()
        let m = try node.mapping(allowed: ["test", "validation"])
        if let v = m["test"] { s.test = try v.double(min: 0, max: 0.9) }
        if let v = m["validation"] { s.validation = try v.double(min: 0, max: 0.9) }
        return s
    }
}
