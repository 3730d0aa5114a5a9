/// A double carried exactly through a float allreduce: three floats whose exact sum is the double
/// (24 + 24 + 24 significant bits cover a double's 53). A rank writes its value into slots that every
/// other rank leaves 0, so the sum over the ranks (x + 0 == x) returns each float unchanged.
/// Exact for magnitudes from about 1e-23 (below, the last part is subnormal, which the training
/// threads flush to zero) up to the float range; non-finite values come back non-finite.
///
///     split: d -> (hi, mid, lo) with hi + mid + lo == d;  join: (hi, mid, lo) -> d
enum StepStatistics {
    /// Writes `value` as three floats at `slots`.
    static func split(_ value: Double, into slots: UnsafeMutablePointer<Float>) {
        let hi = Float(value)
        let r1 = value - Double(hi)            // the rounding error of a conversion is exact in Double
        let mid = Float(r1)
        let lo = Float(r1 - Double(mid))
        slots[0] = hi; slots[1] = mid; slots[2] = lo
    }

    /// The double written by `split` at `slots`.
    static func join(_ slots: UnsafePointer<Float>) -> Double {
        guard slots[0].isFinite else { return Double(slots[0]) }
        return Double(slots[0]) + Double(slots[1]) + Double(slots[2])
    }
}
