import Foundation
import Pipeline
import TestSupport
import XCTest

/// The hashes of the shipped configs name feature caches (`featureHash`) and are stored in model
/// files and checkpoints (`configHash`); both digest the `--print-config` text, which must
/// therefore stay byte-identical. The values are those of the shipped cfg/*.yaml files.
final class ConfigHashTests: XCTestCase {
    func load(_ name: String) throws -> ExperimentConfig {
        try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("\(name).yaml"))
    }

    func testShippedConfigHashesArePinned() throws {
        let pins: [(name: String, feature: String, config: String)] = [
            ("conv", "c355a7c3dc3f3e3e", "2ed5b71315b5b5db"),
            ("time", "c355a7c3dc3f3e3e", "13f5d8f5250c1786"),
            ("conv_fbank", "e318e905a2da525f", "9e325c865f5f049c"),
            ("conv_small", "c355a7c3dc3f3e3e", "171829b3f076d4e6"),
        ]
        for pin in pins {
            let c = try load(pin.name)
            XCTAssertEqual(c.featureHash, pin.feature, "featureHash of cfg/\(pin.name).yaml")
            XCTAssertEqual(c.configHash, pin.config, "configHash of cfg/\(pin.name).yaml")
        }
    }

    func testFeatureSectionTextIsPinned() throws {
        let expected = """
            features:
              kind: mfcc
              rate: 16000
              window_seconds: 0.1
              winlen: 0.025
              winstep: 0.01
              nfilt: 26
              numcep: 13
              nfft: 512
              preemph: 0.97
              ceplifter: 22
              threshold: 0.0005
              windows_per_step: 2
            model:
            """
        XCTAssertTrue(try load("conv").yaml().contains(expected + "\n"))
    }
}
