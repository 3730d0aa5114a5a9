import Foundation

/// Whether a model's parameters fit this machine before any of them is created: a network whose
/// layers would hold more parameters than its memory can train (a `dense` of a million units on a
/// flattened image) is one error naming the layer, not a crash while allocating.
///
/// Training holds, per trainable float32 scalar, its value, its gradient and Adam's two slots:
/// `bytesPerParameter` = 16. A model fits when its parameters times that are at most the machine's
/// physical memory; the layers' counts come from `Layer.parameterCount(for:)`, which allocates nothing.
public struct ParameterBudget: Sendable {
    /// Value, gradient and two optimizer slots, 4 bytes each.
    public static let bytesPerParameter = 16
    /// Bytes available: this machine's physical memory unless a test says otherwise.
    public let memory: Int
    /// Parameters counted so far (the layers added before).
    public private(set) var total = 0

    public init(memory: Int = ParameterBudget.physicalMemory) {
        self.memory = memory
    }

    /// The machine's physical memory in bytes (sysconf's pages times the page size).
    public static var physicalMemory: Int {
        max(1, sysconf(Int32(_SC_PHYS_PAGES))) * max(1, sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Adds a layer's parameters; throws when the model so far would not fit.
    /// - Returns: the layer's parameter count.
    @discardableResult
    public mutating func add(_ layer: Layer, inputShape: [Int]) throws -> Int {
        let count = layer.parameterCount(for: inputShape)
        let (sum, overflow) = total.addingReportingOverflow(count)
        total = overflow ? Int.max : sum
        let (bytes, tooMany) = total.multipliedReportingOverflow(by: ParameterBudget.bytesPerParameter)
        guard tooMany || bytes > memory else { return count }
        throw ShapeError("\(layer.name) (\(layer.kind)) would hold \(count) parameters (the model \(total) up to this "
                         + "layer): \(ParameterBudget.gibibytes(tooMany ? Int.max : bytes)) to train (value, gradient "
                         + "and two optimizer slots of 4 bytes each), more than this machine's "
                         + "\(ParameterBudget.gibibytes(memory)) of memory")
    }

    /// The product of `factors`, or `Int.max` when it overflows: the layers' parameter counts, whose
    /// sizes a config bounds one by one but not together (two 65,536 x 65,536 kernels trapped).
    public static func product(_ factors: Int...) -> Int {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: f)
            if overflow { return Int.max }
            result = p
        }
        return result
    }

    /// The sum of `terms`, or `Int.max` when it overflows.
    public static func sum(_ terms: Int...) -> Int {
        var result = 0
        for t in terms {
            let (s, overflow) = result.addingReportingOverflow(t)
            if overflow { return Int.max }
            result = s
        }
        return result
    }

    static func gibibytes(_ bytes: Int) -> String {
        String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}
