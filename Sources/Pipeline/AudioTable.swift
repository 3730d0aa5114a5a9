import Foundation

/// A problem with the user's data that stops the run: one line naming the file (and the line of
/// the CSV when there is one), the problem, and a hint.
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is in (as given by the caller), nil when it is not about one file.
    public var file: String?
    /// 1-based line number in `file`, nil when the problem is not on one line.
    public var line: Int?
    /// What is wrong.
    public var problem: String
    /// What to do about it.
    public var hint: String?

    public init(file: String?, line: Int? = nil, problem: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.problem = problem
        self.hint = hint
    }

    /// `audio.csv, line 7: empty label for 'dog_3.wav'. Hint: every row needs a label.` (one line)
    public var description: String {
        var text = ""
        if let file { text += line.map { "\(file), line \($0): " } ?? "\(file): " }
        text += problem
        if let hint { text += ". Hint: \(hint)" }
        return oneLine(text)
    }
}

/// A problem that Earmark works around (the row, file or class is skipped) but the user should see.
public struct DataWarning: CustomStringConvertible, Sendable, Equatable {
    /// The file the warning is about, nil when it is not about one file.
    public var file: String?
    /// 1-based line number in `file`, if any.
    public var line: Int?
    /// What happened and what Earmark did about it.
    public var message: String

    public init(file: String?, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `warning: audio.csv, line 9: file 'wavfiles/x.wav' not found; row skipped` (one line)
    public var description: String {
        var text = "warning: "
        if let file { text += line.map { "\(file), line \($0): " } ?? "\(file): " }
        return oneLine(text + message)
    }
}

/// Control characters (a newline inside a quoted CSV field) would break the one-line contract.
private func oneLine(_ text: String) -> String {
    String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
}

/// The dataset table, `DATA/audio.csv`: one row per clip with its file name and label.
///
/// Format: RFC 4180 CSV in UTF-8 (a byte-order mark is skipped), LF, CRLF or lone CR line ends,
/// fields separated by commas, a field in double quotes may hold commas, line breaks and doubled
/// quotes (`""` = `"`). A quote inside an unquoted field is kept as text. The first non-blank line is
/// the header and must name the columns `fname` and `label` (exact, case-sensitive; spaces around
/// names are ignored); other columns are kept in order. Blank lines are skipped. Spaces around
/// fname and label values are trimmed. Line numbers count physical lines from 1 (the header is
/// usually line 1); a row whose quoted field spans lines is reported at its first line.
public struct AudioTable: Sendable, Equatable {
    /// One data row.
    public struct Row: Sendable, Equatable {
        /// The 1-based line of the CSV where the row starts.
        public var line: Int
        /// The clip's file name, relative to the wavfiles folder (trimmed).
        public var fname: String
        /// The clip's class (trimmed).
        public var label: String
        /// Every field of the row in column order (fname and label as trimmed above).
        public var fields: [String]
    }

    /// The file the table was read from (for messages).
    public var file: String
    /// Column names in file order (trimmed).
    public var columns: [String]
    /// Data rows in file order.
    public var rows: [Row]
    /// The distinct labels, sorted (Swift `String` order; code-point order for ASCII names).
    public var classes: [String]
    /// Position of `fname` in `columns`.
    public var fnameColumn: Int
    /// Position of `label` in `columns`.
    public var labelColumn: Int

