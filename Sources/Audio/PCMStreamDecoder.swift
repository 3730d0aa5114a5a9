/// Raw interleaved PCM bytes (a pipe from `arecord` or `sox ... -t raw -`) to mono samples, as
/// `AudioDecoder` turns a WAV file of the same samples into an `AudioClip`.
///
/// Shape: bytes (frames x channels x bytesPerSample), little-endian, interleaved -> mono (frames),
/// the channel mean in Double (`AudioDecoder.appendMono`). s16le is scaled by 1/32768 as libsndfile
/// reads 16-bit PCM as float; f32le passes through. Bytes that do not yet make a whole frame wait
/// for the next call; at the end of the stream they are `pendingBytes`.
public struct PCMStreamDecoder {
    /// The sample encodings accepted.
    public enum Format: String, Sendable, CaseIterable {
        /// Signed 16-bit little-endian integers (`arecord -f S16_LE`, `sox -e signed -b 16`).
        case s16le
        /// 32-bit little-endian IEEE floats (`arecord -f FLOAT_LE`, `sox -e float -b 32`).
        case f32le

        /// Bytes per sample of one channel.
        public var bytesPerSample: Int { self == .s16le ? 2 : 4 }
    }

    public let format: Format
    public let channels: Int
    /// Frames decoded so far.
    public private(set) var frames = 0
    private var pending: [UInt8] = []

    /// Bytes of one frame (all channels).
    public var bytesPerFrame: Int { format.bytesPerSample * channels }
    /// Bytes received that do not make a whole frame yet.
    public var pendingBytes: Int { pending.count }

    public init(format: Format, channels: Int) {
        precondition(channels >= 1, "PCMStreamDecoder needs at least one channel, got \(channels)")
        self.format = format
        self.channels = channels
    }

    /// Decodes the whole frames of `pending + bytes`. A frame with a NaN or infinite value, or one
    /// beyond `AudioDecoder.maximumMagnitude`, becomes 0 (silence) in `mono`, and its index in the
    /// stream is listed in `nonFinite`.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> (mono: [Float], nonFinite: [Int]) {
        pending.append(contentsOf: bytes)
        let count = pending.count / bytesPerFrame
        guard count > 0 else { return ([], []) }
        var interleaved = [Float](repeating: 0, count: count * channels)
        pending.withUnsafeBytes { raw in
            for k in 0..<(count * channels) {
                switch format {
                case .s16le:
                    let v = Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: Int16.self))
                    interleaved[k] = Float(v) * (1 / 32768)
                case .f32le:
                    let v = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))
                    interleaved[k] = Float(bitPattern: v)
                }
            }
        }
        pending.removeFirst(count * bytesPerFrame)
        var mono: [Float] = []
        mono.reserveCapacity(count)
        interleaved.withUnsafeBufferPointer { x in
            AudioDecoder.appendMono(x.baseAddress!, frames: count, channels: channels, to: &mono)
        }
        var nonFinite: [Int] = []
        for i in mono.indices where !(abs(mono[i]) <= AudioDecoder.maximumMagnitude) {   // NaN fails it too
            mono[i] = 0
            nonFinite.append(frames + i)
        }
        frames += count
        return (mono, nonFinite)
    }
}
