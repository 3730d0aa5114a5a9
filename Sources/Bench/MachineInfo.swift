import Foundation
import Tensor

/// What the figures depend on: the processor, the cores, the BLAS kernels and threads, the
/// environment variables that steer OpenBLAS.
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
        info["blas_threads"] = String(BLAS.threads)
        let env = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"] {
            info[name] = env[name] ?? "(unset)"
        }
        return info
    }

}
