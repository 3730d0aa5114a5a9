import Foundation
import Pipeline
import TestSupport
import XCTest

/// `features: {descriptors: [...]}`: which descriptor groups make a per-clip row.
final class DescriptorSetConfigTests: XCTestCase {
    func parse(_ text: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(text, file: "cfg/d.yaml", defaultName: "d")
    }

    func testGroupsSetTheColumnsInOrderAndPrintOnlyWhenNotTheDefault() throws {
        let plain = try parse("model: {kind: random_forest}")
        XCTAssertEqual(plain.features.descriptorSets, [.spectral])
        XCTAssertFalse(plain.yaml().contains("descriptors:"))
        XCTAssertEqual(DescriptorTable.columns(for: plain.features).count, 38)

        let both = try parse("features: {descriptors: [spectral, condition]}\nmodel: {kind: random_forest}")
        let columns = DescriptorTable.columns(for: both.features)
        XCTAssertEqual(columns.count, 38 + 24)
        XCTAssertEqual(columns[38], "condition_envelope_cv_20_500")
        XCTAssertTrue(both.yaml().contains("  descriptors: [spectral, condition]\n"))
        XCTAssertEqual(try parse(both.yaml()).features, both.features)
        XCTAssertNotEqual(both.featureHash, plain.featureHash)

        let only = try parse("features: {descriptors: [condition]}\nmodel: {input: descriptors, layers: [{dense: {units: classes, activation: softmax}}]}")
        XCTAssertEqual(only.inputShape, [24])
        let row = DescriptorTable.row((0..<4000).map { Float(sin(Double($0) * 0.3)) }, features: only.features)
        XCTAssertEqual(row.count, 24)
    }

    func testMistakesNameTheKey() {
        for (text, problem) in [("[spectral, spectral]", "each once"), ("[]", "list"),
                                ("[mfcc]", "mfcc"), ("condition", "expected a list")] {
            XCTAssertThrowsError(try parse("features: {descriptors: \(text)}\nmodel: {kind: random_forest}"), text) {
                let message = "\($0)"
                XCTAssertTrue(message.contains("descriptors") && message.contains(problem), "\(text): \(message)")
            }
        }
    }
}
