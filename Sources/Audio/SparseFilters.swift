/// A filter bank's rows as their nonzero spans, in raw memory so that threads sharing an extractor
/// touch no reference counts in the frame loop: filter m's weights are
/// weights[offsets[m] ..< offsets[m + 1]], applied from bin starts[m].
///
///     energy[m] = sum over k of weights[offsets[m] + k] * power[starts[m] + k]
///
/// With `paddedTo: lanes` every span is extended with zero weights to a multiple of `lanes`, so that
/// a vectorised sum has no remainder; a reader then reads up to `lanes - 1` bins past the last bin
/// (`readLength`), which must be zeros.
final class SparseFilters: @unchecked Sendable {
    /// Number of filters M.
    let count: Int
    let starts: UnsafeMutablePointer<Int>
    let offsets: UnsafeMutablePointer<Int>
    let weights: UnsafeMutablePointer<Double>
    /// Bins a reader touches: the largest starts[m] + span length (padding included).
    let readLength: Int

    /// From spans already found (`MelFilterBank.sparse`): starts (M), offsets (M + 1), weights; each
    /// span padded with zero weights to a multiple of `lanes` (1: as given).
    init(starts: [Int], offsets: [Int], weights: [Double], paddedTo lanes: Int = 1) {
        precondition(offsets.count == starts.count + 1 && offsets.last == weights.count,
                     "SparseFilters: \(starts.count) starts, \(offsets.count) offsets, \(weights.count) weights")
        precondition(lanes >= 1, "SparseFilters: lanes \(lanes) must be >= 1")
        var paddedOffsets = [0], paddedWeights: [Double] = []
        var readLength = 0
        for m in starts.indices {
            let span = weights[offsets[m]..<offsets[m + 1]]
            let length = (span.count + lanes - 1) / lanes * lanes
            paddedWeights += span
            paddedWeights += repeatElement(0, count: length - span.count)
            paddedOffsets.append(paddedWeights.count)
            readLength = max(readLength, starts[m] + length)
        }
        count = starts.count
        self.starts = Self.copy(starts)
        self.offsets = Self.copy(paddedOffsets)
        self.weights = Self.copy(paddedWeights)
        self.readLength = readLength
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
