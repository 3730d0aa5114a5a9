import Audio
import Foundation

/// What `predict --stream` does: raw PCM from a file descriptor (standard input) through a
/// `StreamingCleaner` and a `StreamPredictor`, one line per window (or per `every` seconds) written
/// through `emit` as soon as it is known. Bad input is named in a warning and skipped: a stream that
/// ends inside a frame (its bytes are ignored), NaN, infinite or out-of-range samples (replaced by silence, the
/// windows they touch dropped; one warning per bad stretch, the rest counted in one line at the end).
public enum StreamWorkflow {
    /// The stream's layout and the output wanted.
    public struct Options: Sendable {
        /// The sample encodings `--format` accepts.
        public typealias Format = PCMStreamDecoder.Format
        /// Input sample rate (Hz).
        public var rate: Int
        public var format: PCMStreamDecoder.Format
        public var channels: Int
        /// Seconds per output line (the mean of the windows ending in that span); nil: one line per window.
        public var every: Double?
        /// One JSON object per line instead of tab-separated text.
        public var json: Bool
        /// How each line's class is read from its probabilities (`--threshold`).
        public var decision: DecisionRule

        public init(rate: Int = 16000, format: PCMStreamDecoder.Format = .s16le, channels: Int = 1,
                    every: Double? = nil, json: Bool = false, decision: DecisionRule = .argmax) {
            self.rate = rate; self.format = format; self.channels = channels; self.every = every; self.json = json
            self.decision = decision
        }

        /// The longest `--every` span, in seconds: a year (a span's sample count must fit an Int at
        /// any rate, and a span longer than the stream gives its one line at the end anyway).
        public static let maximumEverySeconds: Double = 365 * 86400

        /// The most interleaved channels accepted: libsndfile's limit for files, 1,024.
        public static let maximumChannels = 1024

        /// What is wrong with these option values (one line naming the option), or nil.
        public static func problem(rate: Int, format: String, channels: Int, every: Double?) -> String? {
            if Format(rawValue: format) == nil {
                return "--format must be one of \(Format.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "not '\(format)'"
            }
            if rate <= 0 || rate > AudioDecoder.maximumSampleRate {
                return "--rate must be 1...\(AudioDecoder.maximumSampleRate) Hz, not \(rate)"
            }
            if channels < 1 || channels > maximumChannels {
                return "--channels must be 1...\(maximumChannels), not \(channels)"
            }
            if let every, !(every > 0 && every <= maximumEverySeconds) {
                return "--every must be a positive number of seconds, at most \(Int(maximumEverySeconds)) (a year)"
            }
            return nil
        }
    }

    /// What a finished stream held.
    public struct Summary: Sendable {
        public var frames: Int
        public var windows: Int
        public var dropped: Int
        public var lines: Int
    }

    /// Reads `input` to its end, classifying as it goes; `emit` receives each output line (without
    /// its newline). Throws for a model that cannot classify a stream or an unreadable input.
    @discardableResult
    public static func run(model: TrainedModel, modelName: String, options: Options, input: Int32 = STDIN_FILENO,
                           emit: (String) -> Void) throws -> Summary {
        let session = try StreamSession(model: model, modelName: modelName, options: options)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError("stdin", "cannot read: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            try buffer.withUnsafeBytes { try session.push(UnsafeRawBufferPointer(rebasing: $0[0..<got]), emit: emit) }
        }
        return try session.finish(emit: emit)
    }
}

/// One stream being classified: the cleaner, the predictor, the spans and the line format.
public final class StreamSession {
    private let cleaner: StreamingCleaner
    private let predictor: StreamPredictor
    private let format: StreamLineFormat
    private var spans: StreamSpans?
    private var windows = 0, dropped = 0, lines = 0
    private var nonFinite = 0, named = 0, lastNamed: Int?

    /// Throws when the model cannot classify a stream or the rates cannot be converted.
    public init(model: TrainedModel, modelName: String, options: StreamWorkflow.Options) throws {
        predictor = try StreamPredictor(model: model, name: modelName)
        let f = model.config.features
        cleaner = try StreamingCleaner(inputRate: options.rate, format: options.format, channels: options.channels,
                                       targetRate: f.rate, threshold: f.threshold)
        format = StreamLineFormat(classes: model.classes, rate: f.rate, json: options.json, decision: options.decision)
        if let every = options.every, every * Double(f.rate) < 0.5 {
            throw FileError(modelName, "--every \(every) s is shorter than one sample at this model's \(f.rate) Hz "
                            + "(give at least \(1 / Double(f.rate)) s; without --every there is a line per window)")
        }
        spans = options.every.map { StreamSpans(seconds: $0, rate: f.rate, classes: model.classes.count) }
    }

    /// Feeds raw bytes; emits the lines they complete.
    public func push(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) throws {
        let out = try cleaner.push(bytes)
        for frame in out.nonFinite {
            nonFinite += 1
            // one line per bad stretch: a frame within a second of the last one named is only counted
            if let last = lastNamed, frame - last < cleaner.inputRate { continue }
            lastNamed = frame
            named += 1
            Diagnostics.warning("stdin: NaN, infinite or out-of-range sample at frame \(frame) "
                                + String(format: "(%.3f s)", Double(frame) / Double(cleaner.inputRate))
                                + ": replaced by silence; the windows it touches are dropped")
        }
        handle(out, emit: emit)
        if var s = spans {
            for span in s.close(decided: cleaner.gate.decided) { emit(format.line(span)); lines += 1 }
            spans = s
        }
    }

    /// Ends the stream: the last windows, the last (partial) span, a warning for leftover bytes.
    public func finish(emit: (String) -> Void) throws -> StreamWorkflow.Summary {
        let leftover = cleaner.pendingBytes
        handle(try cleaner.finish(), emit: emit)
        if var s = spans {
            for span in s.finish(total: cleaner.gate.received) { emit(format.line(span)); lines += 1 }
            spans = s
        }
        if leftover > 0 {
            Diagnostics.warning("stdin: the stream ends with \(leftover) byte(s) that do not make a whole frame "
                                + "(\(cleaner.bytesPerFrame) bytes per frame): ignored")
        }
        if nonFinite > named {
            Diagnostics.warning("stdin: \(nonFinite) NaN, infinite or out-of-range samples in all (\(nonFinite - named) not named "
                                + "above, each within a second of one named): \(dropped) window(s) dropped")
        }
        if windows == 0 {
            Diagnostics.warning("stdin: no window to classify: "
                                + String(format: "%.3f s", Double(cleaner.frames) / Double(cleaner.inputRate))
                                + " of audio, shorter than one window after cleaning")
        }
        return .init(frames: cleaner.frames, windows: windows, dropped: dropped, lines: lines)
    }

    private func handle(_ out: StreamingCleaner.Output, emit: (String) -> Void) {
        for w in predictor.push(out) {
            windows += 1
            if w.probabilities == nil { dropped += 1 }
            if var s = spans {
                for span in s.add(w) { emit(format.line(span)); lines += 1 }
                spans = s
            } else if w.probabilities != nil {
                emit(format.line(w)); lines += 1
            }
        }
    }
}
