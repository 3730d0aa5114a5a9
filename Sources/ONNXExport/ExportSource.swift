import Classical
import Foundation
import Pipeline
import Tensor

/// What a model file holds: a network or a random forest (told apart by the file's `format` metadata).
public enum ExportSubject {
    case network(TrainedModel)
    case forest(ForestModel)
}

/// Opens the model file an export reads.
public enum ExportSource {
    /// The network or random forest stored at `url`.
    /// - Throws: an error naming the file when it is missing, not an Earmark model, or damaged.
    public static func model(at url: URL) throws -> ExportSubject {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExportError("\(url.path): does not exist (train a model first: `train --mode conv`)")
        }
        let file = try SafeTensors.read(contentsOf: url)
        if file.metadata["format"] == ForestFile.formatName {
            return .forest(try ForestModel.decode(file, name: url.path))
        }
        return .network(try TrainedModel.load(from: url).model)
    }
}
