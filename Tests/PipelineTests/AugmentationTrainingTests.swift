import Audio
import Foundation
import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// Augmentation in training: the on-the-fly features equal the cached ones when nothing changes
/// the audio, soft one-hot targets train exactly as labels, a bad noise folder stops the run, and a
/// run with every augmentation on that is stopped and resumed ends with the uninterrupted weights.
final class AugmentationTrainingTests: XCTestCase {
    var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    final class Silent: TrainingConsole {
        func note(_ text: String) {}
        func epochStart(_ epoch: Int, of epochs: Int) {}
        func step(_ step: Int, of steps: Int, loss: Double, accuracy: Double, secondsPerStep: Double) {}
        func epochEnd(_ record: EpochRecord, steps: Int, improved: Bool) {}
    }

    /// Three classes of tones (4 clips of 0.6 s each) and a noise/ folder with one noise clip.
    func makeData() throws -> DataFolder {
        let root = try makeTemporaryFolder("earmark-augment")
        folders.append(root)
        let data = DataFolder(root: root)
        try FileManager.default.createDirectory(at: data.wavfiles, withIntermediateDirectories: true)
        let noise = root.appendingPathComponent("noise")
        try FileManager.default.createDirectory(at: noise, withIntermediateDirectories: true)
        var rng = RandomGenerator(seed: 5)
        try WavWriter.write((0..<8000).map { _ in 0.1 * rng.nextNormal() }, sampleRate: 8000,
                            to: noise.appendingPathComponent("hiss.wav"))
        try Data("not audio".utf8).write(to: noise.appendingPathComponent("notes.txt"))
        var csv = "fname,label\n"
        for (c, label) in ["hum", "tone", "whistle"].enumerated() {
            for i in 0..<4 {
                let f = 110 * pow(4, Double(c)) * (1 + 0.05 * Double(i))
                let samples = (0..<9600).map { t in Float(0.4 * sin(2 * .pi * f * Double(t) / 16000)) }
                try WavWriter.write(samples, sampleRate: 16000,
                                    to: data.wavfiles.appendingPathComponent("\(label)\(i).wav"))
                csv += "\(label)\(i).wav,\(label)\n"
            }
        }
        try csv.write(to: data.csv, atomically: true, encoding: .utf8)
        return data
    }

    func config(_ features: String, _ augmentation: String, batch: Int = 16) throws -> ExperimentConfig {
        try ExperimentConfig.parse("""
            name: aug
            features: \(features)
            model:
              layers:
                - conv2d: {filters: 4, kernel_size: [3, 3], padding: same, activation: relu}
                - dropout: {rate: 0.25}
                - flatten: {}
                - dense: {units: classes, activation: softmax}
            training: {epochs: 2, batch_size: \(batch)}
            split: {test: 0.2, validation: 0.2}
            augmentation: \(augmentation)

            """, file: "cfg/aug.yaml", defaultName: "aug")
    }

    static let everything = "{gain_db: [-6, 6], time_shift_seconds: 0.02, "
        + "noise: {kind: folder, folder: noise, snr_db: [5, 20], probability: 0.5}, "
        + "spec_augment: {time_masks: 1, time_width: 3, freq_masks: 1, freq_width: 4}, mixup: {alpha: 0.4}}"

    func testAudioPathWithoutChangeEqualsTheCachedFeatures() throws {
        let data = try makeData()
        for features in ["{}", "{kind: logmel, n_mels: 16, n_fft: 256, hop_length: 128, scaling: standard}"] {
            let config = try config(features, "{gain_db: [0, 0]}")
            let prepared = try Preparation.run(config: config, data: data)
            XCTAssertEqual(prepared.trainWindowRefs?.count, prepared.train.count)
            let augmenter = try XCTUnwrap(TrainingAugmenter.make(config: config, prepared: prepared))
            var x = Tensor.empty, labels: [Int32] = []
            let indices = Array(0..<prepared.train.count)[3..<19]
            prepared.train.gather(indices, into: &x, labels: &labels)
            let cached = x
            XCTAssertNil(augmenter.augment(&x, labels: &labels, indices: indices, epoch: 1, step: 2))
            XCTAssertEqual(x.data, cached.data, "features from audio at 0 dB equal the cache's (\(features))")
        }
    }

