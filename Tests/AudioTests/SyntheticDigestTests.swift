@testable import Audio
import XCTest

/// Pins of the generated demo sets for small configurations: any change to a sample fails here.
final class SyntheticDigestTests: XCTestCase {
    /// The quality set's clips must stay bit-identical (the default demo and its trained models).
    func testQualityDigest() {
        let clips = SyntheticDataset.generate(clipsPerClass: 2, seconds: 0.5, sampleRate: 16000, seed: 2024)
        XCTAssertEqual(syntheticDigest(clips.map { ($0.name, $0.samples) }), "1bfdecef1a830ad")
    }

    func testPartsDigest() {
        let clips = SyntheticParts.generate(parts: 4, takes: 2, seconds: 0.5, seed: 2024)
        XCTAssertEqual(syntheticDigest(clips.map { ($0.name, $0.samples) }), "9f8cfb74fd784009")
    }

    func testStudyDigest() {
        let clips = SyntheticStudy.generate(clipsPerClass: 2, seconds: 0.25, seed: 2024)
        XCTAssertEqual(syntheticDigest(clips.map { ($0.name, $0.samples) }), "9c15201801e2e99a")
    }
}
