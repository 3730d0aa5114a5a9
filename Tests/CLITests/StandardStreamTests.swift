import Foundation
import TestSupport
import XCTest

/// Standard output and standard error that cannot take a write (a full device, a closed descriptor)
/// never stop a command with a trap: Foundation's `FileHandle.write` did (SIGILL, status 132), so a
/// `train` whose warning met a full standard error died before saving its model, and a closed
/// standard output sent the lines into whatever file took descriptor 1 next.
final class StandardStreamTests: TinyDataCase {
    /// Runs a built product through the shell with `redirections` (`> /dev/full`, `2>&-`, ...).
    /// `unsetting` names variables removed from the environment first.
    func run(_ tool: String, _ arguments: [String], _ redirections: String,
             environment: [String: String] = [:], unsetting: [String] = []) throws -> CLI.Result {
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        let unset = unsetting.map { "unset \($0); " }.joined()
        return try CLI.run("/bin/sh", ["-c", "\(unset)exec \"$0\" \(quoted) \(redirections)",
                                       CLI.products.appendingPathComponent(tool).path], in: root,
                           environment: environment)
    }

    /// A command that executes itself again for better OpenBLAS kernels (as on a CPU OpenBLAS 0.3.21
    /// does not know, such as the Intel VM's) passes on the descriptors it was given closed, closed: the
    /// new image said nothing of a closed standard output (reopened on /dev/null, then /dev/full), or
    /// blamed a full device.
    func testAClosedDescriptorIsStillClosedAfterTheKernelReexecution() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let reexec = ["EARMARK_TEST_OPENBLAS_DETECTED": "Prescott"]
        let own = ["OPENBLAS_CORETYPE", "EARMARK_OPENBLAS_CORETYPE"]     // Earmark chooses only when neither is set
        let version = try run("train", ["--version"], "", environment: reexec, unsetting: own)
        guard version.stdout.contains("OpenBLAS detected Prescott") else {
            // no family better than Prescott on this CPU (no AVX2): nothing is re-executed
            print("SKIPPED testAClosedDescriptorIsStillClosedAfterTheKernelReexecution: \(version.stdout)")
            return
        }
        let clip = ["--model", "models/tiny.safetensors", "wavfiles/hum 0.wav", "--out", "p.csv"]
        let closed = try run("predict", clip, ">&-", environment: reexec, unsetting: own)
        XCTAssertEqual(closed.status, 1, closed.output)
        XCTAssertEqual(closed.stderr, "error: standard output: was closed when the command started: its output is lost\n")
        let stream = try run("predict", ["--stream", "--model", "models/tiny.safetensors"], "<&-", environment: reexec,
                             unsetting: own)
        XCTAssertEqual(stream.status, 1, stream.output)
        XCTAssertTrue(stream.stderr.contains("error: stdin: is closed"), stream.stderr)
    }

    /// The re-executed image takes back the command's name: an `execv` of /proc/self/exe named it
    /// "exe", which `pgrep -x train`, `killall` and `ps -C` did not find.
    func testTheReexecutedProcessKeepsItsName() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let version = try run("train", ["--version"], "", environment: ["EARMARK_TEST_OPENBLAS_DETECTED": "Prescott"],
                              unsetting: ["OPENBLAS_CORETYPE", "EARMARK_OPENBLAS_CORETYPE"])
        guard version.stdout.contains("OpenBLAS detected Prescott") else {
            return print("SKIPPED testTheReexecutedProcessKeepsItsName: no family better than Prescott on this CPU")
        }
        // predict --stream waits on its standard input (a pipe kept open by sleep) until the name is read;
        // /proc/PID/environ shows the variable once the new image runs
        let script = """
            sleep 30 | "$0" --stream --model models/tiny.safetensors > /dev/null 2>&1 &
            pid=$!
            for i in $(seq 1 200); do
                if tr '\\0' '\\n' < /proc/$pid/environ 2>/dev/null | grep -q '^EARMARK_OPENBLAS_DETECTED='; then break; fi
                sleep 0.05
            done
            cat /proc/$pid/comm
            kill $pid 2>/dev/null; pkill -P $$ sleep 2>/dev/null; wait
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script, CLI.products.appendingPathComponent("predict").path]
        p.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["EARMARK_OPENBLAS_CORETYPE"] = nil
        environment["EARMARK_TEST_OPENBLAS_DETECTED"] = "Prescott"
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(text, "predict\n", "the name the command was started under")
    }

    /// Runs `script` with bash in the data folder (`$0` is the products folder), `environment` added.
    private func bash(_ script: String, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run("/bin/bash", ["-c", script, CLI.products.path], in: root, environment: environment)
    }

    /// `train | head -c 1`: the pipe's reader leaves at once; train ignores SIGPIPE, writes its model
    /// and says at exit that its output is missing (status 1). SIGPIPE's default killed it (141) with
    /// no model, no checkpoint and no word.
    func testTrainIntoAPipeWhoseReaderLeftStillWritesItsModel() throws {
        let r = try bash("\"$0/train\" --mode tiny | head -c 1 > /dev/null; exit ${PIPESTATUS[0]}")
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("error: standard output: cannot be written"), r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("models/tiny.safetensors").path))
    }

    /// A `train` stopped by a signal keeps status 130 (its checkpoint written: resume it) when its
    /// standard output was lost too; the exit check's line is still written. It exited 1, as a failure.
    func testAStoppedTrainKeepsStatus130WhenItsOutputIsLost() throws {
        let stop = ["EARMARK_KILL_AT": "step@3", "EARMARK_KILL_SIGNAL": "INT"]
        for redirection in ["> /dev/full", ">&-"] {
            let r = try run("train", ["--mode", "tiny"], redirection, environment: stop)
            XCTAssertEqual(r.status, 130, "\(redirection): \(r.output)")
            XCTAssertTrue(r.stderr.contains("error: standard output: "), r.stderr)
            XCTAssertTrue(FileManager.default.fileExists(
                atPath: root.appendingPathComponent("models/tiny.checkpoint.safetensors").path))
        }
    }

    /// A SIGINT the caller left ignored (`trap '' INT`, a shell's background job) stays ignored:
    /// train finishes. Its handler, installed over the inherited disposition, stopped the run.
    func testASignalTheCallerIgnoresStaysIgnored() throws {
        let stop = ["EARMARK_KILL_AT": "step@3", "EARMARK_KILL_SIGNAL": "INT"]
        let r = try bash("trap '' INT; \"$0/train\" --mode tiny --quiet", environment: stop)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("test"), r.stdout)
        let caught = try bash("\"$0/train\" --mode tiny --quiet", environment: stop)
        XCTAssertEqual(caught.status, 130, "not ignored, the same signal stops it: \(caught.output)")
    }

    /// A warning that cannot be written is dropped: training goes on and saves its model.
    func testAFullStandardErrorDoesNotStopTraining() throws {
        try Data("extra".utf8).write(to: root.appendingPathComponent("wavfiles/notes.txt"))   // one warning
        let r = try run("train", ["--mode", "tiny"], "2>/dev/full")
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stdout.contains("test: file-level accuracy"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("models/tiny.safetensors").path))
    }

    /// Output that cannot be written is an error at exit (status 1, one line naming standard output);
    /// the files the command writes are written all the same.
    func testOutputThatCannotBeWrittenIsAnErrorNamingStandardOutput() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let clip = ["--model", "models/tiny.safetensors", "wavfiles/hum 0.wav", "--out", "p.csv"]
        for (options, redirection, words) in [
            ([String](), "> /dev/full", "error: standard output: cannot be written"),
            (["--json"], "> /dev/full", "error: standard output: cannot be written (No space left on device): output is missing"),
            ([], ">&-", "error: standard output: was closed when the command started: its output is lost"),
        ] {
            try? FileManager.default.removeItem(at: root.appendingPathComponent("p.csv"))
            let r = try run("predict", clip + options, redirection)
            XCTAssertEqual(r.status, 1, "\(options) \(redirection): \(r.output)")
            XCTAssertTrue(r.stderr.contains(words), r.stderr)
            XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("p.csv").path))
        }
        // --version and --help of every tool, printed before a command starts, are checked too (exit 0)
        for tool in ["train", "predict", "preprocess", "export", "bench"] {
            for (option, redirection) in [("--version", "> /dev/full"), ("--help", ">&-")] {
                let r = try run(tool, [option], redirection)
                XCTAssertEqual(r.status, 1, "\(tool) \(option) \(redirection): \(r.output)")
                XCTAssertTrue(r.stderr.hasPrefix("error: standard output: "), "\(tool) \(option): \(r.stderr)")
                XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "said once: \(r.stderr)")
            }
        }
        // a usage error writes nothing to standard output: a closed one changes nothing (status 64)
        let usage = try run("train", ["--bogus"], ">&-")
        XCTAssertEqual(usage.status, 64, usage.output)
        XCTAssertFalse(usage.stderr.contains("standard output"), usage.stderr)
        // preprocess features too (it did not install the check and exited 0), its .npy written whole
        let features = try run("preprocess", ["features", "wavfiles/hum 0.wav", "--out", "f.npy"], "> /dev/full")
        XCTAssertEqual(features.status, 1, features.output)
        XCTAssertTrue(features.stderr.contains("error: standard output: cannot be written"), features.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: root.appendingPathComponent("f.npy")).prefix(6)),
                       [0x93] + Array("NUMPY".utf8))
        // a stream whose lines cannot be written stops at the first; a closed standard input is said
        let tone = (0..<32000).map { Int16(10000 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }   // 2 s, s16le
        try tone.withUnsafeBytes { Data($0) }.write(to: root.appendingPathComponent("tone.raw"))
        let full = try run("predict", ["--stream", "--model", "models/tiny.safetensors"], "< tone.raw > /dev/full")
        XCTAssertEqual(full.status, 1, full.output)
        XCTAssertTrue(full.stderr.contains("error: standard output: cannot be written (No space left on device): "
                                           + "the stream stops"), full.stderr)
        XCTAssertEqual(full.stderr.split(separator: "\n").count, 1, full.stderr)
        // a closed standard output is said as such (it is reopened on /dev/full, which said "No space left")
        let shut = try run("predict", ["--stream", "--model", "models/tiny.safetensors"], "< tone.raw >&-")
        XCTAssertEqual(shut.status, 1, shut.output)
        XCTAssertEqual(shut.stderr, "error: standard output: was closed when the command started: the stream stops\n")
        let closed = try run("predict", ["--stream", "--model", "models/tiny.safetensors"], "<&-")
        XCTAssertEqual(closed.status, 1, closed.output)
        XCTAssertTrue(closed.stderr.contains("error: stdin: is closed"), closed.stderr)
    }
}
