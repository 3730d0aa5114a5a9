@testable import Pipeline
import XCTest

/// python_speech_features warns when the FFT is shorter than a frame (it truncates the frame); so
/// does a config with such settings (the values themselves are psf's: FeatureParityTests' rate44k_512).
final class FeatureWarningTests: XCTestCase {
    func testAnFFTShorterThanAFrameIsWarnedOf() throws {
        var features = ExperimentConfig(name: "a").features
        XCTAssertEqual(features.warnings(file: "cfg/a.yaml"), [], "the reference settings: nfft 512, 400-sample frames")
        features.nfft = 256
        let warnings = features.warnings(file: "cfg/a.yaml")
        XCTAssertEqual(warnings.map(\.description), [
            "warning: cfg/a.yaml: features.nfft (256) is shorter than a frame (winlen 0.025 s, 400 samples): each frame "
                + "is truncated to its first 256 samples, as python_speech_features does; raise nfft to use whole frames"])
        features.nfft = 400
        XCTAssertEqual(features.warnings(file: "cfg/a.yaml"), [], "an FFT as long as the frame")
        features.nfft = 256
        features.kind = .logmel
        XCTAssertEqual(features.warnings(file: "cfg/a.yaml"), [], "log-mel frames are n_fft long by definition")
    }
}
