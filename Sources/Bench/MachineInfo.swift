import Foundation
import Tensor

/// What the figures depend on: the processor, the cores, the BLAS kernels, version and threads, the
/// environment variables that steer OpenBLAS. `cpu` (the /proc/cpuinfo model name), `cpu_family` and
/// `cpu_model_number` (its family and model numbers: a hypervisor may give several generations one
/// name, as "AMD EPYC" for Zen 3, 4 and 5) and `blas_core` (`openblas_get_corename`) together name the
/// machine entry of benchmarks/results.json.
enum MachineInfo {
    static func collect() -> [String: String] {
        var info: [String: String] = [:]
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let fields = firstProcessorFields(cpuinfo)
            info["cpu"] = fields["model name"]
            info["cpu_family"] = fields["cpu family"]
            info["cpu_model_number"] = fields["model"]
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

    /// The `key : value` lines of the first processor in /proc/cpuinfo (up to the first blank line).
    static func firstProcessorFields(_ cpuinfo: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { if !fields.isEmpty { break } else { continue } }
            let parts = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            if fields[key] == nil { fields[key] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    /// The version in OpenBLAS's configuration string (`OpenBLAS 0.3.21 DYNAMIC_ARCH ...` -> `0.3.21`).
    static func openBLASVersion(_ configuration: String) -> String {
        let words = configuration.split(separator: " ")
        guard words.count >= 2, words[0] == "OpenBLAS" else { return "unknown" }
        return String(words[1])
    }
}
