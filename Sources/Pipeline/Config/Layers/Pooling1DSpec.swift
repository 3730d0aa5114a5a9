import Layers
import Tensor

// `max_pooling1d` and `average_pooling1d`: Keras `MaxPooling1D` and `AveragePooling1D` on
// (frames, features) sequences, with Keras's defaults (`pool_size` 2, `strides` = `pool_size`,
// `padding: valid`); `same` windows average only their steps inside the sequence. The two types
// share their keys, decoding and printing (`Pooling1D.Window`); each builds its own pool.

/// `max_pooling1d`: Keras `MaxPooling1D`.
public struct MaxPooling1DSpec: DecodableLayerSpec {
    public static let typeName = "max_pooling1d"
    public static let keys = windowKeys

    public var window: Pooling1D.Window

    public init(_ window: Pooling1D.Window = Pooling1D.Window()) { self.window = window }

    static func decode(_ body: ConfigNode) throws -> MaxPooling1DSpec { MaxPooling1DSpec(try body.window()) }

    public var arguments: [(key: String, value: String)] { window.arguments }

    public func makeLayer(_ context: LayerContext) -> any Layer { Pooling1D(.max(window)) }
}

/// `average_pooling1d`: Keras `AveragePooling1D`.
public struct AveragePooling1DSpec: DecodableLayerSpec {
    public static let typeName = "average_pooling1d"
    public static let keys = windowKeys

    public var window: Pooling1D.Window

    public init(_ window: Pooling1D.Window = Pooling1D.Window()) { self.window = window }

    static func decode(_ body: ConfigNode) throws -> AveragePooling1DSpec { AveragePooling1DSpec(try body.window()) }

    public var arguments: [(key: String, value: String)] { window.arguments }

    public func makeLayer(_ context: LayerContext) -> any Layer { Pooling1D(.average(window)) }
}

/// The keys of a 1-D pool window.
private let windowKeys = ["pool_size", "strides", "padding"]

extension Pooling1D.Window {
    /// The printed form: every key, `strides` filled in.
    var arguments: [(key: String, value: String)] {
        [("pool_size", "\(poolSize)"), ("strides", "\(strides)"), ("padding", padding.rawValue)]
    }
}

extension ConfigNode {
    /// A 1-D pool window from the argument mapping, Keras's defaults for the keys left out.
    fileprivate func window() throws -> Pooling1D.Window {
        let m = try mapping(allowed: windowKeys)
        return Pooling1D.Window(poolSize: try m["pool_size"]?.int(min: 1, max: 65536) ?? 2,
                                strides: try m["strides"]?.int(min: 1, max: 65536),
                                padding: try m["padding"]?.padding() ?? .valid)
    }
}
