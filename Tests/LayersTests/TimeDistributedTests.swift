import Foundation
import Layers
import Tensor
import TestSupport
import XCTest

private typealias Support = SequenceTestSupport

/// A minimal Dense stand-in for these tests (the real `Dense` lives elsewhere): y = act(x W + b).
/// It accepts rank-2 input (R, D) ONLY, so every test here also proves that `TimeDistributed` hands
/// its inner layer one flattened (N*T, D) batch. Legend: R rows, D inputs, K units.
private final class TestDense: Layer {
    var name = "dense"
    var kind: String { "Dense" }
    let units: Int
    let activation: Activation
    var kernel: Parameter!
    var bias: Parameter!
    var parameters: [Parameter] { [kernel, bias].compactMap { $0 } }
    private var input: Tensor?
    private(set) var output = Tensor.empty
    private var dz = Tensor.empty, dx = Tensor.empty

    init(units: Int, activation: Activation) { self.units = units; self.activation = activation }

    func outputShape(for inputShape: [Int]) throws -> [Int] {
        guard inputShape.count == 1 else { throw ShapeError("TestDense: input \(inputShape), expected (D)") }
        return [units]
    }

    func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
        kernel = Parameter(name: "kernel", value: Initializer.glorotUniform.make([inputShape[0], units], using: &rng))
        bias = Parameter(name: "bias", value: Tensor(shape: [units], repeating: 0))
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        // x (R, D), kernel (D, K), output (R, K)
        precondition(x.rank == 2, "TestDense takes (R, D), got \(x.shape)")
        let (r, d, k) = (x.shape[0], x.shape[1], units)
        input = x
        output.ensureShape([r, k])
        x.data.withUnsafeBufferPointer { xp in
            kernel.value.data.withUnsafeBufferPointer { wp in
                bias.value.data.withUnsafeBufferPointer { bp in
                    output.data.withUnsafeMutableBufferPointer { yp in
                        gemm(m: r, n: k, k: d, a: xp.baseAddress!, b: wp.baseAddress!, c: yp.baseAddress!)
                        addRowBias(yp.baseAddress!, rows: r, columns: k, bias: bp.baseAddress!)
                        activation.apply(yp.baseAddress!, rows: r, columns: k)
                    }
                }
            }
        }
        return output
    }

    func backward(_ dy: Tensor) -> Tensor {
        // dz (R, K) = act'(y) dy; dW += x^T dz; db += colsum dz; dx (R, D) = dz W^T
        let x = input!
        let (r, d, k) = (x.shape[0], x.shape[1], units)
        dz.ensureShape([r, k]); dx.ensureShape([r, d])
        output.data.withUnsafeBufferPointer { yp in
            dy.data.withUnsafeBufferPointer { dyp in
                dz.data.withUnsafeMutableBufferPointer { dzp in
                    activation.backward(output: yp.baseAddress!, gradient: dyp.baseAddress!, into: dzp.baseAddress!,
                                        rows: r, columns: k)
                    x.data.withUnsafeBufferPointer { xp in
                        kernel.grad.data.withUnsafeMutableBufferPointer { gw in
                            gemm(transA: true, m: d, n: k, k: r, a: xp.baseAddress!, b: dzp.baseAddress!,
                                 beta: 1, c: gw.baseAddress!)
                        }
                    }
                    bias.grad.data.withUnsafeMutableBufferPointer { gb in
                        accumulateColumnSums(dzp.baseAddress!, rows: r, columns: k, into: gb.baseAddress!)
                    }
                    kernel.value.data.withUnsafeBufferPointer { wp in
                        dx.data.withUnsafeMutableBufferPointer { dxp in
                            gemm(transB: true, m: r, n: d, k: k, a: dzp.baseAddress!, b: wp.baseAddress!,
                                 c: dxp.baseAddress!)
                        }
                    }
                }
            }
        }
        return dx
    }

    func releaseCache() { input = nil }
}

final class TimeDistributedTests: XCTestCase {
    /// TimeDistributed(TestDense(units, relu)) built for (T, D) with the given seed.
    private func makeLayer(units: Int, steps: Int, features: Int, seed: UInt64,
                           activation: Activation = .relu) throws -> (TimeDistributed, TestDense) {
        let dense = TestDense(units: units, activation: activation)
        let layer = TimeDistributed(dense)
        var rng = RandomGenerator(seed: seed)
        try layer.build(inputShape: [steps, features], using: &rng)
        return (layer, dense)
    }

    // MARK: tier 1: Keras 3 fixture (Tests/Fixtures/make_lstm_fixtures.py)

    func testMatchesKerasDenseRelu() throws {
        let fixture = try Fixtures.load("layers/time_distributed_dense_relu.safetensors")
        let config = try Support.config(fixture)
        XCTAssertEqual(config["activation"] as? String, "relu")
        let x = try fixture.tensor("x")
        let (layer, _) = try makeLayer(units: try XCTUnwrap(config["units"] as? Int),
                                       steps: x.shape[1], features: x.shape[2], seed: 1)
        XCTAssertEqual(layer.parameters.map(\.name), ["kernel", "bias"])
        for p in layer.parameters {
            let value = try fixture.tensor(p.name)
            XCTAssertEqual(value.shape, p.value.shape, p.name)
            p.value = value
        }
        let y = layer.forward(x, training: true)
        let expectedY = try fixture.tensor("y")
        assertClose(y, expectedY, tolerance: 1e-4, "y")
        layer.zeroGrad()
        let dx = layer.backward(try fixture.tensor("dy"))
        let expectedDx = try fixture.tensor("dx")
        assertGradientClose(dx, expectedDx, tolerance: 1e-4, "dx")
        var report = "time_distributed_dense_relu: max |diff| y \(Support.maxAbsDifference(y, expectedY)), "
            + "dx \(Support.maxAbsDifference(dx, expectedDx))"
        for p in layer.parameters {
            let expected = try fixture.tensor("grad/\(p.name)")
            assertGradientClose(p.grad, expected, tolerance: 1e-4, "grad/\(p.name)")
            report += ", grad/\(p.name) \(Support.maxAbsDifference(p.grad, expected))"
        }
        print(report)
    }

