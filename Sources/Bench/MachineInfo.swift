import Foundation
import Tensor

/// What the figures depend on: the processor, the cores, the BLAS kernels, version and threads, the
/// environment variables that steer OpenBLAS. `cpu` (the /proc/cpuinfo model name) and `blas_core`
/// (`openblas_get_corename`) together name the machine entry of benchmarks/results.json.
enum MachineInfo {
    static func collect() -> [String: String] {
        var info: [String: String] = [:]
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            info["cpu"] = name.trimmingCharacters(in: .whitespaces)
        }
        info["cores"] = String(ProcessInfo.processInfo.activeProcessorCount)
        info["blas_core"] = BLAS.coreName
        info["blas_config"] = BLAS.configuration
        info["openblas_version"] = openBLASVersion(BLAS.configuration)
        info["blas_threads"] = String(BLAS.threads)
        let env = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"] {
            info[name] = env[name] ?? "(unset)"
        }
        return info
    }

    /// The version in OpenBLAS's configuration string (`OpenBLAS 0.3.21 DYNAMIC_ARCH ...` -> `0.3.21`).
    static func openBLASVersion(_ configuration: String) -> String {
        let words = configuration.split(separator: " ")
        guard words.count >= 2, words[0] == "OpenBLAS" else { return "unknown" }
        return String(words[1])
    }
}
