import Foundation
import Layers
import Tensor

/// Scoring the test files over the ranks of a multi-rank run: rank 0's weights sent to every rank,
/// every rank predicting its contiguous shard of the files (`Collective.shard(of:)`), the
/// predictions gathered in file order on every rank. A file's windows are all predicted on one rank
/// and averaged in their order there, as on one rank.
enum DistributedScoring {
    /// Copies `root`'s parameter values and non-trainable state of `network` into every rank's.
    static func broadcastWeights(of network: Sequential, from root: Int, over c: Collective) {
        let tensors = network.parameters.map(\.value) + network.state.map(\.value)
        var packed = tensors.flatMap(\.data)
        packed.withUnsafeMutableBytes { c.broadcast($0, root: root) }
        var offset = 0
        for p in network.parameters {
            p.value.data = Array(packed[offset..<(offset + p.value.count)])
            offset += p.value.count
        }
        for s in network.state {
            s.value.data = Array(packed[offset..<(offset + s.value.count)])
            offset += s.value.count
        }
    }

    /// Predictions of `classifier` for every clip of `clips` (cleaned), each rank predicting its
    /// shard; the same list on every rank.
    static func predict(_ classifier: any ClipClassifier, clips: [[Float]], classes: Int,
                        over c: Collective) -> [Predictor.ClipPrediction] {
        let mine = c.shard(of: clips.count)
        let local = mine.isEmpty ? [] : classifier.predict(cleaned: Array(clips[mine]))
        let encoded = encode(local)
        let counts = c.allgather(UInt64(encoded.count)).map { Int($0) }
        let all = encoded.withUnsafeBufferPointer { c.allgatherv($0, counts: counts) }
        return decode(all, classes: classes)
    }

    /// Predictions as floats, one record per clip:
    ///
    ///     [has probabilities (0 or 1), windows, L, probabilities (K, when present), window labels (L)]
    ///
    /// Counts and labels are small integers, exact in a Float.
    static func encode(_ predictions: [Predictor.ClipPrediction]) -> [Float] {
        var out: [Float] = []
        for p in predictions {
            out.append(p.probabilities == nil ? 0 : 1)
            out.append(Float(p.windows))
            out.append(Float(p.windowPredictions.count))
            out += p.probabilities ?? []
            out += p.windowPredictions.map(Float.init)
        }
        return out
    }

    /// The predictions `encode` wrote, for `classes` classes.
    static func decode(_ values: [Float], classes: Int) -> [Predictor.ClipPrediction] {
        var out: [Predictor.ClipPrediction] = [], i = 0
        while i < values.count {
            let has = values[i] != 0, windows = Int(values[i + 1]), count = Int(values[i + 2])
            i += 3
            var probabilities: [Float]?
            if has { probabilities = Array(values[i..<(i + classes)]); i += classes }
            let labels = values[i..<(i + count)].map { Int($0) }
            i += count
            out.append(Predictor.ClipPrediction(probabilities: probabilities, windows: windows,
                                                windowPredictions: labels))
        }
        return out
    }
}
