import Durable
import Foundation

/// Reading and writing safetensors files: named tensors plus a string metadata map.
///
/// Layout: 8-byte little-endian header length L, L bytes of JSON mapping each name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets into the data section) plus an
/// optional `"__metadata__"` map of strings, then the raw little-endian data. Python reads the files
/// with `safetensors.numpy.load_file`. The reader trusts nothing: every length, offset and shape in
/// a file is checked before use, so a truncated, foreign or hostile file is an error, never a crash.
public enum SafeTensors {
    /// Element types Earmark reads and writes.
    public enum DType: String, Sendable, CaseIterable {
        case f32 = "F32", f64 = "F64", i32 = "I32", i64 = "I64", u8 = "U8"
        public var byteSize: Int {
            switch self { case .f32, .i32: 4; case .f64, .i64: 8; case .u8: 1 }
        }
    }

    /// One tensor of a file.
    public struct Entry: Sendable, Equatable {
        public var dtype: DType
        public var shape: [Int]
        /// Raw little-endian bytes, `shape` product times `dtype.byteSize` of them.
        public var bytes: Data

        public init(dtype: DType, shape: [Int], bytes: Data) {
            self.dtype = dtype; self.shape = shape; self.bytes = bytes
        }
        /// A float32 entry holding a tensor.
        public init(_ tensor: Tensor) {
            self.init(dtype: .f32, shape: tensor.shape,
                      bytes: tensor.data.withUnsafeBytes { Data($0) })
        }
        /// An int32 entry.
        public init(int32 values: [Int32], shape: [Int]? = nil) {
            self.init(dtype: .i32, shape: shape ?? [values.count], bytes: values.withUnsafeBytes { Data($0) })
        }
    }

    /// A whole file in memory.
    public struct File: Sendable, Equatable {
        public var tensors: [String: Entry]
        public var metadata: [String: String]
        public init(tensors: [String: Entry] = [:], metadata: [String: String] = [:]) {
            self.tensors = tensors; self.metadata = metadata
        }

        /// The float tensor `name`; F64 entries are narrowed to Float.
        /// - Throws: `SafeTensors.Error` if the entry is missing or not a float type.
        public func tensor(_ name: String, file: String = "safetensors file") throws -> Tensor {
            guard let e = tensors[name] else { throw Error(file, "has no tensor '\(name)'") }
            switch e.dtype {
            case .f32:
                return Tensor(shape: e.shape, data: e.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            case .f64:
                return Tensor(shape: e.shape,
                              data: e.bytes.withUnsafeBytes { $0.bindMemory(to: Double.self).map(Float.init) })
            default: throw Error(file, "tensor '\(name)' is \(e.dtype.rawValue), expected F32")
            }
        }

        /// The integer tensor `name` (I32 or I64) as Int values.
        public func integers(_ name: String,
                             file: String = "safetensors file") throws -> (shape: [Int], values: [Int]) {
            guard let e = tensors[name] else { throw Error(file, "has no tensor '\(name)'") }
            switch e.dtype {
            case .i32: return (e.shape, e.bytes.withUnsafeBytes { $0.bindMemory(to: Int32.self).map { Int($0) } })
            case .i64: return (e.shape, e.bytes.withUnsafeBytes { $0.bindMemory(to: Int64.self).map { Int($0) } })
            default: throw Error(file, "tensor '\(name)' is \(e.dtype.rawValue), expected an integer type")
            }
        }
    }

    /// A problem with a safetensors file, naming the file.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ file: String, _ reason: String) { description = "\(file): \(reason)" }
    }

    /// Largest header accepted (the safetensors reference implementation uses the same bound).
    public static let maxHeaderLength = 100_000_000

    // MARK: reading

