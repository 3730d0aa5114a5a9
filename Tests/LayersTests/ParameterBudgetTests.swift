import Layers
import Tensor
import TestSupport
import XCTest

/// `ParameterBudget`: 16 bytes per trainable scalar against the memory, the running total checked
/// before each layer is built.
final class ParameterBudgetTests: XCTestCase {
    func testTheBudgetCountsUpToTheMemoryAndNoFurther() throws {
        // 1,000 parameters of 16 bytes fit in 16,000 bytes; one more does not
        var budget = ParameterBudget(memory: 16_000)
        XCTAssertEqual(try budget.add(Dense(units: 100), inputShape: [8]), 900)          // 8 * 100 + 100
        XCTAssertEqual(try budget.add(Dense(units: 10), inputShape: [9]), 100)           // 9 * 10 + 10
        XCTAssertEqual(budget.total, 1_000)
        XCTAssertEqual(try budget.add(Flatten(), inputShape: [10]), 0)
        XCTAssertThrowsError(try budget.add(Dense(units: 1, useBias: false), inputShape: [1])) { error in
            XCTAssertEqual("\(error)", "dense (Dense) would hold 1 parameters (the model 1001 up to this layer): "
                           + "0.0 GiB to train (value, gradient and two optimizer slots of 4 bytes each), more than "
                           + "this machine's 0.0 GiB of memory")
        }
    }

    /// Totals and byte counts past Int's range are refused, not wrapped.
    func testOverflowingCountsAreRefused() throws {
        let reporting = { PassThroughLayer(reportedParameters: $0) }
        var budget = ParameterBudget(memory: Int.max)
        XCTAssertEqual(try budget.add(reporting(Int.max / 16), inputShape: []), Int.max / 16)
        XCTAssertThrowsError(try budget.add(reporting(1 << 40), inputShape: []))      // bytes past Int.max
        var sum = ParameterBudget(memory: Int.max)
        _ = try? sum.add(reporting(Int.max), inputShape: [])
        XCTAssertThrowsError(try sum.add(reporting(Int.max), inputShape: []))         // the total past Int.max
    }


    /// Sequential checks the machine's memory before building each layer.
    func testSequentialRefusesAModelThisMachineCannotHold() {
        XCTAssertThrowsError(try Sequential(inputShape: [1 << 20], layers: [Dense(units: 1 << 20), Dense(units: 2)])) {
            XCTAssertTrue("\($0)".hasPrefix("layer dense (Dense) on input [1048576]: dense (Dense) would hold"), "\($0)")
        }
        XCTAssertGreaterThan(ParameterBudget.physicalMemory, 1 << 20)
    }
}
