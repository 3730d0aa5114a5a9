import Foundation
import TestSupport
import XCTest

/// `bench machine` names the machine a results.json entry belongs to: the CPU by its /proc/cpuinfo model
/// name *and* its family and model numbers (a hypervisor may give several generations one name, as these
/// VMs call Zen 3, Zen 4 and Zen 5 "AMD EPYC"), and the OpenBLAS kernels.
final class BenchMachineTests: XCTestCase {
    func testTheMachineIsNamedByCPUNameFamilyAndModelNumbers() throws {
        let root = try makeTemporaryFolder("earmark-bench-machine")
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try CLI.run("bench", ["machine"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let machine = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: String],
                                    r.output)
        let first = try firstProcessor()
        XCTAssertEqual(machine["cpu"], first["model name"])
        XCTAssertEqual(machine["cpu_family"], first["cpu family"])
        XCTAssertEqual(machine["cpu_model_number"], first["model"])
        XCTAssertNotNil(Int(try XCTUnwrap(machine["cpu_family"])), "a number, as /proc/cpuinfo gives it")
        XCTAssertNotNil(Int(try XCTUnwrap(machine["cpu_model_number"])))
        XCTAssertFalse(try XCTUnwrap(machine["blas_core"]).isEmpty)
    }

    /// The fields of the first processor in /proc/cpuinfo, read here independently of Earmark's reader.
    private func firstProcessor() throws -> [String: String] {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let block = try XCTUnwrap(text.components(separatedBy: "\n\n").first)
        var fields: [String: String] = [:]
        for line in block.components(separatedBy: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespacesAndNewlines)
            fields[key] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return fields
    }
}
