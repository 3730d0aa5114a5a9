import Audio
import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// A config trains to the same weights, bit for bit, whatever ran before it in the process:
/// `train compare` (configs trained one after another) gives each config the weights `train` of
/// that config alone gives, with the same seed and replica count.
final class ReproducibilityTests: XCTestCase {
    /// A small CNN with dropout, trained first (its DataParallel sets process-wide BLAS state).
    static let conv = """
        name: small_conv
        model:
          input: image
          layers:
            - conv2d: {filters: 4, kernel_size: [3, 3], padding: same, activation: relu}
            - max_pooling2d: {pool_size: [2, 2]}
            - dropout: {rate: 0.25}
            - flatten: {}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 2, batch_size: 16}
        split: {test: 0.2, validation: 0.2}
        """

    /// An LSTM with dropout, like cfg/time.yaml; 160 units: a recurrent kernel (160, 640) whose
    /// orthogonal initialisation (QR in OpenBLAS) rounds differently with 1 and 2 BLAS threads.
    static let lstm = """
        name: small_lstm
        model:
          input: sequence
          layers:
            - lstm: {units: 160, return_sequences: true}
            - dropout: {rate: 0.5}
            - time_distributed: {dense: {units: 8, activation: relu}}
            - flatten: {}
            - dense: {units: classes, activation: softmax}
        training: {epochs: 2, batch_size: 16}
        split: {test: 0.2, validation: 0.2}
        """

    var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    /// A fresh data folder with three classes of short tones (4 clips each).
    func makeData() throws -> DataFolder {
        let root = try makeTemporaryFolder("earmark-repro")
        folders.append(root)
        let data = DataFolder(root: root)
        try FileManager.default.createDirectory(at: data.wavfiles, withIntermediateDirectories: true)
        var csv = "fname,label\n"
        for (c, label) in ["hum", "tone", "whistle"].enumerated() {
            for i in 0..<4 {
                let f = 110 * pow(4, Double(c)) * (1 + 0.05 * Double(i))
                let samples = (0..<9600).map { t -> Float in
                    let x = Double(t) / 16000
                    return Float(0.4 * sin(2 * .pi * f * x) + 0.1 * sin(2 * .pi * 2 * f * x)
                                 + 0.01 * sin(Double(t) * 1.7))
                }
                let url = data.wavfiles.appendingPathComponent("\(label)\(i).wav")
                try WavWriter.write(samples, sampleRate: 16000, to: url)
                csv += "\(label)\(i).wav,\(label)\n"
            }
        }
        try csv.write(to: data.csv, atomically: true, encoding: .utf8)
        return data
    }

    func config(_ text: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(text, file: "test", defaultName: "test")
    }

    /// Every parameter of the best model saved for `name` in `data`, in layer order.
    func weights(_ name: String, in data: DataFolder) throws -> [[Float]] {
        try TrainedModel.load(from: data.model(name)).model.network.parameters.map(\.value.data)
    }

    func testCompareGivesEachConfigTheWeightsOfTrainingItAlone() throws {
        // a fresh process on two cores: OpenBLAS's default of 2 threads, two replicas per batch
        let threads = BLAS.threads, replicas = ProcessInfo.processInfo.environment["EARMARK_THREADS"]
        defer {
            BLAS.threads = threads
            if let replicas { setenv("EARMARK_THREADS", replicas, 1) } else { unsetenv("EARMARK_THREADS") }
        }
        BLAS.threads = 2
        setenv("EARMARK_THREADS", "2", 1)
        let (conv, lstm) = (try config(Self.conv), try config(Self.lstm))

        let alone = try makeData()
        _ = try Workflow.train(config: lstm, data: alone, resume: false)
        let expected = try weights("small_lstm", in: alone)

        let compared = try makeData()
        try Workflow.compare(configs: [conv, lstm], data: compared)
        XCTAssertTrue(try weights("small_lstm", in: compared) == expected,
                      "the LSTM config trained after another config differs from the same config trained alone")

        let again = try makeData()
        _ = try Workflow.train(config: lstm, data: again, resume: false)
        XCTAssertTrue(try weights("small_lstm", in: again) == expected,
                      "the same config trained twice in one process gives different weights")

        let convAlone = try makeData()
        _ = try Workflow.train(config: conv, data: convAlone, resume: false)
        XCTAssertTrue(try weights("small_conv", in: convAlone) == (try weights("small_conv", in: compared)),
                      "the first config of the comparison differs from the same config trained alone")
    }
}
