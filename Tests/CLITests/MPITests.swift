import Foundation
import TestSupport
import XCTest

/// Data-parallel training over Open MPI ranks (issue 12): `mpirun -np 2 train` on tiny generated data.
/// Every run uses one BLAS thread per replica, so the only difference between 2 ranks x 1 replica and
/// 1 rank x 2 replicas is where the two halves of each batch are computed: the same rows per half,
/// the same dropout streams (replica index rank * R + r), and a sum of two gradients, which is the
/// same float either way round (a + b == b + a). The weights must therefore be equal bit for bit.
final class MPITests: XCTestCase {
    static let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    var folders: [URL] = []
    override func tearDownWithError() throws { for f in folders { try? FileManager.default.removeItem(at: f) } }

    /// A fresh folder with the tiny data set (`classCount` classes) and cfg/tiny.yaml of `epochs` epochs.
    func makeData(epochs: Int, classCount: Int = 3) throws -> URL {
        let root = try makeTemporaryFolder("earmark-mpi")
        folders.append(root)
        try TinyData.make(in: root, epochs: epochs, classCount: classCount)
        return root
    }

    /// `train` on one rank with two replicas.
    func trainAlone(_ arguments: [String], in root: URL) throws -> CLI.Result {
        try CLI.run("train", arguments, in: root, environment: ["EARMARK_THREADS": "2"])
    }

    /// `train` on `ranks` ranks of one replica each, through mpirun (root allowed in tests only).
    func trainMPI(ranks: Int, _ arguments: [String], in root: URL, environment extra: [String: String] = [:],
                  whileRunning: ((Process) -> Void)? = nil) throws -> CLI.Result {
        guard let mpirun = Self.mpirun else {
            // `make test` installs openmpi-bin, so a missing launcher is a broken set-up, not a skip
            struct NoLauncher: Error, CustomStringConvertible {
                var description: String { "mpirun not found: install openmpi-bin (make test does)" }
            }
            throw NoLauncher()
        }
        let train = CLI.products.appendingPathComponent("train").path
        return try CLI.run(mpirun, ["--oversubscribe", "--bind-to", "none", "-np", "\(ranks)", train] + arguments,
                           in: root, environment: ["EARMARK_THREADS": "1", "OMPI_ALLOW_RUN_AS_ROOT": "1",
                                                   "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                                                   "EARMARK_MPI_TIMEOUT": "60"].merging(extra) { $1 },
                           whileRunning: whileRunning)
    }

    func model(_ root: URL) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
    }

