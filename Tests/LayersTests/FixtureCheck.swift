import Layers
import Tensor
import TestSupport
import XCTest

/// Tier-1 comparison of a built layer with a Keras fixture (Tests/Fixtures/make_*_fixtures.py): the
/// fixture's weights are copied into the layer's parameters by name (shapes checked), then y, dx and
/// every `grad/<name>` must match within `tolerance`. Returns a one-line report of the largest
/// differences (printed by the callers).
@discardableResult
func checkAgainstFixture(_ layer: Layer, _ fixture: SafeTensors.File, name: String, tolerance: Float = 1e-4,
                         training: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    for p in layer.parameters {
        let value = try fixture.tensor(p.name)
        XCTAssertEqual(value.shape, p.value.shape, "\(name): \(p.name) shape", file: file, line: line)
        p.value = value
    }
    let x = try fixture.tensor("x")
    let y = layer.forward(x, training: training)
    let expectedY = try fixture.tensor("y")
    assertClose(y, expectedY, tolerance: tolerance, "\(name): y", file: file, line: line)
    layer.zeroGrad()
    let dx = layer.backward(try fixture.tensor("dy"))
    let expectedDx = try fixture.tensor("dx")
    assertGradientClose(dx, expectedDx, tolerance: tolerance, "\(name): dx", file: file, line: line)
    var report = "\(name): max |diff| y \(SequenceTestSupport.maxAbsDifference(y, expectedY)), "
        + "dx \(SequenceTestSupport.maxAbsDifference(dx, expectedDx))"
    for p in layer.parameters {
        let expected = try fixture.tensor("grad/\(p.name)")
        assertGradientClose(p.grad, expected, tolerance: tolerance, "\(name): grad/\(p.name)", file: file, line: line)
        report += ", grad/\(p.name) \(SequenceTestSupport.maxAbsDifference(p.grad, expected))"
    }
    layer.releaseCache()
    print(report)
    return report
}
