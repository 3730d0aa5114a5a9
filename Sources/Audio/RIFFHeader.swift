import Foundation

/// The one thing libsndfile does not tell about a WAV file: how much audio its header declares.
/// libsndfile quietly shortens a data chunk that runs past the end of the file to the frames
/// present; comparing with the declared size tells a cut-off file from a complete one.
enum RIFFHeader {
    /// Frames the `data` chunk of a RIFF/WAVE file declares (its byte size / the `fmt ` chunk's
    /// block align). Nil when the file is not RIFF/WAVE, has no `fmt ` chunk before `data`, or the
    /// size is a streaming placeholder (0 or 0xFFFFFFFF). Reads only chunk headers.
    static func declaredDataFrames(of url: URL) -> Int? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        func read(_ offset: UInt64, _ count: Int) -> [UInt8]? {
            guard (try? handle.seek(toOffset: offset)) != nil,
                  let data = try? handle.read(upToCount: count), data.count == count else { return nil }
            return [UInt8](data)
        }
        func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
            UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
        }
        guard let riff = read(0, 12), riff[0..<4] == [0x52, 0x49, 0x46, 0x46],   // "RIFF"
              riff[8..<12] == [0x57, 0x41, 0x56, 0x45] else { return nil }     // "WAVE"
        var offset: UInt64 = 12
        var blockAlign = 0
        for _ in 0..<64 {   // a WAV file has a handful of chunks; stop on anything stranger
            guard let chunk = read(offset, 8) else { return nil }
            let size = u32(chunk, 4)
            switch chunk[0..<4] {
            case [0x66, 0x6D, 0x74, 0x20]:   // "fmt "
                guard size >= 16, let fmt = read(offset + 8, 16) else { return nil }
                blockAlign = Int(fmt[12]) | Int(fmt[13]) << 8
            case [0x64, 0x61, 0x74, 0x61]:   // "data"
                guard blockAlign > 0, size != 0, size != 0xFFFF_FFFF else { return nil }
                return Int(size) / blockAlign
            default: break
            }
            offset += 8 + UInt64(size) + UInt64(size & 1)
        }
        return nil
    }
}
