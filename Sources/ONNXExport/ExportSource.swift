import Classical
import Foundation
import Pipeline
import Tensor

/// Opens the model file an export reads: networks only (a random forest is refused by name).
public enum ExportSource {
    /// The network stored at `url`.
    /// - Throws: an error naming the file when it is missing, not an Earmark model, or a random forest.
    public static func network(at url: URL) throws -> TrainedModel {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExportError("\(url.path): does not exist (train a model first: `train --mode conv`)")
        }
        let file = try SafeTensors.read(contentsOf: url)
        if file.metadata["format"] == ForestFile.formatName {
            throw ExportError("\(url.path): is a random forest; ONNX export is for network models only")
        }
        return try TrainedModel.load(from: url).model
    }
}
