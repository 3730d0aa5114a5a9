/// Why a model cannot be exported: names the file (or layer) and the reason, printed as one line.
public struct ExportError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
