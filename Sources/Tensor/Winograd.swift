import CXSMM

/// A 3x3, stride-1 convolution by Winograd F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for
/// Convolutional Neural Networks", 2016): each 2x2 output tile costs 16 multiplications per
/// (input, output) channel pair instead of 36. Conv2D runs its forward pass and its input gradient
/// (a convolution of the output gradient: `inputGradientKernel`) through it in training and at
/// inference; the fused inference step uses `.maxPooled`. Two outputs:
/// - `.full`: the convolution's output (N, OH, OW, F) plus bias;
/// - `.maxPooled`: that output through a 2x2, stride-2, valid max pool, (N, OH / 2, OW / 2, F). Each
///   pool window is exactly one tile, so the conv outputs the pool never reads (an odd last row or
///   column) are never computed and the full-size output is never written.
///
/// Legend: N batch, H W C input, F filters, OH OW convolution output, TR TC tiles per image
/// (full: ceil(OH / s) x ceil(OW / s), s = `outputTile`; pooled: floor(OH / s) x floor(OW / s) with
/// s = 2, or half that with s = 4), T = N*TR*TC tiles in
/// NHWC order, X = 16 transform points (a 4x4 grid; 25 with `outputTile` 3, 36 with 4), B tiles per
/// block.
///
///     x (N, H, W, C), kernel (3, 3, C, F), bias (F) -> y (N, OH, OW, F) = conv(x) + bias       (full)
///                                                   -> y (N, TR, TC, F) = maxpool2x2(conv(x) + bias)
///     kernel transform  U (X, C, F) = G g G^T         for every (c, f) pair, once per set of weights;
///                                                     its points `kernelPointStride` floats apart
///     padded input      P (N, HP, WP, C)              zeros around x; every tile's 4x4 patch inside
///     per block of B tiles:
///       input transform   V (X, B, C) = B^T d B       d the 4x4 input patch of a tile
///       products          M[p] (B, F) = V[p] (B, C) x U[p] (C, F)   for each of the X points p
///       output transform  A^T M A (2 x 2 per filter) + bias, stored (clipped at the bottom/right
///                         edge) or reduced to its maximum
///
/// With `outputTile` 4 (`.full` outputs whose height and width are multiples of 4, such as the
/// reference CNN's last convolution cropped to the 8 x 12 its pool reads) the tiles are 4x4 outputs
/// from 6x6 patches by F(4x4, 3x3): X = 36 points, 2.25 multiplications per output instead of F(2x2,
/// 3x3)'s 4 (Winograd4x4.swift has its transforms). With `outputTile` 3 (`.full` outputs where its
/// tiles take fewer products: `fewestProductsTile`, such as the reference CNN's 9 x 13 convolutions)
/// the tiles are 3x3 outputs from 5x5 patches by F(3x3, 3x3): X = 25 points, 2.78 multiplications per
/// output, edge tiles clipped (Winograd3x3Tiles.swift).
///
/// Tile (n, tr, tc) reads input rows 2tr - padTop ..< 2tr - padTop + 4 and columns
/// 2tc - padLeft ..< 2tc - padLeft + 4 (zero outside the image) and makes the conv outputs at rows
/// 2tr, 2tr + 1 and columns 2tc, 2tc + 1. Blocks keep V and M in the core's cache (the transforms of
/// a whole batch at once were memory-bound). Adding the bias after the maximum is exact: float
/// addition of one value to each candidate preserves their order. Results equal direct convolution
/// (+ pooling) up to float rounding (~1e-6 relative). A training pass may keep the padded input P
/// (`paddedInput`); the kernel gradient (WinogradKernelGradient.swift) transforms it again, and the
/// input gradient runs these tiles backwards beside it (WinogradInputGradient.swift).
public struct Winograd3x3: Sendable {
    /// What `run` writes.
    public enum Output: Sendable { case full, maxPooled }

    public let height: Int, width: Int, channels: Int, filters: Int
    /// Zero rows above / columns left of the input: 1 for a 'same' 3x3 convolution, 0 for 'valid'
    /// (2 - those for the input gradient, a convolution of the output gradient: `inputGradientKernel`).
    public let padTop: Int, padLeft: Int
    /// OH, OW: the convolution's output.
    public let outHeight: Int, outWidth: Int
    public let output: Output
    /// TR, TC: tiles per image (see the legend); for `.maxPooled` also the output's height and width.
    public let tileRows: Int, tileColumns: Int
    /// Tiles transformed and multiplied together (B).
    public let tilesPerBlock: Int
    /// Tiles of a block of the backward pass (`accumulateKernelGradient`): B, but at least
    /// `minimumGradientTiles`, and odd. The backward transforms write (and read) one line of each of
    /// the X points of V (X, B, C), Z (X, B, F) and dV at a time, B * C or B * F floats apart; with 32
    /// tiles and 32 to 128 channels that is a multiple of 1,024 floats, every point at one offset
    /// modulo 4 KiB. 33 tiles made the backward of the reference CNN's 64 -> 128 and 32 -> 64
    /// convolutions 5% and 7% faster (BENCHMARKS.md, "What was tried").
    public let gradientTilesPerBlock: Int
    /// The fewest tiles in a backward block: the kernel gradient's products S[p] (C, F) += V[p]^T Z[p]
    /// have them as their inner dimension, and each block reads and writes all of S. At B = 9 (the
    /// reference CNN's last convolution, 36 points of 64 x 128) that pass over S dominated; 32 tiles
    /// made that layer's backward ~20% faster, while the other layers' blocks already hold more.
    public static let minimumGradientTiles = 32
    /// Outputs along each side of a tile: 2 (F(2x2, 3x3)), 3 (F(3x3, 3x3)) or 4 (F(4x4, 3x3)).
    public let outputTile: Int

