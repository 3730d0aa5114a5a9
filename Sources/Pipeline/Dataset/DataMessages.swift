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
    /// The warnings met before the problem (skipped rows and clips that explain it); the
    /// executables print them, one line each, before the error line.
    public var warnings: [DataWarning]

    public init(file: String?, line: Int? = nil, problem: String, hint: String? = nil, warnings: [DataWarning] = []) {
        self.file = file
        self.line = line
        self.problem = problem
        self.hint = hint
        self.warnings = warnings
    }

    /// `audio.csv, line 7: empty label for 'dog_3.wav'. Hint: every row needs a label.` (one line)
    public var description: String {
        var text = place(file, line) + problem
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
        oneLine("warning: " + place(file, line) + message)
    }
}

/// `file, line N: `, `file: ` or nothing: where a message is about.
private func place(_ file: String?, _ line: Int?) -> String {
    guard let file else { return "" }
    return line.map { "\(file), line \($0): " } ?? "\(file): "
}

/// Control characters (a newline inside a quoted CSV field) would break the one-line contract: each
/// becomes a space. Every message to standard error goes through it (`Diagnostics`).
func oneLine(_ text: String) -> String {
    String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
}
