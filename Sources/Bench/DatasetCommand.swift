import ArgumentParser
import Audio
import Durable
import Foundation
import Pipeline

/// `bench dataset`: the whole-run benchmark's data set, made by the demo generator
/// (`SyntheticDataset`, the quality demo's recipes and seed) at any rate:
///
///     OUT/audio.csv         fname,label
///     OUT/wavfiles/*.wav    16-bit PCM, mono, --rate Hz, --seconds long
///
/// `--clips` clips in all, taken in label order from ceil(clips / 3) per label (400: 134 high,
/// 134 medium, 132 low). Files already there are rewritten; the same options give the same bytes.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset", abstract: "Write the whole-run benchmark's data set (the demo generator at --rate).")

    @Option(help: "Folder to write audio.csv and wavfiles/ into.")
    var out: String
    @Option(help: "Clips in all.")
    var clips = 400
    @Option(help: "Sample rate of the files, Hz.")
    var rate = 44100
    @Option(help: "Length of each clip, seconds.")
    var seconds = SyntheticDataset.defaultSeconds

    func validate() throws {
        guard clips >= 3, rate >= 8000, seconds > 0 else {
            throw ValidationError("need --clips >= 3, --rate >= 8000 and --seconds > 0")
        }
    }

    func run() throws {
        let perClass = (clips + SyntheticDataset.labels.count - 1) / SyntheticDataset.labels.count
        let made = SyntheticDataset.generate(clipsPerClass: perClass, seconds: seconds, sampleRate: rate,
                                             seed: DemoData.seed).prefix(clips)
        let root = URL(fileURLWithPath: out, isDirectory: true)
        let wavfiles = root.appendingPathComponent("wavfiles", isDirectory: true)
        try FileManager.default.createDirectory(at: wavfiles, withIntermediateDirectories: true)
        for clip in made {
            try WavWriter.write(interleaved: clip.samples, channels: 1, sampleRate: rate, format: .wavPCM16,
                                to: wavfiles.appendingPathComponent(clip.name))
        }
        let csv = SyntheticDataset.csv(for: Array(made))
        do { try AtomicFile.write(Data(csv.utf8), to: root.appendingPathComponent("audio.csv")) } catch {
            throw BenchError("cannot write \(root.path)/audio.csv: \(error)")
        }
        print("wrote \(made.count) clips of \(seconds) s at \(rate) Hz into \(root.path)")
    }
}
