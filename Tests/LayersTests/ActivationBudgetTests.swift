import Layers
import XCTest

/// `ActivationBudget`: a value and its gradient (8 bytes) per output value, times the batch, with
/// the parameters' bytes, against the memory; counts past Int's range refused, not wrapped.
final class ActivationBudgetTests: XCTestCase {
    func testTheBudgetCountsUpToTheMemoryAndNoFurther() throws {
        // batch 2: 10 values cost 160 bytes; 1,000 bytes hold 6 such shapes with 40 bytes of parameters,
        // not with 41
        var budget = ActivationBudget(batchSize: 2, memory: 1_000)
        try budget.add([10], of: "the input")
        try budget.add([5, 2], of: "a layer", parameterBytes: 40)
        XCTAssertEqual(budget.bytes, 320)
        for _ in 0..<3 { try budget.add([2, 5], of: "a layer", parameterBytes: 40) }
        XCTAssertEqual(budget.bytes, 800)
        var fits = budget
        XCTAssertNoThrow(try fits.add([10], of: "dense (Dense)", parameterBytes: 40))
        XCTAssertThrowsError(try budget.add([10], of: "dense (Dense)", parameterBytes: 41)) { error in
            XCTAssertEqual("\(error)", "dense (Dense) holds 10 values per example (shape [10]): with a batch of 2, the "
                           + "activations up to it need 0.0 GiB (a value and its gradient of 4 bytes each) beside the "
                           + "parameters' 0.0 GiB, more than this machine's 0.0 GiB of memory")
        }
    }

    func testOverflowingCountsAreRefused() {
        XCTAssertNil(ActivationBudget.elementCount([65536, 65536, 65536, 65536]))
        XCTAssertEqual(ActivationBudget.elementCount([3, 4, 5]), 60)
        var budget = ActivationBudget(batchSize: 32, memory: Int.max)
        XCTAssertThrowsError(try budget.add([1 << 31, 1 << 31], of: "x")) {      // 2^62 values: bytes past Int.max
            XCTAssertTrue("\($0)".contains("holds 4611686018427387904 values per example"), "\($0)")
        }
        XCTAssertThrowsError(try budget.add([1 << 32, 1 << 32], of: "y")) {
            XCTAssertTrue("\($0)".contains("holds more values than an Int counts"), "\($0)")
        }
    }

    /// Prediction's batch is lowered to what half the memory holds: 10 input values and 8 + 3 outputs,
    /// 84 bytes an example.
    func testTheInferenceBatchFitsHalfTheMemory() throws {
        let network = try Sequential(inputShape: [10], layers: [Dense(units: 8), Dense(units: 3)])
        XCTAssertEqual(ActivationBudget.inferenceBatch(network, limit: 256, memory: 1 << 30), 256)
        XCTAssertEqual(ActivationBudget.inferenceBatch(network, limit: 256, memory: 84 * 2 * 100), 100)
        XCTAssertEqual(ActivationBudget.inferenceBatch(network, limit: 256, memory: 10), 1, "at least one")
    }
}
