import Audio
import Foundation
import Pipeline
import XCTest

/// The keys of kind logmel, hop_seconds, scaling and input: clip: decoding, printing (only when
/// they differ from the defaults, so older configs print and hash as before), errors, geometry.
final class LogMelConfigTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func parse(_ yaml: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(yaml, file: "cfg/x.yaml", defaultName: "x")
    }

    /// The `features:` section of printed config text.
    static func featureSection(_ yaml: String) -> String {
        String(yaml[yaml.range(of: "features:")!.lowerBound..<yaml.range(of: "model:")!.lowerBound])
    }

    func assertError(_ yaml: String, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(yaml + layers), file: file, line: line) { error in
            let text = String(describing: error)
            for f in fragments { XCTAssertTrue(text.contains(f), "'\(text)' lacks '\(f)'", file: file, line: line) }
        }
    }

    func testLogMelKeysDecodePrintAndRoundTrip() throws {
        let yaml = """
            features:
              kind: logmel
              n_mels: 40
              n_fft: 512
              hop_length: 160
              fmin: 50
              fmax: 7600
              top_db: null
              window_seconds: 2.0
              hop_seconds: 0.5
              scaling: standard

            """
        let c = try parse(yaml + layers)
        let f = c.features
        XCTAssertEqual(f.kind, .logmel)
        XCTAssertEqual(f.logMelParameters, LogMelParameters(sampleRate: 16000, nMels: 40, nFFT: 512, hopLength: 160,
                                                            fmin: 50, fmax: 7600, topDB: nil))
        XCTAssertEqual([f.windowSamples, f.hopSamples, f.framesPerWindow, f.coefficients, f.frameStep],
                       [32000, 8000, 201, 40, 160])
        XCTAssertEqual(f.scaling, .standard)
        XCTAssertEqual(c.inputShape, [201, 40, 1])
        let printed = c.yaml()
        for line in ["  kind: logmel", "  n_mels: 40", "  n_fft: 512", "  hop_length: 160", "  fmin: 50.0",
                     "  fmax: 7600.0", "  top_db: null", "  hop_seconds: 0.5", "  scaling: standard"] {
            XCTAssertTrue(printed.contains(line + "\n"), "printed config lacks '\(line)':\n\(printed)")
        }
        let section = Self.featureSection(printed)
        for key in ["winlen", "nfilt", "numcep", "nfft:", "preemph", "ceplifter", "input:", "clip_seconds"] {
            XCTAssertFalse(section.contains("  \(key)"), "\(key) printed for logmel:\n\(printed)")
        }
        let back = try parse(printed)
        XCTAssertEqual(back, c)
        XCTAssertEqual(back.yaml(), printed)
        XCTAssertEqual(back.featureHash, c.featureHash)

        let defaults = try parse("features: {kind: logmel}\n" + layers)
        XCTAssertEqual(defaults.features.logMelParameters, LogMelParameters())
        XCTAssertTrue(defaults.yaml().contains("  fmax: null\n  top_db: 80.0\n"), defaults.yaml())
        XCTAssertEqual(try parse(defaults.yaml()), defaults)
    }

    func testClipInputKeys() throws {
        let c = try parse("features: {kind: logmel, input: clip, clip_seconds: 3, hop_seconds: 1}\n"
                          + "model:\n  input: sequence\n  layers:\n    - lstm: {units: 4}\n"
                          + "    - dense: {units: classes, activation: softmax}\n")
        let f = c.features
        XCTAssertEqual(f.input, .clip)
        XCTAssertEqual([f.clipSamples, f.framesPerWindow, f.hopFrames, f.minimumCleanSamples], [48000, 94, 31, 1])
        XCTAssertEqual(c.inputShape, [94, 64])
        XCTAssertTrue(c.yaml().contains("  input: clip\n  clip_seconds: 3.0\n"), c.yaml())
        XCTAssertEqual(try parse(c.yaml()), c)
        var window = c
        window.features.input = .window
        XCTAssertEqual(window.features.minimumCleanSamples, window.features.windowSamples + 1)
        XCTAssertNotEqual(window.featureHash, c.featureHash)
        // the crop hop defaults to one crop; the window hop to one window
        let two = try parse("features: {kind: logmel, input: clip, clip_seconds: 2}\n" + layers)
        XCTAssertEqual(two.features.hopFrames, 63)
        XCTAssertEqual(ExperimentConfig(name: "x").features.hopSamples, 1600)
    }

    func testDefaultsPrintNothingNewAndEveryNewKeyChangesTheHash() throws {
        let reference = ExperimentConfig(name: "x")
        for key in ["n_mels", "hop_seconds", "scaling", "input", "clip_seconds", "top_db"] {
            XCTAssertFalse(Self.featureSection(reference.yaml()).contains(key), "\(key) printed for a reference config")
        }
        var seen: Set<String> = [reference.featureHash]
        for change in ["hop_seconds: 0.05", "scaling: standard", "input: clip", "kind: logmel"] {
            let c = try parse("features: {\(change)}\n" + layers)
            XCTAssertTrue(seen.insert(c.featureHash).inserted, change)
        }
        for change in ["n_mels: 32", "n_fft: 2048", "hop_length: 256", "fmin: 20", "fmax: 8000", "top_db: 60",
                       "top_db: null", "window_seconds: 1"] {
            let c = try parse("features: {kind: logmel, \(change)}\n" + layers)
            XCTAssertTrue(seen.insert(c.featureHash).inserted, change)
        }
        let clip = try parse("features: {input: clip, clip_seconds: 4}\n" + layers)
        XCTAssertTrue(seen.insert(clip.featureHash).inserted)
    }

    func testMistakesNameTheKey() {
        assertError("features: {kind: logmel, numcep: 13}\n", ["features.numcep", "does not apply to kind logmel"])
        assertError("features: {n_mels: 40}\n", ["features.n_mels", "does not apply to kind mfcc"])
        assertError("features: {clip_seconds: 4}\n", ["features.clip_seconds", "applies to `input: clip` only"])
        assertError("features: {kind: logmel, fmax: 9000}\n", ["features.fmax", "at most rate/2"])
        assertError("features: {kind: logmel, fmin: 5000, fmax: 4000}\n", ["features.fmax", "above fmin"])
        assertError("features: {kind: logmel, n_mels: 0}\n", ["features.n_mels", "out of range"])
        assertError("features: {kind: logmel, top_db: -3}\n", ["features.top_db", "out of range"])
        assertError("features: {scaling: zscore}\n", ["features.scaling", "'zscore' is not one of minmax, standard"])
        assertError("features: {input: crops}\n", ["features.input", "is not one of window, clip"])
        assertError("features: {hop_seconds: 0}\n", ["features.hop_seconds", "out of range"])
        assertError("features: {kind: logmel, window_seconds: 0.01}\n",
                    ["window_seconds", "shorter than one frame step"])
        assertError("features: {window_seconds: 11}\n", ["features.window_seconds", "out of range"])
    }

    func testPredictionWindowsEveryHop() {
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 4801, window: 1600, hop: 800),
                       [0, 800, 1600, 2400, 3200])
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 4801, window: 1600, hop: 1600),
                       WindowSampler.consecutiveWindows(length: 4801, window: 1600))
        XCTAssertEqual(WindowSampler.consecutiveWindows(length: 1600, window: 1600, hop: 100), [])
    }
}
