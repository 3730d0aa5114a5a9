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
    print(String(format: "AUDIO-DIFF %@: max |diff| %.3g, max scaled %.3g", what, difference.absolute,
                 difference.scaled))
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

/// A deterministic test signal: a sum of sines plus a small ramp (values in about [-0.8, 0.8]).
func testSignal(_ n: Int, rate: Int, frequency: Double = 440, phase: Double = 0) -> [Float] {
    (0..<n).map { i in
        let t = Double(i) / Double(rate)
        return Float(0.5 * sin(2 * .pi * frequency * t + phase) + 0.25 * sin(2 * .pi * 3.1 * frequency * t)
                     + 0.05 * Double(i % 97) / 97)
    }
}