    /// X, the transform points of a tile: (outputTile + 2)^2, 16, 25 or 36.
    public var points: Int { (outputTile + 2) * (outputTile + 2) }

    /// The padded input's height HP and width WP: every tile's patch lies inside.
    var paddedHeight: Int { outputTile * tileRows + 2 }
    var paddedWidth: Int { outputTile * tileColumns + 2 }

    /// - Parameters: the convolution's input (H, W, C) and filters F, its padding before the first
    ///   row/column (`WindowGeometry.padTop`/`padLeft`), its output size (OH, OW) and what to write.
    ///   `outputTile` 3 asks for F(3x3, 3x3) tiles, 4 for F(4x4, 3x3) tiles.
    /// - Returns: nil when the output would be empty or the padding is not a 3x3 one, for `outputTile`
    ///   3 unless the output is `.full`, or for `outputTile` 4 unless the sides of the output written
    ///   are multiples of 4 (`.full`) or even (`.maxPooled`: each 4x4 tile then covers 2 x 2 pool
    ///   windows).
    public init?(height: Int, width: Int, channels: Int, filters: Int, padTop: Int, padLeft: Int,
                 convolutionOutput: (height: Int, width: Int), output: Output, outputTile: Int = 2) {
        let minimum = output == .maxPooled ? 2 : 1
        guard channels > 0, filters > 0, convolutionOutput.height >= minimum, convolutionOutput.width >= minimum,
              (0...2).contains(padTop), (0...2).contains(padLeft) else { return nil }
        let written = output == .full ? (convolutionOutput.height, convolutionOutput.width, 4)
                                      : (convolutionOutput.height / 2, convolutionOutput.width / 2, 2)
        guard outputTile == 2 || (outputTile == 3 && output == .full)
                || (outputTile == 4 && written.0 % written.2 == 0 && written.1 % written.2 == 0)
        else { return nil }
        self.outputTile = outputTile
        self.height = height; self.width = width; self.channels = channels; self.filters = filters
        self.padTop = padTop; self.padLeft = padLeft
        self.outHeight = convolutionOutput.height; self.outWidth = convolutionOutput.width
        self.output = output
        switch output {
        case .full:
            tileRows = (outHeight + outputTile - 1) / outputTile
            tileColumns = (outWidth + outputTile - 1) / outputTile
        case .maxPooled:
            tileRows = outHeight / 2 / (outputTile / 2); tileColumns = outWidth / 2 / (outputTile / 2)
        }
        // V and M of one block in about 256 KiB (X points x B tiles x (C + F) floats x 4 bytes), a
        // quarter of a 1 MiB L2, beside the transformed kernel U the products also read (1 MiB blocks
        // were ~3% slower in training and ~7% in inference: BENCHMARKS.md, "What was tried")
        let points = (outputTile + 2) * (outputTile + 2)
        tilesPerBlock = max(8, min(256, (1 << 18) / (4 * points * (channels + filters))))
        gradientTilesPerBlock = max(tilesPerBlock, Winograd3x3.minimumGradientTiles) | 1
    }

    /// The output tile of `candidates` (2, 3, 4) whose tiles of a `.full` (height, width) output take
    /// the fewest point products per channel pair, (t + 2)^2 ceil(height / t) ceil(width / t); 4 only
    /// where both sides are multiples of 4 (F(4x4, 3x3) tiles are never clipped), and on a tie the
    /// smaller tile (the smaller float error). A 9 x 13 output: 560 (2), 375 (3); 8 x 12: 384, 300,
    /// 216 (4).
    public static func fewestProductsTile(height: Int, width: Int, candidates: [Int]) -> Int {
        func products(_ t: Int) -> Int { (t + 2) * (t + 2) * ((height + t - 1) / t) * ((width + t - 1) / t) }
        let admissible = candidates.filter { $0 == 2 || $0 == 3 || ($0 == 4 && height % 4 == 0 && width % 4 == 0) }
        return admissible.sorted().min { products($0) < products($1) } ?? 2
    }

