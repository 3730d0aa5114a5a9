import CSupport
import Foundation
import Tensor
import XCTest

/// CSupport's CPU-specific functions (the LSTM cell, exp / sigmoid / tanh, the FMA peak probe) run the
/// version this CPU's features allow (CPUVariants.h): AVX-512 where /proc/cpuinfo lists avx512f,
/// AVX2 with FMA where it lists both, the baseline otherwise. The earlier `target_clones` with an
/// `arch=haswell` clone picked by CPU model ran the baseline on AMD's Zen 3, which has AVX2 and FMA.
final class CPUVariantTests: XCTestCase {
    func testTheVersionChosenMatchesTheCPUFlags() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = BLASKernelFamily.cpu(fromCPUInfo: text).flags
        XCTAssertFalse(flags.isEmpty, "no flags line in /proc/cpuinfo")
        let expected = flags.contains("avx512f") ? EARMARK_VARIANT_AVX512
            : flags.contains("avx2") && flags.contains("fma") ? EARMARK_VARIANT_AVX2_FMA : EARMARK_VARIANT_BASELINE
        XCTAssertEqual(Int(earmark_cpu_variant_chosen()), expected, "flags: \(flags.filter { $0.hasPrefix("avx") || $0 == "fma" }.sorted())")
    }
}
