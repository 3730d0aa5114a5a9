/// A decoded clip: mono samples at the file's own rate.
///
/// Shape: `samples` (frames). Integer PCM decodes to [-1, 1) (libsndfile's scaling: divided by
/// 2^(bits-1)); floating-point files pass through unchanged (finite, but not clipped).
public struct AudioClip: Sendable, Equatable {
    /// Mono samples: the average of all channels of each frame.
    public var samples: [Float]
    /// Samples per second (Hz).
    public var sampleRate: Int
    /// The number of channels in the file before mixing to mono.
    public var channels: Int
    /// Set when the file is cut short: the frames its header declares, more than the `frames`
    /// actually present (which are what `samples` holds). Nil for a complete file.
    public var declaredFrames: Int?

    public init(samples: [Float], sampleRate: Int, channels: Int = 1, declaredFrames: Int? = nil) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
        self.declaredFrames = declaredFrames
    }

    /// What to say of a clip cut short (a WAV whose data ends before its header's frame count, a FLAC
    /// that decodes to fewer frames than its STREAMINFO declares), or
    /// nil: the words every command uses when it goes on with the frames present.
    public var cutShortNote: String? {
        declaredFrames.map {
            "cut short: the header declares \($0) frames, the file holds \(frames); the frames present are used"
        }
    }

    /// The number of frames (== `samples.count`).
    public var frames: Int { samples.count }

    /// The length in seconds.
    public var duration: Double { sampleRate > 0 ? Double(samples.count) / Double(sampleRate) : 0 }
}