    /// Tiles of a batch: N*TR*TC.
    public func tiles(batch n: Int) -> Int { n * tileRows * tileColumns }

    /// The shape `run` writes for one image: (OH, OW, F) or (TR, TC, F).
    public var outputShape: [Int] {
        output == .full ? [outHeight, outWidth, filters]
                        : [tileRows * outputTile / 2, tileColumns * outputTile / 2, filters]
    }

    /// The products `run` issues for a batch of `n`: M[p] (B, F) = V[p] (B, C) x U[p] (C, F) for the
    /// X points p of every block of B tiles (the last block may hold fewer tiles).
    public func products(batch n: Int, label: String = "Winograd M") -> [MatrixProduct] {
        blockProducts(batch: n, tilesPerBlock: tilesPerBlock) { MatrixProduct(label, m: $0, n: filters, k: channels) }
    }

    /// `product(b)` issued X times for every block of b tiles of a batch of `n`, `size` tiles a block
    /// (the last block may hold fewer tiles).
    func blockProducts(batch n: Int, tilesPerBlock size: Int, _ product: (Int) -> MatrixProduct) -> [MatrixProduct] {
        let (blocks, rest) = tiles(batch: n).quotientAndRemainder(dividingBy: size)
        var products: [MatrixProduct] = []
        if blocks > 0 { products.append(product(size)); products[0].count = points * blocks }
        if rest > 0 { var last = product(rest); last.count = points; products.append(last) }
        return products
    }

    /// Floats of the transformed kernel U: X points of `kernelPointStride` floats.
    public var transformedKernelCount: Int { points * kernelPointStride }

    /// Floats from one point of U (X, C, F) or of the kernel gradient's S to the next: C * F rounded up
    /// to whole 64-byte lines, and then to an odd number of them. The kernel transforms write (and the
    /// gradient's read) one line of each of the X points at a time; at C * F a multiple of 1,024
    /// floats those X lines were 4 KiB apart, at one offset modulo 4 KiB (one L1 set, and the
    /// offset of the kernel taps read beside them): the transform took 2.5x its time (BENCHMARKS.md,
    /// "What was tried"). An odd number of lines puts each point at another offset modulo 4 KiB.
    public var kernelPointStride: Int {
        let lines = (channels * filters + 15) / 16
        return (lines | 1) * 16
    }

    /// Floats of scratch `run` needs for a batch of `n`: the padded input, V and M of one block.
    public func scratchCount(batch n: Int) -> Int {
        n * paddedHeight * paddedWidth * channels + points * tilesPerBlock * (channels + filters)
    }

    /// Floats of the zero-padded input P (N, HP, WP, C) of a batch of `n`.
    public func paddedInputCount(batch n: Int) -> Int { n * paddedHeight * paddedWidth * channels }

    /// y = conv(x) + bias, or its 2x2 maximum (see `output`), overwriting y (N, outputShape...),
    /// given U = `transformKernel(kernel)`. See the type's legend. With `rectify` (`.full` only) the
    /// output transform stores relu(conv(x) + bias) instead, equal to a relu pass afterwards.
    /// With `paddedInput` (`paddedInputCount` floats) the padded input P is written there instead of
    /// into the scratch, for `accumulateKernelGradient` to read back. With `gate` (N, OH, OW, F) (F(2x2,
    /// 3x3) `.full` only) each output is stored where the gate's entry is positive and 0 elsewhere: the
    /// input gradient of a convolution times the derivative of the ReLU whose output `gate` is.
    /// With `routes` (N, TR * 2, TC * 2, F) (`.maxPooled` F(4x4, 3x3) tiles with `rectify`: the training
    /// forward of a ReLU convolution and the 2x2 max pool after it) y is maxpool2x2(relu(conv(x) +
    /// bias)), equal to the two layers' outputs bit for bit, and routes holds where each window's
    /// maximum was (`transformOutputPoolAndRoute4`), for `accumulateKernelGradient`.
    public func run(_ x: UnsafePointer<Float>, batch n: Int, transformedKernel u: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>, rectify: Bool = false,
                    paddedInput: UnsafeMutablePointer<Float>? = nil, gate: UnsafePointer<Float>? = nil,
                    routes: UnsafeMutablePointer<Float>? = nil) {
        precondition(!rectify || output == .full || routes != nil,
                     "rectify is for the full output (pooled outputs take the activation after, unless routed)")
        precondition(gate == nil || (output == .full && outputTile == 2 && !rectify),
                     "gate is for the full output of F(2x2, 3x3) tiles, without rectify")
        precondition(routes == nil || (output == .maxPooled && outputTile == 4 && rectify),
                     "routes are for the pooled output of F(4x4, 3x3) tiles, with rectify")
        let (c, f) = (channels, filters)
        let padded = paddedInput ?? scratch
        let v = scratch + paddedInputCount(batch: n)
        let m = v + points * tilesPerBlock * c
        pad(x, batch: n, into: padded)
        let stride = kernelPointStride
        forEachBlock(padded, batch: n, v: v) { block in
            let b = block.count
            // M[p] (B, F) = V[p] (B, C) x U[p] (C, F): libxsmm's kernel for (B, F, C) (5-30% faster
            // than OpenBLAS at these sizes; libxsmm keeps it, so asking again is a lookup), else gemm
            if let product = SmallMatrixProduct.preferred(m: b, n: f, k: c, beta: 0) {
                for p in 0..<points { product(a: v + p * b * c, b: u + p * stride, c: m + p * b * f) }
            } else {
                for p in 0..<points { gemm(m: b, n: f, k: c, a: v + p * b * c, b: u + p * stride, c: m + p * b * f) }
            }
            switch output {
            case .maxPooled where routes != nil:
                transformOutputPoolAndRoute4(m, tiles: block, bias: bias, into: y, routes: routes!)
            case .maxPooled where outputTile == 4: transformOutputAndPool4(m, tiles: block, bias: bias, into: y)
            case .maxPooled: transformOutputAndPool(m, tiles: b, bias: bias, into: y + block.lowerBound * f)
            case .full where outputTile == 4: transformOutput4(m, tiles: block, bias: bias, into: y, rectify: rectify)
            case .full where outputTile == 3: transformOutput3(m, tiles: block, bias: bias, into: y, rectify: rectify)
            case .full: transformOutput(m, tiles: block, bias: bias, into: y, rectify: rectify, gate: gate)
            }
        }
    }

