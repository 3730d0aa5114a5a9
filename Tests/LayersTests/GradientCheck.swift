import Layers
import Tensor
import TestSupport
import XCTest

/// Central finite-difference check of a layer's input and parameter gradients (tier 2 tests).
///
/// The scalar loss is L = sum_i y_i * r_i with fixed random r, accumulated in Double, so that
/// dL/dy = r. For `coordinates` random entries of the input and of every parameter, the numeric
/// derivative (L(v + eps) - L(v - eps)) / (2 eps) must match the analytic one:
/// |numeric - analytic| <= tolerance * max(|numeric|, |analytic|) + absoluteFloor.
/// `training` is passed to forward; a layer with randomness must be deterministic across the calls
/// (Dropout: fix its mask first).
func checkGradients(_ layer: Layer, input: Tensor, training: Bool = false, coordinates: Int = 24,
                    eps: Float = 1e-2, tolerance: Double = 1e-2, absoluteFloor: Double = 1e-3,
                    seed: UInt64 = 99, file: StaticString = #filePath, line: UInt = #line) {
    var rng = RandomGenerator(seed: seed)
    let y0 = layer.forward(input, training: training)
    let r = Tensor(shape: y0.shape, data: (0..<y0.count).map { _ in rng.nextNormal() })
    func loss(_ x: Tensor) -> Double {
        layer.releaseCache()
        let y = layer.forward(x, training: training)
        var total = 0.0
        for i in 0..<y.count { total += Double(y.data[i]) * Double(r.data[i]) }
        return total
    }
    // analytic gradients
    layer.releaseCache()
    _ = layer.forward(input, training: training)
    layer.zeroGrad()
    let dx = layer.backward(r)
    XCTAssertEqual(dx.shape, input.shape, "\(layer.kind): input gradient shape", file: file, line: line)
    let analyticParams = layer.parameters.map { $0.grad }

    func compare(_ name: String, _ analytic: Float, _ numeric: Double) {
        let diff = abs(Double(analytic) - numeric)
        let bound = tolerance * max(abs(numeric), abs(Double(analytic))) + absoluteFloor
        if !(diff <= bound) {
            XCTFail("\(layer.kind) \(name): analytic \(analytic), numeric \(numeric)", file: file, line: line)
        }
    }
    var x = input
    for _ in 0..<coordinates {
        let i = rng.nextInt(below: x.count)
        let saved = x.data[i]
        x.data[i] = saved + eps; let plus = loss(x)
        x.data[i] = saved - eps; let minus = loss(x)
        x.data[i] = saved
        compare("d input[\(i)]", dx.data[i], (plus - minus) / (2 * Double(eps)))
    }
    for (p, analytic) in zip(layer.parameters, analyticParams) {
        for _ in 0..<coordinates {
            let i = rng.nextInt(below: p.value.count)
            let saved = p.value.data[i]
            p.value.data[i] = saved + eps; let plus = loss(input)
            p.value.data[i] = saved - eps; let minus = loss(input)
            p.value.data[i] = saved
            compare("d \(p.name)[\(i)]", analytic.data[i], (plus - minus) / (2 * Double(eps)))
        }
    }
    layer.releaseCache()
}
