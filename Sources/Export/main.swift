import ArgumentParser
import Foundation
import ONNXExport
import Pipeline
import Tensor

/// `export`: writes a trained network in another format (ONNX) for serving stacks.
@main
struct Export: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained network to ONNX (opset 17).",
        discussion: "The ONNX model takes raw feature windows (the feature scaling is its first nodes) and "
            + "returns the class probabilities; its metadata_props hold the classes and the feature settings. "
            + "Network models only (not random forests).",
        version: EarmarkVersion.text)

    @Option(help: "Model file (DATA/models/NAME.safetensors).")
    var model: String

    @Option(help: "Output format: onnx.")
    var format: String = "onnx"

    @Option(help: "Output file (written atomically).")
    var out: String

    func run() throws {
        CLI.start()
        guard format == "onnx" else {
            CLI.report { throw ExportError("--format \(format): unknown format (the one format is onnx)") }
            return
        }
        let trained = CLI.report { try ExportSource.network(at: URL(fileURLWithPath: model)) }
        let output = URL(fileURLWithPath: out)
        CLI.report { try ONNXModelExport.write(trained, to: output) }
        print("exported \(model) -> \(out) (ONNX opset \(ONNXModelExport.opset), \(trained.classes.count) classes)")
    }
}
