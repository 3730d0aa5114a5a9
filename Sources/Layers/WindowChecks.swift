import Tensor

extension WindowGeometry {
    /// The geometry of a window sweep for a layer, or a `ShapeError` naming the layer and shapes:
    /// non-positive window, strides or dilation, a dilation with strides (which Keras refuses too), an
    /// input that is not (height, width, channels), or an empty output. `windowName` is the Keras
    /// argument (`kernel_size`, `pool_size`).
    static func checked(layer: String, kind: String, inputShape: [Int], window: (Int, Int), windowName: String,
                        strides: (Int, Int), padding: Padding, dilation: (Int, Int) = (1, 1)) throws -> WindowGeometry {
        guard window.0 > 0, window.1 > 0, strides.0 > 0, strides.1 > 0, dilation.0 > 0, dilation.1 > 0 else {
            throw ShapeError("\(layer) (\(kind)): \(windowName) \(window), strides \(strides) and dilation_rate "
                             + "\(dilation) must be positive")
        }
        guard dilation == (1, 1) || strides == (1, 1) else {
            throw ShapeError("\(layer) (\(kind)): dilation_rate \(dilation) with strides \(strides): a dilated kernel "
                             + "takes strides 1 (as in Keras)")
        }
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ShapeError("\(layer) (\(kind)): input shape \(inputShape) must be (height, width, channels), "
                             + "all positive")
        }
        guard let g = WindowGeometry(height: inputShape[0], width: inputShape[1], channels: inputShape[2],
                                     kernel: window, strides: strides, padding: padding, dilation: dilation) else {
            throw ShapeError("\(layer) (\(kind)): \(windowName) \(window) with strides \(strides) and "
                             + "padding \(padding.rawValue) gives an empty output for input \(inputShape)")
        }
        return g
    }
}
