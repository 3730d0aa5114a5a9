import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// Runs the built executables (train, predict, preprocess) as a user would.
enum CLI {
    /// The folder holding the built products (beside the test bundle).
    static let products: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            url = url.deletingLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("train").path) { return url }
        }
        let root = Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    /// Runs `tool` (a built product, or an absolute path) with `arguments` in `directory`, one BLAS
    /// thread (deterministic sums) unless `environment` sets other variables (OPENBLAS_NUM_THREADS
    /// included); standard input is read from `input` when given.
    static func run(_ tool: String, _ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    input: URL? = nil, whileRunning: ((Process) -> Void)? = nil) throws -> Result {
        let p = Process()
        p.executableURL = tool.hasPrefix("/") ? URL(fileURLWithPath: tool) : products.appendingPathComponent(tool)
        p.arguments = arguments
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env.merge(environment) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        if let input { p.standardInput = try FileHandle(forReadingFrom: input) }
        try p.run()
        let outData = Locked(Data()), errData = Locked(Data())
        let group = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                let d = pipe.fileHandleForReading.readDataToEndOfFile()
                sink.set(d)
                group.leave()
            }
        }
        whileRunning?(p)
        p.waitUntilExit()
        group.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self))
    }
}

final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}

/// A tiny data set: three classes of short tones that differ in pitch and timbre.
enum TinyData {
    static let classes = ["hum", "tone", "whistle"]

    /// Writes cfg/NAME.yaml: root's cfg/tiny.yaml under another name, with `replacing` applied
    /// afterwards (another layer width, or `features:` after the name line): the second config of a
    /// comparison. Returns its path relative to root.
    @discardableResult
    static func writeVariant(in root: URL, named name: String, replacing: [String: String] = [:]) throws -> String {
        var text = try String(contentsOf: root.appendingPathComponent("cfg/tiny.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: tiny", with: "name: \(name)")
        for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
        try text.write(to: root.appendingPathComponent("cfg/\(name).yaml"), atomically: true, encoding: .utf8)
        return "cfg/\(name).yaml"
    }

    /// Writes wavfiles/, audio.csv and cfg/tiny.yaml (a small CNN, 1 epoch) into `root`.
    static func make(in root: URL, filesPerClass: Int = 5, seconds: Double = 0.6, epochs: Int = 1,
                     classCount: Int = 3) throws {
        let wav = root.appendingPathComponent("wavfiles")
        try FileManager.default.createDirectory(at: wav, withIntermediateDirectories: true)
        var csv = "fname,label,note\n"
        let base: [Double] = [110, 440, 1760]
        for (c, label) in classes.prefix(classCount).enumerated() {
            for i in 0..<filesPerClass {
                let f = base[c] * (1 + 0.05 * Double(i))
                let n = Int(seconds * 16000)
                let samples = (0..<n).map { t -> Float in
                    let x = Double(t) / 16000
                    return Float(0.4 * sin(2 * .pi * f * x) + 0.1 * sin(2 * .pi * 2 * f * x)
                                 + 0.01 * sin(Double(t) * 1.7))
                }
                let name = "\(label) \(i).wav"    // a space in the name on purpose
                try WavWriter.write(samples, sampleRate: 16000, to: wav.appendingPathComponent(name))
                csv += "\(name),\(label),\"take \(i), quoted\"\n"
            }
        }
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        try writeConfig(in: root, epochs: epochs)
    }

    static func writeConfig(in root: URL, epochs: Int, extra: String = "") throws {
        let cfg = root.appendingPathComponent("cfg")
        try FileManager.default.createDirectory(at: cfg, withIntermediateDirectories: true)
        try """
        name: tiny
        model:
          input: image
          layers:
            - conv2d: {filters: 4, kernel_size: [3, 3], padding: same, activation: relu}
            - max_pooling2d: {pool_size: [2, 2]}
            - dropout: {rate: 0.25}
            - flatten: {}
            - dense: {units: 8, activation: relu}
            - dense: {units: classes, activation: softmax}
        training:
          epochs: \(epochs)
          batch_size: 16
        split:
          test: 0.2
          validation: 0.2
        \(extra)
        """.write(to: cfg.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
    }
}

/// Every non-empty line of `text` (a `--json` output) parsed as a JSON object.
func jsonLines(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(line)")
    }
}

/// What a model file holds apart from its metadata, for tests that must compare what was trained:
/// the file's bytes also hold the config (and its hash), so two configs give different files even
/// when training ignored the difference.
enum ModelFiles {
    /// Every tensor of the file (weights, and a checkpoint's optimizer slots), by name.
    static func tensors(_ url: URL) throws -> [String: Data] {
        try SafeTensors.read(contentsOf: url).tensors.mapValues(\.bytes)
    }

    /// The fnames the file's split metadata lists as test files (network or forest).
    static func testFiles(_ url: URL) throws -> Set<String> {
        let file = try SafeTensors.read(contentsOf: url)
        let splits = try JSONDecoder().decode([String: String].self, from: Data(XCTUnwrap(file.metadata["splits"]).utf8))
        return Set(splits.filter { $0.value == "test" }.keys)
    }
}
