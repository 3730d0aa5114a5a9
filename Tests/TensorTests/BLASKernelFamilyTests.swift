import Tensor
import XCTest

/// The choice of OpenBLAS kernel family from what OpenBLAS detected, the CPU flags and the environment.
final class BLASKernelFamilyTests: XCTestCase {
    /// Flags of an Intel Sapphire Rapids class CPU (AVX-512 with BF16), as /proc/cpuinfo lists them.
    let sapphire: Set<String> = ["sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq",
                                 "avx512cd", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16"]
    /// Flags of an Intel Skylake-SP / Cascade Lake CPU: AVX-512 without BF16.
    let cascade: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512cd", "avx512bw",
                                "avx512vl", "avx512_vnni"]
    /// Flags of an AVX2 CPU (Intel Haswell to Alder Lake, or AMD Zen 1-3).
    let avx2: Set<String> = ["sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma", "bmi2"]
    /// Flags of a CPU without AVX2.
    let sse: Set<String> = ["sse", "sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "avx"]

    private func family(_ core: String, _ flags: Set<String>, vendor: String = "GenuineIntel",
                        _ environment: [String: String] = [:]) throws -> String? {
        try BLASKernelFamily.family(coreName: core, flags: flags, vendor: vendor, environment: environment)
    }

    func testIntelAVX512OnAGenericFallbackGetsTheAVX512Kernels() throws {
        XCTAssertEqual(try family("Prescott", sapphire), "Cooperlake")
        XCTAssertEqual(try family("Prescott", cascade), "SkylakeX")
        XCTAssertEqual(try family("Nehalem", cascade), "SkylakeX")
        XCTAssertEqual(try family("Sandybridge", cascade), "SkylakeX")
        XCTAssertEqual(try family("PRESCOTT", sapphire), "Cooperlake")
        XCTAssertEqual(try family("Prescott", sapphire.subtracting(["avx512dq"])), "Haswell")
    }

    func testAVX2OnlyGetsHaswellAndAMDGetsZen() throws {
        XCTAssertEqual(try family("Prescott", avx2), "Haswell")
        XCTAssertEqual(try family("Core2", avx2), "Haswell")
        XCTAssertEqual(try family("Prescott", avx2, vendor: "AuthenticAMD"), "Zen")
        XCTAssertEqual(try family("Barcelona", avx2, vendor: "HygonGenuine"), "Zen")
        XCTAssertNil(try family("Prescott", avx2.subtracting(["fma"])))
        // An AMD CPU with AVX-512 (Zen 4) runs the AVX-512 kernels.
        XCTAssertEqual(try family("Prescott", cascade, vendor: "AuthenticAMD"), "SkylakeX")
    }

    func testACPUWithoutAVX2KeepsOpenBLASChoice() throws {
        XCTAssertNil(try family("Prescott", sse))
        XCTAssertNil(try family("Sandybridge", sse))
        XCTAssertNil(try family("Prescott", []))
    }

    func testAFamilyOpenBLASRecognisedIsKept() throws {
        XCTAssertNil(try family("SkylakeX", sapphire))
        XCTAssertNil(try family("Haswell", sapphire))
        XCTAssertNil(try family("Zen", avx2, vendor: "AuthenticAMD"))
        XCTAssertNil(try family("Cooperlake", sapphire))
    }

    func testAnExplicitCoreTypeIsRespected() throws {
        XCTAssertNil(try family("Prescott", sapphire, ["OPENBLAS_CORETYPE": "Prescott"]))
        XCTAssertNil(try family("Prescott", sapphire, ["OPENBLAS_CORETYPE": ""]))
        XCTAssertNil(try family("Prescott", avx2,
                                ["OPENBLAS_CORETYPE": "Haswell", "EARMARK_OPENBLAS_CORETYPE": "auto"]))
    }

    func testTheOptOutKeepsOpenBLASChoiceAndAutoChooses() throws {
        XCTAssertNil(try family("Prescott", sapphire, ["EARMARK_OPENBLAS_CORETYPE": "keep"]))
        XCTAssertEqual(try family("Prescott", sapphire, ["EARMARK_OPENBLAS_CORETYPE": "auto"]), "Cooperlake")
        XCTAssertEqual(try family("Prescott", sapphire, ["EARMARK_OPENBLAS_CORETYPE": ""]), "Cooperlake")
    }

    func testAnUnknownOptOutValueIsAnError() {
        XCTAssertThrowsError(try family("Prescott", sapphire, ["EARMARK_OPENBLAS_CORETYPE": "SkylakeX"])) { error in
            XCTAssertEqual("\(error)",
                           "EARMARK_OPENBLAS_CORETYPE=SkylakeX: expected keep (OpenBLAS's own kernels) or auto")
        }
    }

    func testCPUInfoGivesTheFirstProcessorsVendorAndFlags() {
        let text = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            model name\t: Intel(R) Xeon(R) Processor
            flags\t\t: fpu sse3 avx2 fma avx512f

            processor\t: 1
            vendor_id\t: AuthenticAMD
            flags\t\t: fpu

            """
        let cpu = BLASKernelFamily.cpu(fromCPUInfo: text)
        XCTAssertEqual(cpu.vendor, "GenuineIntel")
        XCTAssertEqual(cpu.flags, ["fpu", "sse3", "avx2", "fma", "avx512f"])
        XCTAssertEqual(BLASKernelFamily.cpu(fromCPUInfo: "").flags, [])
    }

    /// `--version` says where the kernels came from, and does not credit OPENBLAS_CORETYPE with a
    /// family OpenBLAS did not take from it (`garbage`, or an empty value: it detects its own).
    func testTheVersionLineNamesWhoChoseTheKernels() {
        let variable = BLASKernelFamily.coreTypeVariable
        XCTAssertEqual(BLASKernelSwitch.describe(core: "Zen", environment: [:]), "Zen (detected by OpenBLAS)")
        XCTAssertEqual(BLASKernelSwitch.describe(core: "Haswell", environment: [variable: "haswell"]),
                       "Haswell (OPENBLAS_CORETYPE)")
        XCTAssertEqual(BLASKernelSwitch.describe(core: "Cooperlake", environment: [variable: "garbage"]),
                       "Cooperlake (detected by OpenBLAS, which did not take OPENBLAS_CORETYPE=garbage)")
        let chosen = [variable: "Cooperlake", BLASKernelSwitch.detectedVariable: "Prescott"]
        XCTAssertEqual(BLASKernelSwitch.describe(core: "Cooperlake", environment: chosen),
                       "Cooperlake (chosen by Earmark from the CPU flags; OpenBLAS detected Prescott)")
    }
}
