import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// Largest |a - b| and largest |a - b| / max(1, |b|) (the measure `assertClose` bounds).
func maxDifference(_ a: [Float], _ b: [Float]) -> (absolute: Double, scaled: Double) {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    var absolute = 0.0, scaled = 0.0
    for i in 0..<a.count {
        let d = abs(Double(a[i]) - Double(b[i]))
        absolute = max(absolute, d.isNaN ? .infinity : d)
        scaled = max(scaled, d.isNaN ? .infinity : d / max(1, abs(Double(b[i]))))
    }
    return (absolute, scaled)
}

/// Prints a measured difference in a greppable form (the report quotes these lines).
func report(_ what: String, _ difference: (absolute: Double, scaled: Double)) {
    print(String(format: "AUDIO-DIFF %@: max |diff| %.3g, max scaled %.3g", what, difference.absolute, difference.scaled))
}

/// Float values of fixture tensor `name`.
func fixtureValues(_ file: SafeTensors.File, _ name: String) throws -> [Float] {
    try file.tensor(name).data
}

/// Double values of fixture tensor `name` (F64 kept exact, F32 widened).
func fixtureDoubles(_ file: SafeTensors.File, _ name: String) throws -> [Double] {
    let entry = try XCTUnwrap(file.tensors[name], "fixture has no tensor \(name)")
    switch entry.dtype {
    case .f64: return entry.bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    default: return try file.tensor(name).data.map(Double.init)
    }
}

/// Little-endian bytes of a canonical RIFF/WAVE file, for hand-made (also malformed) headers.
enum WavBytes {
    /// format 1 = PCM integer, 3 = IEEE float. `dataSize` overrides the data chunk's declared size.
    static func make(format: UInt16, channels: UInt16, rate: UInt32, bitsPerSample: UInt16,
                     data: [UInt8], dataSize: UInt32? = nil) -> Data {
        var d = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        let blockAlign = UInt16(truncatingIfNeeded: Int(channels) * Int(bitsPerSample) / 8)
        d.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + data.count))
        d.append(contentsOf: Array("WAVE".utf8))
        d.append(contentsOf: Array("fmt ".utf8)); u32(16)
        u16(format); u16(channels); u32(rate); u32(rate &* UInt32(blockAlign)); u16(blockAlign); u16(bitsPerSample)
        d.append(contentsOf: Array("data".utf8)); u32(dataSize ?? UInt32(data.count))
        d.append(contentsOf: data)
        return d
    }

    static func int16(_ values: [Int16]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    static func float32(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    }
}

/// A deterministic test signal: a sum of sines plus a small ramp (values in about [-0.8, 0.8]).
func testSignal(_ n: Int, rate: Int, frequency: Double = 440, phase: Double = 0) -> [Float] {
    (0..<n).map { i in
        let t = Double(i) / Double(rate)
        return Float(0.5 * sin(2 * .pi * frequency * t + phase) + 0.25 * sin(2 * .pi * 3.1 * frequency * t)
                     + 0.05 * Double(i % 97) / 97)
    }
}
