import Foundation

/// Which OpenBLAS kernel family a process should run, from what OpenBLAS detected, the CPU's flags and
/// the environment: a pure function, so every CPU it may meet can be tested on any machine.
///
/// OpenBLAS (DYNAMIC_ARCH) names its kernels from the CPU model; on a CPU it does not recognise (a
/// virtual machine that reports a generic model name, for example) it falls back to a generic family
/// (Prescott: SSE3) even when the CPU has AVX2 or AVX-512, and runs several times slower.
/// `OPENBLAS_CORETYPE` names the family instead, but OpenBLAS reads it before `main`, which is why
/// `BLASKernelSwitch` re-executes the process with it set.
public enum BLASKernelFamily {
    /// The variable OpenBLAS reads at start-up to force a kernel family.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// Earmark's opt-out: `keep` leaves OpenBLAS's own choice, `auto` (or unset) lets Earmark choose.
    public static let choiceVariable = "EARMARK_OPENBLAS_CORETYPE"

    /// OpenBLAS's x86-64 kernel families without AVX2 kernels (lowercased): the generic fallbacks.
    public static let preAVX2Families: Set<String> = [
        "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
        "dunnington", "nehalem", "athlon", "opteron", "opteron(sse3)", "barcelona", "nano", "sandybridge",
        "bobcat", "bulldozer", "piledriver", "steamroller",
    ]

    /// A bad value of `EARMARK_OPENBLAS_CORETYPE`.
    public struct InvalidChoice: Error, CustomStringConvertible {
        public let value: String
        public var description: String {
            "\(BLASKernelFamily.choiceVariable)=\(value): expected keep (OpenBLAS's own kernels) or auto"
        }
    }

    /// The family to set in `OPENBLAS_CORETYPE`, or nil to keep OpenBLAS's choice: nil when the caller
    /// set `OPENBLAS_CORETYPE` (to anything) or `EARMARK_OPENBLAS_CORETYPE=keep`, when `coreName` (what
    /// OpenBLAS detected) is not a pre-AVX2 family, or when the flags allow nothing better.
    /// Throws `InvalidChoice` for any other value of `EARMARK_OPENBLAS_CORETYPE` than keep or auto.
    public static func family(coreName: String, flags: Set<String>, vendor: String,
                              environment: [String: String]) throws -> String? {
        switch environment[choiceVariable] {
        case nil, "", "auto": break
        case "keep": return nil
        case let other?: throw InvalidChoice(value: other)
        }
        if environment[coreTypeVariable] != nil { return nil }     // even empty: OpenBLAS reads it as a name
        guard preAVX2Families.contains(coreName.lowercased()) else { return nil }
        return best(flags: flags, vendor: vendor)
    }

    /// The fastest family `flags` (from /proc/cpuinfo) can run: Cooperlake (AVX-512 with BF16),
    /// SkylakeX (AVX-512 F, BW, VL, DQ, CD), Zen (AMD or Hygon with AVX2 and FMA), Haswell (AVX2 and
    /// FMA), else nil.
    public static func best(flags: Set<String>, vendor: String) -> String? {
        let avx512: Set<String> = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]
        if avx512.isSubset(of: flags) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        guard flags.contains("avx2"), flags.contains("fma") else { return nil }
        return ["AuthenticAMD", "HygonGenuine"].contains(vendor) ? "Zen" : "Haswell"
    }

    /// The vendor (`vendor_id`) and the flags of the first processor listed in `/proc/cpuinfo` text.
    public static func cpu(fromCPUInfo text: String) -> (vendor: String, flags: Set<String>) {
        var vendor = "", flags: Set<String> = []
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces), value = parts[1]
            if key == "vendor_id" && vendor.isEmpty { vendor = value.trimmingCharacters(in: .whitespaces) }
            if key == "flags" && flags.isEmpty { flags = Set(value.split(separator: " ").map(String.init)) }
        }
        return (vendor, flags)
    }
}
