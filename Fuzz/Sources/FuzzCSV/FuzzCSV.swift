import Foundation
import Pipeline

/// Fuzz target: arbitrary bytes as audio.csv, parsed by `AudioTable` (which splits records with
/// `CSVReader`, finds the fname and label columns, and sorts rows into usable and skipped). A thrown
/// `DataError` is the expected outcome for bad input; a trap or a sanitizer report is a finding.
/// A table that parses is written back with `csvRecord` and must parse again to the same rows.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let table = try? AudioTable(data: data, file: "fuzz.csv") else { return 0 }
    _ = table.warnings
    let text = ([table.columns] + table.rows.map(\.fields)).map { AudioTable.csvRecord($0) + "\n" }.joined()
    guard let again = try? AudioTable(data: Data(text.utf8), file: "again.csv") else {
        fatalError("a parsed table written back does not parse:\n\(text)")
    }
    precondition(again.rows.map(\.fields) == table.rows.map(\.fields), "rows changed on a round trip:\n\(text)")
    return 0
}
