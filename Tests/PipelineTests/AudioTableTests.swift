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
            for word in words {
                XCTAssertTrue(message.contains(word), "'\(word)' not in: \(message)", file: file, line: at)
            }
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

    /// Found by the CSV fuzz target (its input is in Tests/Fuzz/csv/crash-combining-quote): a combining
    /// mark after a quote or a comma forms one Swift Character with it, so a writer comparing Characters
    /// neither doubled that quote nor quoted the comma, and the record did not read back.
    func testCSVRecordQuotesQuotesAndCommasFollowedByCombiningMarks() throws {
        XCTAssertEqual(AudioTable.csvRecord(["a\"\u{30E}b", "c,\u{301}d"]),
                       "\"a\"\"\u{30E}b\",\"c,\u{301}d\"")
        let found = Data([0xEF, 0xBB, 0xBF] + Array("gr,fname,label\r,a\"\"\"\u{30E}\"\",y\n".utf8))
        let parsed = try AudioTable(data: found, file: "fuzz.csv")
        let text = ([parsed.columns] + parsed.rows.map(\.fields)).map { AudioTable.csvRecord($0) + "\n" }.joined()
        let again = try AudioTable(data: Data(text.utf8), file: "again.csv")
        XCTAssertEqual(again.rows.map(\.fields), parsed.rows.map(\.fields))
        XCTAssertEqual(parsed.rows.first?.fname, "a\"\"\"\u{30E}\"\"")   // unquoted: quotes kept as written
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

    // MARK: rows that cannot be used: skipped, one warning naming the line each

    /// Asserts that `t` skipped exactly the rows on `lines`, each with a one-line warning
    /// `warning: audio.csv, line N: ...; row skipped` containing the matching words.
    func assertSkipped(_ t: AudioTable, lines: [Int], _ words: [[String]], file: StaticString = #filePath,
                       at: UInt = #line) {
        XCTAssertEqual(t.skipped.map(\.line), lines, file: file, line: at)
        XCTAssertEqual(t.warnings.map(\.line), lines, file: file, line: at)
        for (warning, expected) in zip(t.warnings, words) {
            let text = warning.description
            XCTAssertTrue(text.hasPrefix("warning: audio.csv, line \(warning.line!): "), text, file: file, line: at)
            XCTAssertTrue(text.hasSuffix("; row skipped"), text, file: file, line: at)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: at)
            for word in expected {
                XCTAssertTrue(text.contains(word), "'\(word)' not in: \(text)", file: file, line: at)
            }
        }
    }

    func testEmptyFnameAndLabelAreSkippedWithTheirLine() throws {
        let t = try table("fname,label\na.wav,cat\n,dog\n\nb.wav,  \n\"\",cat\nc.wav,dog\n")
        XCTAssertEqual(t.rows.map(\.fname), ["a.wav", "c.wav"])
        XCTAssertEqual(t.rows.map(\.line), [2, 7])
        assertSkipped(t, lines: [3, 5, 6], [["empty fname", "label 'dog'"], ["empty label for 'b.wav'"],
                                            ["empty fname", "'cat'"]])
        XCTAssertEqual(t.classes, ["cat", "dog"])
    }

    func testARepeatedFnameKeepsTheFirstRowAndNamesBothLines() throws {
        let t = try table("fname,label\na.wav,cat\nb.wav,dog\na.wav,cat\na.wav,dog\n")
        XCTAssertEqual(t.rows.map(\.line), [2, 3])
        XCTAssertEqual(t.rows.map(\.label), ["cat", "dog"])
        assertSkipped(t, lines: [4, 5], [["'a.wav' is listed again", "first on line 2"],
                                          ["'a.wav' is listed again", "first on line 2", "label 'cat', not 'dog'"]])
        XCTAssertEqual(t.warnings[0].description,
                       "warning: audio.csv, line 4: fname 'a.wav' is listed again (first on line 2, which is kept); "
                       + "row skipped")
        // the same file under another spelling is the same file (it went into training and test)
        let v = try table("fname,label\nsub/a.wav,cat\n./sub/a.wav,dog\nsub//a.wav,cat\nsub/./a.wav,cat\n")
        XCTAssertEqual(v.rows.map(\.line), [2])
        assertSkipped(v, lines: [3, 4, 5], [["'./sub/a.wav' is listed again", "first on line 2", "label 'cat', not 'dog'"],
                                            ["'sub//a.wav' is listed again"], ["'sub/./a.wav' is listed again"]])
        // two files cleaned into one clean file (zz and zz.wav: clean/zz.wav) would train one clip under
        // the other's label: the second row is skipped, naming both
        let w = try table("fname,label\nzz,cat\nzz.wav,dog\nb.flac,cat\nb.flac.wav,dog\n")
        XCTAssertEqual(w.rows.map(\.fname), ["zz", "b.flac"])
        assertSkipped(w, lines: [3, 5], [["fname 'zz.wav' would be cleaned into the same file as 'zz' (line 2"],
                                         ["'b.flac.wav' would be cleaned into the same file as 'b.flac' (line 4"]])
        // a row skipped for an empty label does not claim its file name
        let u = try table("fname,label\na.wav,\na.wav,cat\n")
        XCTAssertEqual(u.rows.map(\.line), [3])
        assertSkipped(u, lines: [2], [["empty label"]])
    }

    /// Labels that differ only in case are named (they are separate classes, silently).
    func testClassesDifferingOnlyInCaseAreFound() throws {
        let t = try table("fname,label\na.wav,Dog\nb.wav,dog\nc.wav,cat\nd.wav,CAT\ne.wav,owl\nf.wav,DOG\n")
        XCTAssertEqual(t.classesDifferingOnlyInCase, [["CAT", "cat"], ["DOG", "Dog", "dog"]])
        XCTAssertEqual(try table("fname,label\na.wav,dog\nb.wav,cat\n").classesDifferingOnlyInCase, [])
    }

    func testPathsOutsideTheWavfilesFolderAreSkipped() throws {
        let t = try table("fname,label\n../secret.wav,cat\n/etc/passwd,cat\nsub/a.wav,cat\nsub/../../b.wav,cat\n")
        XCTAssertEqual(t.rows.map(\.fname), ["sub/a.wav"])
        assertSkipped(t, lines: [2, 3, 5], [["'../secret.wav' contains '..'"],
                                            ["'/etc/passwd' is an absolute path"], ["'sub/../../b.wav' contains '..'"]])
        // a label with a control character is not a class name (it broke reports and confusion.svg)
        let c = try table("fname,label\na.wav,\"lo\u{1}w\"\nb.wav,\"two\nlines\"\nc.wav,\"tab\tbed\"\nd.wav,ok\n")
        XCTAssertEqual(c.rows.map(\.fname), ["d.wav"])
        XCTAssertEqual(c.classes, ["ok"], "a skipped row's label with a control character is no class")
        assertSkipped(c, lines: [2, 3, 5], Array(repeating: ["holds a control character"], count: 3))
        // a NUL cannot be in a file name (it was shown as %00, a name found nowhere)
        let nul = try table("fname,label\na\u{0}b.wav,cat\nd.wav,ok\n")
        XCTAssertEqual(nul.rows.map(\.fname), ["d.wav"])
        assertSkipped(nul, lines: [2], [["fname 'a\\0b.wav' holds a NUL character, which no file name can"]])
        // an fname ending in '/' names a folder (it made clean/a.wav/ a folder holding '.wav')
        let f = try table("fname,label\na.wav/,cat\nb.wav,cat\n")
        XCTAssertEqual(f.rows.map(\.fname), ["b.wav"])
        assertSkipped(f, lines: [2], [["fname 'a.wav/' ends with '/': it names a folder, not a file"]])
    }

    func testATableWithoutAnyUsableRowIsAnError() {
        assertError("fname,label\na.wav,\n,cat\n", line: nil, "no usable row", "all 2 rows are skipped", "lines 2, 3",
                    "line 2: empty label for 'a.wav'")
        assertError("fname,label\na.wav,\n", line: nil,
                    "no usable row: its only row is skipped (line 2: empty label for 'a.wav')")
        XCTAssertThrowsError(try table("fname,label\na.wav,\n")) {
            // the error carries the warnings so the executables print every row's reason before it
            XCTAssertEqual(($0 as? DataError)?.warnings.map(\.line), [2])
        }
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

    func testEncodingErrors() {
        XCTAssertThrowsError(try AudioTable(data: Data([0xFF, 0xFE, 0x66, 0x00]), file: "audio.csv")) {
            XCTAssertTrue("\($0)".contains("UTF-16"), "\($0)")
        }
        let latin1 = Data(Array("fname,label\na.wav,caf".utf8) + [0xE9] + Array("\n".utf8))
        XCTAssertThrowsError(try AudioTable(data: latin1, file: "audio.csv")) {
            XCTAssertEqual(($0 as? DataError)?.line, 2)
            XCTAssertTrue("\($0)".contains("UTF-8"), "\($0)")
        }
    }

    func testMissingCSVFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-earmark/audio.csv")
        XCTAssertThrowsError(try AudioTable(contentsOf: url)) {
            XCTAssertEqual("\($0)", "/nonexistent-earmark/audio.csv: does not exist. Hint: give a CSV with a header "
                           + "line `fname,label` and one row per audio file")
        }
    }

    // MARK: files on disk

    /// A new temporary data folder with wavfiles/ holding `subfolders` (made first) and `files`
    /// (a few bytes each: only their presence matters here).
    private func dataFolder(files: [String], subfolders: [String]) throws -> (root: URL, wavfiles: URL) {
        let folder = try makeTemporaryFolder()
        let wav = folder.appendingPathComponent("wavfiles")
        for sub in subfolders {
            try FileManager.default.createDirectory(at: wav.appendingPathComponent(sub),
                                                    withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: wav, withIntermediateDirectories: true)
        for name in files { try Data([1, 2, 3]).write(to: wav.appendingPathComponent(name)) }
        return (folder, wav)
    }

    func testCheckFilesSkipsMissingRowsWithWarnings() throws {
        let (folder, wav) = try dataFolder(files: ["a.wav", "b.wav"], subfolders: ["d.wav"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("audio.csv")
        try Data("fname,label\na.wav,cat\nc.wav,cat\nb.wav,dog\nd.wav,dog\n".utf8).write(to: csv)
        let t = try AudioTable(contentsOf: csv)
        let check = try t.checkFiles(in: wav)
        XCTAssertEqual(check.usable.map(\.fname), ["a.wav", "b.wav"])
        XCTAssertEqual(check.warnings.map(\.line), [3, 5])   // c.wav is missing, d.wav is a folder
        XCTAssertEqual(check.unlisted, [])
        XCTAssertTrue(check.warnings[0].description.hasPrefix("warning: \(csv.path), line 3: file '"),
                      "\(check.warnings[0])")
        XCTAssertTrue(check.warnings[0].description.contains("c.wav' not found; row skipped"), "\(check.warnings[0])")
        XCTAssertTrue(check.warnings[1].description.hasSuffix("d.wav' is a folder, not an audio file; row skipped"),
                      "\(check.warnings[1])")

        // a class left without any file is an error naming the class and the lines
        try Data("fname,label\na.wav,cat\nx.wav,owl\ny.wav,owl\n".utf8).write(to: csv)
        XCTAssertThrowsError(try AudioTable(contentsOf: csv).checkFiles(in: wav)) {
            XCTAssertTrue("\($0)".contains("class 'owl' has no usable file"), "\($0)")
            XCTAssertTrue("\($0)".contains("lines 3, 4"), "\($0)")
            XCTAssertEqual(($0 as? DataError)?.warnings.compactMap(\.line), [3, 4])
        }
        // a class whose rows were all skipped by the table (listed twice, no fname): an error naming
        // the class and lines, carrying every warning
        try Data("fname,label\na.wav,cat\nb.wav,dog\na.wav,owl\n,owl\n".utf8).write(to: csv)
        XCTAssertThrowsError(try AudioTable(contentsOf: csv).checkFiles(in: wav)) {
            XCTAssertTrue("\($0)".contains("class 'owl' has no usable file: all its 2 rows (lines 4, 5) are skipped"),
                          "\($0)")
            XCTAssertEqual(($0 as? DataError)?.warnings.map(\.line), [4, 5])
        }
        XCTAssertThrowsError(try t.checkFiles(in: folder.appendingPathComponent("nowhere"))) {
            XCTAssertTrue("\($0)".contains("nowhere: folder not found"), "\($0)")
        }
    }

    func testFilesNoRowListsAreNamedInOneWarning() throws {
        let (folder, wav) = try dataFolder(files: ["a.wav", "b.wav", "notes.txt", ".DS_Store", "sub/c.wav", "sub/x.wav",
                                                   "y.wav", "z.wav"], subfolders: ["sub"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("audio.csv")
        try Data("fname,label\na.wav,cat\nsub/c.wav,dog\nb.wav,\n".utf8).write(to: csv)
        let check = try AudioTable(contentsOf: csv).checkFiles(in: wav)
        XCTAssertEqual(check.usable.map(\.fname), ["a.wav", "sub/c.wav"])
        // b.wav is listed (on a skipped row), .DS_Store is hidden
        XCTAssertEqual(check.unlisted, ["notes.txt", "sub/x.wav", "y.wav", "z.wav"])
        XCTAssertEqual(check.warnings.count, 1)
        XCTAssertEqual(check.warnings[0].description,
                       "warning: \(wav.path): 4 files not listed in audio.csv ignored: "
                       + "'notes.txt', 'sub/x.wav', 'y.wav', ...")
    }

    /// A file whose name is not UTF-8 cannot be listed in audio.csv (UTF-8 text): it is counted
    /// among the unlisted files, shown with U+FFFD, instead of going unmentioned.
    func testAFileWhoseNameIsNotUTF8IsCountedAsUnlisted() throws {
        let (folder, wav) = try dataFolder(files: ["a.wav", "b.wav"], subfolders: [])
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Array(wav.appendingPathComponent("c").path.utf8) + [0xFE] + Array(".wav".utf8) + [0]
        let fd = bytes.map { CChar(bitPattern: $0) }.withUnsafeBufferPointer {
            open($0.baseAddress!, O_WRONLY | O_CREAT, 0o600)
        }
        XCTAssertGreaterThanOrEqual(fd, 0); close(fd)
        let csv = folder.appendingPathComponent("audio.csv")
        try Data("fname,label\na.wav,cat\nb.wav,dog\n".utf8).write(to: csv)
        let check = try AudioTable(contentsOf: csv).checkFiles(in: wav)
        XCTAssertEqual(check.unlisted, ["c\u{FFFD}.wav"])
    }
}
