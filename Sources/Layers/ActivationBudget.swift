import Foundation
import Tensor

/// Whether a model's activations fit this machine before any of them is allocated: a network of
/// few parameters can still hold more values per batch than the machine has memory (a
/// `zero_padding2d` of 20,000 rows before a convolution), and an element count can overflow `Int`
/// (a `reshape` to four sizes of 65,536). Either is one error naming the layer, not a trap while
/// allocating.
///
/// Training holds, per value a layer outputs, the value and its gradient, for every example of a
/// batch: `bytesPerValue` = 8 times the batch size. The estimate leaves out workspaces (im2col,
/// Winograd tiles), so it refuses only models that cannot fit, not every model that would not.
/// The parameters' bytes (`ParameterBudget`) count against the same memory.
public struct ActivationBudget: Sendable {
    /// A value and its gradient, 4 bytes each.
    public static let bytesPerValue = 8
    /// Examples per batch.
    public let batchSize: Int
    /// Bytes available: this machine's physical memory unless a test says otherwise.
    public let memory: Int
    /// Bytes of the activations counted so far (the input and the layers added before).
    public private(set) var bytes = 0

    public init(batchSize: Int, memory: Int = ParameterBudget.physicalMemory) {
        self.batchSize = max(1, batchSize)
        self.memory = memory
    }

    /// The values of one example of `shape`, or nil when the count overflows `Int`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// Adds the values `what` holds per example (`shape`); throws `ShapeError` when their count
    /// overflows or the activations so far and `parameterBytes` exceed the memory.
    public mutating func add(_ shape: [Int], of what: String, parameterBytes: Int = 0) throws {
        let batch = ActivationBudget.elementCount(shape)
            .flatMap { ActivationBudget.checkedProduct($0, ActivationBudget.bytesPerValue * batchSize) }
        let (sum, overflow) = bytes.addingReportingOverflow(batch ?? Int.max)
        bytes = overflow ? Int.max : sum
        let (total, tooMany) = bytes.addingReportingOverflow(max(0, parameterBytes))
        guard batch == nil || tooMany || total > memory else { return }
        let values = ActivationBudget.elementCount(shape).map { "\($0) values" } ?? "more values than an Int counts"
        throw ShapeError("\(what) holds \(values) per example (shape \(shape)): with a batch of \(batchSize), the "
                         + "activations up to it need \(ParameterBudget.gibibytes(batch == nil ? Int.max : bytes)) "
                         + "(a value and its gradient of 4 bytes each) beside the parameters' "
                         + "\(ParameterBudget.gibibytes(parameterBytes)), more than this machine's "
                         + "\(ParameterBudget.gibibytes(memory)) of memory")
    }

    /// The largest batch up to `limit` whose inference values (the input and each layer's output, 4
    /// bytes each) fit in half of `memory`, at least 1: a network whose activations fit one training
    /// example at a time aborted allocating for predict's batch of 256.
    public static func inferenceBatch(_ network: Sequential, limit: Int,
                                      memory: Int = ParameterBudget.physicalMemory) -> Int {
        var shape = network.inputShape, values = elementCount(shape) ?? Int.max
        for layer in network.layers {
            guard let next = try? layer.outputShape(for: shape) else { break }
            values = ParameterBudget.sum(values, elementCount(next) ?? Int.max)
            shape = next
        }
        let perExample = ParameterBudget.product(values, 4)
        return max(1, min(limit, memory / 2 / max(1, perExample)))
    }

    private static func checkedProduct(_ a: Int, _ b: Int) -> Int? {
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }
}
