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
}
