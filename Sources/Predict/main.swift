import ArgumentParser
import Foundation
import Pipeline
import Tensor

/// `predict`: classifies clips with a trained model (mean of the window probabilities).
@main
struct Predict: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        StandardStreams.guardAtStart()      // before parsing: --help and --version print too
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify clips with a trained model.",
        discussion: "With no clips, predicts every file of DATA/audio.csv (from its raw audio, cleaned in memory) "
            + "and writes DATA/predictions.csv with the split each file had in training.",
        version: EarmarkVersion.text)

    @Option(help: ArgumentHelp("Model file (default: the one model in DATA/models/, folds' models and checkpoints "
                               + "aside; among several, conv.safetensors with a warning)."))
    var model: String?

    @Option(help: "Data folder holding audio.csv, wavfiles/ and models/.")
    var data: String = "."

    @Option(help: "Output CSV (default: DATA/predictions.csv).")
    var out: String?

    @Argument(help: "Audio files or folders to classify (any format libsndfile reads).")
    var clips: [String] = []

    @Flag(help: "Print only errors and the final result line (where the predictions were written).")
    var quiet = false

    @Flag(help: "Print one JSON object per line: a `clip` event per clip, then the `result` object.")
    var json = false

    @Flag(help: ArgumentHelp("Classify raw PCM read from standard input as it arrives: one line per window "
                             + "(or per --every seconds), e.g. `arecord -f S16_LE -r 16000 | predict --stream`."))
    var stream = false

    @Option(help: "--stream: sample rate of the input (Hz; default 16000).")
    var rate: Int?

    @Option(help: "--stream: sample encoding, s16le or f32le (little-endian, interleaved channels; default s16le).")
    var format: String?

    @Option(help: "--stream: channels of the input (mixed to mono; default 1).")
    var channels: Int?

    @Option(help: "--stream: one line per this many seconds (the mean of the windows ending in it).")
    var every: Double?

    @Option(help: ArgumentHelp("Two-class models: predict the positive class when its probability is at least "
                               + "this (default: the more probable class). The training report names a "
                               + "threshold and the false- and true-positive rates it gives.",
                               valueName: "p"))
    var threshold: String?

    @Option(help: "With --threshold: the positive class (default: the second class, sorted, as in the report).")
    var positiveClass: String?

    func validate() throws {
        if quiet && json { throw ValidationError("give --quiet or --json, not both") }
        if let threshold, let problem = DecisionRule.problem(threshold: threshold) { throw ValidationError(problem) }
        if positiveClass != nil && threshold == nil { throw ValidationError("--positive-class goes with --threshold") }
        if let out, let problem = OutputCollision.extensionProblem(out, ["csv"], writing: "the predictions table") {
            throw ValidationError(problem)
        }
        if stream {
            if !clips.isEmpty || out != nil || quiet {
                throw ValidationError("--stream reads standard input and prints lines: no clips, --out or --quiet")
            }
            if let problem = StreamWorkflow.Options.problem(rate: streamRate, format: streamFormat,
                                                           channels: streamChannels, every: every) {
                throw ValidationError(problem)
            }
        } else if every != nil || rate != nil || format != nil || channels != nil {   // given at all, even the default
            throw ValidationError("--rate, --format, --channels and --every go with --stream")
        }
    }

    /// The stream's settings, with their defaults.
    var streamRate: Int { rate ?? 16000 }
    var streamFormat: String { format ?? "s16le" }
    var streamChannels: Int { channels ?? 1 }

    /// `--stream`: classifies standard input until it ends, each line written (and so flushed) at once.
    func runStream(_ modelURL: URL, _ classifier: any ClipClassifier, decision: DecisionRule) {
        guard let network = classifier as? Predictor else {
            let kind = classifier is ForestPredictor ? "a random_forest model" : "a network on clip descriptors"
            CLI.report {
                throw FileError(modelURL.path, "cannot classify a stream: \(kind) predicts whole clips; "
                                + "--stream needs a network with window input")
            }
            return
        }
        let options = StreamWorkflow.Options(rate: streamRate, format: StreamWorkflow.Options.Format(rawValue: streamFormat)!,
                                             channels: streamChannels, every: every, json: json, decision: decision)
        if StandardStreams.closedAtStart & 1 != 0 {   // fd 0 now reads /dev/null: the stream would be empty
            CLI.report { throw FileError("stdin", "is closed: give the audio on standard input (a pipe or a file)") }
        }
        CLI.report {
            try StreamWorkflow.run(model: network.model, modelName: modelURL.path, options: options) { line in
                // the lines are the point of a stream: one that cannot be written ends it
                if let error = StandardStreams.write(line + "\n", to: STDOUT_FILENO) {
                    // a closed standard output was reopened on /dev/full: say what the user did, not ENOSPC
                    Diagnostics.error(StandardStreams.closedAtStart & 2 != 0
                        ? "standard output: was closed when the command started: the stream stops"
                        : "standard output: cannot be written (\(String(cString: strerror(error)))): the stream stops")
                    _exit(1)     // not exit: the exit check would say it again
                }
            }
        }
    }

    func run() throws {
        CLI.start(filter: stream)
        var folder = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        // the folder the file lands in, through --out's links (its temporary file goes there)
        let written = out.map { [((try? OutputCollision.target($0, ["csv"], writing: "")) ?? URL(fileURLWithPath: $0))
            .deletingLastPathComponent()] } ?? []
        DataLock.hold(folder.root, extra: written)
        let demo = DataFolder(root: folder.root.appendingPathComponent("demo", isDirectory: true))
        // DATA without a table (and without recordings of its own): the demo set train made there, said
        // on standard error so that --quiet and --json runs say it too
        if !folder.hasTable && model == nil && demo.hasTable && !FileManager.default.fileExists(atPath: folder.wavfiles.path) {
            Diagnostics.warning("no audio.csv in \(folder.root.path): predicting the demo data set in \(demo.root.path)")
            folder = demo
            DataLock.hold(demo.root)
        }
        let modelURL = CLI.report { try PredictWorkflow.locateModel(model, data: folder) }
        let trained = CLI.report { try ModelFile.classifier(contentsOf: modelURL) }
        let decision = CLI.report {
            try DecisionRule.make(threshold: threshold, positiveClass: positiveClass, classes: trained.classes,
                                  model: modelURL.path)
        }
        if stream { return runStream(modelURL, trained, decision: decision) }
        let output = CLI.report { try out.map { try OutputCollision.target($0, ["csv"], writing: "the predictions table") } }
            ?? folder.root.appendingPathComponent("predictions.csv")
        CLI.report {
            try PredictWorkflow.refuseOverwritingInputs(output: output, model: modelURL,
                                                        table: clips.isEmpty ? folder.csv : nil, clips: clips)
        }
        let script = ScriptOutput(mode: json ? .json : quiet ? .quiet : .text)
        let predictions: [PredictWorkflow.ClipPrediction]
        if clips.isEmpty {
            guard folder.hasTable else {
                CLI.report {
                    throw FileError(folder.csv.path,
                                    "does not exist: give clips to classify, or --data DIR with an audio.csv")
                }
                return
            }
            predictions = CLI.report {
                try PredictWorkflow.predictTable(classifier: trained, data: folder, output: output, decision: decision)
            }
        } else {
            predictions = CLI.report {
                try PredictWorkflow.predictClips(clips, classifier: trained, output: output, decision: decision)
            }
        }
        let shown = clips.isEmpty ? folder.display(output) : output.path
        let predicted = predictions.filter { $0.prediction != nil }.count
        switch script.mode {
        case .text: break
        case .quiet: script.line("predictions: \(shown) (\(predicted) of \(predictions.count) files predicted)")
        case .json:
            for p in predictions { script.json(p.json) }
            var result: [String: Any] = ["event": "result", "files": predictions.count, "predicted": predicted,
                                         "predictions": shown, "model": modelURL.path]
            if let rule = decision.json(classes: trained.classes) { result["decision"] = rule }
            script.json(result)
        }
    }
}
