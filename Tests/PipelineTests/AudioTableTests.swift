import Foundation
import Pipeline
import TestSupport
import XCTest

/// audio.csv parsing: the RFC 4180 dialect, and every error naming its line.
final class AudioTableTests: XCTestCase {
    func table(_ text: String) throws -> AudioTable {
        try AudioTable(data: Data(text.utf8), file: "audio.csv")
    }

    /// Asserts that parsing `text` fails with a one-line message naming `line` and containing `words`.
    func assertError(_ text: String, line: Int?, _ words: String..., file: StaticString = #filePath, at: UInt = #line) {
        XCTAssertThrowsError(try table(text), file: file, line: at) { error in
            guard let e = error as? DataError else { return XCTFail("not a DataError: \(error)", file: file, line: at) }
            XCTAssertEqual(e.line, line, "\(e)", file: file, line: at)
            let message = e.description
            XCTAssertFalse(message.contains("\n") || message.contains("\r"), message, file: file, line: at)
            let prefix = line.map { "audio.csv, line \($0): " } ?? "audio.csv: "
            XCTAssertTrue(message.hasPrefix(prefix), message, file: file, line: at)
            XCTAssertTrue(message.contains("Hint: "), message, file: file, line: at)
            for word in words { XCTAssertTrue(message.contains(word), "'\(word)' not in: \(message)", file: file, line: at) }
        }
    }

    func testPlainTable() throws {
        let t = try table("fname,label\nb.wav,dog\na.wav,cat\nc.wav,dog\n")
        XCTAssertEqual(t.columns, ["fname", "label"])
        XCTAssertEqual(t.rows.map(\.fname), ["b.wav", "a.wav", "c.wav"])
        XCTAssertEqual(t.rows.map(\.label), ["dog", "cat", "dog"])
        XCTAssertEqual(t.rows.map(\.line), [2, 3, 4])
        XCTAssertEqual(t.classes, ["cat", "dog"])
        XCTAssertEqual(t.rows[0].fields, ["b.wav", "dog"])
    }

    func testQuotedFieldsExtraColumnsAndColumnOrder() throws {
        let text = "id,label,fname,note\n"
            + "1,cat,\"a, b.wav\",\"said \"\"meow\"\"\"\n"
            + "2,dog,c.wav,\"two\nlines\"\n"
            + "3,\"dog\",d.wav,\n"
        let t = try table(text)
        XCTAssertEqual(t.columns, ["id", "label", "fname", "note"])
        XCTAssertEqual(t.fnameColumn, 2)
        XCTAssertEqual(t.labelColumn, 1)
        XCTAssertEqual(t.rows[0].fname, "a, b.wav")
        XCTAssertEqual(t.rows[0].fields, ["1", "cat", "a, b.wav", "said \"meow\""])
        XCTAssertEqual(t.rows[1].fields[3], "two\nlines")
        XCTAssertEqual(t.rows.map(\.line), [2, 3, 5])   // the quoted line break moves row 3 to line 5
        XCTAssertEqual(t.rows[2].fields, ["3", "dog", "d.wav", ""])
    }

