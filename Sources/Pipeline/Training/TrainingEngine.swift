import Foundation
import Layers
import Tensor

// Legend: N batch, M examples of a prediction, R replicas, n_r rows of replica r (N / R, the first
// N % R replicas one more). x (N, S...) is split by rows: replica r gets rows [start_r, start_r + n_r).
// Each replica computes its loss gradient with its own 1/n_r, scaled by n_r / N, so the sum over
// replicas is exactly the gradient of the whole batch (up to the order of float additions).

/// What runs a model, for training and for inference: R >= 1 identical replicas of it that split each
/// batch by rows, replica 0 on the caller's thread and replica r on thread r of a `WorkerTeam`.
///
///     step:    x (N, inputShape...), labels (N) -> mean loss, correct predictions; model updated
///     infer:   x (N, inputShape...) -> (N, outputShape...)
///     predict: x (M, inputShape...) -> (M, outputShape...), `infer` over batches
///
/// One replica is the plain serial loop on the caller's thread: zero gradients, forward, loss,
/// backward, the optimizer's update, with OpenBLAS's own thread count (an `ElementwiseOptimizer`
/// zeroes each gradient slice right after its update reads it, so the next step needs no
/// `zeroGrad`; `update(with:active:)`). With R >= 2 each replica runs on its
/// own thread with single-threaded BLAS products (`init` sets one BLAS thread per product,
/// process-wide); their gradients are summed into replica 0, which the optimizer updates, and the
/// new weights are copied to the others (for an `ElementwiseOptimizer` all three in one pass over
/// the threads, which in a single process each thread starts as soon as its own pass is over:
/// `OverlappedUpdate`). On a small machine this beats multithreaded BLAS for these small products: no
/// thread synchronisation inside each product, and the layers' elementwise work runs on every core.
/// Dropout masks differ from a single model's (each replica has its own generator; `reseed`).
/// Batch normalization normalizes each replica's rows with their own batch statistics (as PyTorch
/// DDP without SyncBatchNorm and Keras' MirroredStrategy do), so results depend on R but are
/// identical for a fixed R; after every step the replicas' non-trainable state (the moving
/// statistics) is averaged over the replicas that trained and copied to all (`averageState`).
public final class TrainingEngine {
    /// The replicas; `replicas[0]` holds the model's parameters and optimizer-facing gradients.
    public let replicas: [Sequential]
    /// The model whose parameters are trained (replica 0).
    public var model: Sequential { replicas[0] }
    /// Whether the team's threads flush subnormal floats to zero (FTZ/DAZ) before computing. The
    /// caller's thread keeps the mode its owner set (the executables flush it in `CLI.start`).
    public var flushDenormals: Bool

    /// The processes that share each global batch (`SingleProcess` unless launched by mpirun): after
    /// the local replicas' gradients are summed, one allreduce makes them the global batch's.
    public let collective: Collective
    /// This rank's replicas' index among all ranks' (rank * R): their dropout streams are those of
    /// replicas rank * R ..< (rank + 1) * R of a single process, so 2 ranks x 1 replica draw what
    /// 1 rank x 2 replicas draws.
    private var replicaOffset: Int { collective.rank * replicas.count }
    private let workers: [EngineReplica]
    private let team: WorkerTeam              // one thread per replica after the first (the caller's)
    private let parameters: [[Parameter]]     // [replica][parameter]
    private let allParameters: [Parameter]    // replica-major: replica r's parameter i at r * P + i
    private let states: [[LayerState]]        // [replica][state tensor]
    private let parameterSizes: [Int]         // elements of parameter i
    private let parameterOffsets: [Int]       // where parameter i's gradient starts in `fused`
    private var output = Tensor.empty
    private var fused: [Float] = []           // gradients, state and statistics, packed for the allreduce
    /// Floats in the step's allreduce (after the first multi-rank step; 0 before).
    public var allreduceFloats: Int { fused.count }
    /// Time spent in the step's allreduce and its number of calls (steps), for reports.
    public private(set) var allreduceSeconds = 0.0, allreduceCalls = 0
    /// Where the training steps' time went, phase by phase (`StepPhases`).
    public private(set) var phases = StepPhases()
    private var waitProbe: [Float] = [0]      // the one-float allreduce that measures StepPhases' wait
    private let overlappedUpdate: OverlappedUpdate
    /// Whether a step of several replicas in one process, with an `ElementwiseOptimizer`, updates the
    /// parameters on each replica's thread as soon as its pass is over (`OverlappedUpdate`), rather
    /// than after the slowest replica's pass. Both give the same results bit for bit; multi-rank
    /// steps always update after the allreduce.
    public var overlapsUpdate = true
    /// The overlapped update's per-parameter gradient norms (clipping by norm).
    private lazy var parameterNorms = ParameterNorms(count: parameterSizes.count)

