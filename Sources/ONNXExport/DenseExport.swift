import Layers
import ONNXProto
import Tensor

/// Dense, Flatten, Reshape and BatchNormalization: layers on the last (Keras) axis or the row-major order.
extension GraphBuilder {
    /// y = activation(x kernel + bias) on the last axis: MatMul + Add (x may be (N, D) or (N, T, D)).
    func dense(_ layer: Dense, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: layer.name)
        let kernel = constant("\(layer.name)/kernel", layer.kernel.value)
        let bias = constant("\(layer.name)/bias", layer.bias.value)
        let product = op("MatMul", [v.name, kernel], name: layer.name)
        let sum = op("Add", [product, bias], name: layer.name)
        return activate(GraphValue(name: sum, shape: outputShape), layer.activation, name: layer.name)
    }

    /// Keras's Flatten reads (H, W, C) row-major, so images go back to channels last first.
    func flatten(name: String, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: name)
        return GraphValue(name: op("Flatten", [v.name], name: name, [Attribute.int("axis", 1)]), shape: outputShape)
    }

    /// Keras's Reshape rearranges the (H, W, C) row-major order too: channels last first, then ONNX
    /// Reshape to (N, outputShape...), which stays channels last.
    func reshape(name: String, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: name)
        let shape = int64s("\(name)/shape", [-1] + outputShape)
        return GraphValue(name: op("Reshape", [v.name, shape], name: name), shape: outputShape)
    }

    /// Keras's Permute as a Transpose of the channels-last layout: the batch axis first, then `dims`.
    func permute(_ layer: Permute, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: layer.name)
        let y = op("Transpose", [v.name], name: layer.name, [Attribute.ints("perm", [0] + layer.dims)])
        return GraphValue(name: y, shape: outputShape)
    }

    /// Keras's ZeroPadding2D as a constant Pad of the channels-last layout (N, H, W, C).
    func zeroPadding(_ layer: ZeroPadding2D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: layer.name), p = layer.padding
        let pads = int64s("\(layer.name)/pads", [0, p.top, p.left, 0, 0, p.bottom, p.right, 0])
        return GraphValue(name: op("Pad", [v.name, pads], name: layer.name), shape: outputShape)
    }

    /// Keras's Cropping2D as a Slice of rows and columns of the channels-last layout.
    func cropping(_ layer: Cropping2D, _ x: GraphValue, outputShape: [Int]) -> GraphValue {
        let v = channelsLast(x, name: layer.name), c = layer.cropping
        let starts = int64s("\(layer.name)/starts", [c.top, c.left])
        let ends = int64s("\(layer.name)/ends", [c.top + outputShape[0], c.left + outputShape[1]])
        let axes = int64s("\(layer.name)/axes", [1, 2])
        return GraphValue(name: op("Slice", [v.name, starts, ends, axes], name: layer.name), shape: outputShape)
    }

    /// ONNX's LayerNormalization over the last axis, on the channels-last layout (gamma ones without
    /// `scale`, beta zeros without `center`: `NormalizationWeights.effectiveGamma`, `effectiveBeta`).
    func layerNormalization(_ layer: LayerNormalization, _ x: GraphValue) -> GraphValue {
        let v = channelsLast(x, name: layer.name)
        let c = layer.gamma.value.count
        let (gamma, beta) = (layer.weights.effectiveGamma, layer.weights.effectiveBeta)
        let y = op("LayerNormalization", [v.name, constant("\(layer.name)/gamma", shape: [c], values: gamma),
                                          constant("\(layer.name)/beta", shape: [c], values: beta)],
                   name: layer.name, [Attribute.int("axis", -1), Attribute.float("epsilon", layer.epsilon)])
        return GraphValue(name: y, shape: x.shape)
    }

    /// The inference form, y = gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta per channel:
    /// ONNX BatchNormalization where the channels are axis 1 (a channels-first image, or (N, C));
    /// otherwise (sequences (N, T, C)) Sub, Mul and Add broadcast over the last axis.
    func batchNormalization(_ layer: BatchNormalization, _ x: GraphValue) -> GraphValue {
        let c = layer.movingMean.value.count
        let (gamma, beta) = (layer.weights.effectiveGamma, layer.weights.effectiveBeta)
        let mean = layer.movingMean.value.data, variance = layer.movingVariance.value.data
        if x.shape.count == 1 || x.shape.count == 3 {
            let v = channelsFirst(x, name: layer.name)
            let inputs = [v.name, constant("\(layer.name)/gamma", shape: [c], values: gamma),
                          constant("\(layer.name)/beta", shape: [c], values: beta),
                          constant("\(layer.name)/moving_mean", shape: [c], values: mean),
                          constant("\(layer.name)/moving_variance", shape: [c], values: variance)]
            let y = op("BatchNormalization", inputs, name: layer.name, [Attribute.float("epsilon", layer.epsilon)])
            return GraphValue(name: y, shape: x.shape, channelsFirst: v.channelsFirst)
        }
        let factor = zip(gamma, variance).map { g, v in g / (v + layer.epsilon).squareRoot() }
        let centred = op("Sub", [x.name, constant("\(layer.name)/moving_mean", shape: [c], values: mean)],
                         name: layer.name)
        let scaled = op("Mul", [centred, constant("\(layer.name)/factor", shape: [c], values: factor)],
                        name: layer.name)
        let shifted = op("Add", [scaled, constant("\(layer.name)/beta", shape: [c], values: beta)], name: layer.name)
        return GraphValue(name: shifted, shape: x.shape)
    }
}
