import Foundation

/// Little-endian bytes of a canonical RIFF/WAVE file, for hand-made (also malformed) headers.
public enum WavBytes {
    /// format 1 = PCM integer, 3 = IEEE float. `dataSize` overrides the data chunk's declared size.
    public static func make(format: UInt16, channels: UInt16, rate: UInt32, bitsPerSample: UInt16,
                     data: [UInt8], dataSize: UInt32? = nil) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let blockAlign = UInt16(truncatingIfNeeded: Int(channels) * Int(bitsPerSample) / 8)
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + data.count))
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16)
        u16(format); u16(channels); u32(rate); u32(rate &* UInt32(blockAlign)); u16(blockAlign); u16(bitsPerSample)
        d.append(contentsOf: Array("data".utf8)); u32(dataSize ?? UInt32(data.count))
        d.append(contentsOf: data)
        return d
    }

    public static func int16(_ values: [Int16]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    /// Floats in [-1, 1] quantised to 16-bit PCM (clipped), little-endian.
    public static func int16(quantizing values: [Float]) -> [UInt8] {
        int16(values.map { Int16(max(-1, min(1, $0)) * 32767) })
    }

    public static func float32(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    }
}
