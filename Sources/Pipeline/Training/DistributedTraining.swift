import Foundation
import Tensor

/// A rank's weights differ from rank 0's at an epoch end: the ranks no longer train one model.
public struct ReplicaMismatchError: Error, CustomStringConvertible {
    public let epoch: Int, ranks: [Int]
    public var description: String {
        "weights of rank \(ranks.map(String.init).joined(separator: ", ")) differ from rank 0's after epoch "
            + "\(epoch + 1): the ranks must run the same build, config and data (training stopped)"
    }
}

/// The parts of the training loop that involve every rank (`engine.collective`): each rank trains on
/// its shard of every global batch, the step's statistics and the stop decision are summed over the
/// ranks, validation is inferred shard by shard, and the weights are compared at every epoch end.
/// (Test files are scored shard by shard in `DistributedScoring`.)
extension Trainer {
    /// One step on this rank's shard of the global batch `slice` (window indices of `train`), augmented
    /// as the whole batch would be (`BatchAugmentation.augment(rows:)`: every draw numbered by the row
    /// in the global batch). Loss sum, correct count and stop request travel in the step's one
    /// allreduce (`TrainingEngine.step(globalRows:stop:)`), so every rank sees the global batch's
    /// numbers and stops after the same step.
    /// - Returns: the global batch's mean loss and correct count, and whether any rank asked to stop.
    func distributedStep(_ slice: ArraySlice<Int>, of train: WindowSet, epoch: Int, step: Int,
                         shouldStop: () -> Bool) -> ((loss: Double, correct: Int), Bool) {
        let c = engine.collective
        let mine = c.shard(of: slice.count)
        var targets: Tensor?
        if let augmentation {
            targets = augmentation.augment(&batch, labels: &batchLabels, indices: slice, rows: mine, of: train,
                                           epoch: epoch, step: step)
        } else {
            let rows = slice[(slice.startIndex + mine.lowerBound)..<(slice.startIndex + mine.upperBound)]
            train.gather(rows, into: &batch, labels: &batchLabels)
        }
        let r = engine.step(batch, labels: batchLabels, targets: targets, loss: loss, optimizer: optimizer,
                            globalRows: slice.count, stop: shouldStop())
        return ((r.loss, r.correct), r.stop)
    }

    /// True on every rank when any rank's `local` is true (no collective call for one process).
    func agreeToStop(_ local: Bool) -> Bool {
        guard engine.collective.size > 1 else { return local }
        var flag = [local ? 1.0 : 0.0]
        flag.withUnsafeMutableBufferPointer { engine.collective.allreduceSum($0) }
        return flag[0] > 0
    }

    /// Predictions for every window of `x`, each rank inferring its shard, gathered on every rank.
    ///
    ///     x (M, inputShape...) -> (M, outputShape...)
    func distributedPredict(_ x: Tensor) -> Tensor {
        let c = engine.collective, m = x.shape[0]
        let inStride = x.count / max(m, 1), outShape = model.outputShape
        let outStride = outShape.reduce(1, *)
        let mine = c.shard(of: m)
        var local = Tensor.empty
        if !mine.isEmpty {
            var part = Tensor(shape: [mine.count] + Array(x.shape.dropFirst()))
            part.data.withUnsafeMutableBufferPointer { dst in
                x.data.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress! + mine.lowerBound * inStride,
                                            count: mine.count * inStride)
                }
            }
            local = engine.predict(part, batchSize: max(batchSize, 256))
        }
        let counts = (0..<c.size).map { type(of: c).shard(of: m, rank: $0, size: c.size).count * outStride }
        let all = local.data.withUnsafeBufferPointer { l in
            c.allgatherv(UnsafeBufferPointer(start: l.baseAddress, count: mine.count * outStride), counts: counts)
        }
        return Tensor(shape: [m] + outShape, data: all)
    }

    /// Compares a hash of the weights and state of every rank's model with rank 0's.
    /// - Throws: `ReplicaMismatchError` naming the ranks that differ (on every rank).
    func checkReplicasAgree() throws {
        let c = engine.collective
        guard c.size > 1 else { return }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325           // FNV-1a over the bytes of every tensor
        for t in model.parameters.map(\.value) + model.state.map(\.value) {
            t.data.withUnsafeBytes { bytes in
                for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
            }
        }
        let all = c.allgather(hash)
        let differing = all.indices.filter { all[$0] != all[0] }
        if !differing.isEmpty { throw ReplicaMismatchError(epoch: state.epoch, ranks: differing) }
    }
}
