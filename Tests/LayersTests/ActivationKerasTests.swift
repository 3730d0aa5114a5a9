import Layers
import Tensor
import TestSupport
import XCTest

/// Keras 3's `elu`, `selu`, `softplus`, `softsign`, `leaky_relu` and `relu6` against TensorFlow
/// (Tests/Fixtures/make_activation_fixtures.py): values and gradients on 64 inputs from -20 to 20,
/// the kinks included; then finite differences through a Dense layer with each.
final class ActivationKerasTests: XCTestCase {
    static let added: [Activation] = [.elu, .selu, .softplus, .softsign, .leakyReLU, .relu6]

    func testValuesAndGradientsMatchKeras() throws {
        let f = try Fixtures.load("layers/activations.safetensors")
        let x = try f.tensor("x"), dy = try f.tensor("dy")
        let n = x.count
        XCTAssertEqual(Self.added.map(\.rawValue), ["elu", "selu", "softplus", "softsign", "leaky_relu", "relu6"])
        for activation in Self.added {
            let name = activation.rawValue
            var y = x.data
            y.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, rows: 1, columns: n) }
            let keras = try f.tensor("\(name)/y").data
            for i in 0..<n {
                XCTAssertEqual(y[i], keras[i], accuracy: 2e-6 + 2e-6 * abs(keras[i]), "\(name)(\(x.data[i]))")
            }
            var dx = [Float](repeating: .nan, count: n)
            y.withUnsafeBufferPointer { yp in
                dy.data.withUnsafeBufferPointer { g in
                    dx.withUnsafeMutableBufferPointer {
                        activation.backward(output: yp.baseAddress!, gradient: g.baseAddress!, into: $0.baseAddress!,
                                            rows: 1, columns: n)
                    }
                }
            }
            let kerasDx = try f.tensor("\(name)/dx").data
            for i in 0..<n {
                XCTAssertEqual(dx[i], kerasDx[i], accuracy: 2e-6 + 2e-6 * abs(kerasDx[i]),
                               "d \(name) at \(x.data[i])")
            }
        }
    }

    /// Finite differences through Dense layers with each activation (inputs kept off the kinks by the
    /// check's own step: a kink inside a step would make the difference meaningless).
    func testGradientsThroughDense() throws {
        for (i, activation) in Self.added.enumerated() {
            let dense = try built(Dense(units: 4, activation: activation), [5], seed: UInt64(30 + i))
            checkGradients(dense, input: randomTensor([3, 5], seed: UInt64(40 + i)))
        }
    }

    /// LSTM and GRU keep to the activations ONNX's recurrent operators can name.
    func testRecurrentLayersKeepToTheirCases() {
        XCTAssertEqual(Activation.recurrentLayerCases, [.linear, .relu, .tanh, .sigmoid, .hardSigmoid])
        XCTAssertTrue(Set(Self.added).isDisjoint(with: Activation.recurrentLayerCases))
    }
}
