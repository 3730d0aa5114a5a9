import Layers
import Tensor
import TestSupport
import XCTest

/// GaussianNoise and GaussianDropout: the noise's distribution against Keras's (its sample moments
/// over 200,000 values, Tests/Fixtures/make_noise_fixtures.py), the identity at inference, the
/// gradient, and the reseeding that makes a resumed run draw the same noise.
final class NoiseLayersTests: XCTestCase {
    /// Mean and deviation of Earmark's training output on `value` over 200,000 values, and Keras's.
    private func moments(_ layer: Layer, value: Float, keras name: String) throws
        -> (mean: Double, std: Double, kerasMean: Double, kerasStd: Double) {
        let fixture = try Fixtures.load("layers/noise.safetensors")
        let y = layer.forward(Tensor(shape: [2_000, 100], repeating: value), training: true).data.map(Double.init)
        let mean = y.reduce(0, +) / Double(y.count)
        let std = (y.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(y.count)).squareRoot()
        return (mean, std, Double(try fixture.tensor("\(name)/mean").data[0]),
                Double(try fixture.tensor("\(name)/std").data[0]))
    }

    /// The sample moments of 200,000 normal values are within 0.5% of the true ones (their standard
    /// errors are 0.2% of the deviation); both sides' samples are compared with each other.
    func testGaussianNoiseHasKerassDistribution() throws {
        let m = try moments(GaussianNoise(stddev: 0.3, seed: 4), value: 0, keras: "gaussian_noise")
        XCTAssertEqual(m.std, m.kerasStd, accuracy: 0.005 * 0.3)
        XCTAssertEqual(m.mean, m.kerasMean, accuracy: 0.005)
        XCTAssertEqual(m.std, 0.3, accuracy: 0.005 * 0.3)
    }

    func testGaussianDropoutHasKerassDistribution() throws {
        let m = try moments(GaussianDropout(rate: 0.2, seed: 4), value: 1, keras: "gaussian_dropout")
        XCTAssertEqual(m.std, m.kerasStd, accuracy: 0.01 * 0.5)
        XCTAssertEqual(m.mean, m.kerasMean, accuracy: 0.005)
        XCTAssertEqual(m.std, (0.2 / 0.8).squareRoot(), accuracy: 0.005 * 0.5)
    }

    /// At inference both return their input itself, as Keras's do on the fixture's x.
    func testIdentityAtInference() throws {
        let fixture = try Fixtures.load("layers/noise.safetensors")
        let x = try fixture.tensor("x")
        for (name, layer) in [("gaussian_noise", GaussianNoise(stddev: 0.3) as Layer),
                              ("gaussian_dropout", GaussianDropout(rate: 0.2) as Layer)] {
            XCTAssertEqual(layer.forward(x, training: false).data, try fixture.tensor("\(name)/inference").data)
            XCTAssertEqual(layer.backward(x).data, x.data, "\(name): dy passes through after inference")
        }
        XCTAssertEqual(GaussianNoise(stddev: 0).forward(x, training: true).data, x.data)
        XCTAssertEqual(GaussianDropout(rate: 0).forward(x, training: true).data, x.data)
    }

    /// The same seed draws the same noise; the next step draws other noise.
    func testReseedingRepeatsTheNoise() throws {
        let x = Tensor(shape: [4, 6], repeating: 1)
        for layer in [GaussianNoise(stddev: 0.5) as Layer & StochasticLayer,
                      GaussianDropout(rate: 0.3) as Layer & StochasticLayer] {
            layer.reseed(7)
            let first = layer.forward(x, training: true).data
            let second = layer.forward(x, training: true).data
            layer.reseed(7)
            XCTAssertEqual(layer.forward(x, training: true).data, first, layer.kind)
            XCTAssertNotEqual(second, first, layer.kind)
        }
    }

    func testGradients() throws {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor(shape: [2, 3, 4], data: (0..<24).map { _ in rng.nextNormal() })
        let noise = GaussianNoise(stddev: 0.4, seed: 1)
        _ = noise.forward(x, training: true)
        noise.freezeNoise = true
        checkGradients(noise, input: x, training: true, coordinates: 12)
        let dropout = GaussianDropout(rate: 0.3, seed: 1)
        _ = dropout.forward(x, training: true)
        dropout.freezeNoise = true
        checkGradients(dropout, input: x, training: true, coordinates: 12)
        XCTAssertThrowsError(try GaussianNoise(stddev: -1).outputShape(for: [3]))
        XCTAssertThrowsError(try GaussianDropout(rate: 1).outputShape(for: [3]))
    }
}
