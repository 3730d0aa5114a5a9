import Foundation

/// FNV-1a 64 over every clip's name bytes and sample bit patterns, in order, as 16 hex digits: a pin
/// that changes when any sample of a generated set changes.
func syntheticDigest(_ clips: [(name: String, samples: [Float])]) -> String {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func eat(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    for clip in clips {
        for b in clip.name.utf8 { eat(b) }
        for s in clip.samples {
            let v = s.bitPattern
            for shift in stride(from: 0, to: 32, by: 8) { eat(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
        }
    }
    return String(h, radix: 16)
}
