/// What identifies a file's audio, as opposed to its name: a model stores one per file of its split
/// (`split_fingerprints`), and `predict` gives a row the split its fname had at training time only
/// when its audio, cleaned now, has the same fingerprint; another data folder's file of the same
/// name is `unseen`.
///
/// The fingerprint is taken of the cleaned samples (what the network saw), not of the source file:
/// training has them in memory whether clean/ was remade or reused, and `predict` cleans every file
/// with the model's own settings, so the same source gives the same samples bit for bit.
public enum CleanFingerprint {
    /// "N:HHHHHHHHHHHHHHHH": the sample count and a 64-bit hash of the samples' bit patterns, in four
    /// independent lanes of xxHash64's round over pairs of samples, then mixed into one word.
    /// Not xxHash64's value (its seeding and tail differ); only equality between two fingerprints matters.
    ///
    ///     samples (N) -> lanes 0..3 each over every 4th pair of samples -> one UInt64 -> hex
    public static func of(_ samples: [Float]) -> String {
        let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
        func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
            let a = acc &+ input &* p2
            return ((a << 31) | (a >> 33)) &* p1
        }
        var h0 = p1 &+ p2, h1 = p2, h2: UInt64 = 0, h3 = 0 &- p1
        var tail: UInt64 = 0
        samples.withUnsafeBufferPointer { buffer in
            let words = UnsafeRawBufferPointer(buffer)
            let pairs = buffer.count / 2
            var k = 0
            while k + 4 <= pairs {
                h0 = round(h0, words.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self))
                h1 = round(h1, words.loadUnaligned(fromByteOffset: k * 8 + 8, as: UInt64.self))
                h2 = round(h2, words.loadUnaligned(fromByteOffset: k * 8 + 16, as: UInt64.self))
                h3 = round(h3, words.loadUnaligned(fromByteOffset: k * 8 + 24, as: UInt64.self))
                k += 4
            }
            while k < pairs { tail = round(tail, words.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)); k += 1 }
            if buffer.count % 2 == 1 { tail = round(tail, UInt64(buffer[buffer.count - 1].bitPattern)) }
        }
        var h = UInt64(samples.count)
        for lane in [h0, h1, h2, h3, tail] { h = round(h, lane) }
        h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p1; h ^= h >> 32
        let hex = String(h, radix: 16)
        return "\(samples.count):" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
