import Foundation
import TestSupport
import XCTest

/// `bench run --only peak` writes the FMA peak figure the ceiling rows of BENCHMARKS.md are made from,
/// and no other figure.
final class BenchPeakTests: XCTestCase {
    func testThePeakPartWritesOnlyTheFMAPeakFigure() throws {
        let root = try makeTemporaryFolder("earmark-bench-peak")
        defer { try? FileManager.default.removeItem(at: root) }
        let json = root.appendingPathComponent("peak.json")
        let r = try CLI.run("bench", ["run", "--only", "peak", "--json", json.path], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let figures = try XCTUnwrap(doc["figures"] as? [[String: Any]])
        XCTAssertEqual(figures.compactMap { $0["key"] as? String }, ["fma_peak_gflops"])
        let peak = try XCTUnwrap(figures[0]["value"] as? Double)
        XCTAssertEqual(figures[0]["samples"] as? [Double], [peak], "one sample: the best of the timed runs")
        XCTAssertGreaterThan(peak, 0)
        XCTAssertTrue(peak.isFinite)
    }
}
