import Foundation
import Layers
import Tensor
import XCTest

/// Soft-target cross-entropy: one-hot targets give the integer-label loss and gradient bit for bit;
/// mixed targets give the gradient of the loss (finite differences through the softmax).
final class SoftTargetLossTests: XCTestCase {
    func softmax(_ z: [Double]) -> [Double] {
        let m = z.max()!, e = z.map { Foundation.exp($0 - m) }, s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    func testOneHotTargetsMatchTheIntegerPathExactly() {
        var rng = RandomGenerator(seed: 3)
        let p = Tensor(shape: [5, 4], data: (0..<5).flatMap { _ in
            softmax((0..<4).map { _ in Double(rng.nextNormal()) }).map(Float.init)
        })
        let labels: [Int32] = [0, 3, 1, 1, 2]
        var onehot = Tensor(shape: [5, 4])
        for (n, y) in labels.enumerated() { onehot.data[n * 4 + Int(y)] = 1 }
        for weights in [nil, [Float](arrayLiteral: 0.5, 2, 1.25, 0.8)] {
            let loss = SoftmaxCrossEntropy(classWeights: weights)
            var a = Tensor.empty, b = Tensor.empty
            let ra = loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &a)
            let rb = loss.evaluate(probabilities: p, targets: onehot, labels: labels, preActivationGradient: &b)
            XCTAssertEqual(ra.loss, rb.loss)
            XCTAssertEqual(ra.correct, rb.correct)
            XCTAssertEqual(a.data, b.data)
        }
    }

    func testMixedTargetsGradientIsTheLossDerivative() {
        let z: [[Double]] = [[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]]
        let t: [Float] = [0.7, 0, 0.3, 0.2, 0.8, 0]
        let loss = SoftmaxCrossEntropy(classWeights: [1.5, 0.5, 2])
        func value(_ z: [[Double]]) -> Double {
            let p = Tensor(shape: [2, 3], data: z.flatMap { softmax($0).map(Float.init) })
            var g = Tensor.empty
            return loss.evaluate(probabilities: p, targets: Tensor(shape: [2, 3], data: t), labels: [2, 1],
                                 preActivationGradient: &g).loss
        }
        let p = Tensor(shape: [2, 3], data: z.flatMap { softmax($0).map(Float.init) })
        var g = Tensor.empty
        let r = loss.evaluate(probabilities: p, targets: Tensor(shape: [2, 3], data: t), labels: [2, 1],
                              preActivationGradient: &g)
        XCTAssertEqual(r.correct, 1)
        for n in 0..<2 {
            for k in 0..<3 {
                var up = z, down = z
                up[n][k] += 1e-3; down[n][k] -= 1e-3
                XCTAssertEqual(Double(g.data[n * 3 + k]), (value(up) - value(down)) / 2e-3, accuracy: 1e-3)
            }
        }
    }
}