    // MARK: shapes, names, parameters, buffers

    func testShapesNamesAndParameters() throws {
        let (layer, dense) = try makeLayer(units: 5, steps: 4, features: 3, seed: 2)
        XCTAssertEqual(layer.name, "time_distributed")
        XCTAssertEqual(layer.kind, "TimeDistributed")
        XCTAssertEqual(try layer.outputShape(for: [4, 3]), [4, 5])
        XCTAssertThrowsError(try layer.outputShape(for: [4]))
        XCTAssertThrowsError(try layer.outputShape(for: [4, 3, 2]))   // the inner layer's own check
        // the wrapper's parameters are the inner layer's objects
        XCTAssertEqual(layer.parameters.count, 2)
        XCTAssertTrue(layer.parameters[0] === dense.kernel && layer.parameters[1] === dense.bias)
        XCTAssertEqual(layer.parameterCount, 3 * 5 + 5)

        var rng = RandomGenerator(seed: 3)
        let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
        let y = layer.forward(x, training: false)
        XCTAssertEqual(y.shape, [2, 4, 5])
        XCTAssertEqual(layer.backward(y).shape, [2, 4, 3])
    }

    func testEveryStepIsTheInnerLayerOnThatStep() throws {
        let (layer, _) = try makeLayer(units: 5, steps: 4, features: 3, seed: 4)
        let (single, _) = try makeLayer(units: 5, steps: 1, features: 3, seed: 4)   // same weights
        var rng = RandomGenerator(seed: 5)
        let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
        let y = layer.forward(x, training: false)
        for n in 0..<2 {
            for t in 0..<4 {
                let row = n * 4 + t
                let xt = Tensor(shape: [1, 1, 3], data: Array(x.data[row * 3..<(row + 1) * 3]))
                single.releaseCache()
                XCTAssertEqual(single.forward(xt, training: false).data, Array(y.data[row * 5..<(row + 1) * 5]))
            }
        }
    }

    func testReshapingSharesStorageAndBuffersAreReused() throws {
        let (layer, dense) = try makeLayer(units: 5, steps: 4, features: 3, seed: 6)
        var rng = RandomGenerator(seed: 7)
        let x = Tensor(shape: [2, 4, 3], data: (0..<24).map { _ in rng.nextNormal() })
        let dy = Tensor(shape: [2, 4, 5], repeating: 1)
        var y = layer.forward(x, training: true)
        XCTAssertEqual(Support.address(y), Support.address(dense.output), "output was copied")
        let first = Support.address(y)
        y = .empty   // drop the result, as the next layer's releaseCache would
        _ = layer.backward(dy)
        layer.releaseCache()
        XCTAssertEqual(Support.address(layer.forward(x, training: true)), first, "output buffer reallocated")
    }

    // MARK: tier 2: finite differences

    /// relu has a kink at 0. Each unit's bias puts the kink in the middle of the widest gap between
    /// that unit's values of x W (so both branches occur), and the test then checks that every
    /// pre-activation stays farther from 0 than any perturbation of the checker can move it
    /// (eps * max(max|W|, max|x|, 1)).
    func testGradients() throws {
        let eps: Float = 1e-2, units = 5
        let (layer, dense) = try makeLayer(units: units, steps: 4, features: 3, seed: 8)
        var rng = RandomGenerator(seed: 9)
        let x = Tensor(shape: [3, 4, 3], data: (0..<36).map { _ in rng.nextNormal() })

        let linear = TestDense(units: units, activation: .linear)
        linear.kernel = dense.kernel
        linear.bias = Parameter(name: "bias", value: Tensor(shape: [units], repeating: 0))
        let xw = linear.forward(x.reshaped([12, 3]), training: false)   // (12, units)
        var b = [Float](repeating: 0, count: units)
        for k in 0..<units {
            let column = (0..<12).map { xw.data[$0 * units + k] }.sorted()
            let widest = (1..<12).max { column[$0] - column[$0 - 1] < column[$1] - column[$1 - 1] }!
            b[k] = -(column[widest] + column[widest - 1]) / 2
        }
        dense.bias.value = Tensor(shape: [units], data: b)
        linear.bias = dense.bias
        linear.releaseCache()
        let z = linear.forward(x.reshaped([12, 3]), training: false)
        let reach = eps * max(dense.kernel.value.data.map(abs).max()!, x.data.map(abs).max()!, 1)
        XCTAssertGreaterThan(z.data.map(abs).min()!, reach, "a relu pre-activation is within eps of the kink")
        XCTAssertTrue(z.data.contains { $0 < 0 } && z.data.contains { $0 > 0 }, "both relu branches covered")

        checkGradients(layer, input: x, coordinates: 20, eps: eps)
    }
}
