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
        // bounded so that no count overflows and one clip's samples stay far within memory (a huge
        // --seconds or --rate trapped or aborted allocating; --seconds 1e-300 wrote empty files)
        guard (3...100_000).contains(clips) else { throw ValidationError("--clips must be 3...100000, got \(clips)") }
        guard (8000...384_000).contains(rate) else { throw ValidationError("--rate must be 8000...384000 Hz, got \(rate)") }
        guard seconds.isFinite, seconds <= 3600 else {
            throw ValidationError("--seconds must be a finite number up to 3600, got \(seconds)")
        }
        // the generator holds every clip at once: at most 10^9 samples (4 GB of floats)
        guard Double(clips) * seconds * Double(rate) <= 1e9 else {
            throw ValidationError("--clips x --seconds x --rate is \(Double(clips) * seconds * Double(rate)) samples: "
                                  + "at most 1e9 are written in one go")
        }
        guard seconds * Double(rate) >= 1 else {
            var least = 1 / Double(rate)                 // rounded so that it passes this check itself
            while least * Double(rate) < 1 { least = least.nextUp }
            throw ValidationError("--seconds \(seconds) at --rate \(rate) gives no sample: give at least \(least) s")
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
