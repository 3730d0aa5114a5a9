import ArgumentParser
import Foundation
import Layers
import Tensor

/// `bench conv-layer`: one 3x3 'same' ReLU convolution of the reference CNN's shape, (N, 9, 13, C) ->
/// (N, 9, 13, F), its forward (training) and backward (kernel and input gradient) timed apart on the
/// calling thread, many times; prints the fastest and the median of each. For comparing two builds
/// of a layer's kernels on a noisy host: the fastest of hundreds of runs moves far less than a
/// whole training step does. `--crop` computes only the 8 x 12 outputs a 2x2 pool reads (the
/// reference CNN's conv2d_3: C 64, F 128). `--pool` times the convolution and the 2x2 max pool after
/// it together, as `Sequential` pairs them (cropped, the pool fused into the convolution when its tiles
/// allow; `--unfused` keeps the two apart). `--small-tiles` keeps F(2x2, 3x3) tiles where the layer
/// would take F(3x3, 3x3) ones (its 9 x 13 output), to time the two alternately.
struct ConvLayerProbe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv-layer",
        abstract: "Time one 3x3 convolution's forward and backward (fastest and median of --iterations).")

    @Option(help: "Input channels C.") var channels = 64
    @Option(help: "Filters F.") var filters = 128
    @Flag(help: "Compute only the 8 x 12 outputs a 2x2 max pool reads.") var crop = false
    @Flag(help: "Time the convolution with the 2x2 max pool after it, as a model pairs them.") var pool = false
    @Flag(help: "With --pool: run the pool apart instead of fused into the convolution.") var unfused = false
    @Flag(help: "F(2x2, 3x3) tiles where the layer would take F(3x3, 3x3) ones (its full 9 x 13 output).")
    var smallTiles = false
    @Option(help: "Batch N (a replica's rows of the reference batch of 32 on 2 cores: 16).") var batch = 16
    @Option(help: "Timed forward + backward pairs.") var iterations = 300

    func validate() throws {
        // the ranges a config's conv2d takes for the channels and filters; a batch and an iteration count
        // that stay within memory and time (huge values overflowed the buffer sizes and trapped)
        for (name, value, limit) in [("--channels", channels, 65536), ("--filters", filters, 65536),
                                     ("--batch", batch, 4096), ("--iterations", iterations, 1_000_000)]
        where !(1...limit).contains(value) {
            throw ValidationError("\(name) must be 1...\(limit), got \(value)")
        }
    }

    func run() throws {
        FloatEnvironment.flushDenormalsToZero()
        let layer = Conv2D(filters: filters, kernelSize: (3, 3), padding: .same, activation: .relu)
        layer.fusesPool = !unfused
        layer.mediumWinogradTiles = !smallTiles
        var rng = RandomGenerator(seed: 1)
        let layers: [Layer] = pool ? [layer, MaxPool2D(poolSize: (2, 2))] : [layer]
        let model = try Sequential(inputShape: [9, 13, channels], layers: layers, seed: 1)
        if crop { layer.outputCrop = (8, 12) }
        var x = Tensor(shape: [batch, 9, 13, channels])
        for i in 0..<x.count { x.data[i] = rng.nextUniform() - 0.3 }
        var forward: [Double] = [], backward: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            let y = model.forward(x, training: true)
            let forwardEnd = DispatchTime.now().uptimeNanoseconds
            var dy = Tensor(shape: y.shape)
            for i in 0..<dy.count { dy.data[i] = Float(i % 7) * 0.01 - 0.03 }
            let backwardStart = DispatchTime.now().uptimeNanoseconds
            model.backward(dy)
            let end = DispatchTime.now().uptimeNanoseconds
            model.zeroGrad()
            forward.append(Double(forwardEnd - start) / 1e3)
            backward.append(Double(end - backwardStart) / 1e3)
        }
        forward.sort(); backward.sort()
        let what = (pool ? (unfused ? " + pool apart" : " + pool fused") : (crop ? " (8 x 12 computed)" : ""))
            + (smallTiles ? ", F(2x2, 3x3) tiles" : "")
        print(String(format: "conv %d -> %d%@, batch %d: forward fastest %.1f us, median %.1f; backward fastest %.1f us, median %.1f",
                     channels, filters, what, batch, forward[0], forward[forward.count / 2],
                     backward[0], backward[backward.count / 2]))
    }
}
