import Foundation
import Pipeline
import XCTest

/// One run of Tests/ONNX/run_onnx.py (onnxruntime in the test venv) over several exported models: each
/// model gets an input .npy and an output .f32 path in `root`, and the script prints one JSON line per
/// model (its metadata, output shape and where the outputs went).
struct ONNXRuntimeRun {
    private var arguments = [ONNXExportTests.repository.appendingPathComponent("Tests/ONNX/run_onnx.py").path]
    let root: URL

    init(root: URL) { self.root = root }

    /// Queues `model` on the input `x` (shape `shape`), written to `<name>.npy`; outputs go to `<name>.f32`.
    mutating func add(model: URL, name: String, x: [Float], shape: [Int]) throws {
        let input = root.appendingPathComponent("\(name).npy")
        try NPY.write(x, shape: shape, to: input)
        arguments += [model.path, input.path, root.appendingPathComponent("\(name).f32").path]
    }

    /// Runs the script with `python` and returns its JSON lines; fails the test unless it exits 0 and
    /// prints `expected` lines.
    func lines(python: String, expected: Int, file: StaticString = #filePath,
               line: UInt = #line) throws -> [[String: Any]] {
        let run = try CLI.run(python, arguments, in: root)
        XCTAssertEqual(run.status, 0, run.output, file: file, line: line)
        let lines = run.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(lines.count, expected, run.output, file: file, line: line)
        return lines
    }
}