    /// - Precondition: at least one replica; all with the same input shape and parameter shapes.
    public init(replicas: [Sequential], flushDenormals: Bool = true, collective: Collective = SingleProcess()) {
        precondition(!replicas.isEmpty, "TrainingEngine needs at least one replica")
        let shapes = replicas[0].parameters.map(\.value.shape)
        for r in replicas {
            precondition(r.inputShape == replicas[0].inputShape && r.parameters.map(\.value.shape) == shapes,
                         "TrainingEngine: replicas differ (input \(r.inputShape) vs \(replicas[0].inputShape), "
                         + "parameters \(r.parameters.map(\.value.shape)) vs \(shapes))")
        }
        self.replicas = replicas
        self.flushDenormals = flushDenormals
        self.collective = collective
        workers = replicas.map(EngineReplica.init)
        team = WorkerTeam(workers: replicas.count - 1)
        parameters = replicas.map(\.parameters)
        allParameters = parameters.flatMap { $0 }
        states = replicas.map(\.state)
        parameterSizes = parameters[0].map(\.value.count)
        parameterOffsets = Array(parameterSizes.reduce(into: [0]) { $0.append($0.last! + $1) }.dropLast())
        overlappedUpdate = OverlappedUpdate(model: replicas[0], replicas: replicas.count)
        // set either way, so that a run does not inherit the count an earlier engine left behind
        BLAS.threads = replicas.count > 1 ? 1 : BLAS.defaultThreads
        broadcastWeights()
        if StepPhases.separateWait { replicas[0].layerTimes = LayerTimes(layers: replicas[0].layers.count) }
    }

    /// Makes every replica equal to replica 0 by copying its parameter values and non-trainable state
    /// (no allocation). This is the one place that does it.
    public func broadcastWeights() {
        for r in parameters.indices.dropFirst() {
            for (source, target) in zip(parameters[0], parameters[r]) {
                source.value.data.withUnsafeBufferPointer { s in
                    target.value.data.withUnsafeMutableBufferPointer { t in
                        t.baseAddress!.update(from: s.baseAddress!, count: s.count)
                    }
                }
            }
            for (source, target) in zip(replicas[0].state, replicas[r].state) {
                source.value.data.withUnsafeBufferPointer { s in
                    target.value.data.withUnsafeMutableBufferPointer { t in
                        t.baseAddress!.update(from: s.baseAddress!, count: s.count)
                    }
                }
            }
        }
    }

