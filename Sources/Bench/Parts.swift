import Foundation
import Tensor

/// What a part needs to run.
struct PartContext {
    var windows: BenchWindows
    var batchSize: Int
    var warmup: Int
    var repeats: Int
    /// Data-parallel replicas (1: one model, multithreaded BLAS).
    var replicas: Int
    /// FTZ/DAZ on the worker threads too.
    var flushDenormals: Bool
    /// The common options as arguments, for child processes.
    var commonArguments: [String]
    /// The audio files and model file of the audio parts (written before the first of them runs).
    var audio: BenchAudio
    /// The `predict` executable timed by the `predict` part.
    var predictExecutable: URL
}

/// The benchmark's parts, in the order they run. A new figure is a new case here and a file of its own.
enum Part: String, CaseIterable {
    case cnn, rnn, peak, memory, mfcc, clean, predict

    /// Whether the part reads the files of `BenchAudio`.
    var usesAudio: Bool { self == .mfcc || self == .clean || self == .predict }

    func run(_ c: PartContext, into report: inout Report) throws {
        switch self {
        case .cnn: try runModel(.cnn, c, into: &report)
        case .rnn: try runModel(.rnn, c, into: &report)
        case .peak:
            let cores = ProcessInfo.processInfo.activeProcessorCount
            // a ceiling: the best of the timed runs (a run the host slowed says nothing about the CPU)
            let runs = FMAPeak.measure(threads: cores)
            report.figures.append(Figure(key: "fma_peak_gflops",
                                         label: "FMA peak, \(cores) threads (register-only FMA chains, best of \(runs.count))",
                                         unit: "GFLOP/s", samples: [runs.max()!]))
        case .memory:
            let mib = try PeakMemory.probe(arguments: c.commonArguments + ["--network", "cnn", "--passes", "2"])
            report.figures.append(Figure(key: "cnn_train_peak_rss_mib", label: "CNN training peak RSS",
                                         unit: "MiB", samples: [mib], higherIsBetter: false))
        case .mfcc:
            let r = try AudioBenchmark(audio: c.audio, warmup: c.warmup, repeats: c.repeats).runMFCC()
            report.settings["mfcc_windows"] = "\(r.windows) windows of 0.1 s at 16 kHz "
                + "(\(c.audio.mfccSignal.lastPathComponent)), (9, 13) each"
            report.figures += [
                Figure(key: "mfcc_windows_per_s", label: "MFCC (0.1 s windows, 16 kHz), 1 thread", unit: "windows/s",
                       samples: r.singleThread),
                Figure(key: "mfcc_windows_per_s_all_cores", label: "MFCC (0.1 s windows, 16 kHz), \(r.cores) threads",
                       unit: "windows/s", samples: r.allCores),
            ]
        case .clean:
            let bench = AudioBenchmark(audio: c.audio, warmup: c.warmup, repeats: c.repeats)
            report.figures += [
                Figure(key: "clean_seconds_per_s_44k", label: "Cleaning 44.1 kHz 16-bit WAV (decode, resample, gate)",
                       unit: "audio s/s", samples: try bench.runCleaning(c.audio.raw44k)),
                Figure(key: "clean_seconds_per_s_16k", label: "Cleaning 16 kHz 16-bit WAV (decode, gate)",
                       unit: "audio s/s", samples: try bench.runCleaning(c.audio.raw16k)),
            ]
            let cores = ProcessInfo.processInfo.activeProcessorCount
            for (key, rate, url) in [("44k", "44.1 kHz", c.audio.raw44k), ("16k", "16 kHz", c.audio.raw16k)] {
                let label = "Cleaning \(rate) 16-bit WAV, \(cores) files at once over \(cores) cores"
                let rates = try bench.runCleaningAllCores(url, cores: cores)
                report.figures.append(Figure(key: "clean_seconds_per_s_\(key)_all_cores", label: label,
                                             unit: "audio s/s", samples: rates))
            }
        case .predict:
            let process = PredictBenchmark(executable: c.predictExecutable, audio: c.audio, warmup: 1,
                                           repeats: max(c.repeats, 5))
            let inProcess = try PredictWarm(audio: c.audio, repeats: max(c.repeats, 5)).run()
            report.figures += [
                Figure(key: "predict_10s_clip_seconds", label: "predict one 10 s clip, process start to CSV",
                       unit: "s", samples: try process.run(), higherIsBetter: false),
                Figure(key: "predict_startup_seconds", label: "predict start-up alone (predict --version)",
                       unit: "s", samples: try process.startup(), higherIsBetter: false),
                Figure(key: "predict_10s_clip_seconds_first_in_process",
                       label: "one 10 s clip in-process, the first (clean + MFCC + CNN)",
                       unit: "s", samples: [inProcess.first], higherIsBetter: false),
                Figure(key: "predict_10s_clip_seconds_warm", label: "one 10 s clip in-process, warm (after the first)",
                       unit: "s", samples: inProcess.warm, higherIsBetter: false),
            ]
        }
    }

