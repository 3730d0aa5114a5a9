import Layers
import Pipeline
import Tensor

/// Training and inference throughput of one reference network at a fixed batch size.
///
/// Training: `Trainer.step` (zero gradients, forward in training mode, weighted softmax
/// cross-entropy, fused backward, Adam lr 1e-3) over every batch of the windows in order; one timed
/// repetition is one pass. Inference: `Sequential.forward(_, training: false)` over the same batches.
/// Windows per second are taken per pass, after `warmup` untimed passes.
struct ModelBenchmark {
    let network: ReferenceNetwork
    let windows: BenchWindows
    let batchSize: Int
    let warmup: Int
    let repeats: Int

    struct Result {
        var trainingWindowsPerSecond: [Double]
        var inferenceWindowsPerSecond: [Double]
        var products: ModelProducts
        var parameterCount: Int
    }

    /// Batches in one pass.
    var batches: Int { windows.count / batchSize }

    func run() throws -> Result {
        let (model, trainer) = try makeTrainer()
        let training = passes { x, labels in _ = trainer.step(x, labels: labels) }
        let inference = passes { x, _ in _ = model.forward(x, training: false) }
        return Result(trainingWindowsPerSecond: training, inferenceWindowsPerSecond: inference,
                      products: ModelProducts(model: model, batch: batchSize),
                      parameterCount: model.parameterCount)
    }

    /// Training passes only (the memory probe's work), windows/s per pass.
    func runTraining() throws -> [Double] {
        let (_, trainer) = try makeTrainer()
        return passes { x, labels in _ = trainer.step(x, labels: labels) }
    }

    /// The network (seed 1) and a trainer with Adam lr 1e-3 and balanced class weights.
    private func makeTrainer() throws -> (Sequential, Trainer) {
        precondition(batches > 0, "need at least \(batchSize) windows, have \(windows.count)")
        let model = try network.build(classes: windows.classes, seed: 1)
        let weights = SoftmaxCrossEntropy.balancedWeights(labels: windows.labels, classes: windows.classes)
        let trainer = Trainer(model: model, optimizer: Adam(learningRate: 1e-3),
                              loss: SoftmaxCrossEntropy(classWeights: weights), batchSize: batchSize,
                              shuffle: false, seed: 1)
        return (model, trainer)
    }

    /// Times `warmup` + `repeats` passes of `body` over every batch; windows/s of the timed ones.
    private func passes(_ body: (Tensor, [Int32]) -> Void) -> [Double] {
        var x = Tensor.empty, labels: [Int32] = []
        let shape = network.inputShape
        let times = Timing.repeated(warmup: warmup, repeats: repeats) {
            for b in 0..<batches {
                windows.batch(b, size: batchSize, shape: shape, into: &x, labels: &labels)
                body(x, labels)
            }
        }
        return times.map { Double(batches * batchSize) / $0 }
    }
}
