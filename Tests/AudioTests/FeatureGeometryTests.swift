import Audio
import XCTest

/// The window and coefficient geometry that Pipeline's configs ask FeatureParameters for.
final class FeatureGeometryTests: XCTestCase {
    func testWindowSamplesRoundHalfUp() {
        let p = FeatureParameters()
        XCTAssertEqual(p.samples(seconds: 0.1), 1600)
        XCTAssertEqual(p.samples(seconds: 0.025), 400)
        XCTAssertEqual(FeatureParameters(sampleRate: 44100).samples(seconds: 0.025), 1103)   // 1102.5
        XCTAssertEqual(FeatureParameters(sampleRate: 22050).samples(seconds: 0.1), 2205)
        XCTAssertEqual(FeatureParameters(sampleRate: 8000).samples(seconds: 0.0000625), 1)   // 0.5
    }

    func testWidthOfEveryKind() {
        let p = FeatureParameters(numcep: 12, nfilt: 40)
        for kind in FeatureKind.allCases where kind.isSpeechFeature {
            switch kind {
            case .mfcc: XCTAssertEqual(p.width(kind), 12)
            case .logfbank, .fbank: XCTAssertEqual(p.width(kind), 40, kind.rawValue)
            case .logmel: XCTFail("logmel is not a speech feature")
            }
        }
    }
}
