/// A user-facing audio error: one line naming the file and the reason (docs/WORKFLOW.md §10.2).
///
/// The pipeline prints `description` as a warning and skips the clip.
public struct AudioError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why the clip cannot be used.
    public enum Reason: Equatable, Sendable {
        /// libsndfile could not open or decode the file; the text is `sf_strerror`'s.
        case cannotDecode(String)
        /// The file holds no audio frames.
        case empty
        /// The header declares no channels.
        case noChannels
        /// The sample rate is <= 0 or above `AudioDecoder.maximumSampleRate`.
        case badSampleRate(Int)
        /// A decoded sample is NaN or infinite (the first such frame is given).
        case nonFinite(frame: Int)
        /// The rates cannot be converted (a bad rate or ratio, or libsoxr's error message).
        case cannotResample(String)
        /// The file could not be written (libsndfile or file-system text).
        case cannotWrite(String)
        /// The clip lasts longer than `AudioDecoder.maximumSeconds` (the limit, in seconds).
        case tooLong(limitSeconds: Double)
        /// A sample beyond `AudioDecoder.maximumMagnitude` (the first such frame and its magnitude).
        case tooLarge(frame: Int, magnitude: Float)
    }

    /// The file's path (or a short name for in-memory signals).
    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    /// `<file>: <explanation>`, one line.
    public var description: String { "\(file): \(explanation)" }

    /// The reason alone, without the file: `cannot decode audio (File contains data in an unknown format.)`.
    public var explanation: String {
        switch reason {
        case .cannotDecode(let text): return "cannot decode audio (\(text))"
        case .empty: return "no audio frames (empty clip)"
        case .noChannels: return "the header declares no channels"
        case .badSampleRate(let rate): return "absurd sample rate \(rate) Hz (expected 1...1000000)"
        case .nonFinite(let frame): return "NaN or infinite sample at frame \(frame)"
        case .cannotResample(let text): return "cannot resample (\(text))"
        case .cannotWrite(let text): return "cannot write audio (\(text))"
        case .tooLarge(let frame, let magnitude):
            return String(format: "sample of magnitude %g at frame %d, beyond the %g audio can reach (full scale is 1)",
                          Double(magnitude), frame, Double(AudioDecoder.maximumMagnitude))
        case .tooLong(let limit):
            return "longer than the limit of \(String(format: "%g", limit)) s per clip "
                + "(set \(AudioDecoder.maximumSecondsVariable) to raise it)"
        }
    }
}
