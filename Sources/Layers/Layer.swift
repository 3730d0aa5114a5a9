import Tensor

/// A trainable tensor: its value and the gradient that `backward` accumulates into.
public final class Parameter {
    /// Keras weight name within its layer: `kernel`, `recurrent_kernel` or `bias`; a wrapper that holds
    /// several layers puts the inner layer's name in front (`forward_lstm/kernel` in `Bidirectional`).
    public internal(set) var name: String
    /// Current value (Keras shape: Dense kernel (in, out), Conv2D kernel (KH, KW, C, F), ...).
    /// Every write through this property, whole or element by element, changes `version`.
    public var value: Tensor {
        _read { yield storedValue }
        set { storedValue = newValue; version &+= 1 }
        // Writes in place (`value.data[i] = x`, `value.data.withUnsafeMutableBufferPointer`) go
        // through here and change the array where it is. Not `didSet`: from another module, a write to
        // a property with observers is a get, a change of the copy and a set, which copies the whole
        // array every time. A key path write (`\.value`) is a get and a set as well: reach it directly.
        _modify {
            defer { version &+= 1 }
            yield &storedValue
        }
    }
    private var storedValue: Tensor
    /// A number that changes with every change of `value`, for a layer that keeps a copy made from it
    /// (the LSTM's and GRU's weights in column panels) and makes it again only when it differs. Writes
    /// through `value` change it themselves; code that writes value's elements through a pointer that
    /// outlives the access that gave it (the training engine's update) calls `valueChanged()` after.
    public private(set) var version: UInt64 = 0
    /// d loss / d value, same shape; layers ADD into it, `zeroGrad()` clears it.
    public var grad: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.storedValue = value
        self.grad = Tensor(shape: value.shape, repeating: 0)
    }

    /// Marks `value` as changed (a new `version`) after its elements were written through a pointer
    /// that outlived the access that gave it.
    public func valueChanged() { version &+= 1 }

    /// Sets `value` and a zero gradient of its shape: a layer's `build` creating the parameter.
    public func initialise(_ value: Tensor) {
        self.value = value
        grad = Tensor(shape: value.shape, repeating: 0)
    }
}

/// A non-trainable tensor of a layer (a Keras non-trainable weight, such as a batch normalization's
/// `moving_mean`): the layer updates it itself, optimizers never see it, and model files,
/// checkpoints and data-parallel replicas carry it under `layer/name` exactly like the parameters.
public final class LayerState {
    /// Keras weight name within its layer (`moving_mean`, `moving_variance`, ...).
    public let name: String
    /// Current value, in the Keras shape.
    public var value: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
    }
}

/// The matrix products of one forward pass and one backward pass of a layer (see `Layer.products`).
public struct LayerProducts: Sendable {
    public var forward: [MatrixProduct] = []
    public var backward: [MatrixProduct] = []

    public init(forward: [MatrixProduct] = [], backward: [MatrixProduct] = []) {
        self.forward = forward
        self.backward = backward
    }
}

/// A layer of a `Sequential` model, with Keras semantics.
///
/// Shapes exclude the batch: a Conv2D on (9, 13, 1) windows has input shape [9, 13, 1] and its
/// `forward` receives (N, 9, 13, 1). The life of a layer:
/// 1. `build(inputShape:using:)` creates the parameters (Keras initialisers) and returns the output shape;
/// 2. `forward(_:training:)` computes the output and keeps what `backward` needs; the first call
///    sizes the layer's buffers, later calls with the same batch size reuse them (no allocation);
/// 3. `backward(_:)` takes d loss / d output, ADDS the parameter gradients into `Parameter.grad`
///    and returns d loss / d input;
/// 4. `releaseCache()` drops references to tensors owned by other layers, so that the next
///    forward pass can write into its buffers in place (`Sequential` calls it before every forward).
public protocol Layer: AnyObject {
    /// Keras-style unique name (`conv2d`, `conv2d_1`, `dense`, ...), the prefix of weight names.
    var name: String { get set }
    /// Keras class name (`Conv2D`, `LSTM`, ...), used in summaries and weight files.
    var kind: String { get }
    /// Trainable parameters in Keras weight order; empty for parameter-free layers.
    var parameters: [Parameter] { get }
    /// Non-trainable state in Keras weight order (after the parameters in a Keras weight list);
    /// empty for most layers.
    var state: [LayerState] { get }

    /// The output shape for an input shape (batch excluded), or an error naming the problem.
    func outputShape(for inputShape: [Int]) throws -> [Int]
    /// Creates the parameters for `inputShape` (batch excluded). Parameter-free layers only check.
    func build(inputShape: [Int], using rng: inout RandomGenerator) throws
    /// Output for a batch `x`. `training` enables dropout.
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// Input gradient for the output gradient `dy` of the last forward pass; adds into parameter grads.
    func backward(_ dy: Tensor) -> Tensor
    /// Drops cached references to other layers' tensors.
    func releaseCache()
    /// The matrix products `forward(_:training: true)` and `backward(_:)` issue for a batch of `batch`
    /// on `inputShape` (batch excluded), as the layer is set up now (Winograd, output crop, column
    /// blocks). `inputGradient: false` leaves out the products that only serve d loss / d input (the
    /// first layer's, which training does not need). Elementwise work is not a product. Default: none.
    func products(inputShape: [Int], batch: Int, inputGradient: Bool) -> LayerProducts
    /// The trainable scalars `build(inputShape:using:)` would create for `inputShape` (batch excluded),
    /// computed without creating them, for `inputShape`s `outputShape(for:)` accepts: the parameter
    /// budget of a model is checked with it before any allocation (`ParameterBudget`). Default: 0
    /// (parameter-free layers); LayerCatalogTests checks it against `parameterCount` after a build
    /// for every layer type.
    func parameterCount(for inputShape: [Int]) -> Int
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var state: [LayerState] { [] }
    public func products(inputShape: [Int], batch: Int, inputGradient: Bool) -> LayerProducts {
        LayerProducts()
    }
    public func build(inputShape: [Int], using rng: inout RandomGenerator) throws {
        _ = try outputShape(for: inputShape)
    }
    public func releaseCache() {}
    public func parameterCount(for inputShape: [Int]) -> Int { 0 }

    /// Sets every parameter gradient to zero.
    public func zeroGrad() {
        for p in parameters { p.grad.zero() }
    }

    /// Number of trainable scalars.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
}

/// A user-facing problem with a model description: the message names the layer and the shapes.
public struct ShapeError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A layer whose backward pass can leave out d loss / d input: a model's first layer in training,
/// whose input gradient nothing reads (`Sequential.backward(_:preActivation:inputGradient:)`).
public protocol InputGradientOptional: Layer {
    /// `backward(dy)`, with d loss / d input computed only when `inputGradient` is true; otherwise the
    /// parameter gradients alone, and an empty tensor returned.
    func backward(_ dy: Tensor, inputGradient: Bool) -> Tensor
}
