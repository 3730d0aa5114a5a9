import Foundation
import Synchronization

/// For tests of crash safety: ends the process with SIGKILL (no clean-up, no flush, as a power cut or
/// `kill -9` would) the `N`-th time a named point of the program is reached.
///
/// `EARMARK_KILL_AT=name@N` arms one point; unset (every normal run), `reached` is one comparison.
/// `EARMARK_KILL_SIGNAL=INT|TERM|USR1` raises that signal there instead, as Ctrl-C or a scheduler
/// would at that moment (the process's handlers then decide).
/// Named points: `clean` (after a clean WAV is written), `features` (features computed, before the
/// cache is written), `step` (after a training step), `report` (before report.md is written) and,
/// inside `AtomicFile` between the flushed temporary file and its rename, `write` (any file),
/// `write:<folder>/` (a file in that folder) and `write:<file name>`.
public enum KillPoint {
    /// The armed point and the occurrence that kills, from `EARMARK_KILL_AT`.
    private static let armed: (name: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["EARMARK_KILL_AT"],
              let at = spec.lastIndex(of: "@"), let n = Int(spec[spec.index(after: at)...]), n > 0 else { return nil }
        return (String(spec[..<at]), n)
    }()
    private static let hits = Atomic<Int>(0)
    /// The signal raised at the armed point: SIGKILL unless `EARMARK_KILL_SIGNAL` names another.
    private static let signal: Int32 = {
        switch ProcessInfo.processInfo.environment["EARMARK_KILL_SIGNAL"] {
        case "INT": SIGINT
        case "TERM": SIGTERM
        case "USR1": SIGUSR1
        default: SIGKILL
        }
    }()

    /// Counts one occurrence of `name`; kills the process when it is the armed one.
    public static func reached(_ name: @autoclosure () -> String) {
        guard let armed, armed.name == name() else { return }
        if hits.add(1, ordering: .sequentiallyConsistent).newValue == armed.count { raise(signal) }
    }
}
