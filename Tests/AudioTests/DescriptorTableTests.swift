import Audio
import Foundation
import Tensor
import TestSupport
import XCTest

/// The per-clip descriptor row (means and standard deviations over frames) against librosa 0.11 and
/// python_speech_features (Tests/Fixtures/make_descriptor_table_fixtures.py).
final class DescriptorTableTests: XCTestCase {
    func testRowsAgainstLibrosaAndPSF() throws {
        let clips = try Fixtures.load("audio/descriptors.safetensors")
        let expected = try Fixtures.load("audio/descriptor_table.safetensors")
        let names = ClipDescriptors.columnNames()
        XCTAssertEqual(names.count, 38)
        XCTAssertEqual(expected.metadata["columns"], "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
        for name in ["clean", "degraded", "short16k"] {
            let y = try fixtureValues(clips, "\(name)/signal")
            let rate = try clips.integers("\(name)/rate").values[0]
            let row = ClipDescriptors(y, sampleRate: rate).row
            let want = try fixtureValues(expected, "\(name)/row")
            XCTAssertEqual(row.count, 38)
            var worst = (0.0, "")
            for (i, column) in names.enumerated() {
                // 1e-5 relative, absolute below magnitude 1 (MFCC means near zero); float32 sums
                let d = Double(abs(row[i] - want[i])), scale = max(1, Double(abs(want[i])))
                XCTAssertLessThanOrEqual(d / scale, 1e-5, "\(name) \(column): \(row[i]) vs \(want[i])")
                if d / scale > worst.0 { worst = (d / scale, column) }
            }
            print(String(format: "AUDIO-DIFF descriptor table %@: max scaled %.3g (%@)", name, worst.0, worst.1))
            // the means are the 19-value vector's
            let d = ClipDescriptors(y, sampleRate: rate)
            XCTAssertEqual(Array(row[0..<13]), d.mfccMean)
            XCTAssertEqual([row[26], row[28], row[30], row[32], row[34], row[36]], Array(d.vector[13...]))
        }
    }

    func testConstantSignalHasZeroSpread() {
        let d = ClipDescriptors([Float](repeating: 0, count: 4000), sampleRate: 16000)
        for v in d.spectralStd { XCTAssertEqual(v, 0, accuracy: 1e-12) }   // flatness: 1 up to rounding
        XCTAssertEqual(d.row.count, 38)
        XCTAssertTrue(d.row.allSatisfy(\.isFinite))
    }
}
