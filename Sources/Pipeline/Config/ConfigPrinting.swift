import Foundation
import Layers
import Tensor

extension ExperimentConfig {
    /// The whole config as YAML with every default filled in (`train --print-config`); parsing
    /// this text gives back an equal config.
    public func yaml() -> String {
        let t = training
        var lines = ["name: \(name)"] + featureLines()
        if model.kind == .randomForest {
            lines += model.forest.yamlLines()
        } else {
            lines += ["model:",
                      "  input: \(model.input.rawValue)",
                      "  layers:"]
            for layer in model.layers { lines += layer.yamlLines(indent: 4) }
        }
        lines += ["training:",
                  "  epochs: \(t.epochs)",
                  "  batch_size: \(t.batchSize)",
                  "  optimizer: \(t.optimizer.rawValue)",
                  "  learning_rate: \(t.learningRate)",
                  "  beta_1: \(t.beta1)",
                  "  beta_2: \(t.beta2)",
                  "  epsilon: \(t.epsilon)",
                  "  momentum: \(t.momentum)",
                  "  nesterov: \(t.nesterov)",
                  "  class_weight: \(classWeightText(t.classWeight))",
                  "  shuffle: \(t.shuffle)",
                  "  seed: \(t.seed)"]
        // printed only when set, so configs without them keep their text and hashes
        if t.optimizer == .rmsprop { lines += ["  rho: \(t.rho)", "  centered: \(t.centered)"] }
        if t.weightDecay != 0 { lines.append("  weight_decay: \(t.weightDecay)") }
        if t.labelSmoothing != 0 { lines.append("  label_smoothing: \(t.labelSmoothing)") }
        switch t.clipping {
        case .norm(let c): lines.append("  clipnorm: \(c)")
        case .globalNorm(let c): lines.append("  global_clipnorm: \(c)")
        case .value(let c): lines.append("  clipvalue: \(c)")
        case nil: break
        }
        if let e = t.earlyStopping {
            lines.append("  early_stopping: {monitor: \(e.monitor.rawValue), patience: \(e.patience), min_delta: \(e.minDelta)}")
        }
        if let r = t.reduceLROnPlateau {
            lines.append("  reduce_lr_on_plateau: {monitor: \(r.monitor.rawValue), factor: \(r.factor), "
                         + "patience: \(r.patience), min_delta: \(r.minDelta), cooldown: \(r.cooldown), "
                         + "min_lr: \(r.minLearningRate)}")
        }
        if let c = t.modelCheckpoint {
            lines.append("  model_checkpoint: {monitor: \(c.monitor.rawValue), save_best_only: \(c.saveBestOnly)}")
        }
        if let schedule = t.learningRateSchedule { lines.append("  learning_rate_schedule: \(schedule.yamlMapping())") }
        lines += ["split:",
                  "  test: \(split.test)",
                  "  validation: \(split.validation)"]
        // printed only when named, so configs without it keep their text and hashes
        if let column = split.groupColumn { lines.append("  group_column: \(yamlScalar(column))") }
        if let augmentation { lines += augmentation.yamlLines() }     // likewise printed only when present
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `features` section of `yaml()`: each kind's own keys; the keys added after the
    /// reference workflow (hop_seconds, scaling, input, clip_seconds, descriptors) only when they differ from
    /// their defaults, so that every config written before them prints (and hashes) as it did.
    func featureLines() -> [String] {
        let f = features
        var lines = ["features:",
                     "  kind: \(f.kind.rawValue)",
                     "  rate: \(f.rate)",
                     "  window_seconds: \(f.windowSeconds)"]
        if f.kind == .logmel {
            let l = f.logMel
            lines += ["  n_mels: \(l.nMels)",
                      "  n_fft: \(l.nFFT)",
                      "  hop_length: \(l.hopLength)",
                      "  fmin: \(l.fmin)",
                      "  fmax: \(l.fmax.map { "\($0)" } ?? "null")",
                      "  top_db: \(l.topDB.map { "\($0)" } ?? "null")"]
        } else {
            lines += ["  winlen: \(f.winlen)",
                      "  winstep: \(f.winstep)",
                      "  nfilt: \(f.nfilt)",
                      "  numcep: \(f.numcep)",
                      "  nfft: \(f.nfft)",
                      "  preemph: \(f.preemph)",
                      "  ceplifter: \(f.ceplifter)"]
        }
        lines += ["  threshold: \(f.threshold)",
                  "  windows_per_step: \(f.windowsPerStep)"]
        if let hop = f.hopSeconds { lines.append("  hop_seconds: \(hop)") }
        if f.scaling != .minmax { lines.append("  scaling: \(f.scaling.rawValue)") }
        if f.input != .window { lines += ["  input: \(f.input.rawValue)", "  clip_seconds: \(f.clipSeconds)"] }
        if f.descriptorSets != [.spectral] {
            lines.append("  descriptors: [" + f.descriptorSets.map(\.rawValue).joined(separator: ", ") + "]")
        }
        return lines
    }

    /// A stable digest of what the cleaned audio and the features depend on (the `features`
    /// section), naming the feature cache: pickles/<name>-<featureHash>.safetensors.
    public var featureHash: String {
        fnv1a64(featureLines().joined(separator: "\n"))
    }

    /// A stable digest of the whole config (stored in model files and checkpoints).
    public var configHash: String { fnv1a64(yaml().replacingOccurrences(of: "name: \(name)\n", with: "")) }
}

/// `text` as a YAML scalar: plain when it reads back as the same string, else double-quoted.
/// `balanced`, `none` or `{name: weight, ...}` in sorted name order.
func classWeightText(_ weight: TrainingConfig.ClassWeight) -> String {
    switch weight {
    case .balanced: return "balanced"
    case .none: return "none"
    case .given(let weights):
        return "{" + weights.keys.sorted().map { "\(yamlScalar($0)): \(weights[$0]!)" }.joined(separator: ", ") + "}"
    }
}

func yamlScalar(_ text: String) -> String {
    let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "_-. ".contains($0) }
        && text.first.map { $0.isLetter || $0 == "_" } == true && text.last != " "
        && !["true", "false", "yes", "no", "on", "off", "null"].contains(text.lowercased())
    guard !plain else { return text }
    var escaped = ""
    for c in text.unicodeScalars {
        switch c {
        case "\"": escaped += "\\\""
        case "\\": escaped += "\\\\"
        case _ where c.value < 0x20: escaped += String(format: "\\u%04X", c.value)
        default: escaped.unicodeScalars.append(c)
        }
    }
    return "\"" + escaped + "\""
}

/// FNV-1a 64-bit of a string's UTF-8 bytes, as 16 hex digits.
func fnv1a64(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return String(format: "%016llx", h)
}
