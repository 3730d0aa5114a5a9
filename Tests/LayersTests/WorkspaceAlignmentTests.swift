import XCTest
@testable import Layers

/// The shared workspace hands out cache-line-aligned buffers, before and after it grows.
final class WorkspaceAlignmentTests: XCTestCase {
    func testBuffersStartOnA64ByteBoundary() {
        let workspace = Workspace()
        for count in [5, 1_000, 162_816, 850_944] {
            workspace.withBuffer(count: count) { p in
                XCTAssertEqual(Int(bitPattern: p) % 64, 0, "\(count) floats at \(p)")
            }
            XCTAssertGreaterThanOrEqual(workspace.capacity, count)
        }
    }
}
