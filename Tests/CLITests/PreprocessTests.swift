import Foundation
import TestSupport
import XCTest

final class PreprocessTests: XCTestCase {
    func testCleanPlotsAndFeatureExport() throws {
        let root = try makeTemporaryFolder("earmark-pre"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.make(in: root, filesPerClass: 2)
        let clean = try CLI.run("preprocess", ["--mode", "tiny", "--plots"], in: root)
        XCTAssertEqual(clean.status, 0, clean.output)
        for f in ["clean/hum 0.wav", "plots/signals.svg", "plots/fft.svg", "plots/fbank.svg", "plots/mfcc.svg",
                  "plots/class_distribution.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(f).path), f)
        }
        let again = try CLI.run("preprocess", ["--mode", "tiny"], in: root)
        XCTAssertTrue(again.stdout.contains("0 cleaned now"), again.stdout)

        let npy = try CLI.run("preprocess", ["features", "wavfiles/tone 1.wav", "--kind", "logfbank", "--out", "f.npy"],
                              in: root)
        XCTAssertEqual(npy.status, 0, npy.output)
        // 0.6 s at 16 kHz: 1 + ceil((9600 - 400) / 160) = 59 frames of 26 log filter-bank energies
        XCTAssertTrue(npy.stdout.contains("59 frames x 26"), npy.stdout)
        let data = try Data(contentsOf: root.appendingPathComponent("f.npy"))
        XCTAssertEqual(data.count, 128 + 59 * 26 * 4)
        let mel = try CLI.run("preprocess", ["features", "wavfiles/tone 1.wav", "--kind", "logmel", "--n-mels", "40",
                                             "--out", "m.npy"], in: root)
        XCTAssertEqual(mel.status, 0, mel.output)
        // librosa's centred frames: 1 + 9600 / 512 = 19 frames of 40 mel bands
        XCTAssertTrue(mel.stdout.contains("19 frames x 40 logmel"), mel.stdout)
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("m.npy")).count, 128 + 19 * 40 * 4)
        // a WAV cut short (float samples: the header declares 9600 frames, 7200 remain): used, with train's warning
        let whole = try Data(contentsOf: root.appendingPathComponent("wavfiles/tone 1.wav"))
        try whole.prefix(whole.count - 9600).write(to: root.appendingPathComponent("cut.wav"))
        let cut = try CLI.run("preprocess", ["features", "cut.wav", "--kind", "logfbank", "--out", "c.npy"], in: root)
        XCTAssertEqual(cut.status, 0, cut.output)
        XCTAssertTrue(cut.stderr.contains("cut.wav: cut short: the header declares 9600 frames, the file holds 7200; "
                                          + "the frames present are used"), cut.stderr)

        // another kind's option is refused (it was ignored), so are the values a config's keys refuse
        for (arguments, words) in [(["--kind", "logmel", "--nfilt", "3"], "--nfilt does not go with --kind logmel"),
                                   (["--kind", "mfcc", "--n-mels", "3"], "--n-mels does not go with --kind mfcc"),
                                   (["--kind", "logfbank", "--numcep", "5"], "--numcep does not go with --kind logfbank"),
                                   (["--nfft", "8"], "--nfft must be 16...65536, got 8"),
                                   (["--numcep", "30"], "--numcep (30) cannot exceed --nfilt (26)")] {
            let r = try CLI.run("preprocess", ["features", "wavfiles/tone 1.wav", "--out", "x.npy"] + arguments, in: root)
            XCTAssertEqual(r.status, 64, "\(arguments): \(r.output)")
            XCTAssertTrue(r.stderr.contains(words), r.stderr)
        }
        // an FFT shorter than a frame is warned of, as train warns of it
        let short = try CLI.run("preprocess", ["features", "wavfiles/tone 1.wav", "--nfft", "256", "--out", "s.npy"], in: root)
        XCTAssertEqual(short.status, 0, short.output)
        XCTAssertTrue(short.stderr.contains("--nfft (256) is shorter than a frame (400 samples at 16000 Hz)"), short.stderr)

        try "fname,label\nmissing.wav,hum\n".write(to: root.appendingPathComponent("audio.csv"), atomically: true,
                                                   encoding: .utf8)
        let none = try CLI.run("preprocess", ["--mode", "tiny"], in: root)
        XCTAssertEqual(none.status, 1, none.output)
        // the reasons first (one warning line per row), then one error line
        let errors = none.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") }
        XCTAssertEqual(errors.count, 1, none.stderr)
        XCTAssertTrue(none.stderr.hasPrefix("warning: ") && none.stderr.contains("missing.wav' not found"), none.stderr)
        XCTAssertTrue(errors.last?.contains("audio.csv") == true, none.stderr)
        XCTAssertTrue(errors.last?.contains("class 'hum'") == true && errors.last?.contains("(line 2)") == true,
                      none.stderr)
    }
}
