import Foundation
import Layers
import Pipeline
import Tensor

/// Fuzz target: arbitrary bytes as a safetensors file, read the three ways Earmark reads one: the
/// decoder itself (every entry as floats and integers), a model file (`WeightFile.read`, then the whole
/// `ModelFile.classifier` path that rebuilds the network from the stored config and assigns the weights)
/// and a feature cache (`FeatureCache.read`, with the key and window shape the file itself claims, so
/// that mutated seeds reach the consistency checks). Any thrown error is the expected outcome; a trap,
/// a sanitizer report or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let file = try? SafeTensors.decode(data, name: "fuzz") else { return 0 }
    for name in file.tensors.keys {
        _ = try? file.tensor(name)
        _ = try? file.integers(name)
    }
    guard (try? data.write(to: FuzzFile.url)) != nil else { fatalError("cannot write \(FuzzFile.url.path)") }
    _ = try? WeightFile.read(FuzzFile.url)
    _ = try? ModelFile.classifier(contentsOf: FuzzFile.url)
    let windowShape = file.tensors["train/x"].map { Array($0.shape.dropFirst()) } ?? [9, 13, 1]
    _ = try? FeatureCache.read(FuzzFile.url, key: file.metadata["key"] ?? "", inputShape: windowShape,
                               classes: 3, trainRows: Set(0..<12), validationRows: Set(0..<12))
    return 0
}

/// The one scratch file of this process, in memory-backed /dev/shm when there is one.
enum FuzzFile {
    static let url: URL = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return URL(fileURLWithPath: folder).appendingPathComponent("earmark-fuzz-\(getpid()).safetensors")
    }()
}
