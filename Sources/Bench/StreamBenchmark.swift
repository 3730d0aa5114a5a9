import ArgumentParser
import Audio
import Foundation
import Pipeline
import Tensor

/// `bench stream`: the latency of `predict --stream` per window. The reference CNN (random weights,
/// BenchAudio.referenceModel) classifies BenchAudio's bursts signal (tone bursts and near-silent
/// gaps) fed as raw s16le in pieces of `--piece-ms`, as `arecord` delivers a period; each line goes
/// through a pipe (written with write(2), as `predict --stream` writes standard output) and is read
/// back. A window's latency is the time from handing the piece that completes it (the piece with
/// the sample the envelope gate needs to decide the window's last sample) to its line being read
/// from the pipe: decoding, resampling, gating, MFCC, scaling, the network, formatting and the pipe.
/// The signal delay the gate's look-ahead (and libsoxr's filter) adds before that is reported apart.
struct StreamBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Time predict --stream: from the piece completing a window to its line (median over windows).")

    @Option(help: "Seconds of signal per case.")
    var seconds = 60
    @Option(help: "Milliseconds of audio per piece fed to the stream.")
    var pieceMs = 10
    @Option(help: "Seed of the model weights and the signal.")
    var seed: UInt64 = 5

    func validate() throws {
        guard seconds > 0, pieceMs > 0 else { throw ValidationError("--seconds and --piece-ms must be positive") }
    }

    func run() throws {
        FloatEnvironment.flushDenormalsToZero()
        let model = try BenchAudio.referenceModel(seed: seed)
        let cpu = MachineInfo.collect()["cpu"] ?? "unknown CPU"
        print("predict --stream latency, reference CNN (random weights), \(pieceMs) ms pieces, \(cpu), "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores, BLAS \(BLAS.coreName)")
        print("case                 windows  median ms  p95 ms  max ms  signal delay ms (median)")
        for (rate, channels) in [(16000, 1), (44100, 2)] {
            let r = try measure(model: model, rate: rate, channels: channels)
            print(String(format: "%-20@ %7d  %9.3f  %6.3f  %6.3f  %.1f", "s16le \(rate) Hz x\(channels)" as NSString,
                         r.latencies.count, Timing.median(r.latencies) * 1000, percentile(r.latencies, 0.95) * 1000,
                         (r.latencies.max() ?? 0) * 1000, Timing.median(r.delays) * 1000))
        }
    }

    func percentile(_ values: [Double], _ q: Double) -> Double {
        let s = values.sorted()
        return s[min(s.count - 1, Int(Double(s.count - 1) * q))]
    }

    /// Latencies (s) of every window and its signal delay (s): the audio that had to follow its last sample.
    func measure(model: TrainedModel, rate: Int, channels: Int) throws -> (latencies: [Double], delays: [Double]) {
        let mono = BenchAudio.bursts(seconds: seconds, rate: rate, seed: seed)
        var bytes = [UInt8]()
        bytes.reserveCapacity(mono.count * channels * 2)
        for s in mono {
            let v = Int16(max(-32768, min(32767, (Double(s) * 32768).rounded())))
            for _ in 0..<channels { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        let options = StreamWorkflow.Options(rate: rate, format: .s16le, channels: channels)
        let session = try StreamSession(model: model, modelName: "bench", options: options)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BenchError("pipe failed") }
        defer { close(fds[0]); close(fds[1]) }
        let piece = max(1, rate * pieceMs / 1000) * channels * 2
        var latencies: [Double] = [], delays: [Double] = []
        var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            var ends: [Double] = []
            let t0 = Timing.now()
            try bytes[start..<end].withUnsafeBytes { chunk in
                try session.push(chunk) { line in
                    let data = Array((line + "\n").utf8)
                    _ = data.withUnsafeBytes { write(fds[1], $0.baseAddress!, $0.count) }
                    _ = readBuffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) }
                    ends.append(Timing.now())
                    if let time = Double(line.prefix { $0 != "\t" }) {
                        delays.append(Double(end / (channels * 2)) / Double(rate) - time)
                    }
                }
            }
            // a piece completing several windows: each line's latency counts from the piece's arrival
            latencies += ends.map { $0 - t0 }
            start = end
        }
        _ = try session.finish { _ in }
        guard latencies.count > 100 else { throw BenchError("only \(latencies.count) windows: use more --seconds") }
        return (latencies, delays)
    }
}
