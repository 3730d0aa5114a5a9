import Layers
import Tensor

/// One layer of `model.layers`: a Keras layer type with its arguments. Each type is one struct in this
/// folder that holds, side by side, its YAML name and keys, defaults, decoding, printing and the
/// `Layers` object it builds; `LayerCatalog` lists the types the decoder accepts.
public protocol LayerSpec: Equatable, Sendable {
    /// The YAML type name, the key of the layer's list entry (`conv2d` in `- conv2d: {filters: 16}`).
    static var typeName: String { get }
    /// The keys allowed in the argument mapping (for `time_distributed`: the layer types it wraps).
    static var keys: [String] { get }
    /// Every argument with its value filled in, in printing order, as YAML flow text
    /// (`[("filters", "16"), ("kernel_size", "[3, 3]"), ...]`); `yamlEntry` prints them.
    var arguments: [(key: String, value: String)] { get }
    /// The network layer this spec describes.
    func makeLayer(_ context: LayerContext) -> any Layer
}

/// What building a layer may depend on besides its own arguments.
public struct LayerContext: Sendable {
    /// Classes of the data set (`units: classes`).
    public var classes: Int
    /// Seed of this layer's random draws (dropout masks), derived from the model seed and the layer's index.
    public var seed: UInt64

    public init(classes: Int, seed: UInt64) {
        self.classes = classes
        self.seed = seed
    }
}

/// A layer type the config decoder can read: what `LayerCatalog.types` lists.
protocol DecodableLayerSpec: LayerSpec {
    /// Reads the argument mapping `body` (the value under the type name) with the type's defaults;
    /// errors name the file, line and key path through `ConfigNode`.
    static func decode(_ body: ConfigNode) throws -> Self
}

extension LayerSpec {
    /// The type name of this spec's dynamic type.
    public var typeName: String { Self.typeName }

    /// True when `other` is the same layer type with equal arguments.
    public func isEqual(to other: any LayerSpec) -> Bool {
        guard let other = other as? Self else { return false }
        return self == other
    }

    /// The layer as one YAML flow mapping, `conv2d: {filters: 16, kernel_size: [3, 3], ...}`.
    public var yamlEntry: String {
        "\(Self.typeName): \(LayerYAML.flow(arguments))"
    }

    /// YAML list item for this layer at the given indentation (`model.layers` in `yaml()`).
    func yamlLines(indent: Int) -> [String] {
        [String(repeating: " ", count: indent) + "- " + yamlEntry]
    }
}

/// Printing helpers shared by the specs.
enum LayerYAML {
    /// Keras's `use_bias`, printed only when false: the configs written before it keep their text and hash.
    static func useBias(_ useBias: Bool) -> [(key: String, value: String)] {
        useBias ? [] : [("use_bias", "false")]
    }

    /// A Keras integer tuple, `[3, 3]`.
    static func pair(_ p: (Int, Int)) -> String { "[\(p.0), \(p.1)]" }

    /// A flow mapping, `{filters: 16, padding: same}`; `{}` when empty.
    static func flow(_ arguments: [(key: String, value: String)]) -> String {
        "{" + arguments.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    }
}

extension ConfigNode {
    /// An activation name, one of `Activation.allCases`.
    func activation() throws -> Activation {
        try choice(Activation.self, among: Activation.allCases)
    }

    /// An activation of an LSTM or GRU (`activation`, `recurrent_activation`), for LSTM and GRU and the
    /// ones `bidirectional` wraps: elementwise (not `softmax`) and one ONNX's recurrent operators name.
    func recurrentLayerActivation() throws -> Activation {
        try choice(Activation.self, among: Activation.recurrentLayerCases)
    }

    /// A padding name, `valid` or `same`.
    func padding() throws -> Padding {
        try choice(Padding.self, among: Padding.allCases)
    }
}