    /// A test augmentation that turns the labels into one-hot soft targets and changes nothing else.
    final class OneHot: BatchAugmentation {
        func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, epoch: Int,
                     step: Int) -> Tensor? {
            var t = Tensor(shape: [labels.count, 3])
            for (n, y) in labels.enumerated() { t.data[n * 3 + Int(y)] = 1 }
            return t
        }
    }

    func testOneHotSoftTargetsTrainExactlyAsLabelsOnOneAndTwoReplicas() throws {
        var rng = RandomGenerator(seed: 11)
        let labels = (0..<40).map { Int32($0 % 3) }
        let x = Tensor(shape: [40, 4], data: (0..<160).map { i in Float(i % 4 == Int(labels[i / 4]) ? 1 : 0)
            + 0.3 * rng.nextNormal() })
        let set = WindowSet(x: x, labels: labels, files: labels)
        for replicas in [1, 2] {
            func trained(_ augmentation: BatchAugmentation?) throws -> [[Float]] {
                let models = try (0..<replicas).map { _ in
                    try Sequential(inputShape: [4], layers: [Dense(units: 6, activation: .relu), Dropout(rate: 0.2),
                                                             Dense(units: 3, activation: .softmax)], seed: 1)
                }
                let trainer = Trainer(engine: TrainingEngine(replicas: models), optimizer: Adam(learningRate: 0.01),
                                      loss: SoftmaxCrossEntropy(classWeights: [1, 2, 0.5]), batchSize: 16, seed: 2)
                trainer.augmentation = augmentation
                _ = try trainer.run(train: set, validation: set, epochs: 2, events: TrainingEvents())
                return trainer.model.parameters.map(\.value.data)
            }
            XCTAssertTrue(try trained(OneHot()) == trained(nil), "\(replicas) replicas")
        }
    }

    /// Trains `config` on a fresh data folder, stopping after `stopAfter` steps and resuming when given.
    func trainedWeights(_ config: ExperimentConfig, stopAfter: Int?) throws -> [[Float]] {
        let data = try makeData()
        let prepared = try Preparation.run(config: config, data: data)
        let run = TrainingRun(config: config, data: data, prepared: prepared)
        if let stopAfter {
            var steps = 0
            let first = try run.run(resume: false, console: Silent()) { steps += 1; return steps == stopAfter }
            XCTAssertEqual(first.outcome, .interrupted)
        }
        XCTAssertEqual(try run.run(resume: stopAfter != nil, console: Silent()) { false }.outcome, .finished)
        return try TrainedModel.load(from: data.checkpoint(config.name)).model.network.parameters.map(\.value.data)
    }

    func testResumeIsBitExactWithEveryAugmentationOn() throws {
        let threads = ProcessInfo.processInfo.environment["EARMARK_THREADS"]
        defer { if let threads { setenv("EARMARK_THREADS", threads, 1) } else { unsetenv("EARMARK_THREADS") } }
        setenv("EARMARK_THREADS", "2", 1)
        // window input: 5 steps of 16 per epoch on 2 replicas; clip input: 2 steps of 4 clips
        let clip = "{kind: logmel, n_mels: 16, n_fft: 256, hop_length: 128, input: clip, clip_seconds: 0.4}"
        let features = [("{}", 16), (clip, 4)]
        for (f, batch) in features {
            let config = try config(f, Self.everything, batch: batch)
            let whole = try trainedWeights(config, stopAfter: nil)
            XCTAssertTrue(try trainedWeights(config, stopAfter: 3) == whole, "interrupted + resumed differs (\(f))")
            let plain = try ExperimentConfig.parse(config.yaml().components(separatedBy: "augmentation:")[0],
                                                   file: "cfg/aug.yaml", defaultName: "aug")
            XCTAssertNil(plain.augmentation)
            XCTAssertFalse(try trainedWeights(plain, stopAfter: nil) == whole, "augmentation changes training (\(f))")
        }
    }

    func testANoiseFolderThatIsMissingOrHoldsNoAudioStopsTheRun() throws {
        let data = try makeData()
        for (folder, problem) in [("nowhere", "no such folder"), ("wavfiles/../noise/notes.txt", "is a file")] {
            let config = try config("{}", "{noise: {kind: folder, folder: \(folder)}}")
            XCTAssertThrowsError(try Preparation.run(config: config, data: data)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains("cfg/aug.yaml: augmentation.noise.folder") && text.contains(problem), text)
            }
        }
        let empty = data.root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: empty.appendingPathComponent("readme.txt"))
        let config = try config("{}", "{noise: {kind: folder, folder: \(empty.path)}}")
        XCTAssertThrowsError(try Preparation.run(config: config, data: data)) { error in
            XCTAssertTrue("\(error)".contains("\(empty.path): holds no usable audio"), "\(error)")
            XCTAssertTrue("\(error)".contains("readme.txt ("), "the reason of each file: \(error)")
        }
    }

    /// Links are followed (a folder given as a link, a link to a clip: both were skipped, the second
    /// without a word), and the files left out are counted in one warning with their reasons.
    func testTheNoiseFolderFollowsLinksAndSaysWhatItLeavesOut() throws {
        let data = try makeData()
        let noise = data.root.appendingPathComponent("noise")
        let linked = data.root.appendingPathComponent("linked")
        try FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("hiss.wav"),
                                                   withDestinationURL: noise.appendingPathComponent("hiss.wav"))
        let viaLink = try NoiseBank.load(folder: linked, rate: 16000, file: "cfg/aug.yaml")
        XCTAssertEqual(viaLink.clips.count, 1)
        let folderLink = data.root.appendingPathComponent("noise-link")
        try FileManager.default.createSymbolicLink(at: folderLink, withDestinationURL: noise)
        let throughFolderLink = try NoiseBank.load(folder: folderLink, rate: 16000, file: "cfg/aug.yaml")
        XCTAssertEqual(throughFolderLink.clips, viaLink.clips)
        // a linked subfolder is walked (its clips were never seen), a link to nothing is named
        let nested = data.root.appendingPathComponent("nested")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: nested.appendingPathComponent("sub"), withDestinationURL: linked)
        try FileManager.default.createSymbolicLink(at: nested.appendingPathComponent("gone.wav"),
                                                   withDestinationURL: data.root.appendingPathComponent("nowhere.wav"))
        try FileManager.default.createSymbolicLink(at: nested.appendingPathComponent("loop"), withDestinationURL: nested)
        let walked = try NoiseBank.load(folder: nested, rate: 16000, file: "cfg/aug.yaml")
        XCTAssertEqual(walked.clips, viaLink.clips)
        XCTAssertEqual(walked.leftOut, ["gone.wav (a link that leads to no file)"])
        let prepared = try Preparation.run(config: try config("{}", "{noise: {kind: folder, folder: noise}}"), data: data)
        let warnings = prepared.warnings.map(\.description).filter { $0.contains("noise entr") }
        XCTAssertEqual(warnings.count, 1, "\(prepared.warnings)")
        XCTAssertTrue(warnings.first?.contains("1 noise entry left out: notes.txt (") == true, "\(warnings)")
    }
    /// The clips and their order depend on the folder's contents, not on the order the file system lists
    /// them: names are sorted before each folder is walked, so a subfolder reachable through a link
    /// takes the first name (`alink` before `sub`) on every disk (on tmpfs, listed in creation order, two
    /// copies gave two fingerprints and two models). A name that is not UTF-8 is left out and said; the
    /// valid name it reads as is one clip (that clip was mixed in twice, the other never).
    func testTheNoiseFolderIsWalkedInNameOrderAndNamesNotUTF8AreLeftOut() throws {
        let data = try makeData()
        let hiss = data.root.appendingPathComponent("noise/hiss.wav")
        let folder = data.root.appendingPathComponent("ordered")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("alink"),
                                                   withDestinationURL: folder.appendingPathComponent("sub"))
        try FileManager.default.copyItem(at: hiss, to: folder.appendingPathComponent("sub/x.wav"))
        try FileManager.default.copyItem(at: hiss, to: folder.appendingPathComponent("b.wav"))
        var leftOut: [String] = []
        XCTAssertEqual(NoiseBank.files(in: folder, leftOut: &leftOut).map { $0.path.dropFirst(folder.path.count) },
                       ["/alink/x.wav", "/b.wav"])
        XCTAssertEqual(leftOut, [])
        // "f\u{FFFD}.wav" (valid UTF-8) beside "f\xFE.wav" (not): the first is a clip, once; the second is said
        try FileManager.default.copyItem(at: hiss, to: folder.appendingPathComponent("f\u{FFFD}.wav"))
        let bytes = Array(folder.appendingPathComponent("f").path.utf8) + [0xFE] + Array(".wav".utf8) + [0]
        let fd = bytes.map { CChar(bitPattern: $0) }.withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT, 0o600) }
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        leftOut = []
        XCTAssertEqual(NoiseBank.files(in: folder, leftOut: &leftOut).map { $0.path.dropFirst(folder.path.count) },
                       ["/alink/x.wav", "/b.wav", "/f\u{FFFD}.wav"])
        XCTAssertEqual(leftOut, ["f\u{FFFD}.wav (its name is not UTF-8: it cannot be opened by it)"])
        // "café" composed and decomposed are two names, two clips (String equality took them for one)
        let accents = data.root.appendingPathComponent("accents")
        try FileManager.default.createDirectory(at: accents, withIntermediateDirectories: true)
        for name in ["caf\u{E9}.wav", "cafe\u{301}.wav"] {
            try FileManager.default.copyItem(at: hiss, to: accents.appendingPathComponent(name))
        }
        leftOut = []
        XCTAssertEqual(NoiseBank.files(in: accents, leftOut: &leftOut).map { Array($0.lastPathComponent.utf8) },
                       [Array("cafe\u{301}.wav".utf8), Array("caf\u{E9}.wav".utf8)], "both, in byte order")
        XCTAssertEqual(leftOut, [])
    }
}