    /// Sets every replica's non-trainable state to its mean over replicas 0..<active (the ones that
    /// trained on the last batch): summed in replica order, divided by `active`, written into replica
    /// 0; with several ranks, then averaged over the ranks in the step's allreduce (`reduceStep`); and
    /// copied to the other replicas (`copyState`), so the result is deterministic for a fixed replica
    /// and rank count. For moving statistics updated as moving * momentum + statistic * (1 - momentum)
    /// from equal values, this is one update with the mean of the shards' statistics. This is the one
    /// place replicas' state is combined; one replica on one rank: nothing to do.
    private func averageState(active: Int) {
        guard !states[0].isEmpty, replicas.count > 1 || collective.size > 1 else { return }
        for i in states[0].indices where active > 1 {
            states[0][i].value.data.withUnsafeMutableBufferPointer { t in
                for r in 1..<active {
                    states[r][i].value.data.withUnsafeBufferPointer { s in
                        for j in 0..<t.count { t[j] += s[j] }
                    }
                }
                let count = Float(active)
                for j in 0..<t.count { t[j] /= count }
            }
        }
        if collective.size == 1 { copyState() }
    }

    /// Copies replica 0's non-trainable state to the other replicas.
    private func copyState() {
        for i in states[0].indices {
            for r in 1..<replicas.count {
                states[0][i].value.data.withUnsafeBufferPointer { s in
                    states[r][i].value.data.withUnsafeMutableBufferPointer { t in
                        t.baseAddress!.update(from: s.baseAddress!, count: s.count)
                    }
                }
            }
        }
    }

