import Layers
import Tensor
import XCTest

/// DataParallel copies replica 0's non-trainable state to the other replicas with its weights.
final class LayerStateBroadcastTests: XCTestCase {
    func testBroadcastCopiesStateOfReplicaZero() throws {
        let replicas = try (0..<3).map { _ in try LayerStateTests.model(seed: 1) }
        LayerStateTests.moveState(replicas[0])
        let expected = replicas[0].state[0].value
        XCTAssertNotEqual(replicas[1].state[0].value, expected)
        let parallel = DataParallel(replicas: replicas)     // broadcasts once
        for r in replicas.dropFirst() { XCTAssertEqual(r.state[0].value, expected) }
        LayerStateTests.moveState(replicas[0])
        parallel.broadcastWeights()
        for r in replicas.dropFirst() { XCTAssertEqual(r.state[0].value, replicas[0].state[0].value) }
        XCTAssertNotEqual(replicas[0].state[0].value, expected)
    }
}
