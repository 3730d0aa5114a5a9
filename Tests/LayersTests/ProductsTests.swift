import Layers
import Tensor
import XCTest

/// `Layer.products` against products counted by hand: what the layers really issue (im2col or
/// Winograd, the output crop, the LSTM's column blocks, no input gradient for the first layer).
final class ProductsTests: XCTestCase {
    private func shapes(_ products: [MatrixProduct]) -> [String] {
        products.map { p in
            "\(p.label) \(p.m)x\(p.n)x\(p.k)\(p.transA ? " A^T" : "")\(p.transB ? " B^T" : "") x\(p.count)"
        }
    }

    /// (7, 7, 1) -> conv 16 same (7, 7, 16) -> conv 16 valid (5, 5, 16), cropped to 4 x 4 for the pool
    /// -> pool (2, 2, 16) -> flatten 64 -> dense 3, batch 2.
    func testSmallConvNetCountsWinogradCropAndNoFirstInputGradient() throws {
        let model = try Sequential(inputShape: [7, 7, 1], layers: [
            Conv2D(filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu),
            Conv2D(filters: 16, kernelSize: (3, 3), padding: .valid, activation: .relu),
            MaxPool2D(poolSize: (2, 2)), Flatten(), Dense(units: 3, activation: .softmax),
        ])
        let products = model.products(batch: 2)
        // conv2d (1 channel): im2col, R = 2*7*7 = 98, P = 9. conv2d_1 (16 channels): the cropped 4 x 4
        // output is one F(4x4, 3x3) tile per image (one block), 36 points of (2, 16) x (16, 16).
        XCTAssertEqual(shapes(products.forward), [
            "conv2d y 98x16x9 x1", "conv2d_1 y Winograd M 2x16x16 x36", "dense y 2x3x64 x1",
        ])
        // conv2d_1 dW by Winograd over the same 2 tiles: 36 points of (16, 2) x (2, 16); its dx by the
        // same tiles backwards: 36 points of dV (2, 16) = Z (2, 16) x U^T (16, 16). conv2d: no dx
        // (first layer).
        XCTAssertEqual(shapes(products.backward), [
            "conv2d dW 9x16x98 A^T x1", "conv2d_1 dW Winograd S 16x16x2 A^T x36", "conv2d_1 dx Winograd dV 2x16x16 x36",
            "dense dW 64x3x2 A^T x1", "dense dx^T 64x2x3 x1",
        ])
        // inference: conv2d_1 + pool fused; the 2 x 2 pooled output of the 5 x 5 conv output is one
        // F(4x4, 3x3) tile per image: 36 points of (2, 16) x (16, 16)
        XCTAssertEqual(shapes(products.inference), [
            "conv2d y 98x16x9 x1", "conv2d_1 y pooled Winograd M 2x16x16 x36", "dense y 2x3x64 x1",
        ])
        let forward: Int = 98 * 16 * 9 + 36 * 2 * 16 * 16 + 2 * 3 * 64
        let backward: Int = 9 * 16 * 98 + 36 * 16 * 16 * 2 + 36 * 2 * 16 * 16 + 64 * 3 * 2 + 2 * 64 * 3
        let inference: Int = 98 * 16 * 9 + 36 * 2 * 16 * 16 + 2 * 3 * 64
        XCTAssertEqual(products.forward.flops, Double(2 * forward))
        XCTAssertEqual(products.trainingFlops, Double(2 * (forward + backward)))
        XCTAssertEqual(products.inferenceFlops, Double(2 * inference))
    }

    func testConvolutionWithoutWinogradIsIm2colAndCountsInputGradientWhenAsked() throws {
        let conv = Conv2D(filters: 16, kernelSize: (3, 3), padding: .same)
        conv.winogradEnabled = false
        let p = conv.products(inputShape: [5, 6, 16], batch: 3, inputGradient: true)
        XCTAssertEqual(shapes(p.forward), ["y 90x16x144 x1"])
        XCTAssertEqual(shapes(p.backward), ["dW 144x16x90 A^T x1", "dx 90x144x16 B^T x1"])
    }

    /// LSTM 8 units on (5, 3), batch 4, then TimeDistributed(Dense 2) over the 4*5 rows.
    func testLSTMAndTimeDistributedCounts() throws {
        let model = try Sequential(inputShape: [5, 3], layers: [
            LSTM(units: 8, returnSequences: true), TimeDistributed(Dense(units: 2)),
        ])
        let products = model.products(batch: 4)
        XCTAssertEqual(shapes(products.forward), [
            "lstm xW 20x32x3 x1", "lstm hR 4x32x8 x4", "time_distributed y 20x2x8 x1",
        ])
        XCTAssertEqual(shapes(products.backward), [
            "lstm dh 4x8x32 B^T x4", "lstm dW 3x32x20 A^T x1", "lstm dR 8x32x20 A^T x1",
            "time_distributed dW 8x2x20 A^T x1", "time_distributed dx^T 8x20x2 x1",
        ])
        XCTAssertEqual(products.inference, products.forward)
        let forward: Int = 20 * 32 * 3 + 4 * 4 * 32 * 8 + 20 * 2 * 8
        let backward: Int = 4 * 4 * 8 * 32 + 3 * 32 * 20 + 8 * 32 * 20 + 8 * 2 * 20 + 20 * 8 * 2
        XCTAssertEqual(products.trainingFlops, Double(2 * (forward + backward)))
    }

    /// A step of 16 x 128 x 512 is above OpenBLAS's small-matrix limit (10^6): two blocks of 256 columns.
    func testLSTMStepInColumnBlocks() {
        let p = LSTM(units: 128).products(inputShape: [9, 13], batch: 16, inputGradient: true)
        XCTAssertEqual(shapes(p.forward), ["xW 144x512x13 x1", "hR 16x256x128 x16"])
        XCTAssertEqual(shapes(p.backward), [
            "dh 16x128x512 B^T x8", "dW 13x512x144 A^T x1", "dR 128x512x144 A^T x1", "dx 144x13x512 B^T x1",
        ])
        XCTAssertEqual(smallColumnBlockWidth(m: 16, n: 512, k: 128), 256)
        XCTAssertEqual(smallColumnBlockWidth(m: 16, n: 512, k: 64), 512)
    }

    func testParameterFreeLayersHaveNoProducts() {
        for layer: Layer in [MaxPool2D(), Flatten(), Dropout(rate: 0.5)] {
            let p = layer.products(inputShape: [4, 4, 2], batch: 2, inputGradient: true)
            XCTAssertTrue(p.forward.isEmpty && p.backward.isEmpty, layer.kind)
        }
    }
}