    /// For each block of at most B tiles (`size`, when given) of the padded input, in order: V of the
    /// block's tiles into v (`transformInput`), then `body(tiles)`.
    @inline(__always)
    func forEachBlock(_ padded: UnsafePointer<Float>, batch n: Int, tilesPerBlock size: Int? = nil,
                      v: UnsafeMutablePointer<Float>, _ body: (Range<Int>) -> Void) {
        let total = tiles(batch: n), size = size ?? tilesPerBlock
        var first = 0
        while first < total {
            let block = first..<min(first + size, total)
            transformInput(padded, tiles: block, into: v)
            body(block)
            first = block.upperBound
        }
    }

    /// U[p, c, :] = (G g G^T)[p] for the 3x3 kernel g of every (c, f) pair, all f side by side.
    ///     G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
    ///     kernel (3, 3, C, F) -> u (16, C, F)
    /// (With `outputTile` 3 or 4, F(3x3, 3x3)'s or F(4x4, 3x3)'s G: `kernelLanes3`, u (25, C, F), or
    /// `kernelLanes4`, u (36, C, F).)
    public func transformKernel(_ k: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        withTransformScratch { t in
            forEachChannelLaneGroup({ i in kernelTileLanes(SIMD16<Float>.self, k + i, u + i, scratch: t) },
                                    { i in kernelTileLanes(Float.self, k + i, u + i, scratch: t) })
        }
    }

    /// `transformKernel` for the lanes at g and o, by the tile size.
    @inline(__always)
    private func kernelTileLanes<L: FloatLanes>(_: L.Type, _ g: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                                scratch: UnsafeMutableRawPointer) {
        switch outputTile {
        case 4: kernelLanes4(L.self, g, o, scratch: scratch)
        case 3: kernelLanes3(L.self, g, o, scratch: scratch)
        default: kernelLanes(L.self, g, o)
        }
    }

    /// `transformKernel` for the lanes at g (kernel tap (0, 0)) and o (point 0).
    @inline(__always)
    private func kernelLanes<L: FloatLanes>(_: L.Type, _ g: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>) {
        let tap = channels * filters    // distance between kernel taps (a, b) and (a, b + 1)
        let point = kernelPointStride   // distance between transform points in u
        let g00 = L.load(g), g01 = L.load(g + tap), g02 = L.load(g + 2 * tap)
        let g10 = L.load(g + 3 * tap), g11 = L.load(g + 4 * tap), g12 = L.load(g + 5 * tap)
        let g20 = L.load(g + 6 * tap), g21 = L.load(g + 7 * tap), g22 = L.load(g + 8 * tap)
        // rows of G g (4 x 3)
        let a0 = g00, a1 = g01, a2 = g02
        let b0 = (g00 + g10 + g20) * 0.5, b1 = (g01 + g11 + g21) * 0.5, b2 = (g02 + g12 + g22) * 0.5
        let c0 = (g00 - g10 + g20) * 0.5, c1 = (g01 - g11 + g21) * 0.5, c2 = (g02 - g12 + g22) * 0.5
        let d0 = g20, d1 = g21, d2 = g22
        // (G g) G^T, row by row
        a0.store(o);                              ((a0 + a1 + a2) * 0.5).store(o + point)
        ((a0 - a1 + a2) * 0.5).store(o + 2 * point);  a2.store(o + 3 * point)
        b0.store(o + 4 * point);                  ((b0 + b1 + b2) * 0.5).store(o + 5 * point)
        ((b0 - b1 + b2) * 0.5).store(o + 6 * point);  b2.store(o + 7 * point)
        c0.store(o + 8 * point);                  ((c0 + c1 + c2) * 0.5).store(o + 9 * point)
        ((c0 - c1 + c2) * 0.5).store(o + 10 * point); c2.store(o + 11 * point)
        d0.store(o + 12 * point);                 ((d0 + d1 + d2) * 0.5).store(o + 13 * point)
        ((d0 - d1 + d2) * 0.5).store(o + 14 * point); d2.store(o + 15 * point)
    }

