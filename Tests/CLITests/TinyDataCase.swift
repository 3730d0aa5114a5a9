import Foundation
import TestSupport
import XCTest

/// A test case on a fresh copy of `TinyData` in its own temporary folder (`root`), removed after
/// each test; `exists` and `read` take paths relative to it. Subclasses that need more (a trained
/// model) override `setUpWithError` and call it first.
class TinyDataCase: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = try makeTemporaryFolder("earmark-\(String(describing: type(of: self)))")
        try TinyData.make(in: root)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }
}
