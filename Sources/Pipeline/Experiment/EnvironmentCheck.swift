import Audio
import Foundation

/// The `EARMARK_*` variables a user sets to change a run, checked when a command starts: a value that
/// cannot be read (`EARMARK_THREADS=abc`, `=0`, `=1 `) is an error naming the variable, not a silent
/// fallback to the default, which changed the trained weights without a word.
public enum EnvironmentCheck {
    /// (variable, what it must be, whether a value is acceptable)
    static let variables: [(name: String, expected: String, accepts: @Sendable (String) -> Bool)] = [
        ("EARMARK_THREADS", "a whole number of replicas from 1 to 1024",
         { Int($0).map { (1...1024).contains($0) } ?? false }),
        (AudioDecoder.maximumSecondsVariable, "a number of seconds above 0 (at most 1e6)",
         { Double($0).map { $0 > 0 && $0 <= 1e6 } ?? false }),
        // the MPI watchdog's limit (MPICollective): -1, nan or 1e30 trapped in every rank, a text
        // meant the default without a word, 0 made the watchdog spin
        (MPICollective.timeoutVariable, "a number of seconds from 1 to 1e6",
         { Double($0).map { $0 >= 1 && $0 <= 1e6 } ?? false }),
    ]

    /// The problem with the variables set in `environment`, one line, or nil.
    public static func problem(in environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for v in variables {
            guard let value = environment[v.name], !v.accepts(value) else { continue }
            return "\(v.name)=\(value.debugDescription.dropFirst().dropLast()): must be \(v.expected); unset it for the default"
        }
        return nil
    }
}
