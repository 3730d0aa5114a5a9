import Layers
import Tensor
import TestSupport
import XCTest

/// The sum of squares behind clipping by norm (CSupport's `earmark_sum_of_squares`, 16 lanes), and
/// the per-parameter form of the clipping that the fused Adam kernels apply.
final class GradientClippingTests: XCTestCase {
    func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed)
        return (0..<count).map { _ in rng.nextNormal() * 3 }
    }

    /// Close to the exact sum (a Double running sum), and the sum of several arrays is the sum of
    /// squares of their float sum, bit for bit, at lengths on and off the lane count.
    func testSumOfSquaresOfSummedGradientsIsThatOfTheirSum() {
        for count in [0, 1, 15, 16, 17, 1000, 4099] {
            let a = values(count, seed: 1), b = values(count, seed: 2), c = values(count, seed: 3)
            let exact = a.reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertEqual(GradientClipping.sumOfSquares(a), exact, accuracy: exact * 1e-13, "\(count)")
            let ab = zip(a, b).map { $0 + $1 }, abc = zip(ab, c).map { $0 + $1 }
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeBufferPointer { pc in
                        let (x, y, z) = (pa.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                         pb.baseAddress ?? UnsafePointer(bitPattern: 8)!,
                                         pc.baseAddress ?? UnsafePointer(bitPattern: 8)!)
                        XCTAssertEqual(GradientClipping.sumOfSquares(summing: [x, y], count: count),
                                       GradientClipping.sumOfSquares(ab), "\(count), two")
                        XCTAssertEqual(GradientClipping.sumOfSquares(summing: [x, y, z], count: count),
                                       GradientClipping.sumOfSquares(abc), "\(count), three")
                    }
                }
            }
        }
    }

    /// `elementwise` gives what `apply` does to each element: g * c / max(norm, c) per parameter, one
    /// scale for the global norm, the clip for values.
    func testElementwiseFormIsApplysResult() throws {
        let shapes = [[4, 3], [3], [50]]
        for clipping in [GradientClipping.norm(2), .globalNorm(3), .value(0.5)] {
            let parameters = shapes.enumerated().map { i, shape in
                let p = Parameter(name: "p\(i)", value: Tensor(shape: shape))
                p.grad = Tensor(shape: shape, data: values(shape.reduce(1, *), seed: UInt64(10 + i)))
                return p
            }
            let before = parameters.map(\.grad.data)
            let sums = before.map(GradientClipping.sumOfSquares)
            let clip = clipping.elementwise(count: 3) { sums[$0] }
            let clips = (0..<3).map(clip)
            clipping.apply(to: parameters)
            for (i, p) in parameters.enumerated() {
                let c = clips[i]
                let expected = before[i].map { g -> Float in
                    c.mode == 1 ? min(max(g, -c.a), c.a) : g * c.a / c.b
                }
                XCTAssertEqual(p.grad.data, expected, "\(clipping), parameter \(i)")
                XCTAssertNotEqual(p.grad.data, before[i], "\(clipping) clips parameter \(i)")
            }
        }
    }
}
