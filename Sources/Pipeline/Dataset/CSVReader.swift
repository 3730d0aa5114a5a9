import Foundation

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
                                        hint: "quote the whole field and double the quotes inside it: "
                                              + "\"a \"\"b\"\" c\"")
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
