import Layers
import Tensor

/// A test layer that passes x and dy through unchanged, for the machinery around layers: it can report
/// a parameter count it does not hold (`ParameterBudget`) and run a hook before each backward (a slow
/// replica for `OverlappedUpdate`).
public final class PassThroughLayer: Layer {
    public var name: String
    public var kind: String { "PassThrough" }
    /// What `parameterCount(for:)` reports, whatever the input.
    public let reportedParameters: Int
    /// Called at the start of every backward.
    public let beforeBackward: @Sendable () -> Void

    public init(name: String = "pass_through", reportedParameters: Int = 0,
                beforeBackward: @escaping @Sendable () -> Void = {}) {
        self.name = name
        self.reportedParameters = reportedParameters
        self.beforeBackward = beforeBackward
    }

    public func outputShape(for inputShape: [Int]) throws -> [Int] { inputShape }
    public func forward(_ x: Tensor, training: Bool) -> Tensor { x }
    public func backward(_ dy: Tensor) -> Tensor {
        beforeBackward()
        return dy
    }
    public func parameterCount(for inputShape: [Int]) -> Int { reportedParameters }
}
