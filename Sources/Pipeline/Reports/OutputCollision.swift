import Durable
import Foundation

/// An output path that is one of the command's own inputs (a typo such as `--out audio.csv`) or not
/// a file of the kind written (`--out clips/a0.wav` for predictions, `--out models/conv.safetensors`
/// for an export): the atomic write would replace that file whole, so the command refuses before any
/// work.
public enum OutputCollision {
    /// The usage error for an `--out` whose extension is not one of `extensions` (lowercase, without
    /// the dot), or nil when it is one: an `--out` can only replace a file of the kind the command
    /// writes. Checked with the arguments (`validate`), so the command exits 64 before any work.
    public static func extensionProblem(_ out: String, _ extensions: [String], writing what: String) -> String? {
        guard !extensions.contains(URL(fileURLWithPath: out).pathExtension.lowercased()) else { return nil }
        let names = extensions.map { ".\($0)" }.joined(separator: " or ")
        return "--out \(out): must name a \(names) file (\(what) is written there)"
    }

    /// The file an `--out` the user named is written to: through its symbolic links, as open(2) would
    /// (the atomic rename replaced the link by a file and left its target stale). The file it leads to
    /// must have one of `extensions` too, as the name given must (`extensionProblem`): a `.csv` link
    /// to a recording or a model had it replaced.
    public static func target(_ out: String, _ extensions: [String], writing what: String) throws -> URL {
        // the folder part resolved by the system from the text given (URL(fileURLWithPath:) drops `..`
        // as text, so `links/../x.csv` went beside the link, not beside its target's parent)
        let folder = (out as NSString).deletingLastPathComponent
        var given = URL(fileURLWithPath: out)
        // (a resolved name that is not UTF-8 cannot be said back to the system: the path stays as typed,
        // rather than naming a folder with U+FFFD that does not exist and was then made)
        if let resolved = realpath(folder.isEmpty ? "." : folder, nil) {
            if let text = String(validatingCString: resolved) {
                given = URL(fileURLWithPath: text, isDirectory: true).appendingPathComponent((out as NSString).lastPathComponent)
            }
            free(resolved)
        }
        let target = try AtomicFile.resolvingLinks(given)
        guard extensions.contains(target.pathExtension.lowercased()) else {
            let names = extensions.map { ".\($0)" }.joined(separator: " or ")
            throw FileError(out, "leads to \(target.path), not a \(names) file: \(what) is written only to such a file")
        }
        return target
    }

    /// Throws `FileError` naming `output` when it is the same file as one of `inputs` (`what` names the
    /// input: "the model file"); paths are compared standardised, with symbolic links resolved.
    public static func refuse(output: URL, inputs: [(url: URL, what: String)]) throws {
        func resolved(_ url: URL) -> String { url.standardizedFileURL.resolvingSymlinksInPath().path }
        let target = resolved(output)
        for input in inputs where resolved(input.url) == target {
            throw FileError(output.path, "is \(input.what): the output would replace it; give --out another file")
        }
    }
}
