import Layers
import Tensor
import TestSupport
import XCTest

/// A ReLU `Conv2D` and the 2x2 `MaxPool2D` after it, fused (`PoolFusion`: the convolution's F(4x4,
/// 3x3) forward computes the pool, its backward routes the pool's gradient) against the same two
/// layers apart (`Conv2D.fusesPool` off, the path the Keras fixtures and finite differences check
/// elsewhere): outputs and the input, kernel and bias gradients equal bit for bit. (Finite differences through the pair are not checked
/// here: with a ReLU and a pool, a step large enough for float forward passes (1e-2) crosses kinks, and
/// one small enough (1e-3) drowns in the Winograd rounding; bit-equality with the layers apart, which
/// WinogradLargeTileTests, MaxPool2DTests and the Keras fixtures check, is the stronger statement.)
final class PoolFusionTests: XCTestCase {
    /// A ReLU 'same' convolution and a 2x2 pool as `Sequential` pairs them, built from `seed`.
    private func pair(_ input: [Int], filters: Int, fused: Bool) throws -> (model: Sequential, conv: Conv2D) {
        let conv = Conv2D(filters: filters, kernelSize: (3, 3), padding: .same, activation: .relu)
        conv.fusesPool = fused
        let model = try Sequential(inputShape: input, layers: [conv, MaxPool2D(poolSize: (2, 2))], seed: 5)
        return (model, conv)
    }

    /// One training forward and backward of dy from zeroed gradients.
    private func pass(_ model: Sequential, _ x: Tensor, _ dy: Tensor)
        -> (y: [Float], dx: [Float], kernel: [Float], bias: [Float]) {
        model.zeroGrad()
        let y = model.forward(x, training: true).data
        let dx = model.backward(dy).data
        let p = model.parameters
        return (y, dx, p[0].grad.data, p[1].grad.data)
    }

    /// Fused and apart on the same weights and input: the reference CNN's conv2d_3 (cropped to the 8 x
    /// 12 its pool reads), filters not a multiple of 16 (the scalar lanes), and many blocks of tiles.
    /// Two filters have zero kernels, so that their four candidates tie: at a positive bias the first
    /// is routed, at a negative one none (the rectified pool's rule).
    func testFusedPairEqualsTheLayersApart() throws {
        let cases: [(input: [Int], filters: Int, batch: Int)] = [
            ([9, 13, 64], 128, 3), ([8, 12, 16], 20, 2), ([9, 9, 17], 16, 40),
        ]
        for k in cases {
            let label = "\(k.input) -> \(k.filters), batch \(k.batch)"
            let fused = try pair(k.input, filters: k.filters, fused: true)
            let apart = try pair(k.input, filters: k.filters, fused: false)
            // ties: filter 0 outputs relu(0.5) everywhere, filter 1 relu(-0.5) = 0
            let (c, f) = (k.input[2], k.filters)
            for tap in 0..<(9 * c) { fused.conv.kernel.value.data[tap * f] = 0; fused.conv.kernel.value.data[tap * f + 1] = 0 }
            fused.conv.bias.value.data[0] = 0.5
            fused.conv.bias.value.data[1] = -0.5
            for j in 2..<f { fused.conv.bias.value.data[j] = Float(j % 5) * 0.1 - 0.2 }
            apart.model.assignWeights(from: fused.model)

            let x = randomTensor([k.batch] + k.input, seed: 17)
            let pooledShape = [k.batch] + fused.model.outputShape
            let dy = randomTensor(pooledShape, seed: 18)
            let a = pass(fused.model, x, dy)
            XCTAssertEqual(fused.conv.poolFusion?.convolutionPooled, true, "\(label): the fused path ran")
            let b = pass(apart.model, x, dy)
            XCTAssertEqual(apart.conv.poolFusion?.convolutionPooled, false, "\(label): the layers ran apart")

            XCTAssertEqual(a.y, b.y, "\(label): pooled output")
            XCTAssertEqual(a.dx, b.dx, "\(label): input gradient")
            XCTAssertEqual(a.kernel, b.kernel, "\(label): kernel gradient")
            XCTAssertEqual(a.bias, b.bias, "\(label): bias gradient")
            // the tie rule reached the gradients: filter 0 routed (its bias gradient is the sum of
            // its dy), filter 1 not (0)
            let perFilter = stride(from: 0, to: dy.count, by: f)
            XCTAssertEqual(Double(a.bias[0]), perFilter.reduce(0.0) { $0 + Double(dy.data[$1]) }, accuracy: 1e-3, label)
            XCTAssertEqual(a.bias[1], 0, label)
            XCTAssertTrue(a.y.contains(0) && a.y.contains { $0 > 0 }, label)
        }
    }

    /// No fusion where the pool's output has an odd side (a 5 x 6 pool of an 11 x 13 convolution: the
    /// F(4x4, 3x3) tiles would not cover whole windows), nor without a ReLU; the pool then runs itself.
    func testNoFusionWhereTheTilesDoNotCoverTheWindows() throws {
        let odd = try pair([11, 13, 16], filters: 16, fused: true)
        _ = odd.model.forward(randomTensor([2, 11, 13, 16], seed: 3), training: true)
        XCTAssertEqual(odd.conv.poolFusion?.convolutionPooled, false)
        XCTAssertEqual(odd.model.outputShape, [5, 6, 16])

        let linear = Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .linear)
        _ = try Sequential(inputShape: [8, 12, 16], layers: [linear, MaxPool2D(poolSize: (2, 2))], seed: 1)
        XCTAssertNil(linear.poolFusion, "a linear convolution's pool is not rectified: not paired")
    }
}
