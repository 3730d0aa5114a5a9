import Layers
import Tensor

/// One replica of a `TrainingEngine`: its model, its rows of the current batch and its results.
/// During a pass only the thread running that replica touches it.
final class EngineReplica: @unchecked Sendable {
    let model: Sequential
    /// Rows of the current batch given to this replica (n_r).
    var rows = 0
    /// This replica's rows of the batch and their labels, copied by the engine when a batch is shared
    /// by several replicas (a batch run by one replica is used in place).
    var input = Tensor.empty
    var labels: [Int32] = []
    /// This replica's rows of the soft targets of a batch that has them (copied as `input` is).
    var targets = Tensor.empty
    /// The last inference pass's output (n_r, outputShape...), dropped once the engine has copied it.
    var result = Tensor.empty
    /// The last training pass's mean loss over its rows and number of correct predictions.
    var loss = 0.0
    var correct = 0
    private var logitGradient = Tensor.empty
    /// Whether the model's parameter gradients are all zero already: the engine's fused update zeroes
    /// each slice right after reading it (while it is in cache), so the next pass skips `zeroGrad`.
    var gradientsAreZero = false

    init(_ model: Sequential) { self.model = model }

    /// Zeroes the gradients (unless `gradientsAreZero`), then forward (training mode), loss and fused backward on this replica's rows
    /// of a batch of `n`; the loss gradient is scaled by n_r / n, so that the replicas' gradients sum
    /// to the whole batch's (one replica with the whole batch: scale 1, the plain serial step).
    ///
    /// With `targets` the loss is on those soft targets (`labels` then only count correct predictions).
    ///
    ///     x (n_r, inputShape...), labels (n_r)[, targets (n_r, K)] -> parameter gradients of this replica's share
    func trainingPass(_ x: Tensor, labels: [Int32], targets: Tensor? = nil, loss: SoftmaxCrossEntropy, batch n: Int) {
        if !gradientsAreZero { model.zeroGrad() }
        gradientsAreZero = false
        let p = model.forward(x, training: true)
        let r = if let targets {
            loss.evaluate(probabilities: p, targets: targets, labels: labels, preActivationGradient: &logitGradient)
        } else {
            loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &logitGradient)
        }
        let scale = Float(x.shape[0]) / Float(n)
        if scale != 1 {
            logitGradient.data.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= scale }
            }
        }
        model.backward(logitGradient, preActivation: true, inputGradient: false)
        model.releaseCaches()       // so that the next batch is written into `x`'s storage in place
        self.loss = r.loss
        correct = r.correct
    }

    /// Inference on this replica's rows into `result`.
    ///
    ///     x (n_r, inputShape...) -> result (n_r, outputShape...)
    func inferencePass(_ x: Tensor) {
        result = model.infer(x)
        model.releaseCaches()       // so that the next batch is written into `x`'s storage in place
    }
}
