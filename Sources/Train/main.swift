import ArgumentParser
import Foundation
import Pipeline
import Tensor

/// `train`: trains the network of a config on DATA (or on the built-in demo data).
@main
struct Train: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        StandardStreams.guardAtStart()      // before parsing: --help and --version print too
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a sound classifier (CNN or LSTM) described by a config in cfg/.",
        discussion: """
            train --mode conv [--data DIR] [--epochs N] [--seed N] [--resume] [--print-config]
            train --config cfg/mine.yaml ...
            train compare cfg/conv.yaml cfg/time.yaml [--data DIR] [--demo NAME] [--folds K]
            train --mode conv --folds 5    (cross-validation: mean and sd of test file accuracy)

            train --list-modes    (every --mode and where its config comes from)
            train --mode conv --json | --quiet    (for scripts: JSON lines, or only the result line)

            --mode M uses cfg/M.yaml (conv: the reference CNN, time: the reference LSTM network) from \
            the current folder, else from DATA, else the copy built into train; \
            `train fit --help` lists every option. When DATA is a folder with neither audio.csv nor \
            wavfiles/, the built-in demo data set is generated into DATA/demo and used (a DATA that does \
            not exist, or holds wavfiles/ without audio.csv, is an error); --demo NAME (quality, parts, study) uses \
            that built-in set instead of DATA's audio.csv (generated into DATA/demo-NAME when missing).
            """,
        version: EarmarkVersion.text,
        subcommands: [Fit.self, Compare.self],
        defaultSubcommand: Fit.self)
}

/// Options shared by `train` and `train compare`.
struct DataOptions: ParsableArguments {
    @Option(help: "Data folder holding audio.csv and wavfiles/ (outputs go beside them).")
    var data: String = "."

    @Option(help: "Use the built-in demo set NAME (quality, parts, study) in DATA/demo[-NAME], not audio.csv.")
    var demo: String?

    @Option(help: ArgumentHelp("With --demo: make the set from seed N instead of the shipped one, in "
                               + "DATA/demo[-NAME]-seedN (a development set: choose configs on it, then test "
                               + "once on the shipped set).", valueName: "N"))
    var demoSeed: UInt64?

    @Option(help: "Override the number of epochs of the config.")
    var epochs: Int?

    @Option(help: "Override the seed of the config (split, windows, initial weights, shuffles).")
    var seed: Int?

    @Option(help: ArgumentHelp("Cross-validate on K stratified (group-aware) folds of all files, then retrain on all.",
                               valueName: "K"))
    var folds: Int?

    @Option(help: ArgumentHelp("For tests: stop as Ctrl-C would after this many training steps.",
                               visibility: .hidden))
    var stopAfterSteps: Int?

    @Option(help: ArgumentHelp("For tests: rank R dies (SIGKILL) at its N-th training step.", valueName: "R:N",
                               visibility: .hidden))
    var abortRankAtStep: String?

    func validate() throws {
        if let a = abortRankAtStep, Self.parseAbort(a) == nil {
            throw ValidationError("--abort-rank-at-step: expected R:N (rank, step from 1), got '\(a)'")
        }
        // the config's range: a count beyond it overflowed a learning-rate schedule's step count (a trap)
        if let e = epochs, !TrainingConfig.epochRange.contains(e) {
            throw ValidationError("--epochs must be in \(TrainingConfig.epochRange.lowerBound)..."
                                  + "\(TrainingConfig.epochRange.upperBound) (as training.epochs), got \(e)")
        }
        if let k = folds, k < 2 { throw ValidationError("--folds must be at least 2, got \(k)") }
        if let s = seed, s < 0 { throw ValidationError("--seed must be non-negative, got \(s)") }
        if let name = demo { do { _ = try DemoSet.named(name) } catch { throw ValidationError("--demo: \(error)") } }
        if demoSeed != nil && demo == nil { throw ValidationError("--demo-seed needs --demo NAME") }
    }

    /// The data folder to train on: the demo set named by --demo (generated when missing), else DATA,
    /// or DATA/demo when DATA is a folder without audio.csv. A DATA that is not a folder (a mistyped
    /// path) is an error, not a reason to train on the demo data.
    func folder() throws -> DataFolder {
        try Cluster.current.rankZeroFirst { try localFolder() }    // one rank writes the demo data
    }