    /// The kernel whose convolution of a layer's output gradient is its input gradient: the taps
    /// reversed and the channel axes swapped, K'[a, b, f, c] = K[2 - a, 2 - b, c, f].
    ///
    ///     dx (N, H, W, C) = conv3x3(dz (N, OH, OW, F), K') with padding 2 - padTop, 2 - padLeft
    ///     kernel (3, 3, C, F) -> flipped (3, 3, F, C)
    public static func inputGradientKernel(_ k: UnsafePointer<Float>, channels c: Int, filters f: Int,
                                           into flipped: UnsafeMutablePointer<Float>) {
        for tap in 0..<9 {
            // target (F, C) = source (C, F)^T: libxsmm's out-of-place transpose, in column-major terms
            // the (F, C) matrix of leading dimension F into the (C, F) one of leading dimension C.
            // Its cache-blocked copy replaced an element loop whose strided stores took ~2% of a
            // training step's samples (BENCHMARKS.md, "What was tried").
            libxsmm_otrans(flipped + tap * f * c, k + (8 - tap) * c * f, UInt32(MemoryLayout<Float>.stride),
                           libxsmm_blasint(f), libxsmm_blasint(c), libxsmm_blasint(f), libxsmm_blasint(c))
        }
    }

    /// Copies x into the zero-padded P: input row ih lands on padded row ih + padTop. Only the border
    /// is zeroed; the copied rows and columns are written once.
    ///     x (N, H, W, C) -> padded (N, HP, WP, C)
    func pad(_ x: UnsafePointer<Float>, batch n: Int, into padded: UnsafeMutablePointer<Float>) {
        let (hp, wp, c) = (paddedHeight, paddedWidth, channels)
        let rows = min(height, hp - padTop), columns = min(width, wp - padLeft)
        let line = wp * c, right = (padLeft + columns) * c     // a padded row; where its right border starts
        for b in 0..<n {
            let image = padded + b * hp * line
            image.update(repeating: 0, count: padTop * line)
            for ih in 0..<rows {
                let row = image + (ih + padTop) * line
                row.update(repeating: 0, count: padLeft * c)
                (row + padLeft * c).update(from: x + ((b * height + ih) * width) * c, count: columns * c)
                (row + right).update(repeating: 0, count: line - right)
            }
            (image + (padTop + rows) * line).update(repeating: 0, count: (hp - padTop - rows) * line)
        }
    }

    /// V[p, t, :] = (B^T d B)[p] for the tiles `range` (t counted from the block's first), all
    /// channels side by side; d is the tile's 4x4 patch of the padded input.
    ///     B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    ///     padded (N, HP, WP, C) -> v (16, B, C)
    /// With `outputTile` 3 the patch is 5x5 and the transform F(3x3, 3x3)'s (`inputTransform5`); with 4,
    /// 6x6 and F(4x4, 3x3)'s (`inputTransform6`).
    func transformInput(_ padded: UnsafePointer<Float>, tiles range: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        forEachTileLanes(range, patches: UnsafeMutablePointer(mutating: padded), points: v, inverse: false)
    }

    /// For every tile t of `range`, 16 channels at a time and then one by one, its input transform
    /// V = B^T d B from its patch of a padded (N, HP, WP, C) tensor to its X points in an (X, B, C)
    /// one (t counted from the range's first), or with `inverse` B dV B^T from the points added into
    /// the patch (the input gradient's); one transform's scratch (`withTransformScratch`) serves all.
    @inline(__always)
    func forEachTileLanes(_ range: Range<Int>, patches padded: UnsafeMutablePointer<Float>,
                          points v: UnsafeMutablePointer<Float>, inverse: Bool) {
        let (hp, wp, c, step) = (paddedHeight, paddedWidth, channels, outputTile)
        let point = range.count * c     // distance between transform points in v
        withTransformScratch { t in
            forEachTile(range) { index, b, tr, tc in
                let (patch, tile) = (padded + ((b * hp + step * tr) * wp + step * tc) * c, v + index * c)
                forEachLaneGroup(c, { tileLanes(SIMD16<Float>.self, patch + $0, tile + $0, point: point, scratch: t, inverse: inverse) },
                                 { tileLanes(Float.self, patch + $0, tile + $0, point: point, scratch: t, inverse: inverse) })
            }
        }
    }

