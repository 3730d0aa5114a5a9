import Foundation
import Pipeline
import Tensor
import TestSupport
import XCTest

/// End to end: the built `train` and `predict` on a tiny generated data set.
final class TrainPredictTests: TinyDataCase {
    func testTrainWritesModelCheckpointReportAndPredictWritesTheReferenceCSV() throws {
        let train = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: root)
        XCTAssertEqual(train.status, 0, train.output)
        XCTAssertTrue(train.stdout.contains("Epoch 1/1"), train.stdout)
        XCTAssertTrue(train.stdout.contains("val_accuracy"), train.stdout)
        XCTAssertTrue(train.stdout.contains("test: file-level accuracy"), train.stdout)
        for file in ["models/tiny.safetensors", "models/tiny.checkpoint.safetensors", "runs/tiny/history.csv",
                     "runs/tiny/curves.svg", "runs/tiny/confusion.svg", "runs/tiny/report.md", "clean/manifest.json"] {
            XCTAssertTrue(exists(file), file)
        }
        let history = try read("runs/tiny/history.csv").split(separator: "\n")
        XCTAssertEqual(history.first, "epoch,loss,accuracy,val_loss,val_accuracy,seconds")
        XCTAssertEqual(history.count, 2)
        XCTAssertTrue(try read("runs/tiny/curves.svg").hasPrefix("<svg"))
        XCTAssertTrue(try read("runs/tiny/report.md").contains("File-level accuracy"))
        let pickles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("pickles").path)
        XCTAssertEqual(pickles.filter { $0.hasPrefix("tiny-") && $0.hasSuffix(".safetensors") }.count, 1, "\(pickles)")
        let model = try SafeTensors.read(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
        XCTAssertEqual(try model.tensor("conv2d/kernel").shape, [3, 3, 1, 4])
        XCTAssertEqual(model.metadata["classes"], "[\"hum\",\"tone\",\"whistle\"]")

        // a second run reuses clean/ and the feature cache
        let again = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("(feature cache)"), again.stdout)

        let predict = try CLI.run("predict", ["--data", "."], in: root)
        XCTAssertEqual(predict.status, 0, predict.output)
        let lines = try read("predictions.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "fname,label,note,hum,tone,whistle,y_pred,split")
        XCTAssertEqual(lines.count, 1 + 15)
        XCTAssertTrue(lines[1].hasPrefix("hum 0.wav,hum,\"take 0, quoted\","), lines[1])
        for split in ["train", "test"] { XCTAssertTrue(predict.stdout.contains("\(split): "), predict.stdout) }
        let probabilities = lines[1].components(separatedBy: ",").suffix(5).prefix(3).compactMap(Double.init)
        XCTAssertEqual(probabilities.count, 3)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-4)

        // clips and folders, plus a file that does not decode and one too short for a window
        try Data("not audio".utf8).write(to: root.appendingPathComponent("wavfiles/broken.wav"))
        try Data().write(to: root.appendingPathComponent("wavfiles/empty.wav"))
        let clips = try CLI.run("predict", ["--out", "clips.csv", "wavfiles/hum 1.wav", "wavfiles"], in: root)
        XCTAssertEqual(clips.status, 0, clips.output)
        XCTAssertTrue(clips.stderr.contains("broken.wav: no prediction"), clips.stderr)
        XCTAssertTrue(clips.stderr.contains("empty.wav: no prediction"), clips.stderr)
        let rows = try read("clips.csv").split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.first, "fname,hum,tone,whistle,y_pred")
        XCTAssertEqual(rows.count, 1 + 1 + 17)
        XCTAssertTrue(rows.contains { $0.hasSuffix("broken.wav,,,,") }, "an empty prediction, not NaN")
        XCTAssertFalse(try read("clips.csv").contains("nan"))
    }

    func testBadInputsGiveOneClearLineAndANonZeroExit() throws {
        let missing = try CLI.run("predict", ["--model", "models/none.safetensors", "wavfiles"], in: root)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("models/none.safetensors") && missing.stderr.contains("does not exist"),
                      missing.stderr)

        try FileManager.default.createDirectory(at: root.appendingPathComponent("models"),
                                                withIntermediateDirectories: true)
        try Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) })
            .write(to: root.appendingPathComponent("models/bad.safetensors"))
        let corrupt = try CLI.run("predict", ["--model", "models/bad.safetensors", "wavfiles"], in: root)
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertTrue(corrupt.stderr.hasPrefix("error: ") && corrupt.stderr.contains("bad.safetensors"), corrupt.stderr)
        XCTAssertFalse(corrupt.stderr.contains("Fatal error"), corrupt.stderr)

        // a folder or a device where a file belongs: said as such (Foundation said "NSCocoaErrorDomain
        // error 256" and "You don't have permission")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("models/folder.safetensors"),
                                                withIntermediateDirectories: true)
        for (model, reason) in [("models/folder.safetensors", "is a folder, not a file"),
                                ("/dev/null", "is not a regular file (a character device)")] {
            let r = try CLI.run("predict", ["--model", model, "wavfiles"], in: root)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains("\(model): \(reason)"), r.stderr)
        }
        let folderConfig = try CLI.run("train", ["--config", "models/folder.safetensors"], in: root)
        XCTAssertEqual(folderConfig.status, 1, folderConfig.output)
        XCTAssertTrue(folderConfig.stderr.contains("folder.safetensors: is a folder, not a file"), folderConfig.stderr)

        try TinyData.writeConfig(in: root, epochs: 1, extra: "  dropout_rate: 3")
        let unknown = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("tiny.yaml") && unknown.stderr.contains("split.dropout_rate")
                      && unknown.stderr.contains("unknown key"), unknown.stderr)

        // --mode and --config together: the argument parser's error (64) from train and preprocess, nothing written
        try? FileManager.default.removeItem(at: root.appendingPathComponent("clean"))
        for arguments in [["train"], ["preprocess"], ["preprocess", "descriptors", "--out", "d.csv"]] {
            let tool = arguments[0]
            let both = try CLI.run(tool, Array(arguments.dropFirst()) + ["--mode", "tiny", "--config", "cfg/tiny.yaml"],
                                   in: root)
            XCTAssertEqual(both.status, 64, "\(tool): \(both.output)")
            XCTAssertTrue(both.stderr.hasPrefix("Error: give --mode or --config, not both (--mode tiny, --config cfg/tiny.yaml)"),
                          "\(tool): \(both.stderr)")
            XCTAssertFalse(exists("clean"), "\(tool) cleaned although its options were contradictory")
        }

        // --epochs carries training.epochs' range (a huge count overflowed a schedule's step count: a trap)
        for (arguments, epochs) in [(["train"], "0"), (["train"], "100001"), (["train", "compare", "cfg/tiny.yaml"],
                                                                             "9223372036854775807")] {
            let r = try CLI.run(arguments[0], Array(arguments.dropFirst()) + ["--epochs", epochs], in: root)
            XCTAssertEqual(r.status, 64, "\(arguments) --epochs \(epochs): \(r.output)")
            XCTAssertTrue(r.stderr.contains("--epochs must be in 1...100000 (as training.epochs), got \(epochs)"),
                          r.stderr)
            XCTAssertFalse(exists("clean"), "\(arguments) cleaned although --epochs was out of range")
        }

        let pools = String(repeating: "    - max_pooling2d: {pool_size: [2, 2]}\n", count: 4)
        try "model:\n  layers:\n\(pools)    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
            .write(to: root.appendingPathComponent("cfg/pools.yaml"), atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(at: root.appendingPathComponent("clean"))
        let shrink = try CLI.run("train", ["--config", "cfg/pools.yaml"], in: root)
        XCTAssertEqual(shrink.status, 1)
        XCTAssertTrue(shrink.stderr.contains("model.layers[3]") && shrink.stderr.contains("MaxPooling2D"),
                      shrink.stderr)
        XCTAssertFalse(exists("models/pools.safetensors"))
        // found before any audio is read, and in `compare` before the first config trains
        XCTAssertFalse(exists("clean"), "train cleaned the audio before finding the layer error")
        XCTAssertFalse(shrink.stdout.contains("data: "), shrink.stdout)
        try "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"
            .write(to: root.appendingPathComponent("cfg/dense.yaml"), atomically: true, encoding: .utf8)
        let compare = try CLI.run("train", ["compare", "cfg/dense.yaml", "cfg/pools.yaml"], in: root)
        XCTAssertEqual(compare.status, 1, compare.output)
        XCTAssertTrue(compare.stderr.contains("cfg/pools.yaml:6: model.layers[3]"), compare.stderr)
        XCTAssertFalse(compare.stdout.contains("Epoch 1/"), compare.stdout)
        XCTAssertFalse(exists("clean"))
    }

    /// An `--out` that would replace a file the command does not write: one of its inputs (predict:
    /// audio.csv, also through a link or a roundabout path; preprocess descriptors: audio.csv), or a file
    /// of another kind (a recording, a model, a config: each command writes only its own extension:
    /// predict .csv, export .onnx, preprocess features .npy, descriptors .csv or .npy). Refused before
    /// anything is written; every file is intact.
    func testCommandsRefuseToWriteOverTheirInputs() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let clips = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("wavfiles").path).sorted()
        let clip = try XCTUnwrap(clips.first), other = try XCTUnwrap(clips.last)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("table.csv").path,
                                                   withDestinationPath: "audio.csv")
        let kept = ["models/tiny.safetensors", "models/tiny.checkpoint.safetensors", "audio.csv", "cfg/tiny.yaml",
                    "wavfiles/\(clip)", "wavfiles/\(other)"]
        let before = try kept.map { try Data(contentsOf: root.appendingPathComponent($0)) }
        let cases: [(tool: String, arguments: [String], message: String)] = [
            ("predict", ["--out", "table.csv"], ": is the data's table: the output would replace it"),
            ("predict", ["--out", "./models/../audio.csv"], ": is the data's table: the output would replace it"),
            ("preprocess", ["descriptors", "--mode", "forest", "--out", "./audio.csv"],
             ": is the data's table: the output would replace it"),
        ]
        for c in cases {
            let r = try CLI.run(c.tool, c.arguments, in: root)
            XCTAssertEqual(r.status, 1, "\(c.tool) \(c.arguments): \(r.output)")
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains(c.message), "\(c.tool): \(r.stderr)")
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        }
        // a recording inside a folder of clips, or listed in audio.csv, a model or a config: the wrong
        // kind of file for the command, a usage error (64) found with the arguments
        let wrongKind: [(tool: String, arguments: [String], message: String)] = [
            ("predict", ["wavfiles", "--out", "wavfiles/\(other)"],
             "--out wavfiles/\(other): must name a .csv file (the predictions table is written there)"),
            ("predict", ["--out", "wavfiles/\(clip)"], "--out wavfiles/\(clip): must name a .csv file"),
            ("predict", ["--out", "models/tiny.checkpoint.safetensors"], ": must name a .csv file"),
            ("preprocess", ["descriptors", "--mode", "forest", "--out", "wavfiles/\(clip)"],
             ": must name a .csv or .npy file (the descriptor table is written there)"),
            ("preprocess", ["descriptors", "--mode", "forest", "--out", "cfg/tiny.yaml"],
             "--out cfg/tiny.yaml: must name a .csv or .npy file"),
            ("preprocess", ["features", "wavfiles/\(clip)", "--kind", "mfcc", "--out", "wavfiles/\(clip)"],
             ": must name a .npy file (a float32 NumPy array is written there)"),
            ("export", ["--model", "models/tiny.safetensors", "--format", "onnx", "--out", "models/tiny.safetensors"],
             "--out models/tiny.safetensors: must name a .onnx file (the ONNX model is written there)"),
        ]
        for c in wrongKind {
            let r = try CLI.run(c.tool, c.arguments, in: root)
            XCTAssertEqual(r.status, 64, "\(c.tool) \(c.arguments): \(r.output)")
            XCTAssertTrue(r.stderr.hasPrefix("Error: ") && r.stderr.contains(c.message), "\(c.tool): \(r.stderr)")
        }
        XCTAssertEqual(try kept.map { try Data(contentsOf: root.appendingPathComponent($0)) }, before)
        XCTAssertFalse(exists("predictions.csv"))
        // through a link to a folder whose name is not UTF-8: the file lands in that folder (the resolved
        // name, said through a String, named a folder with U+FFFD, which was made and written instead)
        let latin = Array(root.path.utf8) + Array("/d".utf8) + [0xE9]
        XCTAssertEqual((latin + [0]).map { CChar(bitPattern: $0) }.withUnsafeBufferPointer { mkdir($0.baseAddress!, 0o755) }, 0)
        XCTAssertEqual(symlink((latin + [0]).map { CChar(bitPattern: $0) }, root.appendingPathComponent("odd").path), 0)
        XCTAssertEqual(try CLI.run("predict", ["--out", "odd/p.csv", "wavfiles/\(clip)"], in: root).status, 0)
        var info = stat()
        XCTAssertEqual((latin + Array("/p.csv".utf8) + [0]).map { CChar(bitPattern: $0) }.withUnsafeBufferPointer {
            stat($0.baseAddress!, &info) }, 0, "the table is in the folder the link leads to")
        XCTAssertFalse(exists("d\u{FFFD}"))
        // a clip's folder may hold the output: only the clips themselves are inputs
        XCTAssertEqual(try CLI.run("predict", ["--out", "wavfiles/out.csv", "wavfiles/\(clip)"], in: root).status, 0)
        // an --out that is a link is written through (the link was replaced by a file, its target left stale)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("latest.csv").path,
                                                   withDestinationPath: "wavfiles/out.csv")
        try FileManager.default.removeItem(at: root.appendingPathComponent("wavfiles/out.csv"))
        XCTAssertEqual(try CLI.run("predict", ["--out", "latest.csv", "wavfiles/\(clip)"], in: root).status, 0)
        XCTAssertTrue(try read("wavfiles/out.csv").hasPrefix("fname,"))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("latest.csv").path),
                       "wavfiles/out.csv")
        // ... but only to a file of the kind written: a .csv link to a recording or an .onnx link to a model
        // had the recording or model replaced (the extension was checked on the name given only)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("w.csv").path,
                                                   withDestinationPath: "wavfiles/\(clip)")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("m.onnx").path,
                                                   withDestinationPath: "models/tiny.safetensors")
        for (tool, arguments, words) in [
            ("predict", ["--out", "w.csv"], "w.csv: leads to \(root.path)/wavfiles/\(clip), not a .csv file"),
            ("export", ["--model", "models/tiny.safetensors", "--out", "m.onnx"],
             "m.onnx: leads to \(root.path)/models/tiny.safetensors, not a .onnx file"),
        ] {
            let r = try CLI.run(tool, arguments, in: root)
            XCTAssertEqual(r.status, 1, "\(tool): \(r.output)")
            XCTAssertTrue(r.stderr.contains(words), "\(tool): \(r.stderr)")
        }
        XCTAssertEqual(try kept.map { try Data(contentsOf: root.appendingPathComponent($0)) }, before)
    }

    /// `--resume` with a data set whose classes or split changed since the checkpoint: one error naming
    /// the checkpoint (other classes trapped in assignWeights; another split went on silently, testing
    /// files the checkpoint had trained on); a missing checkpoint is a warning even with --quiet.
    func testResumeRefusesAnotherClassSetOrSplitAndWarnsWithoutACheckpoint() throws {
        let none = try CLI.run("train", ["--mode", "tiny", "--resume", "--quiet"], in: root)
        XCTAssertEqual(none.status, 0, none.output)
        XCTAssertTrue(none.stderr.contains("warning: no checkpoint at models/tiny.checkpoint.safetensors: starting from "
                                           + "the beginning"), none.stderr)
        let lines = try read("audio.csv").split(separator: "\n").map(String.init)
        func resume(withTable rows: [String]) throws -> CLI.Result {
            try (rows.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("audio.csv"), atomically: true,
                                                           encoding: .utf8)
            return try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        }
        let classes = try resume(withTable: lines.filter { !$0.hasPrefix("whistle") })
        XCTAssertEqual(classes.status, 1, classes.output)
        XCTAssertTrue(classes.stderr.contains("error: models/tiny.checkpoint.safetensors: was made for the classes hum, "
                                              + "tone, whistle, the data now has hum, tone"), classes.stderr)
        XCTAssertFalse(classes.output.contains("Fatal error"), classes.output)
        let split = try resume(withTable: [lines[0]] + lines.dropFirst().reversed())
        XCTAssertEqual(split.status, 1, split.output)
        XCTAssertTrue(split.stderr.contains("error: models/tiny.checkpoint.safetensors: was made with other files or "
                                            + "another split"), split.stderr)
        // the same table and names, but one recording replaced by another: refused too (it went on silently)
        let (a, b) = (root.appendingPathComponent("wavfiles/hum 1.wav"), root.appendingPathComponent("wavfiles/tone 2.wav"))
        let (audioA, audioB) = (try Data(contentsOf: a), try Data(contentsOf: b))
        try audioB.write(to: a); try audioA.write(to: b)
        let swapped = try resume(withTable: lines)
        XCTAssertEqual(swapped.status, 1, swapped.output)
        XCTAssertTrue(swapped.stderr.contains("error: models/tiny.checkpoint.safetensors: was made with other audio in 2 "
                                              + "file(s) of the same name (hum 1.wav, tone 2.wav)"), swapped.stderr)
    }

    /// A checkpoint whose training state or optimizer state cannot be is refused by --resume naming
    /// the file and the value (a negative step, 3e38 iterations and a negative second moment trapped
    /// or turned the loss to NaN).
    func testResumeRefusesAnImpossibleTrainingOrOptimizerState() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let url = root.appendingPathComponent("models/tiny.checkpoint.safetensors")
        let original = try SafeTensors.read(contentsOf: url)
        func resume(_ change: (inout SafeTensors.File) throws -> Void) throws -> CLI.Result {
            var file = original
            try change(&file)
            try SafeTensors.write(file, to: url)
            return try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        }
        let state = try XCTUnwrap(original.metadata["training_state"])
        let cases: [((inout SafeTensors.File) throws -> Void, String)] = [
            ({ $0.metadata["training_state"] = state.replacingOccurrences(of: "\"nextStep\":0", with: "\"nextStep\":-5") },
             "holds an impossible training_state: nextStep -5 is not within 0...7 (steps per epoch)"),
            ({ $0.metadata["training_state"] = state.replacingOccurrences(of: "\"epoch\":1", with: "\"epoch\":-1") },
             "holds an impossible training_state: epoch -1 is not within 0...1"),
            ({ $0.tensors["optimizer/adam/iterations"] = .init(Tensor(shape: [1], data: [3e38])) },
             "optimizer state adam/iterations is 3e+38, not a step count"),
            ({ var v = try $0.tensor("optimizer/adam/v/0"); v.data[0] = -1; $0.tensors["optimizer/adam/v/0"] = .init(v) },
             "a negative second moment"),
        ]
        for (change, words) in cases {
            let r = try resume(change)
            XCTAssertEqual(r.status, 1, "\(words): \(r.output)")
            XCTAssertTrue(r.stderr.hasPrefix("error: ") && r.stderr.contains("tiny.checkpoint.safetensors")
                          && r.stderr.contains(words), "\(words): \(r.stderr)")
        }
    }

    /// A model file whose `input_shape` or `epoch` metadata contradicts its stored config, or is no such
    /// value, is refused by predict and export naming the file and the key (both were taken as they
    /// were: export wrote the file's shape into the ONNX metadata beside the network's).
    func testAModelWhoseInputShapeOrEpochMetadataIsWrongIsRefused() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let url = root.appendingPathComponent("models/tiny.safetensors")
        let original = try SafeTensors.read(contentsOf: url)
        XCTAssertEqual(original.metadata["input_shape"], "[9,13,1]")
        for (key, value, words) in [
            ("input_shape", "[10,13,1]", "metadata 'input_shape' is [10, 13, 1]; the stored config gives [9, 13, 1]"),
            ("input_shape", "[9223372036854775807,13,1]", "metadata 'input_shape' is [9223372036854775807, 13, 1]"),
            ("input_shape", "nine", "metadata 'input_shape' is not valid"),
            ("epoch", "-5", "metadata 'epoch' is '-5', not a whole number of epochs in 0...100000"),
        ] {
            var file = original
            file.metadata[key] = value
            let bad = root.appendingPathComponent("bad.safetensors")
            try SafeTensors.write(file, to: bad)
            for (tool, arguments) in [("predict", ["--model", "bad.safetensors", "--out", "p.csv"]),
                                      ("export", ["--model", "bad.safetensors", "--out", "bad.onnx"])] {
                let r = try CLI.run(tool, arguments, in: root)
                XCTAssertEqual(r.status, 1, "\(tool) \(key) \(value): \(r.output)")
                XCTAssertTrue(r.stderr.contains("bad.safetensors: \(words)"), "\(tool) \(key) \(value): \(r.stderr)")
            }
        }
        XCTAssertFalse(exists("bad.onnx"))
        // a model trained with a batch this machine could not hold is still predicted and exported: a
        // loaded network chooses its own batch (the training batch in the memory check refused it)
        var big = original
        let config = try XCTUnwrap(original.metadata["config"])
        XCTAssertTrue(config.contains("batch_size: 16"), config)
        big.metadata["config"] = config.replacingOccurrences(of: "batch_size: 16", with: "batch_size: 65536")
        try SafeTensors.write(big, to: root.appendingPathComponent("big.safetensors"))
        XCTAssertEqual(try CLI.run("predict", ["--model", "big.safetensors", "--out", "p.csv"], in: root).status, 0)
        XCTAssertEqual(try CLI.run("export", ["--model", "big.safetensors", "--out", "big.onnx"], in: root).status, 0)
    }

    /// predict on a table with a label the model does not know says so once (those rows counted as
    /// wrong in the accuracies without a word).
    func testPredictNamesLabelsTheModelDoesNotHave() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let renamed = try read("audio.csv").replacingOccurrences(of: ",whistle", with: ",zebra")
        try renamed.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        let lines = r.stderr.split(separator: "\n").filter { $0.contains("a class the model does not have") }
        XCTAssertEqual(lines.count, 1, r.stderr)
        XCTAssertTrue(lines.first?.contains("labelled with a class the model does not have (zebra): their predictions "
                                            + "count as wrong in the accuracies (the model's classes: hum, tone, whistle)")
                      == true, r.stderr)
        // a file name with a line break (quoted in the CSV) is named on its warning's one line
        try Data("not audio".utf8).write(to: root.appendingPathComponent("wavfiles/bad\nname.wav"))
        try (renamed + "\"bad\nname.wav\",hum,x\n")
            .write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let b = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(b.status, 0, b.output)
        XCTAssertTrue(b.stderr.contains("wavfiles/bad name.wav: no prediction: "), b.stderr)
        for line in b.stderr.split(separator: "\n") { XCTAssertTrue(line.hasPrefix("warning: "), b.stderr) }
    }

    /// The split column is found by file name and audio: predict on the training folder gives every
    /// row the split stored in the model; on another folder whose files have the same names, a file
    /// with other audio is `unseen` (it took the training folder's split by name alone), named in one
    /// warning, and a file with the same audio keeps its split.
    func testPredictGivesTheTrainingSplitOnlyToTheAudioTrainedOn() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let metadata = try SafeTensors.read(contentsOf: root.appendingPathComponent("models/tiny.safetensors")).metadata
        let stored = try JSONDecoder().decode([String: String].self, from: Data(try XCTUnwrap(metadata["splits"]).utf8))
        let prints = try JSONDecoder().decode([String: String].self,
                                              from: Data(try XCTUnwrap(metadata["split_fingerprints"]).utf8))
        XCTAssertEqual(stored.count, 15)
        XCTAssertEqual(Set(prints.keys), Set(stored.keys))
        XCTAssertEqual(Set(prints.values).count, 15, "15 different clips, 15 fingerprints")
        func splits(_ r: CLI.Result, _ csv: URL) throws -> [String: String] {
            XCTAssertEqual(r.status, 0, r.output)
            let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").dropFirst()
            return Dictionary(uniqueKeysWithValues: lines.map {
                (String($0.prefix { $0 != "," }), String($0.split(separator: ",").last!))
            })
        }
        let same = try CLI.run("predict", [], in: root)
        XCTAssertEqual(try splits(same, root.appendingPathComponent("predictions.csv")), stored)
        XCTAssertFalse(same.stderr.contains("other audio"), same.stderr)

        // another folder: the same names, two of them with each other's audio
        let other = root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("wavfiles"), to: other.appendingPathComponent("wavfiles"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("audio.csv"), to: other.appendingPathComponent("audio.csv"))
        let (a, b) = (other.appendingPathComponent("wavfiles/hum 0.wav"), other.appendingPathComponent("wavfiles/tone 1.wav"))
        let (audioA, audioB) = (try Data(contentsOf: a), try Data(contentsOf: b))
        try audioB.write(to: a); try audioA.write(to: b)
        let moved = try CLI.run("predict", ["--model", "models/tiny.safetensors", "--data", "other"], in: root)
        var expected = stored
        expected["hum 0.wav"] = "unseen"; expected["tone 1.wav"] = "unseen"
        XCTAssertEqual(try splits(moved, other.appendingPathComponent("predictions.csv")), expected)
        XCTAssertTrue(moved.stderr.contains("warning: 2 file(s) have the name of a file the model was trained, validated or "
                                            + "tested on but other audio (hum 0.wav, tone 1.wav): their split is unseen"),
                      moved.stderr)
        XCTAssertTrue(moved.stdout.contains("unseen: "), moved.stdout)
    }

    /// Without --model, predict uses the data folder's one model: the folds' models are not candidates
    /// (after `--folds` it refused "several models"), and when it picks conv among several it says
    /// so and names the others (it was silent). A --data folder that does not exist is named as such.
    func testPredictSaysWhichModelItChose() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny", "--folds", "2"], in: root).status, 0)
        XCTAssertTrue(exists("models/tiny.fold1.safetensors"))
        let one = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(one.status, 0, one.output)
        XCTAssertFalse(one.stderr.contains("several models"), one.stderr)
        try TinyData.writeVariant(in: root, named: "conv")
        XCTAssertEqual(try CLI.run("train", ["--mode", "conv"], in: root).status, 0)
        let two = try CLI.run("predict", ["--quiet"], in: root)
        XCTAssertEqual(two.status, 0, two.output)
        XCTAssertTrue(two.stderr.contains("warning: models holds several models (conv, tiny): using conv.safetensors; "
                                          + "choose another with --model FILE"), two.stderr)
        let missing = try CLI.run("predict", ["--data", "nowhere"], in: root)
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.stderr.contains("nowhere: no such folder"), missing.stderr)
    }

    /// A row whose file is missing gets a warning naming its line and no row in predictions.csv, as
    /// train skips it (predict wrote an empty row marked unseen, after a decoder error).
    func testPredictSkipsARowWhoseFileIsMissing() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        try (try read("audio.csv") + "ghost.wav,hum,gone\n")
            .write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        let r = try CLI.run("predict", [], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("audio.csv, line 17: file '\(root.path)/wavfiles/ghost.wav' not found; row skipped"),
                      r.stderr)
        XCTAssertFalse(r.stderr.contains("no prediction"), r.stderr)
        let lines = try read("predictions.csv").split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 15)
        XCTAssertFalse(lines.contains { $0.hasPrefix("ghost.wav") })
    }

    /// predict on folders says what it leaves out: an empty folder, links to nothing and pipes (they
    /// were dropped without a word, exit 0 with an empty table), and names that are not UTF-8 (called
    /// "not a regular file", or "does not exist" when named).
    /// A folder that cannot be read (run as an unprivileged user: root reads every folder) is named
    /// with its reason: its clips were left out of a folder's predictions without a word, the folder
    /// itself was said to hold no file, and a file in it or an audio.csv row under it "did not exist".
    /// setpriv's options that run a command as the unprivileged user 65534.
    static let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]

    /// Whether commands can run as another user here (root reads every folder, so permission checks
    /// need one); when they cannot, the test fails unless EARMARK_ALLOW_NO_SETPRIV=1 asks to skip it.
    func canRunAsNobody(_ test: String = #function) throws -> Bool {
        if try CLI.run("/usr/bin/setpriv", Self.nobody + ["true"], in: root).status == 0 { return true }
        let why = "`setpriv` cannot change the user here; unreadable folders checked by hand only"
        if ProcessInfo.processInfo.environment["EARMARK_ALLOW_NO_SETPRIV"] == "1" {
            print("SKIPPED \(test): \(why) (EARMARK_ALLOW_NO_SETPRIV=1)")
        } else {
            XCTFail("\(why); set EARMARK_ALLOW_NO_SETPRIV=1 to skip this check")
        }
        return false
    }

    /// Runs a built product as user 65534, in `root`.
    func asNobody(_ tool: String, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run("/usr/bin/setpriv", Self.nobody + [CLI.products.appendingPathComponent(tool).path] + arguments,
                    in: root)
    }

    /// Everything below `root` open to every user (root's temporary folders are not).
    func openToEveryone() throws {
        let walk = FileManager.default.enumerator(atPath: root.path)!.allObjects as! [String]
        for path in [root.path] + walk.map({ root.appendingPathComponent($0).path }) {
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: path)
        }
    }

    /// The noise folder of augmentation, with a subfolder that cannot be read (its clips were left out
    /// without a word) or itself unreadable (it "held no usable audio").
    func testANoiseFolderThatCannotBeReadIsNamed() throws {
        guard try canRunAsNobody() else { return }
        let manager = FileManager.default
        let noise = root.appendingPathComponent("noise"), sub = root.appendingPathComponent("noise/sub")
        try manager.createDirectory(at: sub, withIntermediateDirectories: true)
        for copy in ["noise/n.wav", "noise/sub/m.wav"] {
            try manager.copyItem(at: root.appendingPathComponent("wavfiles/hum 0.wav"), to: root.appendingPathComponent(copy))
        }
        try TinyData.writeVariant(in: root, named: "noisy",
                                  replacing: ["split:": "augmentation: {noise: {kind: folder, folder: noise}}\nsplit:"])
        try openToEveryone()
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: sub.path)
        let partly = try asNobody("train", ["--config", "cfg/noisy.yaml"])
        XCTAssertEqual(partly.status, 0, partly.output)
        XCTAssertTrue(partly.stderr.contains("1 noise entry left out: sub/ (cannot be read: Permission denied)"),
                      partly.stderr)
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: noise.path)
        let closed = try asNobody("train", ["--config", "cfg/noisy.yaml"])
        XCTAssertEqual(closed.status, 1, closed.output)
        XCTAssertTrue(closed.stderr.contains("augmentation.noise.folder: \(noise.path): cannot be read (Permission denied)"),
                      closed.stderr)
        for folder in [noise, sub] { try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path) }
    }

    /// `--resume` with other noise clips than the checkpoint's (a clip of the noise folder replaced) is
    /// refused: it went on mixing the new clips in, and gave another model than the uninterrupted run,
    /// without a word. With the clips as they were, it resumes.
    func testResumeRefusesOtherNoiseClips() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: root.appendingPathComponent("noise"), withIntermediateDirectories: true)
        let noise = root.appendingPathComponent("noise/n.wav")
        try manager.copyItem(at: root.appendingPathComponent("wavfiles/hum 0.wav"), to: noise)
        try TinyData.writeVariant(in: root, named: "noisy",
                                  replacing: ["split:": "augmentation: {noise: {kind: folder, folder: noise}}\nsplit:"])
        let arguments = ["--config", "cfg/noisy.yaml", "--epochs", "3"]
        let stopped = try CLI.run("train", arguments, in: root,
                                  environment: ["EARMARK_KILL_AT": "step@2", "EARMARK_KILL_SIGNAL": "INT"])
        XCTAssertEqual(stopped.status, 130, stopped.output)
        let kept = try Data(contentsOf: noise)
        try manager.removeItem(at: noise)
        try manager.copyItem(at: root.appendingPathComponent("wavfiles/tone 0.wav"), to: noise)
        let other = try CLI.run("train", arguments + ["--resume"], in: root)
        XCTAssertEqual(other.status, 1, other.output)
        XCTAssertTrue(other.stderr.contains("models/noisy.checkpoint.safetensors: was made with other noise clips"),
                      other.stderr)
        try kept.write(to: noise)
        XCTAssertEqual(try CLI.run("train", arguments + ["--resume"], in: root).status, 0)
    }

    func testFoldersThatCannotBeReadAreNamedWithTheirReason() throws {
        guard try canRunAsNobody() else { return }
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let manager = FileManager.default
        let clip = root.appendingPathComponent("wavfiles/hum 0.wav")
        let closed = root.appendingPathComponent("clips/closed"), sub = root.appendingPathComponent("wavfiles/sub")
        for folder in [closed, sub] { try manager.createDirectory(at: folder, withIntermediateDirectories: true) }
        for copy in ["clips/open.wav", "clips/closed/x.wav", "wavfiles/sub/x.wav"] {
            try manager.copyItem(at: clip, to: root.appendingPathComponent(copy))
        }
        try (try read("audio.csv") + "sub/x.wav,hum,\n").write(to: root.appendingPathComponent("audio.csv"),
                                                              atomically: true, encoding: .utf8)
        // everything open to the other user but the two folders
        try openToEveryone()
        for folder in [closed, sub] { try manager.setAttributes([.posixPermissions: 0], ofItemAtPath: folder.path) }
        let folder = try asNobody("predict", ["--model", "models/tiny.safetensors", "clips", "--out", "p.csv"])
        XCTAssertEqual(folder.status, 0, folder.output)
        XCTAssertTrue(folder.stderr.contains("warning: clips: 1 folder that cannot be read (Permission denied) left out, "
                                             + "with the clips in it: '\(closed.path)'"), folder.stderr)
        XCTAssertEqual(try read("p.csv").split(separator: "\n").count, 2, "the header and open.wav")
        let top = try asNobody("predict", ["--model", "models/tiny.safetensors", "clips/closed", "--out", "p.csv"])
        XCTAssertTrue(top.stderr.contains("warning: clips/closed: 1 folder that cannot be read"), top.stderr)
        XCTAssertFalse(top.stderr.contains("holds no file"), top.stderr)
        let file = try asNobody("predict", ["--model", "models/tiny.safetensors", "clips/closed/x.wav", "--out", "p.csv"])
        XCTAssertEqual(file.status, 1, file.output)
        XCTAssertTrue(file.stderr.contains("error: clips/closed/x.wav: cannot be reached (Permission denied)"),
                      file.stderr)
        let train = try asNobody("train", ["--mode", "tiny"])
        XCTAssertEqual(train.status, 0, train.output)
        XCTAssertTrue(train.stderr.contains("file '\(root.path)/wavfiles/sub/x.wav' cannot be reached (Permission "
                                            + "denied); row skipped"), train.stderr)
        // a folder whose names can be read but not entered: named once, its clips not counted again as
        // "not a regular file"
        let half = root.appendingPathComponent("clips/half")
        try manager.createDirectory(at: half, withIntermediateDirectories: true)
        for name in ["a.wav", "b.wav"] { try manager.copyItem(at: clip, to: half.appendingPathComponent(name)) }
        try manager.setAttributes([.posixPermissions: 0o744], ofItemAtPath: half.path)
        let both = try asNobody("predict", ["--model", "models/tiny.safetensors", "clips", "--out", "p.csv"])
        XCTAssertTrue(both.stderr.contains("warning: clips: 2 folders that cannot be read (Permission denied) left out"),
                      both.stderr)
        XCTAssertFalse(both.stderr.contains("not a regular file"), both.stderr)
        // every file of the data unreachable: the run's error says why, not "missing"
        try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root.appendingPathComponent("wavfiles").path)
        let none = try asNobody("train", ["--mode", "tiny"])
        XCTAssertEqual(none.status, 1, none.output)
        XCTAssertTrue(none.stderr.contains("cannot be reached (Permission denied) in \(root.path)/wavfiles"), none.stderr)
        XCTAssertFalse(none.stderr.contains("are missing from"), none.stderr)
        for folder in [closed, sub, half, root.appendingPathComponent("wavfiles")] {
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        }
    }

    func testPredictSaysWhatAFolderLeavesOut() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let mixed = root.appendingPathComponent("mixed"), empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: mixed, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let clip = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("wavfiles").path).first)
        try FileManager.default.copyItem(at: root.appendingPathComponent("wavfiles/\(clip)"), to: mixed.appendingPathComponent(clip))
        try FileManager.default.createSymbolicLink(atPath: mixed.appendingPathComponent("gone.wav").path,
                                                   withDestinationPath: "/nonexistent/gone.wav")
        XCTAssertEqual(mkfifo(mixed.appendingPathComponent("pipe.wav").path, 0o600), 0)
        // a clip whose name is not UTF-8 (byte 0xFF): Foundation cannot name it back to the file system
        let latin1 = Array(mixed.appendingPathComponent("bad").path.utf8) + [0xFF] + Array(".wav".utf8)
        let audio = try Data(contentsOf: root.appendingPathComponent("wavfiles/\(clip)"))
        let fd = (latin1.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
            open($0.baseAddress!, O_WRONLY | O_CREAT, 0o600)
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(audio.withUnsafeBytes { write(fd, $0.baseAddress, audio.count) }, audio.count)
        close(fd)
        let r = try CLI.run("predict", ["empty", "mixed", "--out", "p.csv"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("warning: empty: holds no file to classify"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: mixed: 2 entries that are not a regular file (a link to nothing, a pipe, "
                                        + "a device) left out"), r.stderr)
        XCTAssertTrue(r.stderr.contains("warning: mixed: 1 entry whose name holds bytes that are not UTF-8 left out "
                                        + "(Earmark opens files by UTF-8 names: rename it)"), r.stderr)
        XCTAssertEqual(try read("p.csv").split(separator: "\n").count, 2, "the header and the one clip")
        // links are followed: a folder given as a link, a link to a clip, a link to a folder (each was
        // left out, the first as "no file", the others as "a link to nothing"); a link cycle ends
        let linked = root.appendingPathComponent("linked")
        try FileManager.default.createDirectory(at: linked, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("clip.wav"),
                                                   withDestinationURL: mixed.appendingPathComponent(clip))
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("more"), withDestinationURL: empty)
        try FileManager.default.copyItem(at: root.appendingPathComponent("wavfiles/\(clip)"),
                                         to: empty.appendingPathComponent("inside.wav"))
        try FileManager.default.createSymbolicLink(at: linked.appendingPathComponent("loop"), withDestinationURL: linked)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("via"), withDestinationURL: linked)
        let links = try CLI.run("predict", ["via", "--out", "p.csv"], in: root)
        XCTAssertEqual(links.status, 0, links.output)
        XCTAssertFalse(links.stderr.contains("warning"), links.stderr)
        let rows = try read("p.csv").split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        XCTAssertEqual(rows.map { ($0 as NSString).lastPathComponent }, ["clip.wav", "inside.wav"], "\(rows)")
        XCTAssertTrue(rows.allSatisfy { $0.contains("/via/") }, "named under the folder as given: \(rows)")
        // a link up to a folder above the one given is not walked (predict linked/deeper with deeper/up -> ..
        // classified all of linked/ under linked/deeper/up/...; a link to / would walk the file system)
        let deeper = linked.appendingPathComponent("deeper")
        try FileManager.default.createDirectory(at: deeper, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: root.appendingPathComponent("wavfiles/\(clip)"),
                                         to: deeper.appendingPathComponent("own.wav"))
        try FileManager.default.createSymbolicLink(atPath: deeper.appendingPathComponent("up").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: deeper.appendingPathComponent("root").path, withDestinationPath: "/")
        let up = try CLI.run("predict", ["linked/deeper", "--out", "p.csv"], in: root)
        XCTAssertEqual(up.status, 0, up.output)
        let upRows = try read("p.csv").split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[0]) }
        XCTAssertEqual(upRows.count, 1, "\(upRows)")
        XCTAssertTrue(upRows.first?.hasSuffix("/linked/deeper/own.wav") == true, "\(upRows)")
        // the folder named through a link to itself or to its parent is walked (its own path's folders
        // counted as above it, and the walk stopped before it began: "holds no file to classify")
        for named in ["linked/deeper/up", "linked/deeper/up/deeper"] {
            let r = try CLI.run("predict", [named, "--out", "p.csv"], in: root)
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertFalse(r.stderr.contains("holds no file"), "\(named): \(r.stderr)")
            XCTAssertTrue(try read("p.csv").contains("/own.wav,"), named)
        }
        // a name that holds U+FFFD itself (valid UTF-8) is a name like any other (it was "not UTF-8")
        try FileManager.default.copyItem(at: root.appendingPathComponent("wavfiles/\(clip)"),
                                         to: empty.appendingPathComponent("odd\u{FFFD}name.wav"))
        let odd = try CLI.run("predict", ["empty", "--out", "p.csv"], in: root)
        XCTAssertFalse(odd.stderr.contains("not UTF-8"), odd.stderr)
        let oddRows = try read("p.csv")
        XCTAssertTrue(oddRows.contains("odd\u{FFFD}name.wav,"), oddRows)
        // `..` after a link is the link target's parent, as the file system reads it (Foundation's URL
        // dropped the link's name as text, and another folder's clips were classified)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("t4/b"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("t4/a_x"),
                                                   withDestinationURL: mixed.appendingPathComponent("sub"))
        try FileManager.default.createDirectory(at: mixed.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let dots = try CLI.run("predict", ["t4/a_x/../\(clip)", "--out", "p.csv"], in: root)
        XCTAssertEqual(dots.status, 0, dots.output)
        let dotRows = try read("p.csv")
        XCTAssertTrue(dotRows.contains("/mixed/\(clip),"), dotRows)
        // only the folder part is resolved: a clip that is a link keeps its name in predictions.csv
        let linksFolder = root.appendingPathComponent("named")
        try FileManager.default.createDirectory(at: linksFolder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: linksFolder.appendingPathComponent("lnk.wav"),
                                                   withDestinationURL: mixed.appendingPathComponent(clip))
        XCTAssertEqual(try CLI.run("predict", ["named/sub/../lnk.wav", "--out", "p.csv"], in: root).status, 0)
        let linkRows = try read("p.csv")
        XCTAssertTrue(linkRows.contains("/named/lnk.wav,"), linkRows)
        // a doubled slash is one in predictions.csv; a file named as a folder is said as such
        XCTAssertEqual(try CLI.run("predict", ["named//lnk.wav", "--out", "p.csv"], in: root).status, 0)
        let slashRows = try read("p.csv")
        XCTAssertTrue(slashRows.contains("/named/lnk.wav,") && !slashRows.contains("//"), slashRows)
        let asFolder = try CLI.run("predict", ["named/lnk.wav/", "--out", "p.csv"], in: root)
        XCTAssertEqual(asFolder.status, 1, asFolder.output)
        XCTAssertTrue(asFolder.stderr.contains("named/lnk.wav/: is a file, not a folder"), asFolder.stderr)
        // a bad name that reads as another entry's valid name (both U+FFFD): classified once, the other said
        let twin = Array(empty.appendingPathComponent("odd").path.utf8) + [0xFF] + Array("name.wav".utf8)
        let twinFile = (twin.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer {
            open($0.baseAddress!, O_WRONLY | O_CREAT, 0o600)
        }
        XCTAssertGreaterThanOrEqual(twinFile, 0)
        close(twinFile)
        let twins = try CLI.run("predict", ["empty", "--out", "p.csv"], in: root)
        XCTAssertTrue(twins.stderr.contains("1 entry whose name holds bytes that are not UTF-8 left out"), twins.stderr)
        XCTAssertEqual(try read("p.csv").components(separatedBy: "odd\u{FFFD}name.wav,").count, 2, "one row")
        // named on the command line, it reaches predict with U+FFFD in place of the byte: said, not "does not exist"
        let named = try CLI.run("predict", ["mixed/bad\u{FFFD}.wav", "--out", "p.csv"], in: root)
        XCTAssertEqual(named.status, 1, named.output)
        XCTAssertTrue(named.stderr.hasPrefix("error: mixed/bad\u{FFFD}.wav: cannot be opened: its name holds bytes that "
                                             + "are not UTF-8"), named.stderr)
    }

    /// One class is an error before any work, for networks and forests, and the model from before is
    /// kept (it trained, then failed writing a model file it had already replaced; a forest exited 0).
    func testOneClassIsAnErrorBeforeAnyWork() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        let model = try Data(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
        let lines = try read("audio.csv").split(separator: "\n").filter { $0.hasPrefix("fname") || $0.hasPrefix("hum") }
        try (lines.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("audio.csv"), atomically: true,
                                                          encoding: .utf8)
        for mode in ["tiny", "forest"] {
            let r = try CLI.run("train", ["--mode", mode], in: root)
            XCTAssertEqual(r.status, 1, r.output)
            XCTAssertTrue(r.stderr.contains("error: audio.csv: has one class, 'hum': a classifier needs at least two"),
                          r.stderr)
            XCTAssertFalse(r.stdout.contains("Epoch 1/"), r.stdout)
        }
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("models/tiny.safetensors")), model)
        XCTAssertFalse(exists("models/forest.safetensors"))
    }

    func testAClassWithASingleFileIsReportedAndTrainingStillRuns() throws {
        var csv = try read("audio.csv").split(separator: "\n").map(String.init)
        csv.removeAll { $0.hasPrefix("whistle ") && !$0.hasPrefix("whistle 0") }
        try (csv.joined(separator: "\n") + "\n").write(to: root.appendingPathComponent("audio.csv"), atomically: true,
                                                       encoding: .utf8)
        let r = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertTrue(r.stderr.contains("whistle"), r.stderr)
        // a class of one file goes wholly to training (with that warning): the run finishes
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(exists("models/tiny.safetensors"), r.output)
    }

    func testPrintConfigShowsEveryDefault() throws {
        let r = try CLI.run("train", ["--mode", "tiny", "--print-config", "--epochs", "7"], in: root)
        XCTAssertEqual(r.status, 0, r.output)
        // every key of the reference workflow's defaults, with its value (the config file gives none of
        // the features' or the optimizer's)
        let defaults = ["kind: mfcc", "rate: 16000", "window_seconds: 0.1", "winlen: 0.025", "winstep: 0.01",
                        "nfilt: 26", "numcep: 13", "nfft: 512", "preemph: 0.97", "ceplifter: 22", "threshold: 0.0005",
                        "windows_per_step: 2", "input: image", "epochs: 7", "optimizer: adam", "learning_rate: 0.001",
                        "beta_1: 0.9", "beta_2: 0.999", "epsilon: 1e-07", "class_weight: balanced", "shuffle: true",
                        "seed: 0", "validation: 0.2"]
        for key in defaults {
            XCTAssertTrue(r.stdout.contains("  \(key)\n"), "missing \(key) in\n\(r.stdout)")
        }
        // the printed config is itself a config that prints the same
        let printed = try ExperimentConfig.parse(r.stdout, file: "printed.yaml", defaultName: "tiny")
        XCTAssertEqual(printed.yaml(), r.stdout)
    }

    func testInterruptedTrainingResumesToTheSameWeightsAsAnUninterruptedRun() throws {
        try TinyData.writeConfig(in: root, epochs: 30)
        let straight = try CLI.run("train", ["--mode", "tiny", "--data", "."], in: root)
        XCTAssertEqual(straight.status, 0, straight.output)
        let reference = try Data(contentsOf: root.appendingPathComponent("models/tiny.checkpoint.safetensors"))
        // the best model is the epoch with the highest validation accuracy (the first of equals),
        // never simply the last epoch
        let history = try read("runs/tiny/history.csv").split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",") }
        let accuracies = history.map { Double($0[4])! }
        let bestEpoch = accuracies.firstIndex(of: accuracies.max()!)! + 1
        let best = try SafeTensors.read(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
        XCTAssertEqual(best.metadata["epoch"], String(bestEpoch), "history: \(accuracies)")
        try FileManager.default.removeItem(at: root.appendingPathComponent("models"))

        let checkpoint = root.appendingPathComponent("models/tiny.checkpoint.safetensors")
        // stopped as Ctrl-C stops it (the same StopSignal path), deterministically in the middle of an
        // epoch: the resumed path is always exercised
        let steps = straight.stdout.components(separatedBy: "\n").compactMap(Self.stepsPerEpoch).first ?? 0
        XCTAssertGreaterThan(steps, 1, straight.stdout)
        let interrupted = try CLI.run("train", ["--mode", "tiny", "--stop-after-steps", String(steps + steps / 2)],
                                      in: root)
        XCTAssertEqual(interrupted.status, 130, interrupted.output)
        XCTAssertTrue(interrupted.stdout.contains("--resume"), interrupted.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.path))
        let resumed = try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(resumed.stdout.contains("resuming tiny at epoch 2, step \(steps / 2 + 1)"), resumed.stdout)
        let a = try SafeTensors.decode(reference), b = try SafeTensors.read(contentsOf: checkpoint)
        for (name, entry) in a.tensors where !name.hasPrefix("optimizer/") || name.contains("adam") {
            XCTAssertEqual(b.tensors[name]?.bytes, entry.bytes, "\(name) differs after interrupt + resume")
        }
    }

    /// A signal outside the training steps ends `train` at once, with status 128 + the signal and one
    /// line (Ctrl-C during the cleaning of a large set waited for the whole preparation; during the
    /// scoring it was swallowed and the run exited 0): every file is whole, and a rerun finishes.
    func testSignalsOutsideTheTrainingStepsEndTrainAtOnce() throws {
        let during = try CLI.run("train", ["--mode", "tiny"], in: root,
                                 environment: ["EARMARK_KILL_AT": "clean@3", "EARMARK_KILL_SIGNAL": "INT"])
        XCTAssertEqual(during.status, 130, during.output)
        XCTAssertTrue(during.stderr.contains("stopped at once by a signal: the files written so far are complete; run "
                                             + "the command again"), during.stderr)
        XCTAssertFalse(exists("models"), "stopped while cleaning: nothing trained")
        let scoring = try CLI.run("train", ["--mode", "tiny"], in: root,
                                  environment: ["EARMARK_KILL_AT": "report@1", "EARMARK_KILL_SIGNAL": "TERM"])
        XCTAssertEqual(scoring.status, 143, scoring.output)
        XCTAssertTrue(exists("models/tiny.safetensors") && !exists("runs/tiny/report.md"), scoring.output)
        let rerun = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(rerun.status, 0, rerun.output)
        XCTAssertTrue(exists("runs/tiny/report.md"))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    /// A loss that turns NaN after some epochs stops training (status 1) with the model saved before
    /// it, and writes that model's report: the previous run's report stayed beside the new model (with
    /// its own accuracy). With no epoch finished, the message says nothing of the run was saved.
    func testANonFiniteLossAfterSomeEpochsReportsTheModelItKept() throws {
        XCTAssertEqual(try CLI.run("train", ["--mode", "tiny"], in: root).status, 0)
        // another run of 3 epochs whose loss turns NaN at its 10th step (epoch 2 of 7 steps each)
        try TinyData.writeConfig(in: root, epochs: 3)
        let r = try CLI.run("train", ["--mode", "tiny"], in: root, environment: ["EARMARK_NAN_LOSS_AT": "10"])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("training stopped, the model saved before it is kept, and its report written"),
                      r.stderr)
        let report = try read("runs/tiny/report.md")
        XCTAssertTrue(report.contains("; 1 epochs (stopped: the loss became nan at epoch 2, step 3; the model is the one "
                                      + "saved before it)"), report)
        XCTAssertTrue(r.stderr.contains("loss became nan at epoch 2, step 3"), r.stderr)
        // for scripts: the kept model's result, then status 1 (it printed no result)
        let json = try CLI.run("train", ["--mode", "tiny", "--json"], in: root, environment: ["EARMARK_NAN_LOSS_AT": "10"])
        XCTAssertEqual(json.status, 1, json.output)
        let result = try XCTUnwrap(json.stdout.split(separator: "\n").last)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.utf8)) as? [String: Any])
        XCTAssertEqual(object["outcome"] as? String, "diverged", String(result))
        XCTAssertNotNil(object["test"] as? [String: Any], String(result))

        // diverging at the first step: nothing saved, and said so
        let first = try CLI.run("train", ["--mode", "tiny"], in: root, environment: ["EARMARK_NAN_LOSS_AT": "1"])
        XCTAssertEqual(first.status, 1, first.output)
        XCTAssertTrue(first.stderr.contains("no epoch of this run finished, so it saved nothing (models/tiny.safetensors "
                                            + "is an earlier run's)"), first.stderr)
    }

    /// `--resume` of a run that early stopping ended says so (it said "resuming at epoch N" and trained
    /// nothing), as it does for a run whose epochs are all done.
    func testResumingARunEarlyStoppingEndedSaysSo() throws {
        try TinyData.writeVariant(in: root, named: "tiny", replacing: [
            "  epochs: 1\n": "  epochs: 30\n  early_stopping: {monitor: val_accuracy, patience: 0, min_delta: 0.5}\n"])
        let first = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.stdout.contains("early stopping after epoch 2 of 30"), first.stdout)   // no gain of 0.5
        let again = try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.stdout.contains("tiny: early stopping ended it after epoch 2; scoring and reporting it again"),
                      again.stdout)
        XCTAssertFalse(again.stdout.contains("resuming tiny at epoch"), again.stdout)
    }

    /// A signal during the last step (here the 7th of the one epoch) stops the run there with its
    /// checkpoint, as at any other step: the trainer had taken its last look, and the run went on to
    /// score and report and exited 0. `--resume` then scores and reports.
    func testASignalAtTheLastStepStopsBeforeTheScoring() throws {
        let stopped = try CLI.run("train", ["--mode", "tiny"], in: root,
                                  environment: ["EARMARK_KILL_AT": "step@7", "EARMARK_KILL_SIGNAL": "INT"])
        XCTAssertEqual(stopped.status, 130, stopped.output)
        XCTAssertTrue(stopped.stdout.contains("stopped: checkpoint written to models/tiny.checkpoint.safetensors"),
                      stopped.stdout)
        XCTAssertFalse(stopped.stdout.contains("test: file-level accuracy"), stopped.stdout)
        XCTAssertFalse(exists("runs/tiny/report.md"))
        let resumed = try CLI.run("train", ["--mode", "tiny", "--resume"], in: root)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        XCTAssertTrue(exists("runs/tiny/report.md"))
    }

    /// Real signals to a plain `train` after its first epoch (Ctrl-C sends SIGINT; service managers and
    /// schedulers send SIGTERM, or SIGUSR1 as a warning): each stops it after the current step with
    /// status 130 and one checkpoint, and `--resume` ends with the best model of an uninterrupted run.
    func testSignalsStopTrainingWithACheckpointThatResumesToTheUninterruptedModel() throws {
        let epochs = 300            // tiny epochs of a few ms: the signal lands long before the last one
        try TinyData.writeConfig(in: root, epochs: epochs)
        let straight = try CLI.run("train", ["--mode", "tiny"], in: root)
        XCTAssertEqual(straight.status, 0, straight.output)
        let reference = try Data(contentsOf: root.appendingPathComponent("models/tiny.safetensors"))
        for signal in [SIGINT, SIGTERM, SIGUSR1] {
            let folder = try makeTemporaryFolder("earmark-signal")
            defer { try? FileManager.default.removeItem(at: folder) }
            try TinyData.make(in: folder, epochs: epochs)
            let history = folder.appendingPathComponent("runs/tiny/history.csv")
            let stopped = try CLI.run("train", ["--mode", "tiny"], in: folder) { train in
                let deadline = Date().addingTimeInterval(120)
                while train.isRunning && !FileManager.default.fileExists(atPath: history.path) && Date() < deadline {
                    usleep(1_000)
                }
                kill(train.processIdentifier, signal)
            }
            XCTAssertEqual(stopped.status, 130, "signal \(signal):\n\(stopped.output)")
            XCTAssertEqual(stopped.stdout.components(separatedBy: "stopped: checkpoint written").count, 2,
                           "signal \(signal):\n\(stopped.output)")
            let resumed = try CLI.run("train", ["--mode", "tiny", "--resume"], in: folder)
            XCTAssertEqual(resumed.status, 0, resumed.output)
            XCTAssertTrue(resumed.stdout.contains("resuming tiny at epoch"), resumed.stdout)
            XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent("models/tiny.safetensors")), reference,
                           "stopped by signal \(signal), then resumed")
        }
    }

    /// Steps per epoch from a Keras-style progress line `12/12 ...` (the epoch's last step), or nil.
    static func stepsPerEpoch(_ line: String) -> Int? {
        let parts = line.split(separator: " ", maxSplits: 1)
        guard let first = parts.first else { return nil }
        let pair = first.split(separator: "/")
        guard pair.count == 2, let done = Int(pair[0]), let total = Int(pair[1]), done == total else { return nil }
        return total
    }

}
