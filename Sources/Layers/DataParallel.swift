import Dispatch
import Tensor

// Legend: N batch, R replicas, n_r rows of replica r (N / R, the first N % R replicas one more).
// x (N, S...) is split by rows: replica r gets rows [start_r, start_r + n_r) in its own input buffer.
// Each replica computes its loss gradient with its own 1/n_r, scaled by n_r / N, so the sum over
// replicas is exactly the gradient of the whole batch (up to the order of float additions).

/// Data parallelism on one machine: a batch is split over several replicas of one model, each run
/// on its own thread with single-threaded BLAS products; their parameter gradients are summed into
/// the first replica, which the optimizer updates and then copies to the others.
///
///     step:    x (N, inputShape...), labels (N) -> mean loss, correct predictions; model updated
///     forward: x (N, inputShape...) -> (N, outputShape...)
///
/// On a small machine this beats multithreaded BLAS for these small products: no thread
/// synchronisation inside each product, and the layers' elementwise work runs on every core too.
/// The replicas' threads are a `WorkerTeam` (the caller runs replica 0), which keeps its threads
/// spinning between batches instead of waking a sleeping thread for each pass.
/// The replicas must be built identically (same layers and shapes); `init` copies replica 0's
/// weights into the others and sets OpenBLAS to one thread per product (process-wide).
/// Dropout masks differ from a single model's (each replica has its own generator; `reseed`).
public final class DataParallel {
    /// The replicas; `replicas[0]` holds the model's parameters and optimizer-facing gradients.
    public let replicas: [Sequential]
    /// The model whose parameters are trained (replica 0).
    public var model: Sequential { replicas[0] }
    /// Whether every worker thread flushes subnormal floats to zero (FTZ/DAZ) before computing.
    public var flushDenormals: Bool

    private let workers: [Worker]
    private let team: WorkerTeam              // one thread per replica after the first (the caller's)
    private let parameters: [[Parameter]]
    private var output = Tensor.empty

    /// - Precondition: at least one replica; all with the same input shape and parameter shapes.
    public init(replicas: [Sequential], flushDenormals: Bool = true) {
        precondition(!replicas.isEmpty, "DataParallel needs at least one replica")
        let shapes = replicas[0].parameters.map(\.value.shape)
        for r in replicas {
            precondition(r.inputShape == replicas[0].inputShape && r.parameters.map(\.value.shape) == shapes,
                         "DataParallel: replicas differ (input \(r.inputShape) vs \(replicas[0].inputShape), "
                         + "parameters \(r.parameters.map(\.value.shape)) vs \(shapes))")
        }
        self.replicas = replicas
        self.flushDenormals = flushDenormals
        workers = replicas.map(Worker.init)
        team = WorkerTeam(workers: replicas.count - 1)
        parameters = replicas.map(\.parameters)
        BLAS.threads = 1
        broadcastWeights()
    }

    /// Copies replica 0's parameter values and non-trainable state into every other replica (no allocation).
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

    /// Reseeds every replica's stochastic layers (each replica its own streams).
    public func reseed(_ seed: UInt64) {
        for (r, replica) in replicas.enumerated() {
            replica.reseed(seed &+ UInt64(r) &* 0x9E37_79B9_7F4A_7C15)
        }
    }

    /// One optimisation step on a batch: every replica runs forward (training mode), the loss and the
    /// fused backward on its rows; the gradients are summed into replica 0; `optimizer` updates it;
    /// the new weights are copied to the other replicas.
    /// - Returns: the batch's mean loss and its number of correct predictions.
    public func step(_ x: Tensor, labels: [Int32], loss: SoftmaxCrossEntropy,
                     optimizer: Optimizer) -> (loss: Double, correct: Int) {
        let n = x.shape[0]
        precondition(labels.count == n, "DataParallel.step: x \(x.shape) with \(labels.count) labels")
        let active = split(x, labels: labels)
        let flush = flushDenormals
        team.run(iterations: active) { r in
            workers[r].trainingPass(loss: loss, batch: n, flushDenormals: flush)
        }
        if let elementwise = optimizer as? ElementwiseOptimizer {
            update(with: elementwise, active: active)
        } else {
            // gradients of replicas 1..<active added into replica 0's, then a serial step
            for r in 1..<max(active, 1) {
                for (target, source) in zip(parameters[0], parameters[r]) {
                    source.grad.data.withUnsafeBufferPointer { s in
                        target.grad.data.withUnsafeMutableBufferPointer { t in
                            accumulate(s.baseAddress!, into: t.baseAddress!, count: s.count)
                        }
                    }
                }
            }
            optimizer.step(parameters[0])
            broadcastWeights()
        }
        var total = 0.0, correct = 0
        for w in workers.prefix(active) { total += w.lossSum; correct += w.correct }
        return (total / Double(n), correct)
    }

