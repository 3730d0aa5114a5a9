import Foundation
import Tensor
import TestSupport
import XCTest

/// Every executable runs the best OpenBLAS kernels its CPU's flags allow when OpenBLAS falls back to a
/// generic family, keeps a caller's `OPENBLAS_CORETYPE`, and names the family in `--version`.
final class OpenBLASKernelTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-kernels")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    /// The test process's environment without the variables that steer the choice, plus `extra`.
    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["OPENBLAS_CORETYPE", "EARMARK_OPENBLAS_CORETYPE", "EARMARK_OPENBLAS_DETECTED"] {
            env[name] = nil
        }
        env["OPENBLAS_NUM_THREADS"] = "1"
        return env.merging(extra) { $1 }
    }

    /// Runs `tool` with exactly `environment`; returns the status, standard output and standard error.
    private func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws
        -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = CLI.products.appendingPathComponent(tool)
        p.arguments = arguments
        p.currentDirectoryURL = root
        p.environment = environment
        let out = root.appendingPathComponent("stdout"), err = root.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, try String(contentsOf: out, encoding: .utf8),
                try String(contentsOf: err, encoding: .utf8))
    }

    /// The `  OpenBLAS kernels: ...` line of a `--version` text, without its prefix.
    private func kernelsLine(_ version: String) -> String? {
        version.split(separator: "\n").first { $0.hasPrefix("  OpenBLAS kernels: ") }
            .map { String($0.dropFirst("  OpenBLAS kernels: ".count)) }
    }

    /// This machine's vendor and flags.
    private var cpu: (vendor: String, flags: Set<String>) {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return BLASKernelFamily.cpu(fromCPUInfo: text)
    }

    /// What OpenBLAS detects by itself on this machine, read from a `--version` with the opt-out.
    private func detectedByOpenBLAS() throws -> String {
        let r = try run("train", ["--version"], environment: environment(["EARMARK_OPENBLAS_CORETYPE": "keep"]))
        XCTAssertEqual(r.status, 0, r.stderr)
        let line = try XCTUnwrap(kernelsLine(r.stdout), r.stdout)
        XCTAssertTrue(line.hasSuffix(" (detected by OpenBLAS)"), line)
        return String(line.prefix { $0 != " " })
    }

    func testEveryExecutableRunsTheBestFamilyTheFlagsAllow() throws {
        let detected = try detectedByOpenBLAS()
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil {
            XCTAssertEqual(detected, BLAS.coreName, "the opt-out keeps what OpenBLAS detects in this process")
        }
        let cpu = self.cpu
        let chosen = try BLASKernelFamily.family(coreName: detected, flags: cpu.flags, vendor: cpu.vendor,
                                                 environment: [:])
        let expected = chosen.map { "\($0) (chosen by Earmark from the CPU flags; OpenBLAS detected \(detected))" }
            ?? "\(detected) (detected by OpenBLAS)"
        for tool in ["train", "predict", "preprocess", "export", "bench"] {
            let r = try run(tool, ["--version"], environment: environment())
            XCTAssertEqual(r.status, 0, "\(tool): \(r.stderr)")
            XCTAssertEqual(kernelsLine(r.stdout), expected, "\(tool): \(r.stdout)")
        }
        if BLASKernelFamily.best(flags: cpu.flags, vendor: cpu.vendor) != nil {
            let line = try XCTUnwrap(kernelsLine(try run("train", ["--version"], environment: environment()).stdout))
            let core = String(line.prefix { $0 != " " })
            XCTAssertFalse(BLASKernelFamily.preAVX2Families.contains(core.lowercased()),
                           "flags \(cpu.flags.sorted()) allow AVX2 kernels, yet \(line)")
        }
    }

    func testTheCallersCoreTypeIsKept() throws {
        let r = try run("train", ["--version"], environment: environment(["OPENBLAS_CORETYPE": "Prescott"]))
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(kernelsLine(r.stdout), "Prescott (OPENBLAS_CORETYPE)", r.stdout)
    }

    func testTheArgumentsSurviveTheSwitch() throws {
        let r = try run("train", ["--list-modes"], environment: environment())
        XCTAssertEqual(r.status, 0, r.stderr)
        let keep = try run("train", ["--list-modes"], environment: environment(["EARMARK_OPENBLAS_CORETYPE": "keep"]))
        XCTAssertEqual(r.stdout, keep.stdout)
        XCTAssertTrue(r.stdout.contains("conv"), r.stdout)
    }

    func testAnUnknownOptOutValueIsOneErrorLine() throws {
        let r = try run("predict", ["--version"], environment: environment(["EARMARK_OPENBLAS_CORETYPE": "fast"]))
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stdout, "")
        XCTAssertEqual(r.stderr,
                       "error: EARMARK_OPENBLAS_CORETYPE=fast: expected keep (OpenBLAS's own kernels) or auto\n")
    }
    /// Whether this CPU re-executes for a family better than Prescott (the test hook's detection).
    private var reexecutes: Bool {
        let cpu = self.cpu
        return BLASKernelFamily.best(flags: cpu.flags, vendor: cpu.vendor) != nil
    }

    /// Started through the dynamic loader, /proc/self/exe is the loader: the command runs with
    /// OpenBLAS's own kernels and one warning (it re-executed the loader, which read Earmark's
    /// arguments as its own: `--version` printed the loader's).
    func testACommandStartedThroughTheLoaderRunsWithAWarning() throws {
        let loader = "/lib64/ld-linux-x86-64.so.2"
        guard reexecutes, FileManager.default.fileExists(atPath: loader) else {
            return print("SKIPPED testACommandStartedThroughTheLoaderRunsWithAWarning: no re-execution or no \(loader)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: loader)
        p.arguments = [CLI.products.appendingPathComponent("train").path, "--version"]
        p.environment = environment([BLASKernelSwitch.pretendVariable: "Prescott"])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        XCTAssertTrue(stdout.hasPrefix("Earmark "), stdout)
        XCTAssertTrue(stderr.hasPrefix("warning: started through the dynamic loader, so it cannot execute itself again: "
                                       + "OpenBLAS's Prescott kernels run, slower than its "), stderr)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
    }
}
