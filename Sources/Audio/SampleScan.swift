/// One vectorised pass over samples: their largest magnitude, and whether every one is finite.
///
///     x (count) -> peak = max |x_j| (NaN when a sample is NaN or infinite), finite = no such sample
enum SampleScan {
    /// max |x_j| over x (count), 0 for none; NaN when any sample is NaN or infinite.
    static func peak(_ x: UnsafePointer<Float>, count n: Int) -> Float {
        var peak = SIMD16<Float>(repeating: 0)
        var finite = SIMD16<Float>(repeating: 0)          // stays 0 unless a sample is NaN or infinite
        let raw = UnsafeRawPointer(x)
        let magnitude = SIMD16<UInt32>(repeating: 0x7FFF_FFFF)
        var j = 0
        while j + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            let m = unsafeBitCast(unsafeBitCast(v, to: SIMD16<UInt32>.self) & magnitude, to: SIMD16<Float>.self)
            peak = peak.replacing(with: m, where: m .> peak)
            finite += v - v                               // x - x: 0, or NaN for NaN and infinities
            j += 16
        }
        var result = peak.max() + finite.sum()
        while j < n { result = Swift.max(result, abs(x[j])) + (x[j] - x[j]); j += 1 }
        return result
    }

    /// The index of the first sample that is NaN or infinite, if any.
    static func firstNonFinite(_ x: [Float]) -> Int? {
        let peak = x.withUnsafeBufferPointer { p in p.baseAddress.map { SampleScan.peak($0, count: p.count) } ?? 0 }
        return peak.isFinite ? nil : x.firstIndex { !$0.isFinite }
    }
}
