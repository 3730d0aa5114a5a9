import Foundation

/// `predict` of one 10 s clip end to end: the built `predict` executable run as a whole process,
///
///     predict --model model.safetensors clip_10s_44k.wav --out predictions.csv
///
/// timed from just before the process is spawned to its exit, after which predictions.csv must
/// exist (start-up, model load, decode, resample, gate, MFCC, the CNN and the CSV all counted).
/// `warmup` untimed runs (to fill the page cache) then `repeats` timed runs; seconds per run.
struct PredictBenchmark {
    let executable: URL
    let audio: BenchAudio
    let warmup: Int
    let repeats: Int

    /// The `predict` executable beside the running `bench` (both built by `swift build -c release`).
    static func sibling() -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("predict")
    }

    func run() throws -> [Double] {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchError("\(executable.path): no predict executable "
                             + "(build it: swift build -c release --product predict)")
        }
        let out = audio.folder.appendingPathComponent("predictions.csv")
        func once() throws -> Double {
            try? FileManager.default.removeItem(at: out)
            let process = Process()
            process.executableURL = executable
            process.arguments = ["--model", audio.model.path, audio.clip10s.path, "--out", out.path]
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            let start = Timing.now()
            try process.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let seconds = Timing.now() - start
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: out.path) else {
                let text = String(decoding: message, as: UTF8.self)
                throw BenchError("predict failed (exit \(process.terminationStatus)): \(text)")
            }
            return seconds
        }
        for _ in 0..<warmup { _ = try once() }
        let times = try (0..<repeats).map { _ in try once() }
        let csv = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        guard csv.count == 2, csv[1].split(separator: ",").count == 12 else {
            throw BenchError("\(out.path): expected a header and one row of 12 fields (fname, 10 classes, y_pred), "
                             + "got \(csv)")
        }
        return times
    }

    /// Process start-up alone: `predict --version` from spawn to exit (the executable and its
    /// libraries loaded, the runtime started, nothing read), `warmup` untimed then `repeats` timed runs.
    func startup() throws -> [Double] {
        func once() throws -> Double {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["--version"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let start = Timing.now()
            try process.run()
            process.waitUntilExit()
            let seconds = Timing.now() - start
            guard process.terminationStatus == 0 else {
                throw BenchError("\(executable.path) --version failed (exit \(process.terminationStatus))")
            }
            return seconds
        }
        for _ in 0..<warmup { _ = try once() }
        return try (0..<repeats).map { _ in try once() }
    }
}
