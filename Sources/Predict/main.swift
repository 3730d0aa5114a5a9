import ArgumentParser
import Foundation
import Pipeline
import Tensor

/// `predict`: classifies clips with a trained model (mean of the window probabilities).
@main
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify clips with a trained model.",
        discussion: "With no clips, predicts every file of DATA/audio.csv (from its raw audio, cleaned in memory) "
            + "and writes DATA/predictions.csv with the split each file had in training.",
        version: EarmarkVersion.text)

    @Option(help: "Model file (default: the model in DATA/models/).")
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

    func validate() throws {
        if quiet && json { throw ValidationError("give --quiet or --json, not both") }
    }

    func run() throws {
        CLI.start()
        var folder = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        let written = out.map { [URL(fileURLWithPath: $0).deletingLastPathComponent()] } ?? []
        DataLock.hold(folder.root, extra: written)
        let demo = DataFolder(root: folder.root.appendingPathComponent("demo", isDirectory: true))
        if !folder.hasTable && model == nil && demo.hasTable { folder = demo }
        let modelURL = CLI.report { try PredictWorkflow.locateModel(model, data: folder) }
        let trained = CLI.report { try ModelFile.classifier(contentsOf: modelURL) }
        let output = out.map { URL(fileURLWithPath: $0) } ?? folder.root.appendingPathComponent("predictions.csv")
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
                try PredictWorkflow.predictTable(classifier: trained, data: folder, output: output)
            }
        } else {
            predictions = CLI.report { try PredictWorkflow.predictClips(clips, classifier: trained, output: output) }
        }
        let shown = clips.isEmpty ? folder.display(output) : output.path
        let predicted = predictions.filter { $0.prediction != nil }.count
        switch script.mode {
        case .text: break
        case .quiet: script.line("predictions: \(shown) (\(predicted) of \(predictions.count) files predicted)")
        case .json:
            for p in predictions { script.json(p.json) }
            script.json(["event": "result", "files": predictions.count, "predicted": predicted,
                         "predictions": shown, "model": modelURL.path])
        }
    }
}
