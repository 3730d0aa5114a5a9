import ArgumentParser
import Durable
import Foundation
import ONNXExport
import Pipeline
import Tensor

/// `export`: writes a trained network or random forest in another format (ONNX) for serving stacks.
@main
struct Export: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        StandardStreams.guardAtStart()      // before parsing: --help and --version print too
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained network or random forest to ONNX (opset 17).",
        discussion: "The ONNX model takes raw feature windows (the feature scaling is its first nodes) and "
            + "returns the class probabilities; its metadata_props hold the classes and the feature settings. "
            + "A random forest becomes an ai.onnx.ml TreeEnsembleClassifier that takes raw per-clip descriptor "
            + "rows (N, columns) and returns the label and the class probabilities.",
        version: EarmarkVersion.text)

    @Option(help: "Model file (DATA/models/NAME.safetensors).")
    var model: String

    @Option(help: "Output format: onnx.")
    var format: String = "onnx"

    @Option(help: "Output file (written atomically).")
    var out: String

    func validate() throws {
        // the argument parser's error (64), as for every value outside an option's range
        guard format == "onnx" else {
            throw ValidationError("--format \(format): unknown format (the one format is onnx)")
        }
        if let problem = OutputCollision.extensionProblem(out, ["onnx"], writing: "the ONNX model") {
            throw ValidationError(problem)
        }
    }

    func run() throws {
        CLI.start()
        InterruptedWrite.removeOnSignal()     // --out may be anywhere: no sweep passes there
        let subject = CLI.report { try ExportSource.model(at: URL(fileURLWithPath: model)) }
        let output = CLI.report { try OutputCollision.target(out, ["onnx"], writing: "the ONNX model") }
        CLI.report {
            try OutputCollision.refuse(output: output, inputs: [(URL(fileURLWithPath: model), "the model file")])
        }
        switch subject {
        case .network(let trained):
            CLI.report { try ONNXModelExport.write(trained, to: output) }
            print("exported \(model) -> \(out) (ONNX opset \(ONNXModelExport.opset), \(trained.classes.count) classes)")
        case .forest(let forest):
            CLI.report { try ForestONNXExport.write(forest, to: output) }
            print("exported \(model) -> \(out) (ONNX opset \(ONNXModelExport.opset) + ai.onnx.ml "
                  + "\(ForestONNXExport.mlOpset) TreeEnsembleClassifier, \(forest.classes.count) classes, "
                  + "\(forest.forest.trees.count) trees)")
        }
    }
}
