import Foundation
import TestSupport
import XCTest

/// The benchmark scripts' selection logic (benchmarks/test_bench_scripts.py, Python's unittest): results
/// are kept per CPU model and OpenBLAS kernel, `make bench-check` never compares across them and says so
/// when this machine has no entry, the sgemm percentages use the median limit, and the hand-written
/// notes of BENCHMARKS.md agree with the generated tables.
final class BenchScriptsTests: XCTestCase {
    func testBenchmarkScriptUnitTestsPass() throws {
        let root = Fixtures.folder.deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("benchmarks/test_bench_scripts.py").path]
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("OK"), text)
        XCTAssertFalse(text.contains("skipped"), text)
    }
}
