import Tensor

/// Rows and columns added to (ZeroPadding2D) or removed from (Cropping2D) each side of an image, in
/// Keras's order ((top, bottom), (left, right)).
public struct ImageBorders: Equatable, Sendable {
    public var top: Int, bottom: Int, left: Int, right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }

    /// The same on every side.
    public init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }

    /// Whether every border is >= 0.
    var isValid: Bool { top >= 0 && bottom >= 0 && left >= 0 && right >= 0 }

    /// Copies the (height, width) window of every image and channel between two NHWC tensors: from
    /// `source` at row `sourceTop`, column `sourceLeft`, into `target` at `targetTop`, `targetLeft`;
    /// the rest of `target` is zeroed first. One row's W * C floats per copy.
    ///
    ///     source (N, SH, SW, C) -> target (N, TH, TW, C),  target[n, targetTop + i, targetLeft + j] =
    ///                                                      source[n, sourceTop + i, sourceLeft + j]
    static func copyWindow(_ source: Tensor, top sourceTop: Int, left sourceLeft: Int, height: Int, width: Int,
                           into target: inout Tensor, top targetTop: Int, left targetLeft: Int) {
        let (n, sh, sw, c) = (source.shape[0], source.shape[1], source.shape[2], source.shape[3])
        let (th, tw) = (target.shape[1], target.shape[2])
        source.data.withUnsafeBufferPointer { sp in
            target.data.withUnsafeMutableBufferPointer { tp in
                tp.update(repeating: 0)
                for b in 0..<n {
                    for i in 0..<height {
                        let from = sp.baseAddress! + ((b * sh + sourceTop + i) * sw + sourceLeft) * c
                        let to = tp.baseAddress! + ((b * th + targetTop + i) * tw + targetLeft) * c
                        to.update(from: from, count: width * c)
                    }
                }
            }
        }
    }
}
