import ArgumentParser
import Durable
import Audio
import Foundation
import Pipeline
import Tensor

/// `preprocess`: cleans the data set into clean/ (and draws the exploratory plots), exports the
/// features of one clip as .npy, or the descriptor table of a data set as .csv or .npy.
@main
struct Preprocess: ParsableCommand {
    /// Switches OpenBLAS to the best kernels this CPU runs (`BLASKernelSwitch`), then parses and runs.
    static func main() {
        StandardStreams.guardAtStart()      // before parsing: --help and --version print too
        BLASKernelSwitch.runBestKernels()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Clean audio (decode, mono, resample, envelope gate) and export features.",
        version: EarmarkVersion.text,
        subcommands: [Clean.self, Features.self, Descriptors.self],
        defaultSubcommand: Clean.self)
}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write DATA/clean/ for missing or stale files (the default command).")

    @Option(help: "Data folder holding audio.csv and wavfiles/.")
    var data: String = "."

    @Option(help: "Clean the built-in demo set NAME (quality, parts, study; made when missing), not audio.csv.")
    var demo: String?

    @Option(help: ArgumentHelp("With --demo: make the set from seed N instead of the shipped one, in "
                               + "DATA/demo[-NAME]-seedN (a development set).", valueName: "N"))
    var demoSeed: UInt64?

    @Option(help: "Config name (cfg/<mode>.yaml) whose rate and threshold are used.")
    var mode: String?

    @Option(help: "Config file (instead of --mode).")
    var config: String?

    @Flag(help: ArgumentHelp("Also write the exploratory figures (signals, FFT, filter bank, MFCC, class distribution) "
                             + "to DATA/plots/."))
    var plots = false

    func validate() throws {
        if let mode, let config {
            throw ValidationError("give --mode or --config, not both (--mode \(mode), --config \(config))")
        }
        if demoSeed != nil && demo == nil { throw ValidationError("--demo-seed needs --demo NAME") }
        if let name = demo { do { _ = try DemoSet.named(name) } catch { throw ValidationError("--demo: \(error)") } }
    }

    func run() throws {
        CLI.start()
        let given = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        DataLock.hold(given.root)
        let cfg = CLI.report { try ConfigLocator.load(mode: mode, file: config, data: given) }
        let folder = demo.map { name in
            CLI.report {
                try DemoData.ensure(try DemoSet.named(name), in: given, seed: demoSeed ?? DemoData.seed) { print($0) }
            }
        } ?? given
        DataLock.hold(resolved: folder, requested: given.root)
        guard folder.hasTable else {
            CLI.report {
                throw FileError(folder.csv.path,
                                "does not exist: preprocess needs audio.csv (columns fname,label) and wavfiles/")
            }
            return
        }
        CLI.report { try PreprocessWorkflow.clean(config: cfg, data: folder, plots: plots) }
    }
}

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the features of a whole clip (not cleaned) as a float32 .npy (frames x coefficients).")

    @Argument(help: "Audio file.")
    var clip: String

    @Option(help: "mfcc, logfbank or logmel.")
    var kind: String = "mfcc"

    @Option(help: "Resample to this rate first, 1000...384000 Hz (default: the clip's own rate).")
    var rate: Int?

    @Option(help: "FFT size, 16...65536 (default 512; logmel: 1024).")
    var nfft: Int?

    @Option(help: "Mel filters, 1...512 (mfcc, logfbank; default 26).")
    var nfilt: Int?

    @Option(help: "Cepstral coefficients kept, 1...nfilt (mfcc; default 13).")
    var numcep: Int?

    @Option(help: "Mel bands, 1...512 (logmel; default 64).")
    var nMels: Int?

    @Option(help: "Samples between frames, 1...65536 (logmel; default 512).")
    var hopLength: Int?

    @Option(help: "Output .npy file.")
    var out: String

    func validate() throws {
        guard ["mfcc", "logfbank", "logmel"].contains(kind) else {
            throw ValidationError("--kind must be mfcc, logfbank or logmel, got \(kind)")
        }
        if let problem = OutputCollision.extensionProblem(out, ["npy"], writing: "a float32 NumPy array") {
            throw ValidationError(problem)
        }
        if let r = rate, !(1000...384_000).contains(r) {   // features.rate's range
            throw ValidationError("--rate must be 1000...384000 Hz, got \(r)")
        }
        // each kind's options, in the ranges a config's keys take; another kind's option is refused
        // (it was ignored without a word)
        let mine: [String: Int?] = kind == "logmel" ? ["--n-mels": nMels, "--hop-length": hopLength]
            : kind == "mfcc" ? ["--nfilt": nfilt, "--numcep": numcep] : ["--nfilt": nfilt]
        let all: [String: Int?] = ["--nfilt": nfilt, "--numcep": numcep, "--n-mels": nMels, "--hop-length": hopLength]
        for (option, value) in all.sorted(by: { $0.key < $1.key }) where value != nil && mine[option] == nil {
            throw ValidationError("\(option) does not go with --kind \(kind) (it takes "
                                  + "\(mine.keys.sorted().joined(separator: ", ")) and --nfft)")
        }
        let ranges = [("--nfft", nfft, 16...65536), ("--nfilt", nfilt, 1...512), ("--numcep", numcep, 1...512),
                      ("--n-mels", nMels, 1...512), ("--hop-length", hopLength, 1...65536)]
        for (option, value, range) in ranges {
            if let value, !range.contains(value) {
                throw ValidationError("\(option) must be \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
        }
        if let n = numcep, n > (nfilt ?? 26) {
            throw ValidationError("--numcep (\(n)) cannot exceed --nfilt (\(nfilt ?? 26))")
        }
    }

    func run() throws {
        CLI.start()
        InterruptedWrite.removeOnSignal()     // --out may be anywhere: no sweep passes there
        let output = CLI.report { try OutputCollision.target(out, ["npy"], writing: "a float32 NumPy array") }
        CLI.report { try OutputCollision.refuse(output: output, inputs: [(URL(fileURLWithPath: clip), "the clip")]) }
        let shape = CLI.report {
            try PreprocessWorkflow.features(clip: URL(fileURLWithPath: clip), kind: FeatureKind(rawValue: kind)!,
                                            rate: rate, nfft: nfft ?? (kind == "logmel" ? 1024 : 512), nfilt: nfilt ?? 26,
                                            numcep: numcep ?? 13, nMels: nMels ?? 64, hopLength: hopLength ?? 512,
                                            out: output)
        }
        print("\(out): \(shape.frames) frames x \(shape.width) \(kind)")
    }
}

struct Descriptors: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the per-clip descriptor table of DATA (one row per usable clip) as .csv "
            + "(named columns) or .npy.")

    @Option(help: "Data folder holding audio.csv and wavfiles/.")
    var data: String = "."

    @Option(help: "Config name (cfg/<mode>.yaml) whose feature settings are used.")
    var mode: String?

    @Option(help: "Config file (instead of --mode).")
    var config: String?

    @Option(help: "Output file: .csv (fname, label and named columns) or .npy (float32, rows x columns).")
    var out: String

    func validate() throws {
        if let mode, let config {
            throw ValidationError("give --mode or --config, not both (--mode \(mode), --config \(config))")
        }
        if let problem = OutputCollision.extensionProblem(out, ["csv", "npy"], writing: "the descriptor table") {
            throw ValidationError(problem)
        }
    }

    func run() throws {
        CLI.start()
        let folder = DataFolder(root: URL(fileURLWithPath: data, isDirectory: true))
        DataLock.hold(folder.root)
        let cfg = CLI.report { try ConfigLocator.load(mode: mode, file: config, data: folder) }
        guard folder.hasTable else {
            CLI.report {
                throw FileError(folder.csv.path, "does not exist: preprocess needs audio.csv (columns fname,label) "
                                + "and wavfiles/")
            }
            return
        }
        let output = CLI.report { try OutputCollision.target(out, ["csv", "npy"], writing: "the descriptor table") }
        CLI.report { try OutputCollision.refuse(output: output, inputs: [(folder.csv, "the data's table")]) }
        let written = CLI.report { try DescriptorExport.run(config: cfg, data: folder, to: output) }
        print("\(out): \(written.rows) clips x \(written.columns) descriptors")
    }
}
