import Audio
import Foundation
import Pipeline
import Tensor

/// The audio files and the model file the audio benchmarks use, written by `bench` into one folder
/// so that the Python peers read exactly the same inputs (benchmarks/peers/features_peers.py,
/// keras_predict.py):
///
///     mfcc_16k.wav      60 s, 16 kHz, 32-bit float: tones in noise (the MFCC windows are cut from it)
///     raw_44k.wav       30 s, 44.1 kHz, 16-bit PCM: tone bursts in noise with quiet gaps (cleaning)
///     raw_16k.wav       the same recipe at 16 kHz, 16-bit PCM (cleaning without resampling)
///     clip_10s_44k.wav  10 s, 44.1 kHz, 16-bit PCM (the clip `predict` classifies)
///     model.safetensors the reference CNN, 10 classes, random weights (seed 5), min/max of docs/WORKFLOW.md §3.8
struct BenchAudio {
    let folder: URL

    static let mfccRate = 16000
    var mfccSignal: URL { folder.appendingPathComponent("mfcc_16k.wav") }
    var raw44k: URL { folder.appendingPathComponent("raw_44k.wav") }
    var raw16k: URL { folder.appendingPathComponent("raw_16k.wav") }
    var clip10s: URL { folder.appendingPathComponent("clip_10s_44k.wav") }
    var model: URL { folder.appendingPathComponent("model.safetensors") }

    /// Writes every file (seeded: the same bytes on every run).
    func write(seed: UInt64) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try WavWriter.write(Self.tonesInNoise(seconds: 60, rate: Self.mfccRate, seed: seed), sampleRate: Self.mfccRate,
                            to: mfccSignal)
        for (url, rate, seconds) in [(raw44k, 44100, 30), (raw16k, 16000, 30), (clip10s, 44100, 10)] {
            try WavWriter.write(interleaved: Self.bursts(seconds: seconds, rate: rate, seed: seed), channels: 1,
                                sampleRate: rate, format: .wavPCM16, to: url)
        }
        try Self.referenceModel(seed: seed).save(to: model)
    }

    /// 0.3 sin(2 pi 440 t) + 0.2 sin(2 pi 1234 t) + 0.05 N(0, 1), t = n / rate.
    static func tonesInNoise(seconds: Int, rate: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<(seconds * rate)).map { n in
            let t = Double(n) / Double(rate)
            return Float(0.3 * sin(2 * .pi * 440 * t) + 0.2 * sin(2 * .pi * 1234 * t)) + 0.05 * rng.nextNormal()
        }
    }

    /// A recording-like signal: each second, 0.7 s of a harmonic tone (random pitch 100-1000 Hz,
    /// random level) over a faint noise floor, then 0.3 s of near-silence (|y| ~ 1e-4) that the
    /// envelope gate removes.
    static func bursts(seconds: Int, rate: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed &+ 1)
        var y = [Float](repeating: 0, count: seconds * rate)
        for s in 0..<seconds {
            let pitch = 100 + 900 * rng.nextUniformDouble(), level = 0.1 + 0.4 * rng.nextUniformDouble()
            for i in 0..<rate {
                let t = Double(i) / Double(rate)
                let loud = i < rate * 7 / 10
                let tone = loud ? level * (sin(2 * .pi * pitch * t) + 0.5 * sin(4 * .pi * pitch * t)) / 1.5 : 0
                y[s * rate + i] = Float(tone) + (loud ? 0.01 : 0.0001) * rng.nextNormal()
            }
        }
        return y
    }

    /// The reference CNN (cfg/conv.yaml) for 10 classes with seeded random weights, as `predict` loads it.
    static func referenceModel(seed: UInt64) throws -> TrainedModel {
        let config = try ExperimentConfig.parse(convYAML, file: "bench (cfg/conv.yaml)", defaultName: "conv")
        let network = try config.makeModel(classes: 10, seed: seed)
        return TrainedModel(config: config, classes: (0..<10).map { "class\($0)" },
                            scaling: .minMax(min: -33.52896065139544, max: 50.704666213450295),
                            splits: [:], network: network)
    }

    /// cfg/conv.yaml's content (the reference CNN), so that `bench` runs from any folder.
    static let convYAML = """
        name: conv
        features: {kind: mfcc, rate: 16000, window_seconds: 0.1, nfilt: 26, numcep: 13, nfft: 512}
        model:
          input: image
          layers:
            - conv2d: {filters: 16, kernel_size: [3, 3], strides: [1, 1], padding: same, activation: relu}
            - conv2d: {filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: same, activation: relu}
            - conv2d: {filters: 64, kernel_size: [3, 3], strides: [1, 1], padding: same, activation: relu}
            - conv2d: {filters: 128, kernel_size: [3, 3], strides: [1, 1], padding: same, activation: relu}
            - max_pooling2d: {pool_size: [2, 2]}
            - dropout: {rate: 0.5}
            - flatten: {}
            - dense: {units: 128, activation: relu}
            - dense: {units: 64, activation: relu}
            - dense: {units: classes, activation: softmax}
        """
}
