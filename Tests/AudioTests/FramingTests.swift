@testable import Audio
import XCTest

/// Pre-emphasis once per signal, then frames copied from it (`Framing.preemphasize`,
/// `Framing.writeFrame`): every frame bit for bit the pre-emphasis python_speech_features applies
/// before framing (in Double, stored as Float), zero past the signal's end and past L up to N.
final class FramingTests: XCTestCase {
    func testFramesOfThePreemphasisedSignal() {
        let (L, S, a) = (400, 160, 0.97)
        for (n, N) in [(1600, 512), (1601, 512), (399, 512), (1, 512), (0, 512), (2000, 256), (1000, 400)] {
            var state: UInt64 = UInt64(n) &+ 3
            let signal = (0..<n).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
            }
            var emphasized = [Float](repeating: .nan, count: max(1, n))
            signal.withUnsafeBufferPointer { s in
                emphasized.withUnsafeMutableBufferPointer { Framing.preemphasize(s, coefficient: a, into: $0.baseAddress!) }
            }
            let frames = Framing.frameCount(samples: n, frameLength: L, frameStep: S)
            var frame = [Float](repeating: .nan, count: N)
            for f in 0..<frames {
                emphasized.withUnsafeBufferPointer { e in
                    frame.withUnsafeMutableBufferPointer {
                        Framing.writeFrame(e.baseAddress!, count: n, frame: f, frameLength: L, frameStep: S,
                                           into: $0.baseAddress!, fftSize: N)
                    }
                }
                for j in 0..<N {
                    let i = f * S + j
                    let expected: Float = j >= min(L, N) || i >= n ? 0
                        : i == 0 ? signal[0] : Float(Double(signal[i]) - a * Double(signal[i - 1]))
                    XCTAssertEqual(frame[j].bitPattern, expected.bitPattern, "n \(n), N \(N), frame \(f), sample \(j)")
                    if frame[j].bitPattern != expected.bitPattern { return }
                }
            }
        }
    }
}
