import Audio
import Foundation
import Pipeline
import XCTest

/// The features section of a config: Audio's kinds and geometry, asked of FeatureParameters.
final class FeatureConfigTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func parse(_ yaml: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(yaml, file: "cfg/x.yaml", defaultName: "x")
    }

    func testGeometryIsFeatureParameters() throws {
        for yaml in ["", "features: {kind: logfbank, rate: 44100, nfilt: 40, window_seconds: 0.25}\n",
                     "features: {rate: 8000, winlen: 0.032, winstep: 0.0125, numcep: 20, window_seconds: 0.5}\n"] {
            let f = try parse(yaml + layers).features
            let p = f.audioParameters
            XCTAssertEqual(f.frameLength, p.frameLength)
            XCTAssertEqual(f.frameStep, p.frameStep)
            XCTAssertEqual(f.windowSamples, p.samples(seconds: f.windowSeconds))
            XCTAssertEqual(f.framesPerWindow, p.frameCount(samples: f.windowSamples))
            XCTAssertEqual(f.coefficients, p.width(f.kind))
            XCTAssertNoThrow(try p.validate())
        }
        let reference = ExperimentConfig(name: "x").features
        XCTAssertEqual([reference.windowSamples, reference.frameLength, reference.frameStep,
                        reference.framesPerWindow, reference.coefficients], [1600, 400, 160, 9, 13])
        let fbank = try parse("features: {kind: logfbank, rate: 44100, nfilt: 40, window_seconds: 0.25}\n" + layers)
        XCTAssertEqual(fbank.features.kind, .logfbank)
        XCTAssertEqual([fbank.features.frameLength, fbank.features.frameStep, fbank.features.framesPerWindow,
                        fbank.features.coefficients], [1103, 441, 24, 40])
    }

    func testFbankIsNotOfferedInConfigs() {
        XCTAssertEqual(FeatureConfig.kinds, [.mfcc, .logfbank, .logmel])
        XCTAssertThrowsError(try parse("features:\n  kind: fbank\n" + layers)) { error in
            let text = String(describing: error)
            for fragment in ["cfg/x.yaml:2", "features.kind", "'fbank' is not one of mfcc, logfbank, logmel"] {
                XCTAssertTrue(text.contains(fragment), "'\(text)' lacks '\(fragment)'")
            }
        }
    }
}