    private func localFolder() throws -> DataFolder {
        let given = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        if let name = demo {
            return try DemoData.ensure(try DemoSet.named(name), in: given, seed: demoSeed ?? DemoData.seed) { print($0) }
        }
        guard !given.hasTable else { return given }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: given.root.path, isDirectory: &isFolder)
        guard exists && isFolder.boolValue else {
            throw DataError(file: given.root.path, problem: exists ? "is a file, not a folder" : "no such folder",
                            hint: "--data names the folder that holds audio.csv and wavfiles/; without --data, or with "
                                + "--demo quality, train uses the built-in demo data")
        }
        // a folder with recordings but no table is a mistake (a misnamed audio.csv), not a request for
        // the demo data
        if FileManager.default.fileExists(atPath: given.wavfiles.path) {
            throw DataError(file: given.csv.path, problem: "does not exist, but \(given.wavfiles.lastPathComponent)/ does",
                            hint: "name the table audio.csv (header fname,label; the file name is case-sensitive)")
        }
        // on standard error, so that --quiet and --json runs say it too
        Diagnostics.warning("no audio.csv in \(given.root.path): using the built-in demo data set")
        return try DemoData.ensure(in: given) { print($0) }
    }

    func apply(to config: inout ExperimentConfig) {
        if epochs != nil && config.model.kind == .randomForest {
            Diagnostics.warning("\(config.source): --epochs does not apply to a random forest, which is fitted once; ignored")
        }
        if let e = epochs { config.training.epochs = e }
        if let s = seed { config.training.seed = s }
    }

    /// Installs the stop handlers (and the test step limit and rank death).
    func installStop() {
        StopSignal.install()
        if let n = stopAfterSteps { StopSignal.stop(afterSteps: n) }
        if let (rank, step) = abortRankAtStep.flatMap(Self.parseAbort), rank == Cluster.current.rank {
            StopSignal.die(atStep: step)
        }
    }

    /// (rank, step) of `R:N`, nil unless both are numbers (step at least 1).
    static func parseAbort(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[1] >= 1 else { return nil }
        return (parts[0], parts[1])
    }
}

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fit",
                                                    abstract: "Train one config (the default command).")

    @Option(help: ArgumentHelp("Config name: cfg/<mode>.yaml here, else in DATA, else built in "
                               + "(conv = reference CNN, time = reference LSTM)."))
    var mode: String?

    @Option(help: "Config file (instead of --mode).")
    var config: String?

    @OptionGroup var options: DataOptions

    @Flag(help: "Continue from the last checkpoint of this config.")
    var resume = false

    @Flag(help: "Print the config with every default filled in, and exit.")
    var printConfig = false

    @Flag(help: "List every mode (cfg/*.yaml here, in DATA and built in) and where each comes from, and exit.")
    var listModes = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let mode, let config {
            throw ValidationError("give --mode or --config, not both (--mode \(mode), --config \(config))")
        }
    }

    func run() throws {
        CLI.start()
        Cluster.start()
        let requested = DataFolder(root: URL(fileURLWithPath: options.data, isDirectory: true))
        if listModes {
            for (name, source) in ConfigLocator.modes(data: requested) { print("\(name)\t\(source)") }
            return
        }
        var cfg = CLI.report { try ConfigLocator.load(mode: mode, file: config, data: requested) }
        options.apply(to: &cfg)
        if printConfig { print(cfg.yaml(), terminator: ""); Cluster.finish(); return }
        let out = ScriptOutput(mode: output.mode)
        DataLock.hold(requested.root, owner: Cluster.current.rank == 0)
        let data = CLI.report { try options.folder() }
        DataLock.hold(resolved: data, requested: requested.root, owner: Cluster.current.rank == 0)
        options.installStop()
        let console: TrainingConsole = switch output.mode {
        case .text: KerasConsole()
        case .quiet: SilentConsole()
        case .json: JSONConsole(output: out)
        }
        let summary = CLI.report {
            try Workflow.train(config: cfg, data: data, resume: resume, folds: options.folds, console: console)
        }
        switch output.mode {
        case .text: break
        case .quiet: out.line(summary.resultLine(name: cfg.name, data: data))
        case .json: out.json(summary.resultJSON(name: cfg.name, data: data))
        }
        // the loss turned NaN after some epochs: the kept model's result is out, then status 1
        if let diverged = summary.nonFiniteLoss { CLI.report { throw diverged } }
        Cluster.finish()
        if summary.outcome == .interrupted { StandardStreams.exitKeepingStatus(130) }
    }
}

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train several configs on the same data and seed and compare them in one table.")

    @Argument(help: "Config files to compare, e.g. cfg/conv.yaml cfg/time.yaml.")
    var configs: [String]

    @OptionGroup var options: DataOptions

    func validate() throws {
        if configs.isEmpty { throw ValidationError("name at least one config file") }
    }

    func run() throws {
        CLI.start()
        Cluster.start()
        var loaded: [ExperimentConfig] = []
        for file in configs {
            var cfg = CLI.report { try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: file)) }
            options.apply(to: &cfg)
            loaded.append(cfg)
        }
        let requested = URL(fileURLWithPath: options.data, isDirectory: true)
        DataLock.hold(requested, owner: Cluster.current.rank == 0)
        let data = CLI.report { try options.folder() }
        DataLock.hold(resolved: data, requested: requested, owner: Cluster.current.rank == 0)
        options.installStop()
        let finished = CLI.report { try Workflow.compare(configs: loaded, data: data, folds: options.folds) }
        Cluster.finish()
        if !finished { StandardStreams.exitKeepingStatus(130) }
    }
}

/// `--quiet` and `--json` (`ScriptOutput`); at most one of them.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print only errors and the final result line.")
    var quiet = false

    @Flag(help: "Print one JSON object per line: an `epoch` event per epoch, then the `result` object.")
    var json = false

    func validate() throws {
        if quiet && json { throw ValidationError("give --quiet or --json, not both") }
    }

    var mode: ScriptOutput.Mode { json ? .json : quiet ? .quiet : .text }
}