    /// One tile's transform of `forEachTileLanes` on the lanes at patch and tile, by its tile size.
    @inline(__always)
    private func tileLanes<L: FloatLanes>(_: L.Type, _ patch: UnsafeMutablePointer<Float>, _ tile: UnsafeMutablePointer<Float>,
                                          point: Int, scratch: UnsafeMutableRawPointer, inverse: Bool) {
        // F(3x3, 3x3) and F(4x4, 3x3): B^T d B of the 5x5 or 6x6 patch into the points, or its adjoint
        // B dV B^T added into the patch, column pass then row pass through `scratch`
        let (patchRow, patchColumn) = (paddedWidth * channels, channels)
        switch (outputTile, inverse) {
        case (4, false):
            separable6x6(L.self, inputTransform6, from: patch, rows: patchRow, columns: patchColumn,
                         to: tile, rows: 6 * point, columns: point, adding: false, scratch: scratch)
        case (3, false):
            separable5x5(L.self, inputTransform5, from: patch, rows: patchRow, columns: patchColumn,
                         to: tile, rows: 5 * point, columns: point, adding: false, scratch: scratch)
        case (_, false): inputLanes(L.self, patch, tile, point: point)
        case (4, true):
            separable6x6(L.self, inverseInputTransform6, from: tile, rows: 6 * point, columns: point,
                         to: patch, rows: patchRow, columns: patchColumn, adding: true, scratch: scratch)
        case (3, true):
            separable5x5(L.self, inverseInputTransform5, from: tile, rows: 5 * point, columns: point,
                         to: patch, rows: patchRow, columns: patchColumn, adding: true, scratch: scratch)
        case (_, true): inverseInputLanes(L.self, tile, patch, point: point)
        }
    }

    /// `transformInput` for the lanes at r0 (the patch's top-left) and o (point 0).
    @inline(__always)
    private func inputLanes<L: FloatLanes>(_: L.Type, _ r0: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>,
                                           point: Int) {
        let c = channels, wp = paddedWidth
        let r1 = r0 + wp * c, r2 = r1 + wp * c, r3 = r2 + wp * c
        // B^T d: rows 0 - 2, 1 + 2, 2 - 1, 1 - 3, each for the 4 columns
        let x00 = L.load(r0), x01 = L.load(r0 + c), x02 = L.load(r0 + 2 * c), x03 = L.load(r0 + 3 * c)
        let x10 = L.load(r1), x11 = L.load(r1 + c), x12 = L.load(r1 + 2 * c), x13 = L.load(r1 + 3 * c)
        let x20 = L.load(r2), x21 = L.load(r2 + c), x22 = L.load(r2 + 2 * c), x23 = L.load(r2 + 3 * c)
        let x30 = L.load(r3), x31 = L.load(r3 + c), x32 = L.load(r3 + 2 * c), x33 = L.load(r3 + 3 * c)
        let s0 = x00 - x20, s1 = x01 - x21, s2 = x02 - x22, s3 = x03 - x23
        let t0 = x10 + x20, t1 = x11 + x21, t2 = x12 + x22, t3 = x13 + x23
        let u0 = x20 - x10, u1 = x21 - x11, u2 = x22 - x12, u3 = x23 - x13
        let w0 = x10 - x30, w1 = x11 - x31, w2 = x12 - x32, w3 = x13 - x33
        // (B^T d) B: columns 0 - 2, 1 + 2, 2 - 1, 1 - 3 of each row
        (s0 - s2).store(o);              (s1 + s2).store(o + point)
        (s2 - s1).store(o + 2 * point);  (s1 - s3).store(o + 3 * point)
        (t0 - t2).store(o + 4 * point);  (t1 + t2).store(o + 5 * point)
        (t2 - t1).store(o + 6 * point);  (t1 - t3).store(o + 7 * point)
        (u0 - u2).store(o + 8 * point);  (u1 + u2).store(o + 9 * point)
        (u2 - u1).store(o + 10 * point); (u1 - u3).store(o + 11 * point)
        (w0 - w2).store(o + 12 * point); (w1 + w2).store(o + 13 * point)
        (w2 - w1).store(o + 14 * point); (w1 - w3).store(o + 15 * point)
    }

