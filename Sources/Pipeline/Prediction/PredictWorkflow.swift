import Audio
import Durable
import Foundation

/// What the `predict` command does: classify the files of audio.csv (with their split at training
/// time) or any clips and folders given, and write predictions.csv.
public enum PredictWorkflow {
    /// Refuses an output path that is one of the run's inputs: the model file, the data's audio.csv or a
    /// clip named on the command line (a file, not a folder's contents), which the predictions would
    /// replace. Paths are compared with symbolic links resolved.
    public static func refuseOverwritingInputs(output: URL, model: URL, table: URL?, clips: [String]) throws {
        var inputs: [(url: URL, what: String)] = [(model, "the model file")]
        if let table { inputs.append((table, "the data's table")) }
        inputs += clips.map { (URL(fileURLWithPath: $0), "a clip to classify") }
        try OutputCollision.refuse(output: output, inputs: inputs)
    }

    /// The model to use: `--model FILE`, else models/<name>.safetensors when exactly one model (or
    /// one named `conv`, said in a warning that names the others) exists in the data folder.
    /// Checkpoints and the models of cross-validation folds (`<name>.fold<k>.safetensors`) are not
    /// candidates: the run's model is `<name>.safetensors`.
    public static func locateModel(_ file: String?, data: DataFolder) throws -> URL {
        if let file { return URL(fileURLWithPath: file) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data.root.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw FileError(data.root.path, "no such folder (--data names the folder that holds models/, audio.csv "
                            + "and wavfiles/)")
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: data.models.path)) ?? [])
            .filter { $0.hasSuffix(".safetensors") && !$0.hasSuffix(".checkpoint.safetensors") && !isFoldModel($0) }
            .sorted()
        if names.count == 1 { return data.models.appendingPathComponent(names[0]) }
        if names.contains("conv.safetensors") {
            // the reference workflow's model, the one `predict` has always preferred: said, not silent
            Diagnostics.warning("\(data.display(data.models)) holds several models "
                                + "(\(names.map { String($0.dropLast(".safetensors".count)) }.joined(separator: ", "))): "
                                + "using conv.safetensors; choose another with --model FILE")
            return data.model("conv")
        }
        throw FileError(data.models.path, names.isEmpty
            ? "holds no model: train one first (`train --mode conv`) or pass --model FILE"
            : "holds several models (\(names.joined(separator: ", "))): choose one with --model FILE")
    }

    /// Whether a file name is a cross-validation fold's model, `<name>.fold<k>.safetensors`.
    static func isFoldModel(_ file: String) -> Bool {
        let stem = file.dropLast(".safetensors".count)
        guard let dot = stem.lastIndex(of: ".") else { return false }
        let last = stem[stem.index(after: dot)...]
        return last.hasPrefix("fold") && last.count > 4 && last.dropFirst(4).allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// One output row.
    struct Row {
        var fields: [String]; var probabilities: [Float]?; var label: String?
        /// `CleanFingerprint` of the cleaned clip, when asked for and the clip cleaned.
        var fingerprint: String? = nil
    }

    /// The prediction for one clip, as `predict --json` reports it.
    public struct ClipPrediction {
        /// The clip as displayed (relative to the current folder when inside it).
        public var file: String
        /// The predicted class, nil when the clip could not be predicted (unreadable, too short).
        public var prediction: String?
        /// The mean window probabilities, one per class of `classes`.
        public var probabilities: [Float]?
        /// The class names, in the order of `probabilities`.
        public var classes: [String]
        /// audio.csv only: the file's label and its split at training time.
        public var label: String?
        public var split: String?
    }

    /// Predicts every file of audio.csv from its raw audio and writes DATA/predictions.csv in the
    /// reference format (input columns, one probability column per class, y_pred) plus `split`.
    @discardableResult
    public static func predictTable(model: TrainedModel, data: DataFolder, output: URL) throws -> [ClipPrediction] {
        try predictTable(classifier: Predictor(model: model), data: data, output: output)
    }

    /// The names of the columns predict adds after `input`: one per class, `y_pred`, and (`split`) the
    /// split at training, each renamed when the input or an earlier added column has its name, so that a
    /// reader that picks columns by name finds each once: a class named like an input column gets
    /// `_probability` (`label_probability`), `y_pred` becomes `y_pred_earmark`, `split` becomes
    /// `split_at_training`, with `_2`, `_3`, ... after that if needed.
    static func addedColumns(after input: [String], classes: [String], split: Bool) -> [String] {
        var taken = Set(input)
        func unique(_ name: String, _ suffix: String) -> String {
            var chosen = taken.contains(name) ? name + suffix : name
            var k = 2
            while taken.contains(chosen) { chosen = name + suffix + "_\(k)"; k += 1 }
            taken.insert(chosen)
            return chosen
        }
        return classes.map { unique($0, "_probability") } + [unique("y_pred", "_earmark")]
            + (split ? [unique("split", "_at_training")] : [])
    }

    /// `predictTable` with a model of any kind (`ModelFile.classifier`); each clip's class (y_pred,
    /// and the accuracies printed per split) is read from its probabilities by `decision`.
    @discardableResult
    public static func predictTable(classifier model: any ClipClassifier, data: DataFolder, output: URL,
                                    decision: DecisionRule = .argmax) throws -> [ClipPrediction] {
        let table = try data.readTable()
        // rows skipped (no fname, no label, listed twice, no file) get no output row
        let (rows, _, missing) = try table.rowsWithFiles(in: data.wavfiles)
        Diagnostics.report(table.warnings + missing)
        let unknown = rows.filter { !model.classes.contains($0.label) }
        if !unknown.isEmpty {
            let labels = Array(Set(unknown.map(\.label))).sorted()
            Diagnostics.warning("\(data.display(data.csv)): \(unknown.count) row(s) labelled with a class the model does "
                                + "not have (\(labels.prefix(5).joined(separator: ", "))\(labels.count > 5 ? ", ..." : "")): "
                                + "their predictions count as wrong in the accuracies (the model's classes: "
                                + "\(model.classes.joined(separator: ", ")))")
        }
        let predictor = model
        let urls = rows.map { data.wavfiles.appendingPathComponent($0.fname) }
        let results = predictFiles(urls, predictor: predictor, display: data.display, decision: decision,
                                   fingerprints: true)
        let header = table.columns + addedColumns(after: table.columns, classes: model.classes, split: true)
        var lines = [AudioTable.csvRecord(header)]
        var perSplit: [String: (right: Int, total: Int)] = [:]
        var predictions: [ClipPrediction] = []
        var otherAudio: [String] = []
        for (row, r) in zip(rows, results) {
            let split = splitAtTraining(row.fname, fingerprint: r.fingerprint, model: model)
            if split == "unseen", model.splits[row.fname] != nil { otherAudio.append(row.fname) }
            predictions.append(ClipPrediction(file: row.fname, prediction: r.label, probabilities: r.probabilities,
                                              classes: model.classes, label: row.label, split: split))
            lines.append(AudioTable.csvRecord(row.fields + probabilityFields(r, classes: model.classes.count)
                                              + [r.label ?? "", split]))
            if let label = r.label {
                perSplit[split, default: (0, 0)].total += 1
                if label == row.label { perSplit[split, default: (0, 0)].right += 1 }
            }
        }
        if !otherAudio.isEmpty {
            Diagnostics.warning("\(otherAudio.count) file(s) have the name of a file the model was trained, validated or "
                                + "tested on but other audio (\(otherAudio.prefix(3).joined(separator: ", "))"
                                + "\(otherAudio.count > 3 ? ", ..." : "")): their split is unseen")
        }
        try writeAtomically(lines.joined(separator: "\n") + "\n", to: output)
        if let rule = decision.summary(classes: model.classes) { print(rule) }
        for split in ["train", "validation", "test", "unseen"] {
            guard let s = perSplit[split] else { continue }
            print(String(format: "%@: %.1f%% of %d files correct", split, Double(s.right) / Double(s.total) * 100,
                         s.total))
        }
        print("predictions: \(data.display(output))")
        return predictions
    }

    /// The split `fname` had when `model` was trained: its stored split when the audio cleaned now
    /// has the fingerprint stored with it (or the model stores none, or the clip did not clean now:
    /// then by name alone), else `unseen`: another recording under a name the training set used.
    static func splitAtTraining(_ fname: String, fingerprint: String?, model: any ClipClassifier) -> String {
        guard let split = model.splits[fname] else { return "unseen" }
        if model.splitFingerprints.isEmpty || fingerprint == nil { return split }   // nothing to compare
        return model.splitFingerprints[fname] == fingerprint ? split : "unseen"
    }

    /// Predicts clips and folders (every file inside, recursively; hidden files skipped), prints a
    /// table and writes `output`.
    @discardableResult
    public static func predictClips(_ paths: [String], model: TrainedModel, output: URL) throws -> [ClipPrediction] {
        try predictClips(paths, classifier: Predictor(model: model), output: output)
    }

    /// `predictClips` with a model of any kind (`ModelFile.classifier`), each clip's class read by `decision`.
    @discardableResult
    public static func predictClips(_ paths: [String], classifier model: any ClipClassifier, output: URL,
                                    decision: DecisionRule = .argmax) throws -> [ClipPrediction] {
        var urls: [URL] = []
        for given in paths {
            let p = PathAccess.physical(PathAccess.tidy(given))      // `..` after a link, as the file system reads it
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else {
                // the command line reaches Swift as UTF-8 text, with bytes that are not UTF-8 replaced by U+FFFD
                throw FileError(p, p.contains(notUTF8) ? "cannot be opened: its name holds bytes that are not UTF-8 "
                                    + "(shown as \(notUTF8)), which Earmark cannot pass back to the file system; rename it"
                                    : PathAccess.problem(p) ?? "does not exist")
            }
            if isDir.boolValue {
                let walk = FolderWalk(URL(fileURLWithPath: p, isDirectory: true))
                // folders that cannot be listed and entered, whose clips were lost without a word
                if let reason = walk.closed.first?.reason {
                    let names = walk.closed.prefix(3).map { "'\($0.path)'" }.joined(separator: ", ")
                        + (walk.closed.count > 3 ? ", ..." : "")
                    Diagnostics.warning("\(p): \(walk.closed.count) folder\(walk.closed.count == 1 ? "" : "s") that cannot "
                                        + "be read (\(reason)) left out, with the clips in "
                                        + "\(walk.closed.count == 1 ? "it" : "them"): " + names)
                }
                // what else is left out is said (it was dropped without a word): names, links to nothing, pipes
                if walk.notUTF8 > 0 {
                    Diagnostics.warning("\(p): \(walk.notUTF8) entr\(walk.notUTF8 == 1 ? "y" : "ies") whose name holds "
                                        + "bytes that are not UTF-8 left out (Earmark opens files by UTF-8 names: rename "
                                        + "\(walk.notUTF8 == 1 ? "it" : "them"))")
                }
                if let first = walk.unreachable.first {
                    Diagnostics.warning("\(p): \(walk.unreachable.count) entr\(walk.unreachable.count == 1 ? "y" : "ies") "
                                        + "that cannot be reached (\(first.reason)) left out: '\(first.path)'"
                                        + (walk.unreachable.count > 1 ? ", ..." : ""))
                }
                if walk.other > 0 {
                    Diagnostics.warning("\(p): \(walk.other) entr\(walk.other == 1 ? "y" : "ies") that \(walk.other == 1 ? "is" : "are") "
                                        + "not a regular file (a link to nothing, a pipe, a device) left out")
                }
                if walk.files.isEmpty && walk.closed.isEmpty && walk.unreachable.isEmpty {
                    Diagnostics.warning("\(p): holds no file to classify")
                }
                urls += walk.files
            } else {
                urls.append(URL(fileURLWithPath: p))
            }
        }
        let results = predictFiles(urls, predictor: model, display: { $0.path }, decision: decision)
        var lines = [AudioTable.csvRecord(["fname"] + addedColumns(after: ["fname"], classes: model.classes, split: false))]
        let width = max(24, urls.map { $0.path.count }.max() ?? 0)
        if let rule = decision.summary(classes: model.classes) { print(rule) }
        print("file".padding(toLength: width, withPad: " ", startingAt: 0) + "  prediction  probability")
        for (url, r) in zip(urls, results) {
            lines.append(AudioTable.csvRecord([url.path] + probabilityFields(r, classes: model.classes.count)
                                              + [r.label ?? ""]))
            let shown = r.label.map { l in
                String(format: "%@  %.3f", l.padding(toLength: 10, withPad: " ", startingAt: 0),
                       r.probabilities![model.classes.firstIndex(of: l)!])
            } ?? "(no prediction)"
            print(url.path.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + shown)
        }
        try writeAtomically(lines.joined(separator: "\n") + "\n", to: output)
        print("predictions: \(output.path)")
        return zip(urls, results).map {
            ClipPrediction(file: $0.path, prediction: $1.label, probabilities: $1.probabilities, classes: model.classes)
        }
    }

    /// What Foundation puts in a name for bytes that are not UTF-8 (U+FFFD, the replacement character).
    static let notUTF8: Character = "\u{FFFD}"

    static func probabilityFields(_ r: Row, classes: Int) -> [String] {
        r.probabilities.map { $0.map { String(format: "%.6f", $0) } } ?? [String](repeating: "", count: classes)
    }

    /// Clips decoded and predicted together: memory holds one chunk's audio, whatever the number of
    /// clips (EARMARK_PREDICT_CHUNK overrides, for tests).
    static let chunkClips = ProcessInfo.processInfo.environment["EARMARK_PREDICT_CHUNK"].flatMap { Int($0) }
        .flatMap { $0 > 0 ? $0 : nil } ?? 256

    /// Seconds between progress lines (EARMARK_PROGRESS_SECONDS overrides, for tests).
    static let progressSeconds = ProcessInfo.processInfo.environment["EARMARK_PROGRESS_SECONDS"]
        .flatMap { Double($0) } ?? 1

    /// Decodes, cleans and predicts every file, `chunkClips` at a time, each class read by `decision`;
    /// a file that fails gets a warning and an empty row. Between chunks, at most once per
    /// `progressSeconds`, the count done so far is printed on standard error. With `fingerprints`,
    /// each row carries its cleaned clip's `CleanFingerprint`.
    static func predictFiles(_ urls: [URL], predictor: any ClipClassifier, display: (URL) -> String,
                             decision: DecisionRule = .argmax, fingerprints: Bool = false) -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(urls.count)
        var failed = 0
        let start = Date()
        var shown = start
        for first in stride(from: 0, to: urls.count, by: chunkClips) {
            let chunk = urls[first..<min(first + chunkClips, urls.count)]
            var cleaned: [[Float]] = []
            var failures: [Int: String] = [:]
            for (i, url) in chunk.enumerated() {
                do {
                    let (samples, note) = try predictor.cleanNoting(contentsOf: url)
                    if let note { Diagnostics.warning("\(display(url)): \(note)") }
                    cleaned.append(samples)
                } catch {
                    failures[i] = (error as? AudioError)?.explanation ?? "\(error)"
                    cleaned.append([])
                }
            }
            for (i, p) in predictor.predict(cleaned: cleaned).enumerated() {
                let url = chunk[chunk.startIndex + i]
                if let reason = failures[i] {
                    Diagnostics.warning("\(display(url)): no prediction: \(reason)")
                } else if p.probabilities == nil {
                    let seconds = Double(cleaned[i].count) / Double(predictor.features.rate)
                    Diagnostics.warning("\(display(url)): no prediction: \(String(format: "%.3f", seconds)) s after "
                                        + "cleaning, not longer than one \(predictor.features.windowSeconds) s window (one window "
                                        + "and one sample more are needed, as in the reference workflow)")
                }
                if p.probabilities == nil { failed += 1 }
                rows.append(Row(fields: [], probabilities: p.probabilities,
                                label: p.probabilities.map { predictor.classes[decision.decide($0)] },
                                fingerprint: fingerprints && failures[i] == nil ? CleanFingerprint.of(cleaned[i]) : nil))
                KillPoint.reached("clip")
            }
            if rows.count < urls.count, Date().timeIntervalSince(shown) >= progressSeconds {
                shown = Date()
                StandardStreams.toStandardError(String(format: "predicted %d/%d clips (%.0f s)\n", rows.count,
                                                       urls.count, shown.timeIntervalSince(start)))
            }
        }
        if failed > 0 {
            Diagnostics.warning("\(failed) of \(urls.count) files have no prediction (see above)")
        }
        return rows
    }
}
