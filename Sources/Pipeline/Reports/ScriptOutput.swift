import Foundation

/// The output modes of `train` and `predict` for scripts: `--quiet` (only errors and the final
/// result line) and `--json` (one JSON object per line: progress events, then a summary object).
///
/// In both modes everything the workflows print (progress bars, tables, notes) goes to /dev/null:
/// standard output is redirected, and the command writes its own lines to the original standard
/// output through this object. Errors and warnings still go to standard error.
public final class ScriptOutput {
    /// How a command reports.
    public enum Mode: Sendable { case text, quiet, json }

    public let mode: Mode
    /// The original standard output (a duplicate of descriptor 1 taken before the redirection).
    private let descriptor: Int32

    /// In `.quiet` and `.json` mode, redirects standard output to /dev/null; in `.text` mode changes nothing.
    public init(mode: Mode) {
        self.mode = mode
        fflush(nil)    // what was printed so far reaches the real standard output first
        guard mode != .text else { descriptor = STDOUT_FILENO; return }
        let original = dup(STDOUT_FILENO)
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
        descriptor = original >= 0 ? original : STDOUT_FILENO
    }

    deinit { if descriptor != STDOUT_FILENO { close(descriptor) } }

    /// Writes one line to the original standard output (a failure is reported at exit: `StandardStreams`).
    public func line(_ text: String) {
        StandardStreams.toOutput(text + "\n", descriptor: descriptor)
    }

    /// Writes `object` as one line of JSON (keys sorted; a non-finite number becomes null).
    public func json(_ object: [String: Any]) {
        let clean = object.mapValues(Self.finite)
        // only strings, numbers, booleans, arrays and nulls reach here, so serialization cannot fail
        let data = (try? JSONSerialization.data(withJSONObject: clean, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        StandardStreams.toOutput(String(decoding: data, as: UTF8.self) + "\n", descriptor: descriptor)
    }

    /// JSON has no NaN or infinity: they become null (also inside arrays and objects).
    private static func finite(_ value: Any) -> Any {
        switch value {
        case let d as Double: return d.isFinite ? d : NSNull()
        case let f as Float: return f.isFinite ? Double(f) : NSNull()
        case let a as [Any]: return a.map(finite)
        case let o as [String: Any]: return o.mapValues(finite)
        default: return value
        }
    }
}