    /// The 2x2 outputs A^T M A + bias (relu'd with `rectify`) of the tiles `range` (t counted from the
    /// block's first for m, from the batch's first for y), stored where they fall inside (OH, OW), all
    /// filters side by side.
    ///     A^T = [1 1 1 0; 0 1 -1 -1]
    ///     m (16, B, F) -> y (N, OH, OW, F)
    func transformOutput(_ m: UnsafePointer<Float>, tiles range: Range<Int>, bias: UnsafePointer<Float>,
                         into y: UnsafeMutablePointer<Float>, rectify: Bool = false,
                         gate: UnsafePointer<Float>? = nil) {
        let f = filters
        let point = range.count * f
        forEachOutputTile(range) { index, corner, down, right in
            let q = m + index * f, yc = y + corner, gc = gate.map { $0 + corner }
            forEachLaneGroup(f, { i in
                outputLanes(SIMD16<Float>.self, q + i, bias + i, yc + i, point: point, down: down, right: right,
                            rectify: rectify, gate: gc.map { $0 + i })
            }, { i in outputLanes(Float.self, q + i, bias + i, yc + i, point: point, down: down, right: right,
                                  rectify: rectify, gate: gc.map { $0 + i }) })
        }
    }

    /// Calls `body(index, corner, down, right)` for every tile t of `range`: its index from the range's
    /// first, the offset of its top-left output in an (N, OH, OW, F) tensor, and whether the tile's
    /// second row / column lie inside (OH, OW).
    @inline(__always)
    func forEachOutputTile(_ range: Range<Int>, _ body: (Int, Int, Bool, Bool) -> Void) {
        forEachTile(range) { index, b, tr, tc in
            let (oh, ow) = (outputTile * tr, outputTile * tc)
            body(index, ((b * outHeight + oh) * outWidth + ow) * filters, oh + 1 < outHeight, ow + 1 < outWidth)
        }
    }

    /// Calls `vector(i)` / `scalar(i)` (`forEachLaneGroup`) over the filters of every input channel of
    /// a (C, F) array, with i = c F + f: how the kernel transforms run their lanes.
    @inline(__always)
    func forEachChannelLaneGroup(_ vector: (Int) -> Void, _ scalar: (Int) -> Void) {
        for ci in 0..<channels {
            let row = ci * filters
            forEachLaneGroup(filters, { vector(row + $0) }, { scalar(row + $0) })
        }
    }

    /// Calls `body(index, n, tr, tc)` for every tile t of `range`: its index from the range's first,
    /// and its image, tile row and tile column.
    @inline(__always)
    func forEachTile(_ range: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        let perImage = tileRows * tileColumns
        for t in range {
            let (b, r) = t.quotientAndRemainder(dividingBy: perImage)
            let (tr, tc) = r.quotientAndRemainder(dividingBy: tileColumns)
            body(t - range.lowerBound, b, tr, tc)
        }
    }

    /// `transformOutput` for the lanes at q (point 0), bias and the tile's top-left output (and gate
    /// entry); `down` and `right`: whether the second row / column of the tile lies inside the output.
    @inline(__always)
    private func outputLanes<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                            _ y: UnsafeMutablePointer<Float>, point: Int, down: Bool, right: Bool,
                                            rectify: Bool, gate: UnsafePointer<Float>?) {
        let (y00, y01, y10, y11) = tileOutputs(L.self, q, point: point)
        let b = L.load(bias), row = outWidth * filters
        @inline(__always) func put(_ v: L, _ offset: Int) {
            if let gate {
                v.gated(by: L.load(gate + offset)).store(y + offset)
            } else {
                (rectify ? v.rectified() : v).store(y + offset)
            }
        }
        put(y00 + b, 0)
        if right { put(y01 + b, filters) }
        if down {
            put(y10 + b, row)
            if right { put(y11 + b, row + filters) }
        }
    }

    /// A^T M A: the tile's four outputs (rows 0, 1 x columns 0, 1) from its 16 points at q, q + point, ...
    @inline(__always)
    private func tileOutputs<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, point: Int) -> (L, L, L, L) {
        let e0 = L.load(q), e1 = L.load(q + point), e2 = L.load(q + 2 * point), e3 = L.load(q + 3 * point)
        let e4 = L.load(q + 4 * point), e5 = L.load(q + 5 * point)
        let e6 = L.load(q + 6 * point), e7 = L.load(q + 7 * point)
        let e8 = L.load(q + 8 * point), e9 = L.load(q + 9 * point)
        let e10 = L.load(q + 10 * point), e11 = L.load(q + 11 * point)
        let e12 = L.load(q + 12 * point), e13 = L.load(q + 13 * point)
        let e14 = L.load(q + 14 * point), e15 = L.load(q + 15 * point)
        // A^T M: rows 0 + 1 + 2 and 1 - 2 - 3 (4 columns each)
        let a0 = e0 + e4 + e8, a1 = e1 + e5 + e9, a2 = e2 + e6 + e10, a3 = e3 + e7 + e11
        let b0 = e4 - e8 - e12, b1 = e5 - e9 - e13, b2 = e6 - e10 - e14, b3 = e7 - e11 - e15
        // (A^T M) A: columns 0 + 1 + 2 and 1 - 2 - 3
        return (a0 + a1 + a2, a1 - a2 - a3, b0 + b1 + b2, b1 - b2 - b3)
    }

    /// y[t, :] = max of the 2x2 tile A^T M A + bias, for the block's `tiles` tiles, all filters side
    /// by side.
    ///     A^T = [1 1 1 0; 0 1 -1 -1]
    ///     m (16, B, F) -> y (B, F)
    func transformOutputAndPool(_ m: UnsafePointer<Float>, tiles: Int, bias: UnsafePointer<Float>,
                                into y: UnsafeMutablePointer<Float>) {
        let f = filters
        let point = tiles * f
        for t in 0..<tiles {
            let (q, out) = (m + t * f, y + t * f)
            forEachLaneGroup(f, { pooledLanes(SIMD16<Float>.self, q + $0, bias + $0, out + $0, point: point) },
                             { pooledLanes(Float.self, q + $0, bias + $0, out + $0, point: point) })
        }
    }

    /// `transformOutputAndPool` for the lanes at q (point 0), bias and y.
    @inline(__always)
    private func pooledLanes<L: FloatLanes>(_: L.Type, _ q: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                            _ y: UnsafeMutablePointer<Float>, point: Int) {
        let (y00, y01, y10, y11) = tileOutputs(L.self, q, point: point)
        (L.maximum(L.maximum(y00, y01), L.maximum(y10, y11)) + L.load(bias)).store(y)
    }
}

