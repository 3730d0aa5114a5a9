import Layers
import Pipeline
import Tensor
import TestSupport
import XCTest

/// The training engine copies replica 0's non-trainable state to the other replicas with its weights.
final class LayerStateBroadcastTests: XCTestCase {
    func testBroadcastCopiesStateOfReplicaZero() throws {
        let replicas = try (0..<3).map { _ in try MovingMeanLayer.model(seed: 1) }
        MovingMeanLayer.moveState(replicas[0])
        let expected = replicas[0].state[0].value
        XCTAssertNotEqual(replicas[1].state[0].value, expected)
        let engine = TrainingEngine(replicas: replicas)     // broadcasts once
        for r in replicas.dropFirst() { XCTAssertEqual(r.state[0].value, expected) }
        MovingMeanLayer.moveState(replicas[0])
        engine.broadcastWeights()
        for r in replicas.dropFirst() { XCTAssertEqual(r.state[0].value, replicas[0].state[0].value) }
        XCTAssertNotEqual(replicas[0].state[0].value, expected)
    }
}
