@testable import Audio
import XCTest

/// `SampleScan`: the peak and the finiteness check the decoder and the gate run over every sample.
final class SampleScanTests: XCTestCase {
    func testSampleScanSeesEveryLaneAndTheTail() {
        for n in [1, 15, 16, 17, 33, 100] {
            for at in [0, n / 2, n - 1] {
                var y = [Float](repeating: 0.25, count: n)
                y[at] = -2
                XCTAssertEqual(y.withUnsafeBufferPointer { SampleScan.peak($0.baseAddress!, count: n) }, 2)
                y[at] = .nan
                XCTAssertTrue(y.withUnsafeBufferPointer { SampleScan.peak($0.baseAddress!, count: n) }.isNaN)
                y[at] = -.infinity
                XCTAssertFalse(y.withUnsafeBufferPointer { SampleScan.peak($0.baseAddress!, count: n) }.isFinite)
                XCTAssertEqual(SampleScan.firstNonFinite(y), at)
            }
            XCTAssertNil(SampleScan.firstNonFinite([Float](repeating: 1, count: n)))
        }
    }
}
