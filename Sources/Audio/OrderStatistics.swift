/// Order statistics of an array without sorting it: the median of numpy's definition by quickselect
/// (Hoare's selection, median-of-three pivots), a few linear passes where a sort takes n log n.
enum OrderStatistics {
    /// numpy's median of `values` (the mean of the two middle values for an even count), reordering
    /// `values`. The same value as sorting and reading the middle, bit for bit.
    /// Precondition: at least one value, none NaN.
    static func median(reordering values: inout [Double]) -> Double {
        let c = values.count
        precondition(c > 0, "median of no values")
        return values.withUnsafeMutableBufferPointer { v in
            select(c / 2, in: v)
            guard c % 2 == 0 else { return v[c / 2] }
            // the other middle value: the largest of the c / 2 values the selection put below
            let lower = v[0..<(c / 2)].max()!
            return (lower + v[c / 2]) / 2
        }
    }

    /// Reorders `v` so that v[k] is the value a sort would put there, with every value before it <= it
    /// and every value after it >= it. Precondition: 0 <= k < v.count, no NaN.
    static func select(_ k: Int, in v: UnsafeMutableBufferPointer<Double>) {
        precondition(k >= 0 && k < v.count, "select: index \(k) of \(v.count) values")
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while v[j] > pivot { j -= 1 }
                if i <= j {
                    v.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // now v[lo...j] <= pivot, v[i...hi] >= pivot and everything between equals it
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return
            }
        }
    }
}
