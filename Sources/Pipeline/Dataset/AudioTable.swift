import Durable
import Foundation

/// The dataset table, `DATA/audio.csv`: one row per clip with its file name and label.
///
/// Format: RFC 4180 CSV in UTF-8 (a byte-order mark is skipped), LF, CRLF or lone CR line ends,
/// fields separated by commas, a field in double quotes may hold commas, line breaks and doubled
/// quotes (`""` = `"`). A quote inside an unquoted field is kept as text. The first non-blank line is
/// the header and must name the columns `fname` and `label` (exact, case-sensitive; spaces around
/// names are ignored); other columns are kept in order. Blank lines are skipped. Spaces around
/// fname and label values are trimmed. Line numbers count physical lines from 1 (the header is
/// usually line 1); a row whose quoted field spans lines is reported at its first line.
///
/// Errors and warnings (docs/WORKFLOW.md §10.2). A problem that makes the file unreadable as a
/// table is an error (`DataError` naming the line), raised before any work: bytes that cannot be
/// read or are not UTF-8, no header, a header without `fname` or `label` or naming a column twice,
/// a quoted field never closed or text after its closing quote, a row whose number of fields
/// differs from the header's (its columns cannot be trusted: usually an unquoted comma), and a
/// table with no usable row. A well-formed row that cannot be used is skipped with a warning
/// naming its line (`warnings`), so that an unattended run goes on with the other rows: an empty
/// fname, an empty label, an fname pointing outside the wavfiles folder, and an fname listed again
/// (the first row is kept; the warning names both lines). A label that only skipped rows carry is
/// still one of `classes`, so `checkFiles(in:)` stops the run when a class has no usable row.
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

    /// A row left out of `rows`, and why.
    public struct SkippedRow: Sendable, Equatable {
        /// The 1-based line of the CSV where the row starts.
        public var line: Int
        /// Its file name (trimmed; empty when that is the problem).
        public var fname: String
        /// Its label (trimmed; empty when that is the problem).
        public var label: String
        /// Why it was skipped, e.g. `empty label for 'a.wav'`.
        public var reason: String
    }

    /// The file the table was read from (for messages).
    public var file: String
    /// Column names in file order (trimmed).
    public var columns: [String]
    /// Usable data rows in file order.
    public var rows: [Row]
    /// Rows skipped because they cannot be used, in file order (see `warnings`).
    public var skipped: [SkippedRow]
    /// The distinct non-empty labels of all rows, skipped ones included (not a label with a control
    /// character, which names no class), sorted (Swift `String` order; code-point order for ASCII names).
    public var classes: [String]
    /// Position of `fname` in `columns`.
    public var fnameColumn: Int
    /// Position of `label` in `columns`.
    public var labelColumn: Int

    /// One warning per skipped row: `warning: audio.csv, line 7: empty label for 'a.wav'; row skipped`.
    public var warnings: [DataWarning] {
        skipped.map { DataWarning(file: file, line: $0.line, message: "\($0.reason); row skipped") }
    }

    /// Reads and validates the CSV at `url`.
    /// - Throws: `DataError` naming the file and line of the first problem.
    /// `displayName` names the file in messages (default: its full path).
    public init(contentsOf url: URL, displayName: String? = nil) throws {
        let name = displayName ?? url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataError(file: name, problem: ReadFailure.reason(for: url, error: error),
                            hint: "give a CSV with a header line `fname,label` and one row per audio file")
        }
        try self.init(data: data, file: name)
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
        columns = try Self.columnNames(header, file: file)
        fnameColumn = try Self.column("fname", in: columns, line: header.line, file: file)
        labelColumn = try Self.column("label", in: columns, line: header.line, file: file)
        guard records.count > 1 else {
            throw DataError(file: file, line: header.line, problem: "has a header but no rows",
                            hint: "add one line per audio file: fname,label")
        }
        (rows, skipped) = try Self.readRows(records.dropFirst(), columns: columns, fnameColumn: fnameColumn,
                                            labelColumn: labelColumn, file: file)
        // a label with a control character is no class name: its skipped row leaves no class behind (it
        // made a class without usable files, which stopped the run)
        classes = Array(Set(rows.map(\.label) + skipped.map(\.label).filter { !$0.isEmpty && !Self.holdsControl($0) }))
            .sorted()
        try requireUsableRow()
    }

    /// The header's column names, trimmed.
    /// - Throws: `DataError` when a name appears twice.
    static func columnNames(_ header: CSVReader.Record, file: String) throws -> [String] {
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen: Set<String> = []
        for name in columns where !name.isEmpty {
            if seen.contains(name) {
                throw DataError(file: file, line: header.line, problem: "column '\(name)' appears twice in the header",
                                hint: "give each column a distinct name")
            }
            seen.insert(name)
        }
        return columns
    }

    /// Position of the column `name` (exact match).
    /// - Throws: `DataError` naming the header line and the columns; the hint names a column that
    ///   differs only in case.
    static func column(_ name: String, in columns: [String], line: Int, file: String) throws -> Int {
        if let index = columns.firstIndex(of: name) { return index }
        let near = columns.first { $0.lowercased() == name }
        let listed = columns.map { "'\($0)'" }.joined(separator: ", ")
        throw DataError(
            file: file, line: line,
            problem: "the header has no '\(name)' column (columns: \(listed))",
            hint: near.map { "column names are case-sensitive: rename '\($0)' to '\(name)'" }
                ?? "the header must name the columns fname and label, e.g. `fname,label`")
    }

    /// Sorts the data records into usable and skipped rows, each in file order.
    /// - Throws: `DataError` for a record whose number of fields differs from the header's.
    static func readRows(_ records: ArraySlice<CSVReader.Record>, columns: [String], fnameColumn: Int,
                         labelColumn: Int, file: String) throws -> ([Row], [SkippedRow]) {
        var rows: [Row] = [], skipped: [SkippedRow] = []
        var kept: [String: Row] = [:]
        for record in records {
            var fields = record.fields
            guard fields.count == columns.count else {
                throw DataError(file: file, line: record.line,
                                problem: "has \(fields.count) fields, the header has \(columns.count)",
                                hint: "a field that contains a comma must be in double quotes, e.g. \"a, b\"")
            }
            let fname = fields[fnameColumn].trimmingCharacters(in: .whitespaces)
            let label = fields[labelColumn].trimmingCharacters(in: .whitespaces)
            if let reason = skipReason(fname: fname, label: label, first: kept[Self.cleanedFile(fname)]) {
                skipped.append(SkippedRow(line: record.line, fname: fname, label: label, reason: reason))
            } else {
                fields[fnameColumn] = fname
                fields[labelColumn] = label
                let row = Row(line: record.line, fname: fname, label: label, fields: fields)
                kept[Self.cleanedFile(fname)] = row
                rows.append(row)
            }
        }
        return (rows, skipped)
    }

    /// The file an fname names, spelled one way: `./a.wav`, `a.wav` and `sub//a.wav` are one file
    /// (`..` never reaches here: such rows are skipped), so a file listed again under another spelling
    /// is found like one listed twice.
    static func samePath(_ fname: String) -> String {
        fname.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// The clean file an fname is cleaned into (`samePath`, then CleanStep's name): two rows with one
    /// cleaned file would train one clip under the other's label.
    static func cleanedFile(_ fname: String) -> String { CleanStep.cleanName(samePath(fname)) }

    /// Classes whose names differ only in letter case (`Dog` and `dog`), each group sorted, the groups in
    /// class order: they are separate classes, which a labelling slip usually did not mean.
    public var classesDifferingOnlyInCase: [[String]] {
        Dictionary(grouping: classes) { $0.lowercased() }.values.filter { $0.count > 1 }.map { $0.sorted() }
            .sorted { $0[0] < $1[0] }
    }

    /// Whether `text` holds a control character (a tab, a line break, ...).
    static func holdsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// Why a well-formed row with these trimmed values cannot be used, nil when it can; `first` is
    /// the row already kept with the same file or the same cleaned file (`cleanedFile`).
    static func skipReason(fname: String, label: String, first: Row?) -> String? {
        if fname.isEmpty { return "empty fname" + (label.isEmpty ? "" : " (label '\(label)')") }
        if label.isEmpty { return "empty label for '\(fname)'" }
        // a control character in a class name broke report lines, Markdown tables and confusion.svg (XML)
        if holdsControl(label) {
            return "label of '\(fname)' holds a control character (a tab, a line break, ...): not a class name"
        }
        if fname.contains("\u{0}") {
            let shown = fname.replacingOccurrences(of: "\u{0}", with: "\\0")
            return "fname '\(shown)' holds a NUL character, which no file name can"
        }
        if fname.hasPrefix("/") {
            return "fname '\(fname)' is an absolute path: fnames are relative to the wavfiles folder"
        }
        if fname.split(separator: "/").contains("..") {
            return "fname '\(fname)' contains '..': fnames name files inside the wavfiles folder without '..'"
        }
        if fname.hasSuffix("/") { return "fname '\(fname)' ends with '/': it names a folder, not a file" }
        if let first, samePath(first.fname) != samePath(fname) {
            return "fname '\(fname)' would be cleaned into the same file as '\(first.fname)' (line \(first.line), which "
                + "is kept): rename one of them"
        }
        if let first {
            return "fname '\(fname)' is listed again (first on line \(first.line), which is kept"
                + (first.label == label ? ")" : " with label '\(first.label)', not '\(label)')")
        }
        return nil
    }

    /// - Throws: `DataError` when every row was skipped, naming their lines and the first reason.
    private func requireUsableRow() throws {
        guard rows.isEmpty else { return }
        let first = "line \(skipped[0].line): \(skipped[0].reason)"
        let all = skipped.count == 1 ? "its only row is skipped (\(first))"
            : "all \(skipped.count) rows are skipped (\(Self.lineList(skipped.map(\.line)))), e.g. \(first)"
        throw DataError(file: file, problem: "has no usable row: " + all,
                        hint: "every row needs a file name and a label", warnings: warnings)
    }

    /// `lines 3, 4, 7, 9, 12, ...` (at most five numbers), or `line 3`.
    static func lineList(_ lines: [Int]) -> String {
        (lines.count == 1 ? "line " : "lines ")
            + lines.prefix(5).map(String.init).joined(separator: ", ") + (lines.count > 5 ? ", ..." : "")
    }

    /// The result of `checkFiles(in:)`.
    public struct FileCheck: Sendable, Equatable {
        /// Rows whose file exists, in table order.
        public var usable: [Row]
        /// One warning per row skipped for its missing file, naming its line and the file; then at
        /// most one naming files of the folder that no row lists (they are ignored).
        public var warnings: [DataWarning]
        /// Files in the folder (and its subfolders) that no row lists, hidden files left out; sorted.
        public var unlisted: [String]
    }

    /// Keeps the rows whose file exists in `folder` (a regular file or a link to one); each other
    /// row becomes a warning naming its line, and is skipped. Files of `folder` that no row lists
    /// are ignored, with one warning naming the first few (hidden files such as `.DS_Store` are not
    /// counted).
    /// - Throws: `DataError` when `folder` is not a folder, or when a class is left with no usable
    ///   row (its files are missing or its rows were skipped when the table was read); the error
    ///   carries the warnings that explain it.
    public func checkFiles(in folder: URL) throws -> FileCheck {
        let (usable, missing, rowWarnings) = try rowsWithFiles(in: folder)
        var warnings = rowWarnings
        var missingLines: [String: [Int]] = [:]
        for row in missing { missingLines[row.label, default: []].append(row.line) }
        let unlisted = Self.files(in: folder).filter { !listed.contains($0) }
        if !unlisted.isEmpty {
            let names = unlisted.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
                + (unlisted.count > 3 ? ", ..." : "")
            warnings.append(DataWarning(file: folder.path,
                                        message: "\(unlisted.count) file\(unlisted.count == 1 ? "" : "s") "
                                                 + "not listed in \(URL(fileURLWithPath: file).lastPathComponent) "
                                                 + "ignored: \(names)"))
        }
        let present = Set(usable.map(\.label))
        if let empty = classes.first(where: { !present.contains($0) }) {
            let dropped = skipped.filter { $0.label == empty }.map(\.line)
            let lines = ((missingLines[empty] ?? []) + dropped).sorted()
            let rows = lines.count == 1
                ? "its only row (\(Self.lineList(lines)))" : "all its \(lines.count) rows (\(Self.lineList(lines)))"
            // files that exist in a folder that cannot be read are not "missing": the reason is said
            let reasons = Set(missing.filter { $0.label == empty }
                .map { PathAccess.problem(folder.appendingPathComponent($0.fname).path) ?? "does not exist" })
            let unreachable = reasons.count == 1 && reasons.first != "does not exist" ? reasons.first : nil
            let problem = !dropped.isEmpty ? "\(rows) \(lines.count == 1 ? "is" : "are") skipped"
                : unreachable.map { "the files of \(rows) \($0) in \(folder.path)" }
                ?? "the files of \(rows) are missing from \(folder.path)"
            throw DataError(file: file, problem: "class '\(empty)' has no usable file: " + problem,
                            hint: unreachable == nil
                                ? "see the warnings above for each row; add the files or remove the class's rows"
                                : "see the warnings above for each row; let this user read their folder",
                            warnings: self.warnings + warnings)
        }
        return FileCheck(usable: usable, warnings: warnings, unlisted: unlisted)
    }

    /// The rows whose file exists in `folder` (a regular file or a link to one) and the others, each
    /// of those with a warning naming its line: what `checkFiles` keeps, and the rows `predict` scores.
    /// - Throws: `DataError` when `folder` is not a folder.
    public func rowsWithFiles(in folder: URL) throws -> (usable: [Row], missing: [Row], warnings: [DataWarning]) {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        guard manager.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError(file: folder.path, problem: "folder not found",
                            hint: "put the audio files named in \(file) into this folder", warnings: self.warnings)
        }
        var usable: [Row] = [], missing: [Row] = []
        var warnings: [DataWarning] = []
        for row in rows {
            let path = folder.appendingPathComponent(row.fname).path
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                usable.append(row)
                continue
            }
            let why = isDirectory.boolValue ? "'\(path)' is a folder, not an audio file"
                : PathAccess.problem(path).map { $0 == "does not exist" ? "file '\(path)' not found" : "file '\(path)' \($0)" }
                ?? "file '\(path)' not found"
            warnings.append(DataWarning(file: file, line: row.line, message: why + "; row skipped"))
            missing.append(row)
        }
        return (usable, missing, warnings)
    }

    /// The fnames of every row, skipped ones included (a skipped row's file is not "unlisted").
    private var listed: Set<String> { Set(rows.map(\.fname) + skipped.map(\.fname)) }

    /// Paths relative to `folder` of the regular files below it, hidden files and folders left out.
    static func files(in folder: URL) -> [String] {
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        guard let walk = FileManager.default.enumerator(at: URL(fileURLWithPath: base, isDirectory: true),
                                                        includingPropertiesForKeys: [.isRegularFileKey],
                                                        options: [.skipsHiddenFiles]) else { return [] }
        var out: [String] = []
        // a name that is not UTF-8 (U+FFFD in Foundation's view) cannot be looked at, nor listed: counted as a file
        for case let url as URL in walk
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
            || url.lastPathComponent.contains("\u{FFFD}") {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(base + "/") else { continue }
            out.append(String(path.dropFirst(base.count + 1)))
        }
        return out.sorted()
    }

    /// One CSV record (no line end) for `fields`: a field is quoted when it holds a comma, a quote,
    /// a line break or spaces at either end; quotes inside are doubled. Reads back with `AudioTable`.
    /// Works on Unicode scalars, as the reader works on bytes: a combining mark after a quote or a comma
    /// makes one Swift `Character` with it, which a comparison of Characters would not see.
    public static func csvRecord(_ fields: [String]) -> String {
        fields.map { field in
            let scalars = field.unicodeScalars
            let needsQuotes = scalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
                || scalars.first?.properties.isWhitespace == true || scalars.last?.properties.isWhitespace == true
            guard needsQuotes else { return field }
            var quoted = String.UnicodeScalarView()
            quoted.append("\"")
            for scalar in scalars {
                quoted.append(scalar)
                if scalar == "\"" { quoted.append(scalar) }
            }
            quoted.append("\"")
            return String(quoted)
        }.joined(separator: ",")
    }
}
