/// Keras padding modes for convolution and pooling.
public enum Padding: String, Sendable, Codable, CaseIterable {
    /// No padding: `out = (in - kernel) / stride + 1`.
    case valid
    /// Zero padding so that `out = ceil(in / stride)`; the extra row/column goes to the bottom/right.
    case same
}

/// Geometry of a 2-D window sweep (convolution or pooling) over an NHWC input, Keras/TensorFlow rules.
/// A dilated kernel (Keras `dilation_rate` DH) reads every DH-th row: it spans EKH = (KH - 1) * DH + 1.
///
///     valid: OH = (H - EKH) / SH + 1                    (floor division)
///     same:  OH = ceil(H / SH), padTotal = max((OH - 1) * SH + EKH - H, 0), padTop = padTotal / 2
///
/// and the same for the width. An input row `ih = oh * SH - padTop + kh * DH` outside [0, H) is padding.
public struct WindowGeometry: Equatable, Sendable {
    public let height: Int, width: Int, channels: Int           // H, W, C of one input
    public let kernelHeight: Int, kernelWidth: Int              // KH, KW
    public let strideHeight: Int, strideWidth: Int              // SH, SW
    public let dilationHeight: Int, dilationWidth: Int          // DH, DW (1: an ordinary kernel)
    public let padTop: Int, padLeft: Int
    public private(set) var outHeight: Int, outWidth: Int       // OH, OW

    /// Values of one patch, the row length of the im2col matrix: KH * KW * C.
    @inlinable public var patchSize: Int { kernelHeight * kernelWidth * channels }

    /// The rows and columns one kernel spans: (KH - 1) * DH + 1, (KW - 1) * DW + 1.
    @inlinable public var kernelExtent: (height: Int, width: Int) {
        ((kernelHeight - 1) * dilationHeight + 1, (kernelWidth - 1) * dilationWidth + 1)
    }

    /// - Returns: nil when the output would be empty (a valid window larger than its input).
    public init?(height: Int, width: Int, channels: Int,
                 kernel: (Int, Int), strides: (Int, Int), padding: Padding, dilation: (Int, Int) = (1, 1)) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && strides.0 > 0 && strides.1 > 0 && dilation.0 > 0 && dilation.1 > 0,
                     "window geometry needs positive kernel \(kernel), strides \(strides) and dilation \(dilation)")
        func axis(_ size: Int, _ k: Int, _ s: Int) -> (out: Int, padBefore: Int) {
            switch padding {
            case .valid:
                return (size >= k ? (size - k) / s + 1 : 0, 0)
            case .same:
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + k - size, 0)
                return (out, total / 2)
            }
        }
        let h = axis(height, (kernel.0 - 1) * dilation.0 + 1, strides.0)
        let w = axis(width, (kernel.1 - 1) * dilation.1 + 1, strides.1)
        guard h.out > 0, w.out > 0, channels > 0 else { return nil }
        self.height = height; self.width = width; self.channels = channels
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideHeight = strides.0; strideWidth = strides.1
        dilationHeight = dilation.0; dilationWidth = dilation.1
        padTop = h.padBefore; padLeft = w.padBefore
        outHeight = h.out; outWidth = w.out
    }

    /// A sweep with `padTop` rows and `padLeft` columns of padding before the input and none after it:
    /// OH = (H + padTop - EKH) / SH + 1, and likewise OW (Keras's `causal` padding of a sequence: EK - 1
    /// steps before it, so that output t reads no input after t).
    /// - Returns: nil when the output would be empty.
    public init?(height: Int, width: Int, channels: Int, kernel: (Int, Int), strides: (Int, Int),
                 padTop: Int, padLeft: Int, dilation: (Int, Int) = (1, 1)) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && strides.0 > 0 && strides.1 > 0 && dilation.0 > 0 && dilation.1 > 0
                     && padTop >= 0 && padLeft >= 0,
                     "window geometry needs positive kernel \(kernel), strides \(strides) and dilation \(dilation), pads >= 0")
        let paddedHeight = height + padTop, paddedWidth = width + padLeft
        let extent = ((kernel.0 - 1) * dilation.0 + 1, (kernel.1 - 1) * dilation.1 + 1)
        guard paddedHeight >= extent.0, paddedWidth >= extent.1, height > 0, width > 0, channels > 0 else { return nil }
        self.height = height; self.width = width; self.channels = channels
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideHeight = strides.0; strideWidth = strides.1
        dilationHeight = dilation.0; dilationWidth = dilation.1
        self.padTop = padTop; self.padLeft = padLeft
        outHeight = (paddedHeight - extent.0) / strides.0 + 1
        outWidth = (paddedWidth - extent.1) / strides.1 + 1
    }

    /// The same sweep with only the first `height` x `width` outputs (for a layer whose every reader
    /// uses only those: a conv before a valid pool that drops its last row or column).
    public func croppingOutput(height: Int, width: Int) -> WindowGeometry {
        precondition(height > 0 && height <= outHeight && width > 0 && width <= outWidth,
                     "crop \(height) x \(width) outside the output \(outHeight) x \(outWidth)")
        var cropped = self
        cropped.outHeight = height
        cropped.outWidth = width
        return cropped
    }
}