    /// Training and inference windows/s of a reference network, the sgemm limit of its products at
    /// the same batch size and thread count, and the fraction of that limit each figure reaches.
    private func runModel(_ network: ReferenceNetwork, _ c: PartContext, into report: inout Report) throws {
        let bench = ModelBenchmark(network: network, windows: c.windows, batchSize: c.batchSize,
                                   warmup: c.warmup, repeats: c.repeats, replicas: c.replicas,
                                   flushDenormals: c.flushDenormals)
        let r = try bench.run()
        if c.windows.classes == 10 && r.parameterCount != network.referenceParameterCount {
            throw BenchError("\(network.rawValue) has \(r.parameterCount) parameters, "
                             + "docs/WORKFLOW.md §6 says \(network.referenceParameterCount)")
        }
        // the products the layers issue (Layer.products): Winograd, output crops and column blocks included
        let products = r.products
        let training = products.forward + products.backward
        let inferenceOnly = products.inference.filter { !training.contains($0) }   // the fused steps' products
        let limit = try SgemmLimit(products: training + inferenceOnly, copies: c.replicas)
        let trainLimit = limit.gflops(training)
        let inferLimit = limit.gflops(products.inference)
        let n = Double(c.batchSize / c.replicas)      // the products are those of one replica's rows
        let trainFlops = products.trainingFlops / n, inferFlops = products.inferenceFlops / n
        let name = network.rawValue, title = network.rawValue.uppercased()
        func fraction(_ windowsPerSecond: [Double], _ flops: Double, _ limit: Double) -> Double {
            Timing.median(windowsPerSecond) * flops / 1e9 / limit
        }
        report.figures += [
            Figure(key: "\(name)_train_windows_per_s", label: "\(title) training (fwd+bwd+Adam)", unit: "windows/s",
                   samples: r.trainingWindowsPerSecond,
                   sgemmFraction: fraction(r.trainingWindowsPerSecond, trainFlops, trainLimit)),
            Figure(key: "\(name)_infer_windows_per_s", label: "\(title) inference", unit: "windows/s",
                   samples: r.inferenceWindowsPerSecond,
                   sgemmFraction: fraction(r.inferenceWindowsPerSecond, inferFlops, inferLimit)),
            Figure(key: "\(name)_train_sgemm_gflops", label: "\(title) training products, sgemm alone",
                   unit: "GFLOP/s", samples: [trainLimit]),
        ]
        report.flopsPerWindow["\(name)_train"] = trainFlops
        report.flopsPerWindow["\(name)_infer"] = inferFlops
        report.sgemmLimitGflops["\(name)_train"] = trainLimit
        report.sgemmLimitGflops["\(name)_infer"] = inferLimit
        report.products += limit.timed.map {
            ProductRow(model: name, label: $0.product.label, m: $0.product.m, n: $0.product.n, k: $0.product.k,
                       transA: $0.product.transA, transB: $0.product.transB, count: $0.product.count,
                       gflops: $0.gflops)
        }
    }
}
