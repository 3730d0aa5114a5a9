import Tensor

/// Network inputs with their labels and the file each window came from.
///
///     x (M, inputShape...), labels (M) in 0..<classes, files (M) indexes into the audio table
public struct WindowSet: Sendable {
    public var x: Tensor
    public var labels: [Int32]
    public var files: [Int32]

    public init(x: Tensor, labels: [Int32], files: [Int32]) {
        precondition(x.shape.first == labels.count && labels.count == files.count,
                     "WindowSet: x \(x.shape) with \(labels.count) labels and \(files.count) files")
        self.x = x; self.labels = labels; self.files = files
    }

    /// Number of windows.
    public var count: Int { labels.count }
    /// Floats per window.
    public var stride: Int { x.shape.dropFirst().reduce(1, *) }

    /// Copies the windows at `indices` into `batch` (x) and `labels`, reusing their storage.
    ///
    ///     self.x (M, S...) -> batch (B, S...), B = indices.count
    public func gather(_ indices: ArraySlice<Int>, into batch: inout Tensor, labels out: inout [Int32]) {
        let s = stride
        batch.ensureShape([indices.count] + x.shape.dropFirst())
        if out.count != indices.count { out = [Int32](repeating: 0, count: indices.count) }
        x.data.withUnsafeBufferPointer { src in
            batch.data.withUnsafeMutableBufferPointer { dst in
                for (row, i) in indices.enumerated() {
                    (dst.baseAddress! + row * s).update(from: src.baseAddress! + i * s, count: s)
                }
            }
        }
        for (row, i) in indices.enumerated() { out[row] = labels[i] }
    }
}