    func testBOMAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("fname,label\r\na.wav,cat\r\n\r\nb.wav,dog\r\n".utf8)
        let t = try AudioTable(data: Data(bytes), file: "audio.csv")
        XCTAssertEqual(t.columns, ["fname", "label"])   // no BOM glued to the first name
        XCTAssertEqual(t.rows.map(\.fname), ["a.wav", "b.wav"])
        XCTAssertEqual(t.rows.map(\.label), ["cat", "dog"])   // no trailing \r
        XCTAssertEqual(t.rows.map(\.line), [2, 4])      // the blank line 3 is skipped but counted
    }

    func testLoneCRLineEndsNoFinalNewlineAndSpaces() throws {
        let t = try table("\n fname , label \ra.wav , cat\r  b.wav,dog")
        XCTAssertEqual(t.columns, ["fname", "label"])
        XCTAssertEqual(t.rows.map(\.fname), ["a.wav", "b.wav"])
        XCTAssertEqual(t.rows.map(\.label), ["cat", "dog"])
        XCTAssertEqual(t.rows.map(\.line), [3, 4])
        XCTAssertEqual(t.rows[0].fields, ["a.wav", "cat"])   // trimmed in fields too
    }

    func testCSVRecordRoundTrips() throws {
        let fields = ["plain", "with, comma", "with \"quotes\"", "two\nlines", " padded ", ""]
        let text = AudioTable.csvRecord(["fname", "label", "a", "b", "c", "d"]) + "\n"
            + AudioTable.csvRecord(["x.wav", "cat"] + fields.prefix(4)) + "\n"
        let t = try table(text)
        XCTAssertEqual(Array(t.rows[0].fields[2...]), Array(fields.prefix(4)))
        XCTAssertEqual(AudioTable.csvRecord(["a", "b,c", "\"", " x", ""]), "a,\"b,c\",\"\"\"\",\" x\",")
    }

    // MARK: errors, each naming its line

    func testEmptyFileAndMissingHeaderColumns() {
        assertError("", line: nil, "is empty")
        assertError("\n\n", line: nil, "is empty")
        assertError("file,label\na.wav,cat\n", line: 1, "no 'fname' column", "'file'")
        assertError("\nfname,class\na.wav,cat\n", line: 2, "no 'label' column")
        assertError("Fname,label\na.wav,cat\n", line: 1, "case-sensitive", "'Fname'")
        assertError("fname,label,fname\na.wav,cat,b\n", line: 1, "'fname' appears twice")
        assertError("fname,label\n\n", line: 1, "no rows")
        // a CSV without a header: its first row is taken as the header and lacks the columns
        assertError("a.wav,cat\nb.wav,dog\n", line: 1, "no 'fname' column")
    }

    func testEmptyFnameAndLabel() {
        assertError("fname,label\na.wav,cat\n,dog\n", line: 3, "empty fname")
        assertError("fname,label\na.wav,cat\n\nb.wav,  \n", line: 4, "empty label", "'b.wav'")
        assertError("fname,label\n\"\",cat\n", line: 2, "empty fname")
    }

    func testDuplicateFnameNamesBothLines() {
        assertError("fname,label\na.wav,cat\nb.wav,dog\na.wav,dog\n", line: 4, "duplicate fname 'a.wav'", "line 2")
    }

    func testWrongNumberOfFields() {
        assertError("fname,label\na.wav,cat\nb.wav,dog,extra\n", line: 3, "3 fields", "header has 2")
        assertError("fname,label,note\na.wav,cat\n", line: 2, "2 fields", "header has 3")
        assertError("fname,label\r\na.wav,cat\r\nb, c.wav,dog\r\n", line: 3, "3 fields", "double quotes")
    }

    func testQuoteErrors() {
        assertError("fname,label\na.wav,cat\nb.wav,\"dog\nc.wav,cat\n", line: 3, "never closed")
        assertError("fname,label\n\"a.wav\"x,cat\n", line: 2, "after the closing quote")
        // a quote inside an unquoted field is text
        XCTAssertEqual(try table("fname,label\na\"b.wav,cat\n").rows[0].fname, "a\"b.wav")
    }

    func testEncodingAndPathErrors() {
        XCTAssertThrowsError(try AudioTable(data: Data([0xFF, 0xFE, 0x66, 0x00]), file: "audio.csv")) {
            XCTAssertTrue("\($0)".contains("UTF-16"), "\($0)")
        }
        let latin1 = Data(Array("fname,label\na.wav,caf".utf8) + [0xE9] + Array("\n".utf8))
        XCTAssertThrowsError(try AudioTable(data: latin1, file: "audio.csv")) {
            XCTAssertEqual(($0 as? DataError)?.line, 2)
            XCTAssertTrue("\($0)".contains("UTF-8"), "\($0)")
        }
        assertError("fname,label\n../secret.wav,cat\n", line: 2, "outside the wavfiles folder")
        assertError("fname,label\n/etc/passwd,cat\n", line: 2, "outside the wavfiles folder")
        XCTAssertEqual(try table("fname,label\nsub/a.wav,cat\n").rows[0].fname, "sub/a.wav")
    }

    func testMissingCSVFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-earmark/audio.csv")
        XCTAssertThrowsError(try AudioTable(contentsOf: url)) {
            XCTAssertTrue("\($0)".hasPrefix("/nonexistent-earmark/audio.csv: cannot be read"), "\($0)")
        }
    }

    // MARK: files on disk

    func testCheckFilesSkipsMissingRowsWithWarnings() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = folder.appendingPathComponent("wavfiles")
        try FileManager.default.createDirectory(at: wav.appendingPathComponent("d.wav"), withIntermediateDirectories: true)
        for name in ["a.wav", "b.wav"] { try Data([1, 2, 3]).write(to: wav.appendingPathComponent(name)) }
        let csv = folder.appendingPathComponent("audio.csv")
        try Data("fname,label\na.wav,cat\nc.wav,cat\nb.wav,dog\nd.wav,dog\n".utf8).write(to: csv)
        let t = try AudioTable(contentsOf: csv)
        let check = try t.checkFiles(in: wav)
        XCTAssertEqual(check.usable.map(\.fname), ["a.wav", "b.wav"])
        XCTAssertEqual(check.warnings.map(\.line), [3, 5])   // c.wav is missing, d.wav is a folder
        XCTAssertTrue(check.warnings[0].description.hasPrefix("warning: \(csv.path), line 3: file '"), "\(check.warnings[0])")
        XCTAssertTrue(check.warnings[0].description.contains("c.wav' not found; row skipped"), "\(check.warnings[0])")

        // a class left without any file is an error naming the class and the lines
        try Data("fname,label\na.wav,cat\nx.wav,owl\ny.wav,owl\n".utf8).write(to: csv)
        XCTAssertThrowsError(try AudioTable(contentsOf: csv).checkFiles(in: wav)) {
            XCTAssertTrue("\($0)".contains("class 'owl' has no usable file"), "\($0)")
            XCTAssertTrue("\($0)".contains("lines 3, 4"), "\($0)")
        }
        XCTAssertThrowsError(try t.checkFiles(in: folder.appendingPathComponent("nowhere"))) {
            XCTAssertTrue("\($0)".contains("nowhere: folder not found"), "\($0)")
        }
    }
}
