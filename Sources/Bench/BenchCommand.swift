import ArgumentParser
import Foundation
import Pipeline
import Tensor

/// `swift run -c release bench`: Earmark's figures (issue 5) as a table and a JSON file.
@main
struct Bench: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        StandardStreams.guardAtStart()      // before parsing: --help and --version print too
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Earmark: reference CNN/RNN training and inference, sgemm limit, peak memory, MFCC, "
            + "cleaning, predict end to end.",
        version: EarmarkVersion.text,
        subcommands: [RunAll.self, MemoryProbe.self, ForestBench.self, StreamBench.self, MachineCommand.self,
                      DatasetCommand.self, ConvLayerProbe.self],
        defaultSubcommand: RunAll.self)
}

/// Where the windows come from and how the process computes (shared by the run and the probe).
struct CommonOptions: ParsableArguments {
    @Option(help: "Safetensors file with X (M, 9, 13[, 1]) and y (Earmark's feature cache); default: random windows.")
    var windows: String?
    @Option(help: "Random windows to draw when --windows is not given (or the most to read from it).")
    var windowCount = 2048
    @Option(help: "Seed of the random windows.")
    var seed: UInt64 = 5
    @Option(help: "Batch size.")
    var batchSize = 32
    @Option(help: "OpenBLAS threads (default: OpenBLAS's own choice).")
    var threads: Int?
    @Option(help: "Data-parallel replicas, one thread and one BLAS thread each (1: one model, OpenBLAS's threads).")
    var replicas = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Leave subnormal floats enabled (no FTZ/DAZ), to measure what flushing gives.")
    var noFtz = false

    /// Applies the thread and float settings, then reads or draws the windows.
    func prepare() throws -> BenchWindows {
        if !noFtz { FloatEnvironment.flushDenormalsToZero() }
        if let threads { BLAS.threads = threads }
        if let windows { return try BenchWindows.load(windows, limit: windowCount) }
        return BenchWindows.random(count: windowCount, classes: 10, seed: seed)
    }

    /// The same options as arguments, for the memory probe's child process.
    var arguments: [String] {
        var a = ["--window-count", String(windowCount), "--seed", String(seed), "--batch-size", String(batchSize)]
        if let windows { a += ["--windows", windows] }
        if let threads { a += ["--threads", String(threads)] }
        a += ["--replicas", String(replicas)]
        if noFtz { a.append("--no-ftz") }
        return a
    }
}

struct RunAll: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the benchmarks (the default).")

    @OptionGroup var common: CommonOptions
    @Option(help: "Write the figures as JSON to this file.")
    var json: String?
    @Option(help: "Also write the windows used to this safetensors file (X, y), for the peers to read.")
    var writeWindows: String?
    @Option(help: "Comma-separated parts to run: \(Part.allCases.map(\.rawValue).joined(separator: ",")).")
    var only: String = Part.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Untimed passes before the timed ones.")
    var warmup = 1
    @Option(help: "Timed passes; the figure is their median.")
    var repeats = 5
    @Flag(help: "Print every product's sgemm GFLOP/s.")
    var products = false
    @Option(help: ArgumentHelp("Folder for the audio parts' files (WAVs, model file; the peers read them). "
                               + "Default: a new temporary folder."))
    var audioDir: String?
    @Option(help: "The predict executable to time (default: the one beside bench).")
    var predict: String?

    func validate() throws {
        guard common.windowCount >= common.batchSize, common.batchSize > 0 else {
            throw ValidationError("--window-count must be at least --batch-size (> 0)")
        }
        guard common.replicas > 0, common.batchSize % common.replicas == 0 else {
            throw ValidationError("--replicas must be positive and divide --batch-size")
        }
        guard repeats > 0, warmup >= 0 else {
            throw ValidationError("--repeats must be positive, --warmup not negative")
        }
        for name in only.split(separator: ",") where Part(rawValue: String(name)) == nil {
            let parts = Part.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown part '\(name)' in --only; parts: \(parts)")
        }
    }

    func run() throws {
        let windows = try common.prepare()
        if let writeWindows { try windows.write(to: writeWindows) }
        let parts = Set(only.split(separator: ",").compactMap { Part(rawValue: String($0)) })
        var report = Report()
        report.machine = MachineInfo.collect()
        report.settings = ["batch_size": String(common.batchSize), "windows": windows.source,
                           "window_count": String(windows.count), "classes": String(windows.classes),
                           "ftz_daz": common.noFtz ? "off" : "on", "warmup_passes": String(warmup),
                           "timed_passes": String(repeats),
                           "parallelism": common.replicas > 1
                               ? "data-parallel: \(common.replicas) replicas x 1 BLAS thread (TrainingEngine.step)"
                               : "one model, OpenBLAS \(BLAS.threads) threads (TrainingEngine.step)"]
        print("Earmark bench: \(windows.count) windows from \(windows.source), batch \(common.batchSize), "
              + "BLAS \(BLAS.coreName), \(report.settings["parallelism"]!), FTZ/DAZ \(common.noFtz ? "off" : "on")")
        let folder = audioDir.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("earmark-bench-audio-\(getpid())",
                                                                             isDirectory: true)
        let audio = BenchAudio(folder: folder)
        if parts.contains(where: \.usesAudio) {
            try audio.write(seed: common.seed)
            report.settings["audio_folder"] = folder.path
        }
        let context = PartContext(windows: windows, batchSize: common.batchSize, warmup: warmup,
                                  repeats: repeats, replicas: common.replicas, flushDenormals: !common.noFtz,
                                  commonArguments: common.arguments, audio: audio,
                                  predictExecutable: predict.map { URL(fileURLWithPath: $0) }
                                      ?? PredictBenchmark.sibling())
        for part in Part.allCases where parts.contains(part) {
            try part.run(context, into: &report)
        }
        print(report.table())
        if products {
            for p in report.products {
                print(String(format: "  %@ %@ (%d x %d x %d%@%@) x%d: %.1f GFLOP/s", p.model, p.label, p.m, p.n, p.k,
                             p.transA ? " A^T" : "", p.transB ? " B^T" : "", p.count, p.gflops))
            }
        }
        if let json { try report.write(to: json) }
    }
}

/// The child process of the memory figure: trains, then prints its peak resident MiB.
struct MemoryProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "memory-probe", shouldDisplay: false)

    @OptionGroup var common: CommonOptions
    @Option var network: String = "cnn"
    @Option var passes = 1

    func run() throws {
        let windows = try common.prepare()
        guard let net = ReferenceNetwork(rawValue: network) else { throw ValidationError("unknown network \(network)") }
        print(String(format: "%.1f", try PeakMemory.trainAndReport(network: net, windows: windows,
                                                                 batchSize: common.batchSize, replicas: common.replicas,
                                                                 flushDenormals: !common.noFtz, passes: passes)))
    }
}
