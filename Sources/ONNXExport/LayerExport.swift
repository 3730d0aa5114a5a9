import Layers
import ONNXProto
import Tensor

/// One Earmark layer as ONNX nodes: the dispatch over layer types.
extension GraphBuilder {
    /// The nodes of `layer` applied to `x`; `outputShape` is the layer's Keras output shape (batch excluded).
    /// - Throws: `ExportError` for a layer type this exporter does not know.
    func emit(_ layer: any Layer, _ x: GraphValue, outputShape: [Int]) throws -> GraphValue {
        switch layer {
        case is any IdentityAtInference: return x   // Dropout, SpatialDropout2D: removed at inference
        case let l as Conv2D: return conv2D(l, x, outputShape: outputShape)
        case let l as Conv1D: return conv1D(l, x, outputShape: outputShape)
        case let l as DepthwiseConv2D: return depthwiseConv2D(l, x, outputShape: outputShape)
        case let l as SeparableConv2D: return separableConv2D(l, x, outputShape: outputShape)
        case let l as MaxPool2D:
            return pool("MaxPool", name: l.name, size: l.poolSize, strides: l.strides, padding: l.padding, x,
                        outputShape: outputShape)
        case let l as AveragePooling2D:
            return pool("AveragePool", name: l.name, size: l.poolSize, strides: l.strides, padding: l.padding, x,
                        outputShape: outputShape)
        case let l as GlobalAveragePooling2D: return globalPool("GlobalAveragePool", name: l.name, x,
                                                                outputShape: outputShape)
        case let l as GlobalMaxPooling2D: return globalPool("GlobalMaxPool", name: l.name, x, outputShape: outputShape)
        case let l as Pooling1D: return pool1D(l, x, outputShape: outputShape)
        case let l as ActivationLayer: return activate(x, l.activation, name: l.name)
        case let l as Flatten: return flatten(name: l.name, x, outputShape: outputShape)
        case let l as Reshape: return reshape(name: l.name, x, outputShape: outputShape)
        case let l as Permute: return permute(l, x, outputShape: outputShape)
        case let l as ZeroPadding2D: return zeroPadding(l, x, outputShape: outputShape)
        case let l as Cropping2D: return cropping(l, x, outputShape: outputShape)
        case let l as Dense: return dense(l, x, outputShape: outputShape)
        case let l as BatchNormalization: return batchNormalization(l, x)
        case let l as LayerNormalization: return layerNormalization(l, x)
        case let l as LSTM: return recurrentLayer(l, x, outputShape: outputShape)
        case let l as GRU: return recurrentLayer(l, x, outputShape: outputShape)
        case let l as Bidirectional: return bidirectional(l, x, outputShape: outputShape)
        case let l as TimeDistributed: return try timeDistributed(l, x, outputShape: outputShape)
        default:
            throw ExportError("layer \(layer.name) (\(layer.kind)) has no ONNX form in this exporter")
        }
    }

    /// (N, T, F...) -> (N*T, F...) -> the wrapped layer -> (N, T, F'...), as Keras's TimeDistributed.
    func timeDistributed(_ layer: TimeDistributed, _ x: GraphValue, outputShape: [Int]) throws -> GraphValue {
        let v = channelsLast(x, name: layer.name)
        let stepShape = Array(v.shape.dropFirst())
        let merged = op("Reshape", [v.name, int64s("\(layer.name)/steps", [-1] + stepShape)], name: layer.name)
        let inner = try emit(layer.layer, GraphValue(name: merged, shape: stepShape),
                             outputShape: Array(outputShape.dropFirst()))
        let last = channelsLast(inner, name: layer.name)
        let split = op("Reshape", [last.name, int64s("\(layer.name)/shape", [-1] + outputShape)], name: layer.name)
        return GraphValue(name: split, shape: outputShape)
    }
}
