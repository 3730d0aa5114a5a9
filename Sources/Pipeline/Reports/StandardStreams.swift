import CSupport
import Foundation

/// Writing to standard output and standard error without ever stopping the process.
///
/// Foundation's `FileHandle.write(_: Data)` traps (a `try!` inside) when the descriptor cannot take
/// the bytes: standard error on a full device killed a `train` at its first warning, before it saved
/// its model, and `predict --stream` into a pipe whose reader had left (SIGPIPE ignored) died the same
/// way. Here a failed write is a value: standard error's are dropped (there is no one left to tell),
/// standard output's are noted and reported once at exit (`CLI.start` installs the check), or by the
/// caller when the output is the point (`predict --stream` stops).
public enum StandardStreams {
    /// Descriptors among 0, 1, 2 that were closed when the command started (bit k: descriptor k);
    /// CSupport opens /dev/null on them before main, so that no file opened later takes their number.
    public nonisolated(unsafe) static var closedAtStart: Int32 = 0

    /// Writes all of `text` to `descriptor` with write(2), resuming after signals and short writes.
    /// - Returns: nil when every byte was written, else the errno of the failure.
    @discardableResult
    public static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return n < 0 ? errno : EIO }
            offset += n
        }
        return nil
    }

    /// One message on standard error; dropped when standard error cannot take it.
    public static func toStandardError(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes `text` to `descriptor` (standard output or a duplicate of it); a failure is noted and
    /// reported at exit (`error: standard output: cannot be written (...)`, status 1).
    public static func toOutput(_ text: String, descriptor: Int32 = STDOUT_FILENO) {
        if let error = write(text, to: descriptor) { earmark_note_output_failure(error) }
    }

    /// Ends the process with `status` (an `ExitCode`'s), kept when standard output's exit check finds
    /// lost output: it still writes its line, but a stopped `train` exits 130, not 1, so a script
    /// tells a preempted run (resume it) from a failed one.
    public static func exitKeepingStatus(_ status: Int32) -> Never {
        earmark_exit_status_on_output_failure(status)
        exit(status)
    }

    /// Commands whose files are their result ignore SIGPIPE, so that a pipe whose reader has left
    /// (`train | head -1`) fails writes to standard output, reported at exit, instead of killing the
    /// process before it writes its model; `predict --stream`, a filter, keeps the caller's disposition.
    public static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// What each executable's `main` does before it parses its arguments (so that `--help` and
    /// `--version` are covered too), and `CLI.start` again: reopens closed standard descriptors
    /// (standard output on /dev/full, so that what is written to it is reported at exit) and installs
    /// the exit check of standard output, once.
    public static func guardAtStart() {
        closedAtStart = earmark_standard_descriptors_closed_at_start() | earmark_reopen_closed_standard_descriptors()
        earmark_check_output_at_exit()
    }
}
