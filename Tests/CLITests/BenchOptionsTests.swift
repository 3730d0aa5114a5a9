import Foundation
import TestSupport
import XCTest

/// `bench dataset` and `bench conv-layer` refuse values no run can use with a usage error (64), before
/// any work: an infinite, huge or tiny length, a huge count or rate trapped on an overflow (132),
/// aborted allocating (134), or wrote 400 files of no samples (0).
final class BenchOptionsTests: XCTestCase {
    func testOutOfRangeValuesAreUsageErrors() throws {
        let root = try makeTemporaryFolder("earmark-bench-options")
        defer { try? FileManager.default.removeItem(at: root) }
        let cases: [([String], String)] = [
            (["dataset", "--out", "d", "--seconds", "inf"], "--seconds must be a finite number up to 3600, got inf"),
            (["dataset", "--out", "d", "--seconds", "1e400"], "--seconds must be a finite number up to 3600"),
            (["dataset", "--out", "d", "--seconds", "1e-300"], "--seconds 1e-300 at --rate 44100 gives no sample"),
            (["dataset", "--out", "d", "--clips", "9223372036854775807"], "--clips must be 3...100000"),
            (["dataset", "--out", "d", "--rate", "4000000000"], "--rate must be 8000...384000 Hz"),
            (["dataset", "--out", "d", "--seconds", "3000"], "--clips x --seconds x --rate is 52920000000.0 samples: at most 1e9 are written in one go"),
            (["conv-layer", "--channels", "9223372036854775807"], "--channels must be 1...65536"),
            (["conv-layer", "--batch", "9223372036854775807"], "--batch must be 1...4096"),
            (["conv-layer", "--iterations", "0"], "--iterations must be 1...1000000"),
        ]
        for (arguments, message) in cases {
            let r = try CLI.run("bench", arguments, in: root)
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.output)")
            XCTAssertTrue(r.stderr.contains("Error: \(message)"), "\(arguments): \(r.stderr)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("d").path))
        let small = try CLI.run("bench", ["dataset", "--out", "d", "--clips", "3", "--rate", "8000", "--seconds", "0.5"],
                                in: root)
        XCTAssertEqual(small.status, 0, small.output)
        let table = try String(contentsOf: root.appendingPathComponent("d/audio.csv"), encoding: .utf8)
        XCTAssertEqual(table.split(separator: "\n").count, 4, table)
    }
}
