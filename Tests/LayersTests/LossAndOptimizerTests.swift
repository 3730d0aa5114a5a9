import Layers
import Tensor
import TestSupport
import XCTest

final class LossAndOptimizerTests: XCTestCase {
    /// The fused gradient w.r.t. the softmax pre-activation equals central finite differences of
    /// the weighted loss computed through softmax (Double accumulation).
    func testFusedSoftmaxCrossEntropyGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 8)
        let (n, k) = (5, 4)
        let z = (0..<(n * k)).map { _ in rng.nextNormal() * 2 }
        let labels: [Int32] = [0, 3, 1, 1, 2]
        let loss = SoftmaxCrossEntropy(classWeights: [0.5, 2, 1, 1.5])
        func softmax(_ z: [Float]) -> Tensor {
            var p = z
            p.withUnsafeMutableBufferPointer { Activation.softmax.apply($0.baseAddress!, rows: n, columns: k) }
            return Tensor(shape: [n, k], data: p)
        }
        var dz = Tensor.empty
        _ = loss.evaluate(probabilities: softmax(z), labels: labels, preActivationGradient: &dz)
        let eps: Float = 1e-2
        for i in 0..<(n * k) {
            var plus = z, minus = z
            plus[i] += eps; minus[i] -= eps
            let numeric = (loss.loss(probabilities: softmax(plus), labels: labels)
                           - loss.loss(probabilities: softmax(minus), labels: labels)) / Double(2 * eps)
            XCTAssertEqual(Double(dz.data[i]), numeric, accuracy: 1e-3 + 1e-2 * abs(numeric), "dz[\(i)]")
        }
    }

    func testLossValueCorrectCountAndBalancedWeights() {
        let p = Tensor(shape: [2, 3], data: [0.7, 0.2, 0.1, 0.1, 0.1, 0.8])
        let r = SoftmaxCrossEntropy().loss(probabilities: p, labels: [0, 1])
        XCTAssertEqual(r, (-log(0.7) - log(0.1)) / 2, accuracy: 1e-6)
        var dz = Tensor.empty
        let evaluated = SoftmaxCrossEntropy().evaluate(probabilities: p, labels: [0, 1], preActivationGradient: &dz)
        XCTAssertEqual(evaluated.correct, 1)
        // Keras clips probabilities at 1e-7: a zero probability costs -log(1e-7), not infinity
        let zero = Tensor(shape: [1, 2], data: [0, 1])
        XCTAssertEqual(SoftmaxCrossEntropy().loss(probabilities: zero, labels: [0]), -log(1e-7), accuracy: 1e-3)
        // class weights scale each example's term: weight 2 on the second example's class
        let weighted = SoftmaxCrossEntropy(classWeights: [1, 2, 1]).loss(probabilities: p, labels: [0, 1])
        XCTAssertEqual(weighted, (-log(0.7) - 2 * log(0.1)) / 2, accuracy: 1e-6)
    }

    func testAdamFirstStepMovesEachWeightByTheLearningRate() {
        // Keras form: after one step m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1,
        // so the update is lr * g / (|g| + eps / sqrt(0.001)): almost exactly lr * sign(g).
        let p = Parameter(name: "w", value: Tensor(shape: [3], data: [1, 1, 1]))
        p.grad = Tensor(shape: [3], data: [0.5, -2, 1e-3])
        let adam = Adam(learningRate: 0.01)
        adam.step([p])
        let expected = [0.5, -2, 1e-3].map { g in 1 - 0.01 * g / (abs(g) + 1e-7 / 0.001.squareRoot()) }
        assertClose(p.value.data, expected.map(Float.init), tolerance: 1e-6)
        XCTAssertEqual(adam.iterations, 1)
    }

    /// The vectorised update (CSupport's `earmark_adam_update`, 16 lanes with a scalar tail) rounds
    /// every element as the scalar Keras formula in Float does, for whole parameters (`step`) and for
    /// slices that start and end off the vector width (`withUpdate`, as TrainingEngine's threads use it),
    /// without and with weight decay (Keras's w - w * weight_decay * lr before the step).
    func testVectorisedAdamEqualsTheScalarFormulaBitForBit() {
        for decay: Float in [0, 0.05] { checkVectorisedAdam(decay: decay) }
    }

    func checkVectorisedAdam(decay: Float) {
        var rng = RandomGenerator(seed: 21)
        let count = 1_000                                   // 62 blocks of 16 and a tail of 8
        let start = (0..<count).map { _ in rng.nextNormal() }
        let grads = (0..<3).map { _ in (0..<count).map { _ in rng.nextNormal() * 0.1 } }
        let (lr, beta1, beta2, eps): (Float, Float, Float, Float) = (0.003, 0.9, 0.999, 1e-7)

        var w = start, m = [Float](repeating: 0, count: count), v = m
        for (t, g) in grads.enumerated() {
            let step = Double(t + 1)
            let alpha = Float(Double(lr) * (1 - pow(Double(beta2), step)).squareRoot() / (1 - pow(Double(beta1), step)))
            for j in 0..<count {
                m[j] += (g[j] - m[j]) * (1 - beta1)
                v[j] += (g[j] * g[j] - v[j]) * (1 - beta2)
                if decay != 0 { w[j] = w[j] - w[j] * decay * lr }
                w[j] -= alpha * m[j] / (v[j].squareRoot() + eps)
            }
        }

        let whole = Parameter(name: "w", value: Tensor(shape: [count], data: start))
        let sliced = Parameter(name: "w", value: Tensor(shape: [count], data: start))
        let (adamWhole, adamSliced) = (Adam(learningRate: lr, weightDecay: decay), Adam(learningRate: lr, weightDecay: decay))
        let cuts = [0, 3, 19, 500, 517, count]              // slices off the 16-lane width
        for g in grads {
            whole.grad = Tensor(shape: [count], data: g)
            adamWhole.step([whole])
            sliced.grad = Tensor(shape: [count], data: g)
            adamSliced.beginStep([sliced])
            adamSliced.withUpdate([sliced]) { update in
                sliced.value.data.withUnsafeMutableBufferPointer { wp in
                    sliced.grad.data.withUnsafeBufferPointer { gp in
                        for (a, b) in zip(cuts, cuts.dropFirst()) { update(0, wp.baseAddress!, gp.baseAddress!, a..<b) }
                    }
                }
            }
        }
        func firstDifference(_ a: [Float]?, _ b: [Float]) -> String? {
            guard let a, a.count == b.count else { return "\(a?.count ?? 0) elements, expected \(b.count)" }
            return a.indices.first { a[$0] != b[$0] }.map { "element \($0): \(a[$0]) != \(b[$0])" }
        }
        XCTAssertNil(firstDifference(whole.value.data, w), "step, weights (decay \(decay))")
        XCTAssertNil(firstDifference(sliced.value.data, w), "withUpdate on slices, weights (decay \(decay))")
        XCTAssertNil(firstDifference(adamWhole.state()["adam/m/0"]?.data, m), "first moment (decay \(decay))")
        XCTAssertNil(firstDifference(adamWhole.state()["adam/v/0"]?.data, v), "second moment (decay \(decay))")
    }

    /// `update.consuming` (CSupport's `earmark_adam_update_consuming`) is the update from g0 + g1 added
    /// first, bit for bit, on slices off the vector width, with one gradient or two, with and without
    /// weight decay, and leaves the gradients it read zero (and the ones it did not read untouched).
    func testConsumingUpdateIsTheUpdateOfTheSummedGradientsAndClearsThem() {
        var rng = RandomGenerator(seed: 22)
        let count = 1_000
        let start = (0..<count).map { _ in rng.nextNormal() }
        let cuts = [0, 3, 19, 500, 517, count]
        for (two, decay) in [(false, Float(0)), (true, 0), (false, 0.05), (true, 0.05)] {
            let (plain, fused) = (Parameter(name: "w", value: Tensor(shape: [count], data: start)),
                                  Parameter(name: "w", value: Tensor(shape: [count], data: start)))
            let (adamPlain, adamFused) = (Adam(learningRate: 0.003, weightDecay: decay),
                                          Adam(learningRate: 0.003, weightDecay: decay))
            for _ in 0..<3 {
                let g0 = (0..<count).map { _ in rng.nextNormal() * 0.1 }
                let g1 = (0..<count).map { _ in rng.nextNormal() * 0.1 }
                plain.grad = Tensor(shape: [count], data: two ? zip(g0, g1).map { $0 + $1 } : g0)
                adamPlain.step([plain])
                var first = g0, second = g1
                adamFused.beginStep([fused])
                adamFused.withUpdate([fused]) { update in
                    fused.value.data.withUnsafeMutableBufferPointer { wp in
                        first.withUnsafeMutableBufferPointer { a in
                            second.withUnsafeMutableBufferPointer { b in
                                for (lo, hi) in zip(cuts, cuts.dropFirst()) {
                                    update.consuming(0, wp.baseAddress!, a.baseAddress!, two ? b.baseAddress! : nil, lo..<hi)
                                }
                            }
                        }
                    }
                }
                XCTAssertEqual(first, [Float](repeating: 0, count: count), "g0 cleared (two: \(two))")
                XCTAssertEqual(second, two ? [Float](repeating: 0, count: count) : g1, "g1 (two: \(two))")
            }
            XCTAssertEqual(fused.value.data, plain.value.data, "weights (two: \(two))")
            XCTAssertEqual(adamFused.state()["adam/m/0"], adamPlain.state()["adam/m/0"], "first moment (two: \(two))")
            XCTAssertEqual(adamFused.state()["adam/v/0"], adamPlain.state()["adam/v/0"], "second moment (two: \(two))")
        }
    }

    func testOptimizerStateRoundTripsAndContinuesIdentically() throws {
        func run(steps: Int, restartAfter: Int?) throws -> [Float] {
            let p = Parameter(name: "w", value: Tensor(shape: [4], data: [0.3, -0.2, 0.9, 0.0]))
            var adam = Adam(learningRate: 0.05)
            for s in 0..<steps {
                if s == restartAfter {
                    let saved = adam.state()
                    adam = Adam(learningRate: 0.05)
                    try adam.restore(saved, for: [p])
                }
                p.grad = Tensor(shape: [4], data: p.value.data.map { 2 * $0 - 0.1 })   // d/dw (w^2 - 0.1 w)
                adam.step([p])
            }
            return p.value.data
        }
        XCTAssertEqual(try run(steps: 6, restartAfter: 3), try run(steps: 6, restartAfter: nil))
    }

    func testSGDMomentumFollowsKerasUpdates() {
        let p = Parameter(name: "w", value: Tensor(shape: [1], data: [1]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        p.grad = Tensor(shape: [1], data: [1]); sgd.step([p])   // v = -0.1, w = 0.9
        p.grad = Tensor(shape: [1], data: [1]); sgd.step([p])   // v = -0.09 - 0.1 = -0.19, w = 0.71
        XCTAssertEqual(p.value.data[0], 0.71, accuracy: 1e-6)
        let nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        let q = Parameter(name: "w", value: Tensor(shape: [1], data: [1]))
        q.grad = Tensor(shape: [1], data: [1]); nesterov.step([q])  // v = -0.1, w += 0.9 * -0.1 - 0.1 = 0.81
        XCTAssertEqual(q.value.data[0], 0.81, accuracy: 1e-6)
    }
}
