import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

/// `SoftmaxCrossEntropy`'s loss and fused gradient against Keras 3's `CategoricalCrossentropy`, with and
/// without `label_smoothing`, with class weights as sample weights and on mixed soft targets
/// (Tests/Fixtures/make_loss_fixtures.py).
final class LabelSmoothingKerasTests: XCTestCase {
    /// softmax of each row of the fixture's logits, in Double rounded once (as close to TF's as float allows).
    func probabilities(_ z: Tensor) -> Tensor {
        let k = z.shape[1]
        var out: [Float] = []
        for r in 0..<z.shape[0] {
            let row = (0..<k).map { Double(z.data[r * k + $0]) }
            let e = row.map { exp($0 - row.max()!) }
            out += e.map { Float($0 / e.reduce(0, +)) }
        }
        return Tensor(shape: z.shape, data: out)
    }

    func check(_ name: String, _ loss: SoftmaxCrossEntropy, targets: Tensor? = nil, fixture f: SafeTensors.File) throws {
        let p = probabilities(try f.tensor("z"))
        let labels = try f.integers("labels").values.map { Int32($0) }
        var dz = Tensor.empty
        let r = if let targets {
            loss.evaluate(probabilities: p, targets: targets, labels: labels, preActivationGradient: &dz)
        } else {
            loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &dz)
        }
        XCTAssertEqual(r.loss, Double(try f.tensor("\(name)_loss").data[0]), accuracy: 2e-6, name)
        assertClose(dz.data, try f.tensor("\(name)_dz").data, tolerance: 1e-6, name)
    }

    func testLossAndGradientFollowKerasCategoricalCrossentropy() throws {
        let f = try Fixtures.load("training/loss.safetensors")
        let weights = try f.tensor("class_weights").data
        try check("plain", SoftmaxCrossEntropy(classWeights: weights), fixture: f)
        try check("smooth", SoftmaxCrossEntropy(classWeights: weights, labelSmoothing: 0.1), fixture: f)
        try check("smooth_unweighted", SoftmaxCrossEntropy(labelSmoothing: 0.2), fixture: f)
        try check("soft_smooth", SoftmaxCrossEntropy(labelSmoothing: 0.1), targets: try f.tensor("targets"), fixture: f)
    }

    /// The fixture can tell: smoothing moves the loss and the gradient well beyond the tolerances above.
    func testSmoothingIsVisibleInTheFixture() throws {
        let f = try Fixtures.load("training/loss.safetensors")
        XCTAssertGreaterThan(abs(try f.tensor("smooth_loss").data[0] - f.tensor("plain_loss").data[0]), 1e-2)
        let moved = zip(try f.tensor("smooth_dz").data, try f.tensor("plain_dz").data).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(moved, 1e-3)
    }

    /// One-hot soft targets give the integer-label path's loss and gradient, with smoothing too.
    func testSoftTargetsOfOneHotRowsAreTheLabelPath() throws {
        let f = try Fixtures.load("training/loss.safetensors")
        let p = probabilities(try f.tensor("z"))
        let labels = try f.integers("labels").values.map { Int32($0) }
        let onehot = Tensor(shape: [6, 3], data: labels.flatMap { l in (0..<3).map { Float($0 == Int(l) ? 1 : 0) } })
        let loss = SoftmaxCrossEntropy(labelSmoothing: 0.1)
        var a = Tensor.empty, b = Tensor.empty
        let r1 = loss.evaluate(probabilities: p, labels: labels, preActivationGradient: &a)
        let r2 = loss.evaluate(probabilities: p, targets: onehot, labels: labels, preActivationGradient: &b)
        XCTAssertEqual(r1.loss, r2.loss, accuracy: 1e-9)
        XCTAssertEqual(r1.correct, r2.correct)
        assertClose(a.data, b.data, tolerance: 1e-7, "dz")
    }
}