    /// Reads and validates the CSV at `url`.
    /// - Throws: `DataError` naming the file and line of the first problem.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: url.path, problem: "cannot be read (\(error.localizedDescription))",
                            hint: "give a CSV with a header line `fname,label` and one row per audio file")
        }
        try self.init(data: data, file: url.path)
    }

    /// Parses and validates CSV bytes; `file` names them in messages.
    /// - Throws: `DataError` naming `file` and the line of the first problem.
    public init(data: Data, file: String) throws {
        self.file = file
        let records = try CSVReader.records([UInt8](data), file: file)
        guard let header = records.first else {
            throw DataError(file: file, problem: "is empty",
                            hint: "the first line must be the header `fname,label`")
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.columns = columns
        var seen: [String: Int] = [:]
        for name in columns where !name.isEmpty {
            if seen[name] != nil {
                throw DataError(file: file, line: header.line, problem: "column '\(name)' appears twice in the header",
                                hint: "give each column a distinct name")
            }
            seen[name] = 1
        }
        func column(_ name: String) throws -> Int {
            if let index = columns.firstIndex(of: name) { return index }
            let near = columns.first { $0.lowercased() == name }
            throw DataError(
                file: file, line: header.line,
                problem: "the header has no '\(name)' column (columns: \(columns.map { "'\($0)'" }.joined(separator: ", ")))",
                hint: near.map { "column names are case-sensitive: rename '\($0)' to '\(name)'" }
                    ?? "the header must name the columns fname and label, e.g. `fname,label`")
        }
        let fnameColumn = try column("fname"), labelColumn = try column("label")
        self.fnameColumn = fnameColumn
        self.labelColumn = labelColumn

        var rows: [Row] = []
        var firstLine: [String: Int] = [:]
        for record in records.dropFirst() {
            var fields = record.fields
            guard fields.count == columns.count else {
                throw DataError(file: file, line: record.line,
                                problem: "has \(fields.count) fields, the header has \(columns.count)",
                                hint: "a field that contains a comma must be in double quotes, e.g. \"a, b\"")
            }
            let fname = fields[fnameColumn].trimmingCharacters(in: .whitespaces)
            let label = fields[labelColumn].trimmingCharacters(in: .whitespaces)
            guard !fname.isEmpty else {
                throw DataError(file: file, line: record.line, problem: "empty fname",
                                hint: "every row needs the file name of its clip in wavfiles/")
            }
            guard !label.isEmpty else {
                throw DataError(file: file, line: record.line, problem: "empty label for '\(fname)'",
                                hint: "every row needs a label (its class)")
            }
            if fname.hasPrefix("/") || fname.split(separator: "/").contains("..") {
                throw DataError(file: file, line: record.line,
                                problem: "fname '\(fname)' points outside the wavfiles folder",
                                hint: "give the file name relative to wavfiles/, without '/' at the start or '..'")
            }
            if let earlier = firstLine[fname] {
                throw DataError(file: file, line: record.line,
                                problem: "duplicate fname '\(fname)' (also on line \(earlier))",
                                hint: "list each file once; remove one of the two rows")
            }
            firstLine[fname] = record.line
            fields[fnameColumn] = fname
            fields[labelColumn] = label
            rows.append(Row(line: record.line, fname: fname, label: label, fields: fields))
        }
        guard !rows.isEmpty else {
            throw DataError(file: file, line: header.line, problem: "has a header but no rows",
                            hint: "add one line per audio file: fname,label")
        }
        self.rows = rows
        classes = Array(Set(rows.map(\.label))).sorted()
    }

    /// The result of `checkFiles(in:)`.
    public struct FileCheck: Sendable, Equatable {
        /// Rows whose file exists, in table order.
        public var usable: [Row]
        /// One warning per skipped row, naming its line and the missing file.
        public var warnings: [DataWarning]
    }

    /// Keeps the rows whose file exists in `folder` (a regular file or a link to one); each other
    /// row becomes a warning naming its line, and is skipped.
    /// - Throws: `DataError` when `folder` is not a folder, or when a class is left with no file.
    public func checkFiles(in folder: URL) throws -> FileCheck {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(file: folder.path, problem: "folder not found",
                            hint: "put the audio files named in \(file) into this folder")
        }
        var usable: [Row] = []
        var warnings: [DataWarning] = []
        var missingLines: [String: [Int]] = [:]
        for row in rows {
            let path = folder.appendingPathComponent(row.fname).path
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                usable.append(row)
            } else {
                warnings.append(DataWarning(file: file, line: row.line,
                                            message: "file '\(path)' not found; row skipped"))
                missingLines[row.label, default: []].append(row.line)
            }
        }
        let present = Set(usable.map(\.label))
        if let empty = classes.first(where: { !present.contains($0) }) {
            let lines = missingLines[empty] ?? []
            let shown = lines.prefix(5).map(String.init).joined(separator: ", ") + (lines.count > 5 ? ", ..." : "")
            throw DataError(file: file,
                            problem: "class '\(empty)' has no usable file: the files of all its \(lines.count) rows "
                                + "(lines \(shown)) are missing from \(folder.path)",
                            hint: "add the files or remove the class's rows")
        }
        return FileCheck(usable: usable, warnings: warnings)
    }

    /// One CSV record (no line end) for `fields`: a field is quoted when it holds a comma, a quote,
    /// a line break or spaces at either end; quotes inside are doubled. Reads back with `AudioTable`.
    public static func csvRecord(_ fields: [String]) -> String {
        fields.map { field in
            let needsQuotes = field.contains { $0 == "," || $0 == "\"" || $0.isNewline }
                || field.first?.isWhitespace == true || field.last?.isWhitespace == true
            return needsQuotes ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
    }
}