    /// Reads and validates the file at `url`.
    public static func read(contentsOf url: URL) throws -> File {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw Error(url.path, ReadFailure.reason(for: url, error: error))
        }
        return try decode(data, name: url.path)
    }

    /// Decodes and validates a whole file held in `data`; `name` is used in error messages.
    public static func decode(_ data: Data, name: String = "safetensors data") throws -> File {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else {
            throw Error(name, "is truncated: \(bytes.count) bytes, a safetensors file starts with an 8-byte "
                        + "header length")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length >= 2, length <= UInt64(maxHeaderLength) else {
            throw Error(name, "is not a safetensors file (header length \(length) is out of range)")
        }
        let headerEnd = 8 + Int(length)
        guard headerEnd <= bytes.count else {
            throw Error(name, "is truncated: header says \(length) bytes, only \(bytes.count - 8) follow")
        }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) } catch {
            throw Error(name, "is not a safetensors file (header is not valid JSON)")
        }
        guard let header = json as? [String: Any] else {
            throw Error(name, "is not a safetensors file (header is not a JSON object)")
        }
        let dataSize = bytes.count - headerEnd
        var file = File()
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (key, value) in header {
            if key == "__metadata__" {
                guard let map = value as? [String: Any] else {
                    throw Error(name, "__metadata__ is not a map of strings")
                }
                for (k, v) in map {
                    guard let s = v as? String else { throw Error(name, "__metadata__ value '\(k)' is not a string") }
                    file.metadata[k] = s
                }
                continue
            }
            guard let info = value as? [String: Any],
                  let dtypeName = info["dtype"] as? String,
                  let shapeAny = info["shape"] as? [Any],
                  let offsetsAny = info["data_offsets"] as? [Any], offsetsAny.count == 2 else {
                throw Error(name, "tensor '\(key)' needs dtype, shape and two data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw Error(name, "tensor '\(key)' has unsupported dtype \(dtypeName)")
            }
            let shape = try shapeAny.map { try nonNegativeInt($0, name, "tensor '\(key)' shape") }
            let begin = try nonNegativeInt(offsetsAny[0], name, "tensor '\(key)' data_offsets")
            let end = try nonNegativeInt(offsetsAny[1], name, "tensor '\(key)' data_offsets")
            guard begin <= end, end <= dataSize else {
                throw Error(name, "tensor '\(key)' data_offsets [\(begin), \(end)] lie outside the \(dataSize) "
                            + "data bytes (truncated file?)")
            }
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, product <= dataSize else {
                    throw Error(name, "tensor '\(key)' shape \(shape) is larger than the file")
                }
                count = product
            }
            guard count * dtype.byteSize == end - begin else {
                throw Error(name, "tensor '\(key)' shape \(shape) needs \(count * dtype.byteSize) bytes, "
                            + "its offsets give \(end - begin)")
            }
            ranges.append((begin, end, key))
            file.tensors[key] = Entry(dtype: dtype, shape: shape,
                                      bytes: Data(bytes[(headerEnd + begin)..<(headerEnd + end)]))
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        for (a, b) in zip(ranges, ranges.dropFirst()) where b.begin < a.end {
            throw Error(name, "tensors '\(a.name)' and '\(b.name)' overlap")
        }
        return file
    }

    private static func nonNegativeInt(_ any: Any, _ file: String, _ what: String) throws -> Int {
        guard let n = any as? NSNumber, n.doubleValue == n.doubleValue.rounded(),
              n.doubleValue >= 0, n.doubleValue < 9.0e15 else {
            throw Error(file, "\(what) holds \(any), expected a non-negative integer")
        }
        return n.intValue
    }

    // MARK: writing

    /// Encodes `file`: tensors sorted by name, header padded with spaces to a multiple of 8 bytes.
    public static func encode(_ file: File) -> Data {
        var header: [String: Any] = [:]
        if !file.metadata.isEmpty { header["__metadata__"] = file.metadata }
        var offset = 0
        let names = file.tensors.keys.sorted()
        for n in names {
            let e = file.tensors[n]!
            header[n] = ["dtype": e.dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + e.bytes.count]]
            offset += e.bytes.count
        }
        var json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data(capacity: 8 + json.count + offset)
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for n in names { out.append(file.tensors[n]!.bytes) }
        return out
    }

    /// Writes `file` to `url` durably and atomically (`AtomicFile`: a flushed temporary file in the same
    /// folder, renamed into place, the folder flushed).
    public static func write(_ file: File, to url: URL) throws {
        do { try AtomicFile.write(encode(file), to: url) } catch let error as AtomicFile.Error {
            throw Error(url.path, "cannot be written (\(error.reason))")
        }
    }
}
