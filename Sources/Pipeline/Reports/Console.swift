import CSupport
import Foundation

/// Progress output: a line redrawn in place on a terminal, plain final lines otherwise (logs, CI).
public final class ProgressLine: @unchecked Sendable {
    /// Whether standard output is a terminal.
    public let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastDraw = Date.distantPast
    private var width = 0

    public init() {}

    /// Redraws the line on a terminal (at most 20 times a second); silent when not a terminal.
    public func update(_ text: String, force: Bool = false) {
        guard isTerminal else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) > 0.05 else { return }
        lastDraw = now
        let pad = max(0, width - text.count)
        width = text.count
        print("\r" + text + String(repeating: " ", count: pad), terminator: "")
        earmark_flush_stdout()
    }

    /// Prints the final form of the line and ends it.
    public func finish(_ text: String) {
        if isTerminal {
            let pad = max(0, width - text.count)
            print("\r" + text + String(repeating: " ", count: pad))
        } else {
            print(text)
        }
        width = 0
    }

    /// Ends a line drawn in place that no final form will follow (training stopped mid-epoch), so the
    /// next output starts on a line of its own; nothing when no line is open.
    public func end() {
        guard isTerminal, width > 0 else { return }
        print("")
        width = 0
    }

    /// Keras's bar: `[=========>....................]` for step of steps, 30 characters inside.
    public static func bar(_ step: Int, of steps: Int, width: Int = 30) -> String {
        guard steps > 0 else { return "[" + String(repeating: ".", count: width) + "]" }
        let done = min(width, width * step / steps)
        let arrow = step < steps && done < width ? ">" : ""
        let filled = step >= steps ? width : done
        return "[" + String(repeating: "=", count: filled) + arrow
            + String(repeating: ".", count: max(0, width - filled - arrow.count)) + "]"
    }

    /// Seconds as Keras prints them: `4s`, or `12ms` below one second.
    public static func duration(_ s: Double) -> String {
        s >= 1 ? String(format: "%.0fs", s) : String(format: "%.0fms", s * 1000)
    }
}

/// Messages for the user on standard error (warnings and errors), one line each.
public enum Diagnostics {
    /// Whether this process prints warnings: under mpirun rank 0 alone does (every rank meets the same
    /// data and would repeat each warning once per rank); errors reach standard error from every rank.
    /// Read from the launcher's variables, so no MPI call is needed.
    static let printsWarnings: Bool = {
        let env = ProcessInfo.processInfo.environment
        let rank = env["OMPI_COMM_WORLD_RANK"] ?? env["PMIX_RANK"]
        return rank.map { Int($0) == 0 } ?? true
    }()

    public static func warning(_ text: String) {
        guard printsWarnings else { return }
        StandardStreams.toStandardError(oneLine("warning: " + text) + "\n")
    }
    public static func error(_ text: String) { StandardStreams.toStandardError(oneLine("error: " + text) + "\n") }

    /// Prints each warning on its own line, then a count when there are several.
    public static func report(_ warnings: [DataWarning]) {
        guard printsWarnings else { return }
        for w in warnings { StandardStreams.toStandardError(w.description + "\n") }
        if warnings.count > 1 { StandardStreams.toStandardError("\(warnings.count) warnings\n") }
    }
}