/// RFC 4180 record splitter over raw bytes (see `AudioTable` for the accepted dialect).
enum CSVReader {
    struct Record {
        /// 1-based line where the record starts.
        var line: Int
        var fields: [String]
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","),
                       lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r"),
                       space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")

    /// All non-blank records of `bytes`. - Throws: `DataError` for an unterminated quote, text after
    /// a closing quote, invalid UTF-8 or a UTF-16 file.
    static func records(_ bytes: [UInt8], file: String) throws -> [Record] {
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        if n >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            throw DataError(file: file, line: 1, problem: "is UTF-16 text", hint: "save the CSV as UTF-8")
        }
        var line = 1
        var records: [Record] = []
        func text(_ field: ArraySlice<UInt8>, _ at: Int) throws -> String {
            guard let s = String(validating: field, as: UTF8.self) else {
                throw DataError(file: file, line: at, problem: "is not valid UTF-8 text",
                                hint: "save the CSV as UTF-8")
            }
            return s
        }
        while i < n {
            let recordLine = line
            var fields: [String] = []
            while true {
                if i < n, bytes[i] == quote {
                    // quoted field: runs to the next lone quote; "" is a literal quote
                    let openLine = line
                    var field: [UInt8] = []
                    i += 1
                    while true {
                        guard i < n else {
                            throw DataError(file: file, line: openLine, problem: "a quoted field is never closed",
                                            hint: "a field that starts with \" must end with \"; "
                                                + "write a quote inside a quoted field as \"\"")
                        }
                        let c = bytes[i]
                        if c == quote {
                            if i + 1 < n, bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                            i += 1
                            break
                        }
                        if c == lf || (c == cr && (i + 1 == n || bytes[i + 1] != lf)) { line += 1 }
                        field.append(c)
                        i += 1
                    }
                    while i < n, bytes[i] == space || bytes[i] == tab { i += 1 }
                    if i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
                        throw DataError(file: file, line: line, problem: "text after the closing quote of a field",
                                        hint: "quote the whole field and double the quotes inside it: \"a \"\"b\"\" c\"")
                    }
                    fields.append(try text(field[...], line))
                } else {
                    let start = i
                    while i < n, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr { i += 1 }
                    fields.append(try text(bytes[start..<i], line))
                }
                if i < n, bytes[i] == comma { i += 1; continue }
                // end of record: LF, CRLF, lone CR or end of input
                if i < n {
                    if bytes[i] == cr, i + 1 < n, bytes[i + 1] == lf { i += 1 }
                    i += 1
                    line += 1
                }
                break
            }
            let blank = fields.count == 1 && fields[0].allSatisfy { $0 == " " || $0 == "\t" }
            if !blank { records.append(Record(line: recordLine, fields: fields)) }
        }
        return records
    }
}