    /// Reseeds every replica's stochastic layers: replica 0 with `seed` itself (the stream of a single
    /// model), replica r with its own stream.
    public func reseed(_ seed: UInt64) {
        for (r, replica) in replicas.enumerated() {
            replica.reseed(seed &+ UInt64(replicaOffset + r) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// One optimisation step on a batch: every replica runs forward (training mode), the loss and the
    /// fused backward on its rows; the gradients are summed into replica 0; `optimizer` updates it;
    /// the new weights are copied to the other replicas, and their non-trainable state averaged
    /// (`averageState`). `targets` (N, K), when given, are soft targets (mixup) for the loss; `labels`
    /// then only count the correct predictions. With several ranks, `x` is this rank's shard of a
    /// global batch of `globalRows` rows (it may be empty); see `step(_:labels:targets:loss:optimizer:
    /// globalRows:stop:)`.
    /// - Returns: the mean loss over the (global) batch and its number of correct predictions.
    @discardableResult
    public func step(_ x: Tensor, labels: [Int32], targets: Tensor? = nil, loss: SoftmaxCrossEntropy,
                     optimizer: Optimizer, globalRows: Int? = nil) -> (loss: Double, correct: Int) {
        let r = step(x, labels: labels, targets: targets, loss: loss, optimizer: optimizer,
                     globalRows: globalRows ?? x.shape[0], stop: false)
        return (r.loss, r.correct)
    }

    /// One step as above, for a rank of a multi-rank run: the gradients are scaled by this rank's
    /// rows / `globalRows`; then ONE allreduce per step sums, over the ranks, the gradients, the
    /// non-trainable state (then divided by the rank count), this rank's loss sum and correct count
    /// and its `stop` request (`reduceStep`), before the same optimizer update on every rank.
    /// - Returns: the global batch's mean loss and correct count, and whether any rank asked to stop
    ///   (for one process: this batch's, and `stop`).
    public func step(_ x: Tensor, labels: [Int32], targets: Tensor? = nil, loss: SoftmaxCrossEntropy,
                     optimizer: Optimizer, globalRows batch: Int,
                     stop: Bool) -> (loss: Double, correct: Int, stop: Bool) {
        let n = x.shape[0]
        precondition(n <= batch && labels.count == n && (n > 0 || collective.size > 1),
                     "TrainingEngine.step: x \(x.shape) with \(labels.count) labels of \(batch)")
        phases.begin()
        let active = n == 0 ? 0 : split(x, labels: labels)
        if active == 0 { model.zeroGrad(); workers[0].loss = 0; workers[0].correct = 0 }
        if let targets, active > 1 { splitTargets(targets, active: active) }
        let pass = { (replica: EngineReplica) in
            if active == 1 {
                replica.trainingPass(x, labels: labels, targets: targets, loss: loss, batch: batch)
            } else {
                replica.trainingPass(replica.input, labels: replica.labels,
                                     targets: targets.map { _ in replica.targets }, loss: loss, batch: batch)
            }
        }
        // one process, several replicas, an elementwise optimizer that does not need every gradient's norm
        // first: the update runs inside the passes
        let overlapped = collective.size == 1 && active > 1 && overlapsUpdate
            ? Self.elementwise(optimizer).flatMap { $0.needsEveryGradientNorm ? nil : $0 } : nil
        if let overlapped {
            runWithOverlappedUpdate(active: active, optimizer: overlapped, pass: pass)
        } else {
            run(active, pass)
        }
        averageState(active: active)
        var local = (loss: workers[0].loss, correct: workers[0].correct)
        if active > 1 {
            var total = 0.0, correct = 0
            for w in workers.prefix(active) { total += w.loss * Double(w.rows); correct += w.correct }
            local = (total / Double(n), correct)
        }
        if overlapped != nil {
            phases.end(.optimizer)
            return (local.loss, local.correct, stop)
        }
        phases.end(.compute)
        if collective.size > 1 {
            // an elementwise optimizer reads the summed gradients where the allreduce left them
            let elementwise = Self.elementwise(optimizer)
            let global = reduceStep(active: active, lossSum: local.loss * Double(n), correct: local.correct,
                                    stop: stop, unpackGradients: elementwise == nil)
            copyState()
            if let elementwise {
                fused.withUnsafeBufferPointer {
                    update(with: elementwise, active: max(active, 1), summedGradients: $0.baseAddress!)
                }
            } else {
                optimizer.step(parameters[0])
                broadcastWeights()
            }
            phases.end(.optimizer)
            return (global.lossSum / Double(batch), global.correct, global.stop)
        } else if let elementwise = Self.elementwise(optimizer) {
            update(with: elementwise, active: active)
        } else {
            sumGradients(active: active)
            optimizer.step(parameters[0])
            broadcastWeights()
        }
        phases.end(.optimizer)
        return (local.loss, local.correct, stop)
    }

    /// `optimizer` as an `ElementwiseOptimizer` (Adam, with or without clipping); nil sends the step
    /// through the summed gradients and `Optimizer.step` (SGD).
    static func elementwise(_ optimizer: Optimizer) -> ElementwiseOptimizer? {
        optimizer as? ElementwiseOptimizer
    }

    /// Inference (`Sequential.infer`) on one batch, split over the replicas. The result is a buffer of
    /// this engine, reused by the next call.
    ///
    ///     x (N, inputShape...) -> (N, outputShape...)
    public func infer(_ x: Tensor) -> Tensor {
        let n = x.shape[0]
        let active = split(x, labels: nil)
        run(active) { replica in replica.inferencePass(active == 1 ? x : replica.input) }
        let stride = model.outputShape.reduce(1, *)
        output.ensureShape([n] + model.outputShape)
        output.data.withUnsafeMutableBufferPointer { out in
            var row = 0
            for w in workers.prefix(active) {
                w.result.data.withUnsafeBufferPointer { y in
                    (out.baseAddress! + row * stride).update(from: y.baseAddress!, count: y.count)
                }
                row += w.rows
                w.result = .empty
            }
        }
        return output
    }

    /// Inference over any number of examples, `batchSize` at a time (the last batch may be smaller),
    /// each batch through `infer`.
    ///
    ///     x (M, inputShape...) -> (M, outputShape...)
    public func predict(_ x: Tensor, batchSize: Int) -> Tensor {
        precondition(batchSize > 0, "TrainingEngine.predict: batch size \(batchSize)")
        let m = x.shape[0]
        let inStride = model.inputShape.reduce(1, *), outStride = model.outputShape.reduce(1, *)
        var out = Tensor(shape: [m] + model.outputShape)
        var batch = Tensor.empty
        var start = 0
        while start < m {
            let n = min(batchSize, m - start)
            batch.ensureShape([n] + model.inputShape)
            batch.data.withUnsafeMutableBufferPointer { dst in
                x.data.withUnsafeBufferPointer { src in
                    dst.baseAddress!.update(from: src.baseAddress! + start * inStride, count: n * inStride)
                }
            }
            let y = infer(batch)
            out.data.withUnsafeMutableBufferPointer { dst in
                y.data.withUnsafeBufferPointer { src in
                    (dst.baseAddress! + start * outStride).update(from: src.baseAddress!, count: n * outStride)
                }
            }
            start += n
        }
        return out
    }

    /// The engine's threads as a loop for work between steps (a batch's augmentation): the caller and
    /// one worker per further replica, the workers with the replicas' floating-point settings. Not
    /// for use during a step.
    public var parallelLoop: ParallelLoop {
        ParallelLoop(threads: replicas.count) { [self] iterations, body in
            let flush = flushDenormals, size = replicas.count
            // iteration i runs on team member i % size (WorkerTeam), 0 being the caller's thread
            team.run(iterations: iterations) { i in
                if i % size != 0 && flush { FloatEnvironment.flushDenormalsToZero() }
                body(i)
            }
        }
    }

    /// Runs `pass` on replicas 0..<active, replica r on team member r (0: the caller's thread).
    private func run(_ active: Int, _ pass: (EngineReplica) -> Void) {
        let flush = flushDenormals
        team.run(iterations: active) { r in
            if r > 0 && flush { FloatEnvironment.flushDenormalsToZero() }
            pass(workers[r])
        }
    }

    /// Gives each active replica its rows of x (and labels); returns how many replicas work. A batch
    /// for one replica is not copied: the passes then read `x` itself.
    private func split(_ x: Tensor, labels: [Int32]?) -> Int {
        let n = x.shape[0], stride = x.count / max(n, 1)
        precondition(Array(x.shape.dropFirst()) == model.inputShape,
                     "TrainingEngine: input \(x.shape), expected (N, \(model.inputShape))")
        let active = min(workers.count, n)
        if active == 1 {
            workers[0].rows = n
            return 1
        }
        var start = 0
        x.data.withUnsafeBufferPointer { src in
            for (r, w) in workers.prefix(active).enumerated() {
                let rows = n / active + (r < n % active ? 1 : 0)
                w.rows = rows
                w.input.ensureShape([rows] + model.inputShape)
                w.input.data.withUnsafeMutableBufferPointer { dst in
                    dst.baseAddress!.update(from: src.baseAddress! + start * stride, count: rows * stride)
                }
                if let labels {
                    if w.labels.count != rows { w.labels = [Int32](repeating: 0, count: rows) }
                    for i in 0..<rows { w.labels[i] = labels[start + i] }
                }
                start += rows
            }
        }
        return active
    }

    /// Gives each of the `active` replicas its rows of the soft targets (N, K), as `split` gave x's.
    private func splitTargets(_ targets: Tensor, active: Int) {
        let k = targets.shape[1]
        var start = 0
        targets.data.withUnsafeBufferPointer { src in
            for w in workers.prefix(active) {
                w.targets.ensureShape([w.rows, k])
                w.targets.data.withUnsafeMutableBufferPointer { dst in
                    dst.baseAddress!.update(from: src.baseAddress! + start * k, count: w.rows * k)
                }
                start += w.rows
            }
        }
    }

    /// Adds the gradients of replicas 1..<active into replica 0's.
    private func sumGradients(active: Int) {
        for r in 1..<max(active, 1) {
            for (target, source) in zip(parameters[0], parameters[r]) {
                source.grad.data.withUnsafeBufferPointer { s in
                    target.grad.data.withUnsafeMutableBufferPointer { t in
                        accumulate(s.baseAddress!, into: t.baseAddress!, count: s.count)
                    }
                }
            }
        }
    }

    /// Floats of the step's statistics at the end of the fused buffer: per rank, its loss sum split
    /// into three floats (`StepStatistics`); then the correct count and the stop flag.
    private var statisticsCount: Int { 3 * collective.size + 2 }

    /// The step's one allreduce. Packs, into one contiguous buffer, the gradients of the active
    /// replicas (summed while packing, in replica order, as `sumGradients` does), replica 0's
    /// non-trainable state and the statistics; sums it over the ranks; unpacks the gradients into
    /// replica 0 (unless `unpackGradients` is false: an `ElementwiseOptimizer` then reads them from
    /// `fused`, at the parameters' offsets in order), the state divided by the rank count, and returns
    /// the global statistics. The loss sum travels exactly: rank r writes its double as three floats
    /// into its own slots, which the other ranks leave 0, so every rank rebuilds each rank's double
    /// and adds them in rank order.
    ///
    ///     fused = [g (G) | state (S) | loss slots (3 ranks) | correct | stop] -> allreduce -> g0, state0
    private func reduceStep(active: Int, lossSum: Double, correct: Int, stop: Bool,
                            unpackGradients: Bool) -> (lossSum: Double, correct: Int, stop: Bool) {
        let gradients = parameters[0].reduce(0) { $0 + $1.grad.count }
        let stateCount = states[0].reduce(0) { $0 + $1.value.count }
        let total = gradients + stateCount + statisticsCount
        if fused.count != total { fused = [Float](repeating: 0, count: total) }
        var result = (lossSum: 0.0, correct: 0, stop: false)
        fused.withUnsafeMutableBufferPointer { f in
            let base = f.baseAddress!
            var offset = 0
            for (i, p) in parameters[0].enumerated() {
                p.grad.data.withUnsafeBufferPointer { g in
                    (base + offset).update(from: g.baseAddress!, count: g.count)
                }
                for r in 1..<max(active, 1) {
                    parameters[r][i].grad.data.withUnsafeBufferPointer { g in
                        accumulate(g.baseAddress!, into: base + offset, count: g.count)
                    }
                }
                offset += p.grad.count
            }
            for state in states[0] {
                state.value.data.withUnsafeBufferPointer { s in
                    (base + offset).update(from: s.baseAddress!, count: s.count)
                }
                offset += state.value.count
            }
            (base + offset).update(repeating: 0, count: statisticsCount)
            StepStatistics.split(lossSum, into: base + offset + 3 * collective.rank)
            base[offset + 3 * collective.size] = Float(correct)
            base[offset + 3 * collective.size + 1] = stop ? 1 : 0
            phases.end(.pack)
            if StepPhases.separateWait {
                waitProbe.withUnsafeMutableBufferPointer { collective.allreduceSum($0) }
                phases.end(.wait)
            }

            let start = DispatchTime.now().uptimeNanoseconds
            collective.allreduceSum(f)
            allreduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            allreduceCalls += 1
            phases.end(.allreduce)

            offset = 0
            for p in parameters[0] {
                if unpackGradients {
                    p.grad.data.withUnsafeMutableBufferPointer { g in
                        g.baseAddress!.update(from: base + offset, count: g.count)
                    }
                }
                offset += p.grad.count
            }
            let scale = 1 / Float(collective.size)
            for state in states[0] {
                let count = state.value.count
                for j in 0..<count { state.value.data[j] = base[offset + j] * scale }
                offset += count
            }
            for r in 0..<collective.size { result.lossSum += StepStatistics.join(base + offset + 3 * r) }
            result.correct = Int(base[offset + 3 * collective.size])
            result.stop = base[offset + 3 * collective.size + 1] > 0
        }
        phases.end(.unpack)
        return result
    }

    /// Gradient sum, optimizer update, weight copy and the next step's zeroed gradients in one pass,
    /// every replica's thread taking an equal slice of each parameter's elements (`updateSlice`).
    /// With `summedGradients` (the ranks' sum, every parameter's in order, as `reduceStep` packs
    /// them) the update reads parameter i's gradient there instead of the replicas'.
    private func update(with optimizer: ElementwiseOptimizer, active: Int,
                        summedGradients summed: UnsafePointer<Float>? = nil) {
        optimizer.beginStep(parameters[0])
        let count = workers.count
        let sizes = parameterSizes
        let summed = summed.map { SummedGradients(pointer: $0) }
        let (w, g) = storage()
        var sumOfSquares: (@Sendable (Int) -> Double)? = nil
        if optimizer.needsGradientNorms {
            let sums = gradientSumsOfSquares(active: active, g: g, summed: summed)
            sumOfSquares = { sums[$0] }
        }
        optimizer.withUpdate(parameters[0], sumOfSquares: sumOfSquares) { update in
            team.run(iterations: count) { part in
                for i in sizes.indices {
                    let slice = (sizes[i] * part / count)..<(sizes[i] * (part + 1) / count)
                    if !slice.isEmpty {
                        updateSlice(i, slice, w: w, g: g, update: update, active: active, summed: summed)
                    }
                }
            }
        }
        for w in workers.prefix(active) { w.gradientsAreZero = true }
        for p in allParameters { p.valueChanged() }   // written through `storage()`'s pointers
    }

    /// The training passes of replicas 0..<active, each thread then taking pieces of the update as the
    /// replicas' backward passes finish them (`OverlappedUpdate`); returns when both are done. The
    /// compute phase ends when replica 0's pass does; the rest of the step is the optimizer's.
    private func runWithOverlappedUpdate(active: Int, optimizer: ElementwiseOptimizer,
                                         pass: (EngineReplica) -> Void) {
        optimizer.beginStep(parameters[0])
        let (w, g) = storage()
        let flush = flushDenormals
        overlappedUpdate.begin(replicas)
        // clipnorm: each parameter's norm when the first thread takes one of its pieces
        var sumOfSquares: (@Sendable (Int) -> Double)? = nil
        if optimizer.needsGradientNorms {
            let norms = parameterNorms
            norms.reset()
            let sizes = parameterSizes, perReplica = sizes.count
            sumOfSquares = { i in
                norms.value(i) {
                    GradientClipping.sumOfSquares(summing: (0..<active).map { UnsafePointer(g[$0 * perReplica + i]) },
                                                  count: sizes[i])
                }
            }
        }
        optimizer.withUpdate(parameters[0], sumOfSquares: sumOfSquares) { update in
            team.run(iterations: active) { r in
                if r > 0 && flush { FloatEnvironment.flushDenormalsToZero() }
                pass(workers[r])
                if r == 0 { phases.end(.compute) }
                overlappedUpdate.takePieces(active: active) { piece in
                    updateSlice(piece.parameter, piece.elements, w: w, g: g, update: update, active: active,
                                summed: nil)
                }
            }
        }
        overlappedUpdate.end(replicas)
        for w in workers.prefix(active) { w.gradientsAreZero = true }
        for p in allParameters { p.valueChanged() }   // written through `storage()`'s pointers
    }

    /// Each parameter's sum of the squares of its summed gradient, for clipping by norm: the active
    /// replicas' gradients added in replica order (rounded as `sumGradients` and `updateSlice` round
    /// them) or the ranks' sum read from `summed`, squared and added by CSupport's
    /// `earmark_sum_of_squares` as `GradientClipping.apply` adds them, so the fused update clips exactly
    /// as `Optimizer.step` after `sumGradients` does. Whole parameters are spread over the team's threads.
    ///
    ///     g (replica-major, `storage`) -> sums (P)
    private func gradientSumsOfSquares(active: Int, g: PointerList, summed: SummedGradients?) -> [Double] {
        let sizes = parameterSizes, offsets = parameterOffsets, perReplica = sizes.count, count = workers.count
        var sums = [Double](repeating: 0, count: perReplica)
        sums.withUnsafeMutableBufferPointer { buffer in
            let out = DoublePointer(pointer: buffer.baseAddress!)
            team.run(iterations: count) { part in
                for i in stride(from: part, to: perReplica, by: count) {
                    let sources = summed.map { [$0.pointer + offsets[i]] }
                        ?? (0..<max(active, 1)).map { UnsafePointer(g[$0 * perReplica + i]) }
                    out.pointer[i] = GradientClipping.sumOfSquares(summing: sources, count: sizes[i])
                }
            }
        }
        return sums
    }

    /// Every replica's parameter values and gradients, replica-major (replica r's parameter i at
    /// r * P + i). The pointers outlive the accesses that made them: a parameter's arrays are uniquely
    /// referenced (the accesses made them so) and no layer resizes or copies them during a step, so
    /// they stay where they are until the step's update is over. The values are reached directly, not
    /// by a key path, which would copy every array (`Tensor.withStorage(of:accessing:_:)`). Whoever
    /// writes values through them calls `Parameter.valueChanged()` on every parameter after the writes.
    private func storage() -> (values: PointerList, gradients: PointerList) {
        (PointerList(Tensor.withStorage(of: allParameters, accessing: { p, use in use(&p.value) }) { $0 }),
         PointerList(Tensor.withStorage(of: allParameters, \.grad) { $0 }))
    }

    /// Elements `slice` of parameter i: the active replicas' gradients summed (or the ranks' sum read
    /// from `summed`), the update, the gradients zeroed for the next step, the new values copied to
    /// every other replica. `w` and `g` are replica-major (`storage`).
    ///
    ///     g0[slice] += g_r[slice] (r < active);  update(w0, g0)[slice];  g_r[slice] = 0 (r < active);
    ///     w_r[slice] = w0[slice] (every r > 0)
    ///
    /// For one or two replicas the sum, the update and the zeroing are one loop (`update.consuming`).
    /// Zeroing a slice just read costs stores to cached lines, where the next pass's `zeroGrad` would
    /// write every replica's gradients again from memory (~2% of a CNN step); the replicas then skip it
    /// (`EngineReplica.gradientsAreZero`).
    private func updateSlice(_ i: Int, _ slice: Range<Int>, w: PointerList, g: PointerList,
                             update: ElementwiseUpdate, active: Int, summed: SummedGradients?) {
        let perReplica = parameterSizes.count
        update.prepare(i)      // e.g. the parameter's norm, before the replicas are summed into g0 below
        if summed == nil && active <= 2 {
            update.consuming(i, w[i], g[i], active == 2 ? g[perReplica + i] : nil, slice)
        } else {
            if let summed {
                update(i, w[i], summed.pointer + parameterOffsets[i], slice)
            } else {
                let g0 = g[i]
                for r in 1..<active {
                    let gr = g[r * perReplica + i]
                    for j in slice { g0[j] += gr[j] }
                }
                update(i, w[i], g0, slice)
            }
            for r in 0..<active {
                (g[r * perReplica + i] + slice.lowerBound).update(repeating: 0, count: slice.count)
            }
        }
        for r in 1..<workers.count {
            (w[r * perReplica + i] + slice.lowerBound).update(from: w[i] + slice.lowerBound, count: slice.count)
        }
    }
}

extension TrainingEngine: @unchecked Sendable {}

/// Where the worker threads write one Double each, at disjoint indices.
private struct DoublePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
}

/// The ranks' summed gradients, read (not written) by the worker threads.
private struct SummedGradients: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
}

/// Pointers handed to worker threads that write disjoint ranges through them.
private struct PointerList: @unchecked Sendable {
    let pointers: [UnsafeMutablePointer<Float>]
    init(_ pointers: [UnsafeMutablePointer<Float>]) { self.pointers = pointers }
    subscript(i: Int) -> UnsafeMutablePointer<Float> { pointers[i] }
}
