import Durable
import Foundation
import TestSupport
import XCTest

/// `ReadFailure.reason`: what a path that could not be read is, in words a user can act on.
final class ReadFailureTests: XCTestCase {
    struct SomeError: Error, LocalizedError { var errorDescription: String? { "the read's own text" } }

    func testEachKindOfPathIsNamed() throws {
        let folder = try makeTemporaryFolder("earmark-read-failure")
        defer { try? FileManager.default.removeItem(at: folder) }
        func reason(_ url: URL) -> String { ReadFailure.reason(for: url, error: SomeError()) }

        XCTAssertEqual(reason(folder.appendingPathComponent("missing.csv")), "does not exist")
        XCTAssertEqual(reason(folder.appendingPathComponent("missing/below.csv")), "does not exist")
        XCTAssertEqual(reason(folder), "is a folder, not a file")
        XCTAssertEqual(reason(URL(fileURLWithPath: "/dev/null")), "is not a regular file (a character device)")
        let fifo = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(fifo.path, 0o600), 0)
        XCTAssertEqual(reason(fifo), "is not a regular file (a pipe)")
        // a readable regular file: the failure was something else, and its own text is kept
        let file = folder.appendingPathComponent("file.csv")
        try Data("a,b\n".utf8).write(to: file)
        XCTAssertEqual(reason(file), "cannot be read (the read's own text)")
        // a file under a regular file is not there
        XCTAssertEqual(reason(file.appendingPathComponent("x")), "does not exist")
    }
}
