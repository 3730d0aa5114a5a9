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
            + "and writes DATA/predictions.csv with the split each file had in training.")

    @Option(help: "Model file (default: the model in DATA/models/).")
    var model: String?

    @Option(help: "Data folder holding audio.csv, wavfiles/ and models/.")
    var data: String = "."

    @Option(help: "Output CSV (default: DATA/predictions.csv).")
    var out: String?

    @Argument(help: "Audio files or folders to classify (any format libsndfile reads).")
    var clips: [String] = []

    func run() throws {
        CLI.start()
        var folder = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        let demo = DataFolder(root: folder.root.appendingPathComponent("demo", isDirectory: true))
        if !folder.hasTable && model == nil && demo.hasTable { folder = demo }
        let modelURL = CLI.report { try PredictWorkflow.locateModel(model, data: folder) }
        let trained = CLI.report { try ModelFile.classifier(contentsOf: modelURL) }
        let output = out.map { URL(fileURLWithPath: $0) } ?? folder.root.appendingPathComponent("predictions.csv")
        if clips.isEmpty {
            guard folder.hasTable else {
                CLI.report {
                    throw FileError(folder.csv.path,
                                    "does not exist: give clips to classify, or --data DIR with an audio.csv")
                }
                return
            }
            CLI.report { try PredictWorkflow.predictTable(classifier: trained, data: folder, output: output) }
        } else {
            CLI.report { try PredictWorkflow.predictClips(clips, classifier: trained, output: output) }
        }
    }
}
