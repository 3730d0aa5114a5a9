import Foundation
import Layers
import Tensor

/// The windows every model benchmark (Earmark's and the peers') trains and infers on.
///
///     x (M, 9, 13) normalised features, labels (M) in 0..<classes
///
/// Either read from a safetensors file holding `X` (M, 9, 13) or (M, 9, 13, 1) and `y` (class
/// indices (M), or one-hot (M, classes)) - Earmark's feature cache - or drawn at random (uniform in
/// [0, 1), the range of min/max-normalised MFCCs) from a seed. `source` says which.
struct BenchWindows {
    var x: Tensor
    var labels: [Int32]
    var classes: Int
    /// "file PATH" or "random (seed S)", printed with the results.
    var source: String

    var count: Int { labels.count }

    /// `count` random windows with labels cycling through `classes` classes.
    static func random(count: Int, classes: Int, seed: UInt64) -> BenchWindows {
        var rng = RandomGenerator(seed: seed)
        let data = (0..<(count * 9 * 13)).map { _ in rng.nextUniform() }
        let labels = (0..<count).map { _ in Int32(rng.nextInt(below: classes)) }
        return BenchWindows(x: Tensor(shape: [count, 9, 13], data: data), labels: labels,
                            classes: classes, source: "random (seed \(seed))")
    }

    /// Windows from a safetensors file (`X`, `y`), at most `limit` of them.
    static func load(_ path: String, limit: Int?) throws -> BenchWindows {
        let file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: path))
        var x = try file.tensor("X", file: path)
        guard x.rank >= 3, x.shape[1] == 9, x.shape[2] == 13, x.count == x.shape[0] * 9 * 13 else {
            throw SafeTensors.Error(path, "X has shape \(x.shape), expected (M, 9, 13) or (M, 9, 13, 1)")
        }
        var labels: [Int32]
        if let entry = file.tensors["y"], entry.dtype == .f32 || entry.dtype == .f64 {
            let y = try file.tensor("y", file: path)     // one-hot (M, K)
            guard y.rank == 2, y.shape[0] == x.shape[0] else {
                throw SafeTensors.Error(path, "y has shape \(y.shape), expected (\(x.shape[0]), classes)")
            }
            let k = y.shape[1]
            labels = (0..<y.shape[0]).map { r in
                let row = y.data[(r * k)..<((r + 1) * k)]
                return Int32(row.firstIndex(of: row.max()!)! - r * k)
            }
        } else {
            let y = try file.integers("y", file: path)
            guard y.values.count == x.shape[0] else {
                throw SafeTensors.Error(path, "y has \(y.values.count) labels for \(x.shape[0]) windows")
            }
            labels = y.values.map { Int32($0) }
        }
        guard let top = labels.max(), labels.min()! >= 0 else { throw SafeTensors.Error(path, "no windows") }
        let m = min(x.shape[0], limit ?? x.shape[0])
        if m < x.shape[0] {
            x = Tensor(shape: [m, 9, 13], data: Array(x.data[0..<(m * 9 * 13)]))
            labels = Array(labels[0..<m])
        } else {
            x.reshape([m, 9, 13])
        }
        return BenchWindows(x: x, labels: labels, classes: Int(top) + 1, source: "file \(path)")
    }

    /// Writes the windows as `X` (M, 9, 13) float32 and `y` (M) int32, for the peers to read.
    func write(to path: String) throws {
        let file = SafeTensors.File(tensors: ["X": .init(x), "y": .init(int32: labels)],
                                    metadata: ["source": source, "classes": String(classes)])
        try SafeTensors.write(file, to: URL(fileURLWithPath: path))
    }

    /// Batch `b` of `batchSize` windows (cycling), in the network's input shape, into reused buffers.
    func batch(_ b: Int, size: Int, shape: [Int], into x: inout Tensor, labels out: inout [Int32]) {
        let batches = count / size
        let start = (b % batches) * size, stride = 9 * 13
        x.ensureShape([size] + shape)
        if out.count != size { out = [Int32](repeating: 0, count: size) }
        self.x.data.withUnsafeBufferPointer { src in
            x.data.withUnsafeMutableBufferPointer { dst in
                dst.baseAddress!.update(from: src.baseAddress! + start * stride, count: size * stride)
            }
        }
        for i in 0..<size { out[i] = labels[start + i] }
    }
}
