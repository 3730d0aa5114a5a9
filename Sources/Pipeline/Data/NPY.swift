import Foundation

/// NumPy `.npy` (format 1.0, little-endian float32, C order) for features a user opens in NumPy.
public enum NPY {
    /// The bytes of an .npy file holding `values` with `shape`.
    public static func encode(_ values: [Float], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "NPY: shape \(shape) for \(values.count) values")
        let dims = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let n = UInt16(header.utf8.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8)])
        out.append(Data(header.utf8))
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Writes an .npy file atomically.
    public static func write(_ values: [Float], shape: [Int], to url: URL) throws {
        try writeAtomically(encode(values, shape: shape), to: url)
    }
}