    /// history.csv without the seconds column.
    func history(_ root: URL) throws -> [String] {
        try String(contentsOf: root.appendingPathComponent("runs/tiny/history.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
    }

    func testTwoRanksTrainTheWeightsOfOneRankWithTwoReplicasBitForBit() throws {
        let alone = try makeData(epochs: 1), ranks = try makeData(epochs: 1)
        let a = try trainAlone(["--mode", "tiny"], in: alone)
        XCTAssertEqual(a.status, 0, a.output)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny"], in: ranks)
        XCTAssertEqual(m.status, 0, m.output)
        XCTAssertEqual(try model(ranks), try model(alone), "2 ranks x 1 replica trained other weights than 1 x 2")
        XCTAssertEqual(try history(ranks), try history(alone))
        XCTAssertTrue(m.stdout.contains("test: file-level accuracy"), m.stdout)
        XCTAssertEqual(m.stdout.components(separatedBy: "Epoch 1/1").count - 1, 1,
                       "only rank 0 prints progress:\n\(m.stdout)")
        // the test files, scored shard by shard on the two ranks and gathered, give 1 rank's results
        XCTAssertEqual(testSection(m.stdout), testSection(a.stdout))
        XCTAssertFalse(testSection(m.stdout).isEmpty, m.stdout)
        let confusion = "runs/tiny/confusion.svg"
        XCTAssertEqual(try Data(contentsOf: ranks.appendingPathComponent(confusion)),
                       try Data(contentsOf: alone.appendingPathComponent(confusion)))
        XCTAssertTrue(m.stdout.contains("data-parallel: 2 ranks x 1 replicas; one allreduce per step"), m.stdout)
    }

    /// Two classes: the validation files are scored over the ranks as the test files are, so 2 ranks
    /// choose the threshold of 1 rank and count the same files at it. Not to the bit: a rank predicts
    /// its shard's windows in smaller batches, whose products may round the last bit of a probability
    /// otherwise (the test files' accuracies above are equal, being argmaxes).
    func testTwoRanksChooseTheDecisionThresholdOfOneRank() throws {
        let alone = try makeData(epochs: 2, classCount: 2), ranks = try makeData(epochs: 2, classCount: 2)
        let a = try trainAlone(["--mode", "tiny", "--json"], in: alone)
        XCTAssertEqual(a.status, 0, a.output)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny", "--json"], in: ranks)
        XCTAssertEqual(m.status, 0, m.output)
        func operatingPoint(_ out: String) throws -> [String: Any] {
            let result = try XCTUnwrap(try jsonLines(out).last, out)
            return try XCTUnwrap((result["test"] as? [String: Any])?["operating_point"] as? [String: Any], out)
        }
        let one = try operatingPoint(a.stdout), two = try operatingPoint(m.stdout)
        for set in ["validation", "test"] {
            XCTAssertEqual(two[set] as? [String: AnyHashable], one[set] as? [String: AnyHashable], set)
        }
        let t1 = try XCTUnwrap(one["threshold"] as? Double, "\(one)"), t2 = try XCTUnwrap(two["threshold"] as? Double)
        XCTAssertEqual(t2, t1, accuracy: 1e-5 * t1)
    }

    /// The training options that act between epochs or on the summed gradients (early stopping, the
    /// learning-rate plateau, clipping, weight decay): 2 ranks take the same decisions after the same
    /// epochs as 1 rank with 2 replicas, and train the same weights bit for bit.
    /// `train --mode tiny` with `options` added to its training section, alone (2 replicas) and on 2
    /// ranks (1 replica each): the same history and weights. Returns both outputs.
    func trainAloneAndOnTwoRanks(epochs: Int, options: String) throws -> (alone: URL, ranks: URL, outputs: [String]) {
        let alone = try makeData(epochs: epochs), ranks = try makeData(epochs: epochs)
        for root in [alone, ranks] {
            let cfg = root.appendingPathComponent("cfg/tiny.yaml")
            try String(contentsOf: cfg, encoding: .utf8)
                .replacingOccurrences(of: "  batch_size: 16\n", with: "  batch_size: 16\n" + options + "\n")
                .write(to: cfg, atomically: true, encoding: .utf8)
        }
        let a = try trainAlone(["--mode", "tiny"], in: alone)
        XCTAssertEqual(a.status, 0, a.output)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny"], in: ranks)
        XCTAssertEqual(m.status, 0, m.output)
        XCTAssertEqual(try history(ranks), try history(alone))
        XCTAssertEqual(try model(ranks), try model(alone), "2 ranks x 1 replica trained other weights than 1 x 2")
        return (alone, ranks, [a.stdout, m.stdout])
    }

    func testTrainingCallbacksAndClippingOnTwoRanksGiveTheWeightsOfTwoReplicas() throws {
        let options = """
              weight_decay: 0.01
              clipnorm: 0.5
              early_stopping: {patience: 3, min_delta: 1}
              reduce_lr_on_plateau: {factor: 0.5, patience: 1, min_delta: 1}
            """
        let run = try trainAloneAndOnTwoRanks(epochs: 8, options: options)
        for out in run.outputs {
            XCTAssertTrue(out.contains("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.00025."), out)
            XCTAssertTrue(out.contains("early stopping after epoch 4 of 8"), out)
            XCTAssertFalse(out.contains("Epoch 5/8"), out)
        }
        XCTAssertEqual(try history(run.ranks).count, 5, "a header and 4 epochs")
    }

    /// A learning-rate schedule (the rate of every update from the update count, which the ranks share)
    /// and the saved epoch chosen by the validation loss (gathered over the ranks' shards).
    func testScheduleAndModelCheckpointOnTwoRanksGiveTheWeightsOfTwoReplicas() throws {
        let options = """
              learning_rate_schedule: {kind: cosine_decay, warmup_target: 0.005, warmup_steps: 3}
              model_checkpoint: {monitor: val_loss}
            """
        let run = try trainAloneAndOnTwoRanks(epochs: 3, options: options)
        for out in run.outputs { XCTAssertTrue(out.contains(" (saved)"), out) }
    }

    /// EARMARK_STEP_PHASES=1 prints where rank 0's steps went, with the wait for the other rank measured
    /// by an extra one-float allreduce, which must not change what is trained.
    func testStepPhasesNameEveryPhaseOfARankAndChangeNothing() throws {
        let alone = try makeData(epochs: 1), ranks = try makeData(epochs: 1)
        XCTAssertEqual(try trainAlone(["--mode", "tiny"], in: alone).status, 0)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny"], in: ranks, environment: ["EARMARK_STEP_PHASES": "1"])
        XCTAssertEqual(m.status, 0, m.output)
        XCTAssertEqual(try model(ranks), try model(alone), "the wait probe changed the trained weights")
        let line = m.stdout.split(separator: "\n").first { $0.hasPrefix("step phases (rank 0 of 2): ") }
        XCTAssertNotNil(line, m.stdout)
        for phase in ["compute ", "pack ", "wait ", "allreduce ", "unpack ", "optimizer "] {
            XCTAssertTrue(line?.contains(phase) == true, "\(phase)in \(line ?? "")")
        }
        // the step time of whole epochs, as the 2-rank line prints it (benchmarks/mpi_scaling.sh reads it)
        XCTAssertNotNil(line?.range(of: #"steps\), step [0-9]+\.[0-9]{3} ms$"#, options: .regularExpression), String(line ?? ""))
    }

    /// The lines from `test: file-level accuracy` up to `model:` (accuracies, per-class table, ROC AUC).
    func testSection(_ stdout: String) -> [Substring] {
        let lines = stdout.split(separator: "\n")
        guard let start = lines.firstIndex(where: { $0.hasPrefix("test: file-level accuracy") }) else { return [] }
        return Array(lines[start...].prefix { !$0.hasPrefix("model:") })
    }

    /// Every file under `folder` (relative path -> contents).
    func files(under folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard !url.hasDirectoryPath, let data = try? Data(contentsOf: url) else { continue }
            out[String(url.path.dropFirst(folder.path.count))] = data
        }
        return out
    }

    /// Columns `keep` of every line of a CSV file (the others hold times).
    func columns(_ url: URL, keep: [Int]) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return keep.map { String(cells[$0]) }.joined(separator: ",")
        }
    }

    func testCompareWithFoldsOnTwoRanksGivesTheResultsOfOneRank() throws {
        let alone = try makeData(epochs: 1), ranks = try makeData(epochs: 1)
        for root in [alone, ranks] {   // a second config: another dense width, another name
            try TinyData.writeVariant(in: root, named: "wide", replacing: ["units: 8": "units: 12"])
        }
        let arguments = ["compare", "cfg/tiny.yaml", "cfg/wide.yaml", "--folds", "2"]
        let a = try trainAlone(arguments, in: alone)
        XCTAssertEqual(a.status, 0, a.output)
        let m = try trainMPI(ranks: 2, arguments, in: ranks)
        XCTAssertEqual(m.status, 0, m.output)
        // the best models (checkpoints hold the epochs' seconds too)
        func models(_ root: URL) throws -> [String: Data] {
            try files(under: root.appendingPathComponent("models")).filter { !$0.key.contains(".checkpoint.") }
        }
        let names = try models(ranks).keys.sorted()
        XCTAssertEqual(names.count, 6, "2 configs x (2 folds + final): \(names)")
        XCTAssertEqual(try models(ranks), try models(alone),
                       "2 ranks trained other fold or final models than 1 rank with 2 replicas")
        for name in ["runs/tiny/folds.csv", "runs/wide/folds.csv", "runs/compare/compare_folds.csv"] {
            XCTAssertEqual(try String(contentsOf: ranks.appendingPathComponent(name), encoding: .utf8),
                           try String(contentsOf: alone.appendingPathComponent(name), encoding: .utf8), name)
        }
        // config, parameters, best validation accuracy, test accuracy (folds' mean) and its sd; not the times
        let table = "runs/compare/compare.csv"
        XCTAssertEqual(try columns(ranks.appendingPathComponent(table), keep: [0, 1, 4, 5, 7]),
                       try columns(alone.appendingPathComponent(table), keep: [0, 1, 4, 5, 7]))
        XCTAssertEqual(m.stdout.components(separatedBy: "cross-validation: 2 folds").count,
                       a.stdout.components(separatedBy: "cross-validation: 2 folds").count, m.stdout)
    }

    func testAugmentationOnTwoRanksGivesTheWeightsOfTwoReplicas() throws {
        let augmentation = """
            augmentation:
              gain_db: [-6, 6]
              time_shift_seconds: 0.05
              noise: {kind: white, snr_db: [10, 30], probability: 0.5}
              spec_augment: {time_masks: 1, time_width: 4, freq_masks: 1, freq_width: 3}
              mixup: {alpha: 0.4}
            """
        let alone = try makeData(epochs: 1), ranks = try makeData(epochs: 1)
        for root in [alone, ranks] { try TinyData.writeConfig(in: root, epochs: 1, extra: augmentation) }
        let a = try trainAlone(["--mode", "tiny"], in: alone)
        XCTAssertEqual(a.status, 0, a.output)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny"], in: ranks)
        XCTAssertEqual(m.status, 0, m.output)
        XCTAssertEqual(try model(ranks), try model(alone),
                       "augmented: 2 ranks x 1 replica trained other weights than 1 x 2")
        XCTAssertEqual(try history(ranks), try history(alone))
        // augmentation is on: the weights differ from a run without it (the tensors, not the file,
        // whose stored config differs anyway)
        let plain = try makeData(epochs: 1)
        XCTAssertEqual(try trainAlone(["--mode", "tiny"], in: plain).status, 0)
        let file = "models/tiny.safetensors"
        XCTAssertNotEqual(try ModelFiles.tensors(plain.appendingPathComponent(file)),
                          try ModelFiles.tensors(alone.appendingPathComponent(file)))
    }

    /// A warning is printed once, by rank 0, not once per rank (every rank meets the same rows).
    func testWarningsArePrintedOnceNotOncePerRank() throws {
        let root = try makeData(epochs: 1)
        let table = try String(contentsOf: root.appendingPathComponent("audio.csv"), encoding: .utf8)
        let columns = table.prefix { $0 != "\n" }.split(separator: ",").count
        try (table + "missing.wav,hum" + String(repeating: ",", count: columns - 2) + "\n")
            .write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let m = try trainMPI(ranks: 2, ["--mode", "tiny", "--quiet"], in: root)
        XCTAssertEqual(m.status, 0, m.output)
        XCTAssertEqual(m.stderr.components(separatedBy: "missing.wav' not found; row skipped").count - 1, 1, m.stderr)
    }

    func testADeadRankEndsTheJobWithAnErrorNamingItAndNoFiles() throws {
        let root = try makeData(epochs: 1)
        let start = Date()
        let m = try trainMPI(ranks: 2, ["--mode", "tiny", "--abort-rank-at-step", "1:2"], in: root)
        let seconds = Date().timeIntervalSince(start)
        XCTAssertNotEqual(m.status, 0, m.output)
        XCTAssertLessThan(seconds, 45, "the surviving rank must not wait for the dead one:\n\(m.output)")
        XCTAssertTrue(m.output.contains("rank 1"), "the dead rank is named:\n\(m.output)")
        let written = try files(under: root.appendingPathComponent("models"))
        XCTAssertTrue(written.isEmpty, "no model or checkpoint from a failed run: \(written.keys.sorted())")
    }

    /// Signals to mpirun after the first epoch, as a user or a scheduler sends them. SIGUSR1, which Open
    /// MPI forwards to every rank and lets them finish: the ranks stop after the same step (the stop
    /// request travels in the step's allreduce), rank 0 alone writes the one checkpoint and says so, and
    /// the job exits 130 as one process would. SIGTERM or Ctrl-C (SIGINT), on which Open MPI aborts the
    /// job (SIGTERM to the ranks, SIGKILL a second later) and may drop their last lines: the job ends
    /// without an error line. In every case one rank resuming the checkpoint ends with the weights of an
    /// uninterrupted run, so no rank went past the step the checkpoint holds.
    func testASignalToMpirunStopsEveryRankAtOneCheckpointThatResumesToTheUninterruptedWeights() throws {
        let epochs = 300            // tiny epochs of a few ms: the signal lands long before the last one
        let reference = try makeData(epochs: epochs)
        let r = try trainAlone(["--mode", "tiny"], in: reference)
        XCTAssertEqual(r.status, 0, r.output)
        for signal in [SIGUSR1, SIGTERM, SIGINT] {
            let root = try makeData(epochs: epochs)
            let history = root.appendingPathComponent("runs/tiny/history.csv")
            let stopped = try trainMPI(ranks: 2, ["--mode", "tiny"], in: root) { mpirun in
                // the first epoch's history line, then the signal to mpirun alone
                let deadline = Date().addingTimeInterval(120)
                while mpirun.isRunning && !FileManager.default.fileExists(atPath: history.path) && Date() < deadline {
                    usleep(2_000)
                }
                kill(mpirun.processIdentifier, signal)
            }
            let messages = stopped.stdout.components(separatedBy: "stopped: checkpoint written").count - 1
            if signal == SIGUSR1 {
                XCTAssertEqual(stopped.status, 130, stopped.output)
                XCTAssertEqual(messages, 1, "one checkpoint message, from rank 0:\n\(stopped.output)")
            } else {
                XCTAssertNotEqual(stopped.status, 0, "signal \(signal) came after the run ended?\n\(stopped.output)")
                XCTAssertLessThanOrEqual(messages, 1, stopped.output)
            }
            XCTAssertFalse(stopped.output.contains("error:"), "signal \(signal):\n\(stopped.output)")
            let resumed = try trainAlone(["--mode", "tiny", "--resume"], in: root)
            XCTAssertEqual(resumed.status, 0, resumed.output)
            XCTAssertTrue(resumed.stdout.contains("resuming tiny at epoch"), resumed.stdout)
            XCTAssertEqual(try model(root), try model(reference), "stopped by signal \(signal), resumed on 1 rank")
        }
    }

    func testResumeWithAnotherRankCountGivesTheUninterruptedWeights() throws {
        let reference = try makeData(epochs: 2)
        let r = try trainAlone(["--mode", "tiny"], in: reference)
        XCTAssertEqual(r.status, 0, r.output)

        let twoToOne = try makeData(epochs: 2)
        let stopped = try trainMPI(ranks: 2, ["--mode", "tiny", "--stop-after-steps", "3"], in: twoToOne)
        XCTAssertNotEqual(stopped.status, 0, stopped.output)
        XCTAssertTrue(stopped.stdout.contains("stopped: checkpoint written"), stopped.output)
        let resumed = try trainAlone(["--mode", "tiny", "--resume"], in: twoToOne)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.stdout.contains("resuming tiny at epoch 1, step 4"), resumed.stdout)
        XCTAssertEqual(try model(twoToOne), try model(reference), "2 ranks stopped, 1 rank resumed")

        let oneToTwo = try makeData(epochs: 2)
        let first = try trainAlone(["--mode", "tiny", "--stop-after-steps", "3"], in: oneToTwo)
        XCTAssertEqual(first.status, 130, first.output)
        let second = try trainMPI(ranks: 2, ["--mode", "tiny", "--resume"], in: oneToTwo)
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.stdout.contains("resuming tiny at epoch 1, step 4"), second.stdout)
        XCTAssertEqual(try model(oneToTwo), try model(reference), "1 rank stopped, 2 ranks resumed")
        XCTAssertEqual(try history(oneToTwo), try history(reference))
    }
}
