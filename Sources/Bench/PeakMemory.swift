import Foundation
import Glibc
import Layers
import Pipeline
import Tensor

/// Peak resident memory of training, measured in a fresh process so that nothing else the
/// benchmark did (other models, sgemm operands) is counted.
enum PeakMemory {
    /// This process's peak resident set size so far, in MiB (getrusage ru_maxrss, KiB on Linux).
    static func selfPeakMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Runs this executable again as `bench memory-probe ARGS` and reads the MiB it prints last.
    static func probe(arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["memory-probe"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let last = text.split(separator: "\n").last,
              let mib = Double(last.trimmingCharacters(in: .whitespaces)) else {
            throw BenchError("memory probe failed (exit \(process.terminationStatus)): \(text)")
        }
        return mib
    }

    /// The child's work: load the windows, build the network, train `passes` passes, report the peak.
    static func trainAndReport(network: ReferenceNetwork, windows: BenchWindows, batchSize: Int, replicas: Int,
                               flushDenormals: Bool, passes: Int) throws -> Double {
        let bench = ModelBenchmark(network: network, windows: windows, batchSize: batchSize, warmup: 0, repeats: passes,
                                   replicas: replicas, flushDenormals: flushDenormals)
        _ = try bench.runTraining()
        return selfPeakMiB()
    }
}

/// A failure of the benchmark itself, printed as one line.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
