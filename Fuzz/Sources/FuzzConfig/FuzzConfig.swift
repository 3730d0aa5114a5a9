import Foundation
import Pipeline

/// Fuzz target: arbitrary bytes as a YAML experiment config, decoded by `ExperimentConfig.parse`
/// (Yams, then every key checked). A thrown `ConfigError` is the expected outcome for bad input; a trap
/// or a sanitizer report is a finding. A config that decodes is printed with `yaml()` (the text stored
/// in model files and hashed into cache keys) and must decode again to an equal config; its layers
/// are then made and their shapes inferred (`checkLayerShapes`, what `train` does before reading audio),
/// where a `ShapeError` turned `ConfigError` is again expected and a trap a finding (an LSTM with a
/// softmax activation once passed decoding and trapped when made).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: start == nil ? 0 : count), as: UTF8.self)
    guard let config = try? ExperimentConfig.parse(text, file: "fuzz.yaml", defaultName: "fuzz") else { return 0 }
    let printed = config.yaml()
    let again: ExperimentConfig
    do { again = try ExperimentConfig.parse(printed, file: "printed.yaml", defaultName: "fuzz") } catch {
        fatalError("a decoded config prints as text that does not decode: \(error)\n\(printed)")
    }
    precondition(again.yaml() == printed, "printing is not stable:\n\(printed)\n---\n\(again.yaml())")
    try? config.checkLayerShapes()
    return 0
}