    /// Inference on a batch, split over the replicas. Shape: x (N, inputShape...) -> (N, outputShape...),
    /// a buffer of this object reused by the next call.
    public func forward(_ x: Tensor) -> Tensor {
        let n = x.shape[0]
        let active = split(x, labels: nil)
        let flush = flushDenormals
        team.run(iterations: active) { r in
            workers[r].inferencePass(flushDenormals: flush)
        }
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

    /// Gradient sum, optimizer update and weight copy in one pass, every replica's thread taking an
    /// equal slice of each parameter's elements:
    ///
    ///     g0[slice] += g_r[slice] (r < active);  update(w0, g0)[slice];  w_r[slice] = w0[slice] (every r)
    private func update(with optimizer: ElementwiseOptimizer, active: Int) {
        optimizer.beginStep(parameters[0])
        let values = parameters.flatMap { $0 }, count = workers.count, perReplica = parameters[0].count
        let sizes = parameters[0].map(\.value.count)
        DataParallel.withStorage(values, \.value) { w in
            DataParallel.withStorage(values, \.grad) { g in
                optimizer.withUpdate(parameters[0]) { update in
                    let (w, g) = (PointerList(w), PointerList(g))
                    team.run(iterations: count) { part in
                        for i in 0..<perReplica {
                            let slice = (sizes[i] * part / count)..<(sizes[i] * (part + 1) / count)
                            if slice.isEmpty { continue }
                            let g0 = g[i]
                            for r in 1..<active {
                                let gr = g[r * perReplica + i]
                                for j in slice { g0[j] += gr[j] }
                            }
                            update(i, w[i], g0, slice)
                            for r in 1..<count {
                                (w[r * perReplica + i] + slice.lowerBound).update(from: w[i] + slice.lowerBound,
                                                                                 count: slice.count)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with the base address of `field` of every parameter, all taken on this thread and
    /// valid during the call (worker threads use them inside it).
    private static func withStorage<R>(_ parameters: [Parameter], _ field: ReferenceWritableKeyPath<Parameter, Tensor>,
                                       _ body: ([UnsafeMutablePointer<Float>]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<Float>] = []
        pointers.reserveCapacity(parameters.count)
        func nest(_ i: Int) -> R {
            if i == parameters.count { return body(pointers) }
            return parameters[i][keyPath: field].data.withUnsafeMutableBufferPointer { p in
                pointers.append(p.baseAddress!)
                return nest(i + 1)
            }
        }
        return nest(0)
    }

    /// Copies each replica's rows of x (and labels) into its input buffer; returns how many replicas work.
    private func split(_ x: Tensor, labels: [Int32]?) -> Int {
        let n = x.shape[0], stride = x.count / max(n, 1)
        precondition(Array(x.shape.dropFirst()) == model.inputShape,
                     "DataParallel: input \(x.shape), expected (N, \(model.inputShape))")
        let active = min(workers.count, n)
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
}

/// One replica's buffers and results; only its own thread touches it during a pass.
private final class Worker: @unchecked Sendable {
    let model: Sequential
    var rows = 0
    var input = Tensor.empty
    var labels: [Int32] = []
    var logitGradient = Tensor.empty
    var result = Tensor.empty
    var lossSum = 0.0
    var correct = 0

    init(_ model: Sequential) { self.model = model }

    /// Forward, loss, fused backward on this replica's rows; gradients scaled to the whole batch of n.
    func trainingPass(loss: SoftmaxCrossEntropy, batch n: Int, flushDenormals: Bool) {
        if flushDenormals { FloatEnvironment.flushDenormalsToZero() }
        model.zeroGrad()
        let p = model.forward(input, training: true)
        let r = loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &logitGradient)
        let scale = Float(rows) / Float(n)
        if scale != 1 {
            logitGradient.data.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= scale }
            }
        }
        model.backward(logitGradient, preActivation: true)
        model.releaseCaches()       // so that the next split writes into `input` in place
        lossSum = r.loss * Double(rows)
        correct = r.correct
    }

    func inferencePass(flushDenormals: Bool) {
        if flushDenormals { FloatEnvironment.flushDenormalsToZero() }
        result = model.infer(input)
        model.releaseCaches()       // so that the next split writes into `input` in place
    }
}

extension Sequential {
    /// Drops every layer's cached references to other layers' tensors.
    func releaseCaches() { for layer in layers { layer.releaseCache() } }
}

extension DataParallel: @unchecked Sendable {}

/// Pointers handed to worker threads that write disjoint ranges through them.
private struct PointerList: @unchecked Sendable {
    let pointers: [UnsafeMutablePointer<Float>]
    init(_ pointers: [UnsafeMutablePointer<Float>]) { self.pointers = pointers }
    subscript(i: Int) -> UnsafeMutablePointer<Float> { pointers[i] }
}
