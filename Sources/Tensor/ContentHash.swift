import Foundation

/// A fast 64-bit hash of bytes, for telling contents apart: the audio a model was trained on
/// (Pipeline's `CleanFingerprint`) and the data of a cache file (`SafeTensors.File.contentChecksum`),
/// which a flipped value or a partly overwritten file must not pass. Not cryptographic.
///
/// Four independent lanes of xxHash64's round over 8-byte little-endian words (lane i takes words
/// i, i + 4, ...), the remaining whole words and then the last 1-7 bytes (packed little-endian into
/// one word) into a fifth, and the five mixed into `seed`. Not xxHash64's value (its seeding and tail
/// differ); stored values depend on it, so it must not change (pinned by the tests). The length is
/// not mixed in (zero bytes at the end of the last partial word do not change it): a caller whose
/// contents differ in length puts it in `seed` or hashes it first, as both callers do.
///
///     bytes (n) -> 4 lanes over 32-byte blocks, tail lane -> mixed with seed -> UInt64
public enum ContentHash {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87, p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        let a = acc &+ input &* p2
        return ((a << 31) | (a >> 33)) &* p1
    }

    /// The hash of `bytes`, started from `seed`.
    public static func of(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        var h0 = p1 &+ p2, h1 = p2, h2: UInt64 = 0, h3 = 0 &- p1
        var tail: UInt64 = 0
        let words = bytes.count / 8
        var k = 0
        while k + 4 <= words {
            h0 = round(h0, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)))
            h1 = round(h1, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8 + 8, as: UInt64.self)))
            h2 = round(h2, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8 + 16, as: UInt64.self)))
            h3 = round(h3, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8 + 24, as: UInt64.self)))
            k += 4
        }
        while k < words {
            tail = round(tail, UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)))
            k += 1
        }
        if bytes.count % 8 != 0 {
            var last: UInt64 = 0
            for i in stride(from: bytes.count - 1, through: words * 8, by: -1) { last = last << 8 | UInt64(bytes[i]) }
            tail = round(tail, last)
        }
        var h = seed
        for lane in [h0, h1, h2, h3, tail] { h = round(h, lane) }
        h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p1; h ^= h >> 32
        return h
    }

    /// 16 lowercase hex digits of `value`.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension SafeTensors.File {
    /// `ContentHash` of every tensor, in name order (name, dtype, shape and bytes), as 16 hex digits:
    /// what a cache file records of its data in its metadata, so that data damaged behind the header
    /// (a value overwritten, bytes flipped) is rebuilt instead of trusted.
    public var contentChecksum: String {
        var h: UInt64 = 0
        for name in tensors.keys.sorted() {
            let entry = tensors[name]!
            let label = "\(name)|\(entry.dtype.rawValue)|\(entry.shape)"
            h = Array(label.utf8).withUnsafeBytes { ContentHash.of($0, seed: h) }
            h = entry.bytes.withUnsafeBytes { ContentHash.of($0, seed: h) }
        }
        return ContentHash.hex(h)
    }
}

extension SafeTensors.File {
    /// Records `contentChecksum` in the metadata as `checksum` (before writing a cache file).
    public mutating func seal() { metadata["checksum"] = contentChecksum }

    /// - Throws: when the metadata's `checksum` is missing or is not that of the tensors read: the data
    ///   was damaged after the file was written (`file` names it in the error).
    public func verifySeal(file: String) throws {
        guard metadata["checksum"] == contentChecksum else {
            throw SafeTensors.Error(file, "its data does not match the checksum written with it (damaged)")
        }
    }
}
