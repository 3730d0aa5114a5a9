import Foundation

/// An output path that is one of the command's own inputs (a typo such as `--out audio.csv`): the
/// atomic write would replace that input whole, so the command refuses before any work.
public enum OutputCollision {
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
