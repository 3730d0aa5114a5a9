/// A filter bank's rows as their nonzero spans, in raw memory so that threads sharing an extractor
/// touch no reference counts in the frame loop: filter m's weights are
/// weights[offsets[m] ..< offsets[m + 1]], applied from bin starts[m].
///
///     energy[m] = sum over k of weights[offsets[m] + k] * power[starts[m] + k]
final class SparseFilters: @unchecked Sendable {
    /// Number of filters M.
    let count: Int
    let starts: UnsafeMutablePointer<Int>
    let offsets: UnsafeMutablePointer<Int>
    let weights: UnsafeMutablePointer<Double>

    /// From spans already found (`MelFilterBank.sparse`): starts (M), offsets (M + 1), weights.
    init(starts: [Int], offsets: [Int], weights: [Double]) {
        precondition(offsets.count == starts.count + 1 && offsets.last == weights.count,
                     "SparseFilters: \(starts.count) starts, \(offsets.count) offsets, \(weights.count) weights")
        count = starts.count
        self.starts = Self.copy(starts)
        self.offsets = Self.copy(offsets)
        self.weights = Self.copy(weights)
    }

    /// From dense rows: dense (rows, columns), row-major; each row's span runs from its first to its
    /// last nonzero weight (an all-zero row gets an empty span).
    convenience init(dense: [Double], rows: Int, columns B: Int) {
        var starts: [Int] = [], offsets: [Int] = [0], weights: [Double] = []
        for m in 0..<rows {
            let row = dense[(m * B)..<((m + 1) * B)]
            let first = row.firstIndex { $0 != 0 } ?? row.startIndex
            let last = (row.lastIndex { $0 != 0 } ?? (first - 1)) + 1
            starts.append(first - m * B)
            weights += row[first..<max(first, last)]
            offsets.append(weights.count)
        }
        self.init(starts: starts, offsets: offsets, weights: weights)
    }

    deinit {
        starts.deallocate()
        offsets.deallocate()
        weights.deallocate()
    }

    private static func copy<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, values.count))
        p.initialize(from: values, count: values.count)
        return p
    }
}
