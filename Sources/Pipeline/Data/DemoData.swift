import Audio
import Foundation

/// The built-in demo data set (docs/WORKFLOW.md §12): synthetic tones of high, medium and low recording
/// quality, generated reproducibly into DATA/demo/ (wavfiles/ and audio.csv) when DATA has no
/// audio.csv of its own.
public enum DemoData {
    /// Seed of the demo data; changing it (or the generator) regenerates the files.
    public static let seed: UInt64 = 2024
    static let marker = "demo.json"

    /// The demo's data folder inside `data`, generated when missing or made by another generator version.
    /// - Returns: the folder to train on (DATA/demo).
    public static func ensure(in data: DataFolder, clipsPerClass: Int = SyntheticDataset.defaultClipsPerClass,
                              log: (String) -> Void) throws -> DataFolder {
        let demo = DataFolder(root: data.root.appendingPathComponent("demo", isDirectory: true))
        let stamp = "{\"seed\": \(seed), \"clips_per_class\": \(clipsPerClass), \"seconds\": \(SyntheticDataset.defaultSeconds), \"generator\": 1}\n"
        let markerURL = demo.root.appendingPathComponent(marker)
        if demo.hasTable, (try? String(contentsOf: markerURL, encoding: .utf8)) == stamp { return demo }
        log("generating the demo data set (\(clipsPerClass * SyntheticDataset.labels.count) synthetic clips: "
            + SyntheticDataset.labels.joined(separator: " / ") + " quality) into \(demo.root.path)")
        let clips = SyntheticDataset.generate(clipsPerClass: clipsPerClass, seconds: SyntheticDataset.defaultSeconds,
                                              sampleRate: 16000, seed: seed)
        try FileManager.default.createDirectory(at: demo.wavfiles, withIntermediateDirectories: true)
        for clip in clips {
            try WavWriter.write(clip.samples, sampleRate: 16000, to: demo.wavfiles.appendingPathComponent(clip.name))
        }
        try writeAtomically(SyntheticDataset.csv(for: clips), to: demo.csv)
        try writeAtomically(stamp, to: markerURL)
        return demo
    }
}
