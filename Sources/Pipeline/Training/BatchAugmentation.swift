import Tensor

/// Changes each training batch of a `Trainer` (data augmentation; `TrainingAugmenter`). Validation
/// batches are never passed to it.
public protocol BatchAugmentation: AnyObject {
    /// Changes the batch of the epoch's training examples `indices` at (epoch, step), as a function
    /// of those alone (so that a resumed run gets the same batch).
    ///
    ///     x (B, inputShape...), labels (B) -> x, labels changed; soft targets (B, K) or nil
    /// - Returns: soft targets for the loss (mixup), or nil for the integer labels.
    func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, epoch: Int, step: Int) -> Tensor?

    /// Rows `rows` of the augmented global batch `indices` of `set` (a rank's shard), equal to those
    /// rows of `augment` on the whole batch.
    ///
    ///     set, indices (B), rows (n of B) -> x (n, inputShape...), labels (n); soft targets (n, K) or nil
    func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, rows: Range<Int>,
                 of set: WindowSet, epoch: Int, step: Int) -> Tensor?

    /// Where the batch's per-example work may run from now on: the trainer passes its engine's
    /// threads (`TrainingEngine.parallelLoop`), which wait idle between steps. The result must not
    /// depend on the loop. Default: ignored (all the work on the calling thread).
    func spread(over loop: ParallelLoop)
}

extension BatchAugmentation {
    public func spread(over loop: ParallelLoop) {}

    /// Augments the whole batch and keeps `rows` (every rank does the whole batch's work).
    public func augment(_ x: inout Tensor, labels: inout [Int32], indices: ArraySlice<Int>, rows: Range<Int>,
                        of set: WindowSet, epoch: Int, step: Int) -> Tensor? {
        var whole = Tensor.empty, wholeLabels: [Int32] = []
        set.gather(indices, into: &whole, labels: &wholeLabels)
        let targets = augment(&whole, labels: &wholeLabels, indices: indices, epoch: epoch, step: step)
        x = whole.rows(rows)
        labels = Array(wholeLabels[rows])
        return targets?.rows(rows)
    }
}

extension Tensor {
    /// Rows `rows` of a tensor of shape (N, S...), copied.
    ///
    ///     (N, S...) -> (rows.count, S...)
    func rows(_ rows: Range<Int>) -> Tensor {
        let stride = count / max(shape[0], 1)
        return Tensor(shape: [rows.count] + Array(shape.dropFirst()),
                      data: Array(data[(rows.lowerBound * stride)..<(rows.upperBound * stride)]))
    }
}

/// A loop whose iterations may run at once on `threads` threads: `run(n) { i in ... }` returns when
/// body(i) has run for every i in 0..<n, each on one thread, in no particular order.
public struct ParallelLoop {
    /// How many threads the iterations are spread over (1: all on the calling thread).
    public let threads: Int
    private let loop: (Int, (Int) -> Void) -> Void

    public init(threads: Int, _ loop: @escaping (Int, (Int) -> Void) -> Void) {
        precondition(threads >= 1, "ParallelLoop needs at least one thread, got \(threads)")
        self.threads = threads
        self.loop = loop
    }

    /// Every iteration on the calling thread, in order.
    public static var serial: ParallelLoop { ParallelLoop(threads: 1) { n, body in for i in 0..<n { body(i) } } }

    /// Runs body(0..<iterations); returns when every iteration is done.
    public func run(_ iterations: Int, _ body: (Int) -> Void) { loop(iterations, body) }
}
