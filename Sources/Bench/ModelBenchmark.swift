import Layers
import Pipeline
import Tensor

/// Training and inference throughput of one reference network at a fixed batch size.
///
/// Training: `Trainer.step` (`TrainingEngine.step`: zero gradients, forward in training mode, weighted
/// softmax cross-entropy, fused backward, Adam lr 1e-3) over every batch of the windows in order; one
/// timed repetition is one pass. Inference: `TrainingEngine.infer` (`Sequential.infer`, the fused
/// inference plan, on each replica) over the same batches. With several replicas each batch is split
/// by rows over them. Windows per second are taken per pass, after `warmup` untimed passes.
struct ModelBenchmark {
    let network: ReferenceNetwork
    let windows: BenchWindows
    let batchSize: Int
    let warmup: Int
    let repeats: Int
    /// Replicas of the engine (one thread and one BLAS thread each); 1 means one model on the caller's
    /// thread with OpenBLAS's threads.
    var replicas = 1
    /// Whether the engine's worker threads flush subnormals to zero (the calling thread is set by `bench`).
    var flushDenormals = true

    struct Result {
        var trainingWindowsPerSecond: [Double]
        var inferenceWindowsPerSecond: [Double]
        /// The matrix products of one replica's share of a batch, as the layers report them.
        var products: ModelProducts
        var parameterCount: Int
    }

    /// Batches in one pass.
    var batches: Int { windows.count / batchSize }

    func run() throws -> Result {
        let trainer = try makeTrainer()
        let training = passes { x, labels in _ = trainer.step(x, labels: labels) }
        let inference = passes { x, _ in _ = trainer.engine.infer(x) }
        return Result(trainingWindowsPerSecond: training, inferenceWindowsPerSecond: inference,
                      products: trainer.model.products(batch: batchSize / replicas),
                      parameterCount: trainer.model.parameterCount)
    }

    /// Training passes only (the memory probe's work), windows/s per pass.
    func runTraining() throws -> [Double] {
        let trainer = try makeTrainer()
        return passes { x, labels in _ = trainer.step(x, labels: labels) }
    }

    /// `replicas` copies of the network (seed 1) in an engine, and a trainer with Adam lr 1e-3 and
    /// balanced class weights.
    private func makeTrainer() throws -> Trainer {
        precondition(batches > 0, "need at least \(batchSize) windows, have \(windows.count)")
        let requestedThreads = BLAS.threads                 // bench's --threads, or OpenBLAS's default
        let engine = TrainingEngine(replicas: try (0..<replicas).map { _ in
            try network.build(classes: windows.classes, seed: 1)
        }, flushDenormals: flushDenormals)
        // a one-replica engine resets OpenBLAS to its default thread count; one model runs on the
        // threads bench was given (without this, `--replicas 1 --threads 1` ran 2 BLAS threads)
        if replicas == 1 { BLAS.threads = requestedThreads }
        let weights = WindowSampler.classWeights(labels: windows.labels.map(Int.init), classCount: windows.classes)
            .map(Float.init)
        return Trainer(engine: engine, optimizer: Adam(learningRate: 1e-3),
                       loss: SoftmaxCrossEntropy(classWeights: weights), batchSize: batchSize, shuffle: false, seed: 1)
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
