import Foundation
import Pipeline
import TestSupport
import XCTest

/// What the clean step records of a source beyond size and time: its identity follows links and
/// moves with renames, and its bytes' hash never blocks on a pipe.
final class SourceIdentityTests: XCTestCase {
    func testIdentityFollowsLinksAndChangesWithARenameOrACopy() throws {
        let folder = try makeTemporaryFolder("earmark-identity")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.wav"), link = folder.appendingPathComponent("link.wav")
        try Data("RIFF....".utf8).write(to: file)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        let identity = try XCTUnwrap(SourceIdentity(of: file))
        XCTAssertEqual(SourceIdentity(of: link), identity, "a link is the file it leads to")
        XCTAssertEqual(SourceIdentity(of: file), identity, "looking does not change it")

        let copy = folder.appendingPathComponent("copy.wav")
        try FileManager.default.copyItem(at: file, to: copy)
        XCTAssertNotEqual(SourceIdentity(of: copy)?.inode, identity.inode)
        XCTAssertEqual(SourceIdentity.contentHash(of: copy), SourceIdentity.contentHash(of: file))
        XCTAssertEqual(SourceIdentity.contentHash(of: link), SourceIdentity.contentHash(of: file))

        let moved = folder.appendingPathComponent("b.wav")
        try FileManager.default.moveItem(at: file, to: moved)
        XCTAssertEqual(SourceIdentity(of: moved)?.inode, identity.inode)
        XCTAssertNil(SourceIdentity(of: file))
        XCTAssertNil(SourceIdentity.contentHash(of: file))
    }

    func testTheHashIsOfTheBytesAndNotOfAPipe() throws {
        let folder = try makeTemporaryFolder("earmark-identity")
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = folder.appendingPathComponent("a"), b = folder.appendingPathComponent("b")
        try Data([1, 2, 3]).write(to: a)
        try Data([1, 2, 4]).write(to: b)
        XCTAssertNotEqual(SourceIdentity.contentHash(of: a), SourceIdentity.contentHash(of: b))
        XCTAssertEqual(SourceIdentity.contentHash(of: a)?.count, 16)
        let pipe = folder.appendingPathComponent("pipe")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        XCTAssertNil(SourceIdentity.contentHash(of: pipe), "a pipe is not read (the read would block)")
        XCTAssertNil(SourceIdentity.contentHash(of: folder), "nor a folder")
    }
}
