import Audio
import Foundation
import Tensor

/// A named built-in demo data set (docs/DATASETS.md).
public enum DemoSet: String, CaseIterable, Sendable {
    /// Synthetic tones of high, medium and low recording quality (docs/WORKFLOW.md §12): the default.
    case quality
    /// OK / Not OK rotating machines, several recordings per part (`group` column = part).
    case parts
    /// The audio-quality study's own recipe: pure tones, 1 s at 22.05 kHz.
    case study

    /// The folder inside DATA: `demo` for the default quality set, `demo-<name>` for the others.
    public var folderName: String { self == .quality ? "demo" : "demo-\(rawValue)" }

    /// The folder of the set made from `seed`: `folderName` for the shipped seed (`DemoData.seed`), else
    /// `folderName-seedN`, so that a development set never replaces the shipped one.
    public func folderName(seed: UInt64) -> String {
        seed == DemoData.seed ? folderName : "\(folderName)-seed\(seed)"
    }

    /// The set called `name`.
    /// - Throws: `DemoSetError` naming the known sets when there is none of that name.
    public static func named(_ name: String) throws -> DemoSet {
        guard let set = DemoSet(rawValue: name) else { throw DemoSetError(name: name) }
        return set
    }
}

/// An unknown demo set name; the message lists the known ones.
public struct DemoSetError: Error, CustomStringConvertible {
    /// The name asked for.
    public let name: String
    public var description: String {
        "unknown demo set '\(name)': the demo sets are " + DemoSet.allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// The built-in demo data sets, generated reproducibly into DATA/demo (quality) or DATA/demo-<name>
/// (wavfiles/, audio.csv and demo.json) and regenerated only when missing or when demo.json records
/// another seed, size or generator version.
public enum DemoData {
    /// Seed of the demo data; changing it (or the generator) regenerates the files.
    public static let seed: UInt64 = 2024
    static let marker = "demo.json"

    /// How much of a set to generate.
    public struct Size: Sendable, Equatable {
        /// Clips per label (quality, study) or parts (parts).
        public var count: Int
        /// Recordings per part (parts only).
        public var takes: Int
        /// Clip length in seconds.
        public var seconds: Double

        public init(count: Int, takes: Int = 1, seconds: Double) {
            self.count = count; self.takes = takes; self.seconds = seconds
        }

        /// The default size of `set`.
        public static func standard(_ set: DemoSet) -> Size {
            switch set {
            case .quality: Size(count: SyntheticDataset.defaultClipsPerClass, seconds: SyntheticDataset.defaultSeconds)
            case .parts: Size(count: SyntheticParts.defaultParts, takes: SyntheticParts.defaultTakes,
                              seconds: SyntheticParts.defaultSeconds)
            case .study: Size(count: SyntheticStudy.defaultClipsPerClass, seconds: SyntheticStudy.defaultSeconds)
            }
        }
    }

    /// The default quality demo's folder inside `data` (DATA/demo), generated when missing or made by
    /// another generator version.
    /// - Returns: the folder to train on (DATA/demo).
    public static func ensure(in data: DataFolder, clipsPerClass: Int = SyntheticDataset.defaultClipsPerClass,
                              log: (String) -> Void) throws -> DataFolder {
        try ensure(.quality, in: data, size: Size(count: clipsPerClass, seconds: SyntheticDataset.defaultSeconds),
                   log: log)
    }

    /// The folder of demo set `set` inside `data` (`set.folderName(seed:)`), generated when missing or
    /// when its demo.json differs (seed, size or generator version). Another `seed` than the shipped
    /// one gives another set of the same recipe (a development set: configs are chosen on it, then
    /// tested once on the shipped set) in its own folder.
    /// - Returns: the folder to train on.
    public static func ensure(_ set: DemoSet, in data: DataFolder, size: Size? = nil, seed: UInt64 = DemoData.seed,
                              log: (String) -> Void) throws -> DataFolder {
        let size = size ?? .standard(set)
        let demo = DataFolder(root: data.root.appendingPathComponent(set.folderName(seed: seed), isDirectory: true))
        let stamp = stamp(set, size, seed: seed)
        let markerURL = demo.root.appendingPathComponent(marker)
        if demo.hasTable, (try? String(contentsOf: markerURL, encoding: .utf8)) == stamp {
            // the files as generated, or regenerated: a deleted clip or an edited label was trained on
            // (only demo.json was compared); a set from before the contents were recorded is trusted once
            // (files added beside them are not the set's: audio.csv does not list them, and they are left alone)
            let contentsURL = demo.root.appendingPathComponent(contentsMarker)
            if FileManager.default.fileExists(atPath: contentsURL.path) {
                // the record must be what `contents` gives for audio.csv and the clips it lists, exactly: one
                // that cannot be read (a folder, garbage), lists nothing (`{}`) or only some files is damage
                let recorded = (try? Data(contentsOf: contentsURL))
                    .flatMap { try? JSONDecoder().decode([String: String].self, from: $0) }
                    .flatMap { $0["audio.csv"] == nil ? nil : $0 }
                let current = contents(of: demo, files: nil)
                if let recorded, recorded == current { return demo }
                // what differs, as the user would look for it: audio.csv itself (whose damage makes every clip
                // it no longer lists "missing"), or the clips by name
                let changed = recorded.map { r in Set(r.keys).union(current.keys).filter { r[$0] != current[$0] }.sorted() }
                let what = changed.map { names in
                    names.contains("audio.csv") ? "its audio.csv changed"
                        : "\(names.count) clip\(names.count == 1 ? "" : "s") changed or missing: "
                            + names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", ..." : "")
                } ?? "its demo.contents.json is damaged"
                log("the demo set in \(demo.root.path) is not as it was generated (\(what)): generating it again")
            } else {
                // a set written before its contents were recorded: trusted once, and recorded (where it can be)
                try? writeAtomically(try encodedContents(contents(of: demo, files: nil)), to: contentsURL)
                return demo
            }
        }
        let files: [(name: String, samples: [Float])], csv: String, rate: Int
        switch set {
        case .quality:
            log("generating the demo data set (\(size.count * SyntheticDataset.labels.count) synthetic clips: "
                + SyntheticDataset.labels.joined(separator: " / ") + " quality) into \(demo.root.path)")
            let clips = SyntheticDataset.generate(clipsPerClass: size.count, seconds: size.seconds,
                                                  sampleRate: 16000, seed: seed)
            (files, csv, rate) = (clips.map { ($0.name, $0.samples) }, SyntheticDataset.csv(for: clips), 16000)
        case .parts:
            log("generating the parts demo set (\(size.count) parts, "
                + "half of them faulty, \(size.takes) recordings each) into \(demo.root.path)")
            let clips = SyntheticParts.generate(parts: size.count, takes: size.takes, seconds: size.seconds,
                                                sampleRate: 16000, seed: seed)
            (files, csv, rate) = (clips.map { ($0.name, $0.samples) }, SyntheticParts.csv(for: clips), 16000)
        case .study:
            log("generating the study demo set (\(size.count * SyntheticStudy.labels.count) pure tones: "
                + SyntheticStudy.labels.joined(separator: " / ") + " quality) into \(demo.root.path)")
            let r = SyntheticStudy.defaultSampleRate
            let clips = SyntheticStudy.generate(clipsPerClass: size.count, seconds: size.seconds, sampleRate: r,
                                                seed: seed)
            (files, csv, rate) = (clips.map { ($0.name, $0.samples) }, SyntheticStudy.csv(for: clips), r)
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: demo.wavfiles.path, isDirectory: &isFolder), !isFolder.boolValue {
            throw FileError(demo.wavfiles.path, "is a file, where the demo set's clips go: move it away")
        }
        try createFolder(demo.wavfiles)
        for file in files {
            try WavWriter.write(file.samples, sampleRate: rate, to: demo.wavfiles.appendingPathComponent(file.name))
        }
        try writeAtomically(csv, to: demo.csv)
        try writeAtomically(stamp, to: markerURL)
        try writeAtomically(try encodedContents(contents(of: demo, files: nil)),
                            to: demo.root.appendingPathComponent(contentsMarker))
        return demo
    }

    /// `contents` as the file holds it (keys sorted, one per line).
    static func encodedContents(_ contents: [String: String]) throws -> Data {
        let encoder = JSONEncoder(); encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(contents)
    }

    /// The file beside demo.json that records the set's files as written (`contents(of:)`).
    static let contentsMarker = "demo.contents.json"

    /// `files` (paths relative to the set's folder; nil: audio.csv and the clips it lists, not files a
    /// user added beside them), each `size:hash` (`ContentHash` of its bytes), a missing one `missing`:
    /// what a reused set must still hold.
    static func contents(of demo: DataFolder, files: [String]?) -> [String: String] {
        let listed = (try? demo.readTable())?.rows.map { "wavfiles/" + $0.fname } ?? []
        let names = files ?? ["audio.csv"] + listed
        var out: [String: String] = [:]
        for name in names {
            guard let data = try? Data(contentsOf: demo.root.appendingPathComponent(name)) else {
                out[name] = "missing"
                continue
            }
            out[name] = "\(data.count):" + ContentHash.hex(data.withUnsafeBytes { ContentHash.of($0, seed: 0) })
        }
        return out
    }

    /// demo.json's text: what the files were made from. The quality set keeps its original form.
    static func stamp(_ set: DemoSet, _ size: Size, seed: UInt64) -> String {
        switch set {
        case .quality:
            "{\"seed\": \(seed), \"clips_per_class\": \(size.count), \"seconds\": \(size.seconds), \"generator\": 1}\n"
        case .parts:
            "{\"set\": \"parts\", \"seed\": \(seed), \"parts\": \(size.count), \"takes\": \(size.takes), "
                + "\"seconds\": \(size.seconds), \"generator\": 2}\n"
        case .study:
            "{\"set\": \"study\", \"seed\": \(seed), \"clips_per_class\": \(size.count), "
                + "\"seconds\": \(size.seconds), \"generator\": 1}\n"
        }
    }
}
