import Tensor

extension WindowGeometry {
    /// The geometry of a window sweep for a layer, or a `ShapeError` naming the layer and shapes:
    /// non-positive window or strides, an input that is not (height, width, channels), or an empty
    /// output. `windowName` is the Keras argument (`kernel_size`, `pool_size`).
    static func checked(layer: String, kind: String, inputShape: [Int], window: (Int, Int), windowName: String,
                        strides: (Int, Int), padding: Padding) throws -> WindowGeometry {
        guard window.0 > 0, window.1 > 0, strides.0 > 0, strides.1 > 0 else {
            throw ShapeError("\(layer) (\(kind)): \(windowName) \(window) and strides \(strides) must be positive")
        }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(layer) (\(kind)): input shape \(inputShape) must be (height, width, channels), "
                             + "all positive")
        }
        guard let g = WindowGeometry(height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                     kernel: window, strides: strides, padding: padding) else {
            throw ShapeError("\(layer) (\(kind)): \(windowName) \(window) with strides \(strides) and "
                             + "padding \(padding.rawValue) gives an empty output for input \(inputShape)")
        }
        return g
    }
}