/// Calls `vector(i)` for i = 0, 16, 32, ... while 16 lanes fit in `count`, then `scalar(i)` for each
/// remaining index: how the transforms run their lanes over channels or filters.
@inline(__always)
func forEachLaneGroup(_ count: Int, _ vector: (Int) -> Void, _ scalar: (Int) -> Void) {
    var i = 0
    while i + 16 <= count { vector(i); i += 16 }
    while i < count { scalar(i); i += 1 }
}

/// Float arithmetic written once for one float (Float) and for 16 side by side (SIMD16<Float>): the
/// Winograd transforms run their lanes through it explicitly, because LLVM does not vectorise their
/// 16 load and 16 store streams itself (too many possible aliases to check at run time).
protocol FloatLanes {
    /// Every lane 0.
    static var zero: Self { get }
    static func load(_ p: UnsafePointer<Float>) -> Self
    func store(_ p: UnsafeMutablePointer<Float>)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Float) -> Self
    /// The larger of a and b (b when they are equal or a is NaN).
    static func maximum(_ a: Self, _ b: Self) -> Self
    /// max(self, 0) as Swift's `max(x, 0)`: 0 for -0 and below, NaN kept (as `Activation.relu`).
    func rectified() -> Self
    /// self where g > 0, else 0 (NaN in g gives 0): `Activation.relu`'s backward with g its output.
    func gated(by g: Self) -> Self
    /// Every lane v.
    static func splat(_ v: Float) -> Self
    /// Where v > self (strictly, so NaN never wins and ties keep the earlier value): self = v and
    /// code = k. A pool window's running maximum and the code of its first maximum (`MaxPool2D`'s rule).
    mutating func challenge(with v: Self, code: inout Self, _ k: Float)
    /// self where code == k, else 0: a pooled gradient routed to one position of its window.
    func routed(_ code: Self, _ k: Float) -> Self
}

extension Float: FloatLanes {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Float { p.pointee }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) { p.pointee = self }
    @inline(__always) static func maximum(_ a: Float, _ b: Float) -> Float { a > b ? a : b }
    @inline(__always) func rectified() -> Float { Swift.max(self, 0) }
    @inline(__always) func gated(by g: Float) -> Float { g > 0 ? self : 0 }
    @inline(__always) static func splat(_ v: Float) -> Float { v }
    @inline(__always) mutating func challenge(with v: Float, code: inout Float, _ k: Float) {
        if v > self { self = v; code = k }
    }
    @inline(__always) func routed(_ code: Float, _ k: Float) -> Float { code == k ? self : 0 }
}

extension SIMD16: FloatLanes where Scalar == Float {
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD16<Float>.self)
    }
    @inline(__always) static func maximum(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        b.replacing(with: a, where: a .> b)
    }
    @inline(__always) func rectified() -> SIMD16<Float> { replacing(with: 0, where: self .<= 0) }
    @inline(__always) func gated(by g: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: self, where: g .> 0)
    }
    @inline(__always) static func splat(_ v: Float) -> SIMD16<Float> { SIMD16<Float>(repeating: v) }
    @inline(__always) mutating func challenge(with v: SIMD16<Float>, code: inout SIMD16<Float>, _ k: Float) {
        let larger = v .> self
        replace(with: v, where: larger)
        code.replace(with: k, where: larger)
    }
    @inline(__always) func routed(_ code: SIMD16<Float>, _ k: Float) -> SIMD16<Float> {
        SIMD16<Float>(repeating: 0).replacing(with: self, where: code .== SIMD16<Float>(repeating: k))
    }
}
