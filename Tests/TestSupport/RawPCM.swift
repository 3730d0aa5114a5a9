import Foundation

/// Raw PCM as `sox in.wav -t raw -` gives it: the bytes of a WAV file's `data` chunk.
public enum RawPCM {
    /// The `data` chunk of the RIFF/WAVE file at `url` (chunks walked from byte 12).
    public static func dataChunk(ofWav url: URL) throws -> Data {
        let bytes = [UInt8](try Data(contentsOf: url))
        var offset = 12
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16
                | Int(bytes[offset + 7]) << 24
            if id == "data" { return Data(bytes[(offset + 8)..<min(bytes.count, offset + 8 + size)]) }
            offset += 8 + size + size % 2
        }
        throw CocoaError(.fileReadCorruptFile)
    }

    /// Little-endian 32-bit floats.
    public static func f32le(_ samples: [Float]) -> Data {
        var data = Data(capacity: samples.count * 4)
        for s in samples { withUnsafeBytes(of: s.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// A test signal with the gate's work in it: tone bursts (pitch and level changing each burst)
    /// over faint noise, separated by near-silent gaps, `channels` interleaved (each channel a
    /// slightly different level), in [-0.9, 0.9].
    public static func bursts(seconds: Double, rate: Int, channels: Int = 1) -> [Float] {
        let n = Int(seconds * Double(rate))
        var state: UInt64 = 12345
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var y = [Float](repeating: 0, count: n * channels)
        for i in 0..<n {
            let t = Double(i) / Double(rate)
            let burst = Int(t / 0.6)
            let loud = t - Double(burst) * 0.6 < 0.35
            let pitch = 150 + 130 * Double(burst % 7), level = 0.15 + 0.05 * Double(burst % 4)
            let tone = loud ? level * (sin(2 * .pi * pitch * t) + 0.4 * sin(6 * .pi * pitch * t)) : 0
            for c in 0..<channels {
                y[i * channels + c] = Float(tone * (1 - 0.1 * Double(c)) + (loud ? 0.01 : 0.0002) * noise())
            }
        }
        return y
    }
}
