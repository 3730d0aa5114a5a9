import Durable
import Foundation
import TestSupport
import XCTest

/// `AtomicFile`: content, replacement, and no temporary file surviving success or failure.
final class AtomicFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryFolder("earmark-atomic") }

    override func tearDownWithError() throws {
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        try? FileManager.default.removeItem(at: folder)
    }

    /// Names in `folder` other than `expected` (temporary files left behind would show up here).
    private func strayEntries(expected: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !expected.contains($0) }
    }

    func testWritesAndReplacesLeavingNoTemporaryFile() throws {
        let url = folder.appendingPathComponent("report.md")
        try AtomicFile.write(Data("old\n".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old\n")
        try AtomicFile.write(Data("new\n".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "new\n")
        try AtomicFile.write(Data(), to: url)
        XCTAssertEqual(try Data(contentsOf: url).count, 0)
        XCTAssertEqual(try strayEntries(expected: ["report.md"]), [])
    }

    /// A name of up to 255 bytes (NAME_MAX) is written: the temporary name is cut to fit (with 42 bytes
    /// added it was "File name too long" from 214 bytes on), at a character's end, and is still
    /// recognised as a temporary file by the sweep of stale ones.
    func testNamesUpToTheLongestAllowedAreWritten() throws {
        for name in [String(repeating: "x", count: 251) + ".wav", String(repeating: "音", count: 83) + ".wav",
                     String(repeating: "y", count: 213) + ".wav"] {
            XCTAssertLessThanOrEqual(name.utf8.count, 255)
            let url = folder.appendingPathComponent(name)
            try AtomicFile.write(Data("clip".utf8), to: url)
            XCTAssertEqual(try Data(contentsOf: url), Data("clip".utf8), name)
            let temporary = AtomicFile.temporaryName(for: name)
            XCTAssertLessThanOrEqual(temporary.utf8.count, 255, temporary)
            XCTAssertTrue(AtomicFile.isTemporaryName(temporary), temporary)
            let kept = String(temporary.dropFirst().dropLast(".\(UUID().uuidString).tmp".count))
            XCTAssertTrue(name.hasPrefix(kept) && kept.utf8.count >= 213 - 3, "\(kept) of \(name)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { AtomicFile.isTemporaryName($0) }, [])
    }

    func testLargeContentArrivesWhole() throws {
        let url = folder.appendingPathComponent("big.bin")
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try AtomicFile.write(data, to: url)
        XCTAssertEqual(try Data(contentsOf: url), data)
    }

    /// A write that fails half way (the file size limit, which binds root too): error names the file.
    func testWriteFailingMidwayKeepsTheOldFileAndLeavesNoTemporaryFile() throws {
        let url = folder.appendingPathComponent("checkpoint.safetensors")
        try AtomicFile.write(Data("old".utf8), to: url)
        var saved = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved), 0)
        let previousHandler = signal(SIGXFSZ, SIG_IGN)   // the write then fails with EFBIG instead
        var small = saved
        small.rlim_cur = 4096
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        defer {
            _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
            _ = signal(SIGXFSZ, previousHandler)
        }
        XCTAssertThrowsError(try AtomicFile.write(Data(count: 10_000), to: url)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(url.path) && text.contains("File too large"), text)
        }
        _ = setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old")
        XCTAssertEqual(try strayEntries(expected: ["checkpoint.safetensors"]), [])
    }

    /// A failing rename (a folder made at the destination while the file was written): the written
    /// temporary file is removed.
    func testFailingRenameLeavesNoTemporaryFile() throws {
        let url = folder.appendingPathComponent("runs")
        XCTAssertThrowsError(try AtomicFile.write(to: url) { temporary in
            try Data("x".utf8).write(to: temporary)
            try FileManager.default.createDirectory(at: url.appendingPathComponent("tiny"), withIntermediateDirectories: true)
        }) { error in
            XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains("rename"), "\(error)")
        }
        XCTAssertEqual(try strayEntries(expected: ["runs"]), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: url.appendingPathComponent("tiny").path))
    }

    /// A folder or a pipe at the destination is refused before anything is written (a pipe was
    /// replaced by a file).
    func testAFolderOrAPipeAtTheDestinationIsRefused() throws {
        let runs = folder.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: runs.appendingPathComponent("tiny"), withIntermediateDirectories: true)
        let pipe = folder.appendingPathComponent("p.csv")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        for (url, words) in [(runs, "is a folder: only a file is replaced"),
                             (pipe, "is not a regular file (a pipe, socket or device): only a file is replaced")] {
            XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: url)) { error in
                XCTAssertEqual("\(error)", "\(url.path): cannot be written (\(words))")
            }
        }
        var info = stat()
        XCTAssertEqual(lstat(pipe.path, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "still a pipe")
        XCTAssertEqual(try strayEntries(expected: ["runs", "p.csv"]), [])
    }

    /// A link at the destination is replaced, its target left alone (a link in clean/ may lead to a
    /// user's recording: writing through it overwrote the recording); `resolvingLinks` gives the file a
    /// link the user names leads to, made or not. A file keeps its permission bits, but not set-ID ones
    /// (a 0600 file came back 0644; a 6755 file stayed set-ID, now root's).
    func testALinkIsReplacedUnlessResolvedAndTheFileKeepsItsMode() throws {
        let target = folder.appendingPathComponent("real.csv"), link = folder.appendingPathComponent("link.csv")
        try AtomicFile.write(Data("old".utf8), to: target)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.csv")
        try AtomicFile.write(Data("mine".utf8), to: link)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "old", "the link's target is left alone")
        XCTAssertEqual(try String(contentsOf: link, encoding: .utf8), "mine")
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link.path), "a file now")
        // a link the user names: written through
        try FileManager.default.removeItem(at: link)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real.csv")
        XCTAssertEqual(chmod(target.path, 0o600), 0)
        try AtomicFile.write(Data("new".utf8), to: try AtomicFile.resolvingLinks(link))
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "real.csv", "still a link")
        var info = stat()
        XCTAssertEqual(stat(target.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o7777, 0o600)
        XCTAssertEqual(chmod(target.path, 0o6755), 0)
        try AtomicFile.write(Data("again".utf8), to: target)
        XCTAssertEqual(stat(target.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o7777, 0o755, "set-ID bits dropped")
        // a link to a file not made yet, and a chain of links
        let dangling = folder.appendingPathComponent("next.csv"), chain = folder.appendingPathComponent("chain.csv")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "made.csv")
        try FileManager.default.createSymbolicLink(atPath: chain.path, withDestinationPath: "next.csv")
        XCTAssertEqual(try AtomicFile.resolvingLinks(chain).lastPathComponent, "made.csv")
        let loop = folder.appendingPathComponent("loop.csv")
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: "loop.csv")
        XCTAssertThrowsError(try AtomicFile.resolvingLinks(loop)) {
            XCTAssertTrue("\($0)".contains("Too many levels of symbolic links"), "\($0)")
        }
        XCTAssertEqual(try strayEntries(expected: ["real.csv", "link.csv", "next.csv", "chain.csv", "loop.csv"]), [])
    }

    func testFailingProducerLeavesNoTemporaryFileAndOldContent() throws {
        struct Refused: Error {}
        let url = folder.appendingPathComponent("clean.wav")
        try AtomicFile.write(Data("old".utf8), to: url)
        var seen: URL?
        XCTAssertThrowsError(try AtomicFile.write(to: url) { temporary in
            seen = temporary
            try Data("half".utf8).write(to: temporary)
            throw Refused()
        }) { XCTAssertTrue($0 is Refused) }
        XCTAssertEqual(seen?.deletingLastPathComponent().standardizedFileURL, folder.standardizedFileURL)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old")
        XCTAssertEqual(try strayEntries(expected: ["clean.wav"]), [])
    }

    func testProducerThatWritesNothingIsAnErrorNamingTheFile() throws {
        let url = folder.appendingPathComponent("missing.wav")
        XCTAssertThrowsError(try AtomicFile.write(to: url) { _ in }) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
        XCTAssertEqual(try strayEntries(expected: []), [])
    }

    func testCreatesMissingFoldersOnRequest() throws {
        let url = folder.appendingPathComponent("runs/a/b/history.csv")
        XCTAssertThrowsError(try AtomicFile.write(Data("x".utf8), to: url))
        try AtomicFile.write(Data("x".utf8), to: url, createFolders: true)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "x")
    }
}
