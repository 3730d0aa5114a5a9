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
                  "  class_weight: \(t.classWeight.rawValue)",
                  "  shuffle: \(t.shuffle)",
                  "  seed: \(t.seed)",
                  "split:",
                  "  test: \(split.test)",
                  "  validation: \(split.validation)"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The `features` section of `yaml()`.
    func featureLines() -> [String] {
        let f = features
        return ["features:",
                "  kind: \(f.kind.rawValue)",
                "  rate: \(f.rate)",
                "  window_seconds: \(f.windowSeconds)",
                "  winlen: \(f.winlen)",
                "  winstep: \(f.winstep)",
                "  nfilt: \(f.nfilt)",
                "  numcep: \(f.numcep)",
                "  nfft: \(f.nfft)",
                "  preemph: \(f.preemph)",
                "  ceplifter: \(f.ceplifter)",
                "  threshold: \(f.threshold)",
                "  windows_per_step: \(f.windowsPerStep)"]
    }

    /// A stable digest of what the cleaned audio and the features depend on (the `features`
    /// section), naming the feature cache: pickles/<name>-<featureHash>.safetensors.
    public var featureHash: String {
        fnv1a64(featureLines().joined(separator: "\n"))
    }

    /// A stable digest of the whole config (stored in model files and checkpoints).
    public var configHash: String { fnv1a64(yaml().replacingOccurrences(of: "name: \(name)\n", with: "")) }
}

/// FNV-1a 64-bit of a string's UTF-8 bytes, as 16 hex digits.
func fnv1a64(_ text: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return String(format: "%016llx", h)
}
