import Foundation

/// `train compare`: several configs trained on the same data and seed, one table.
public struct Comparison {
    /// One row of the table.
    public struct Row {
        public var name: String
        public var parameters: Int
        public var secondsPerEpoch: Double
        public var trainingWindowsPerSecond: Double
        public var bestValidationAccuracy: Double
        public var testFileAccuracy: Double
        public var predictMillisecondsPerClip: Double
        public var testRows: [Int]
    }

    public var rows: [Row] = []
    public init() {}

    /// Adds the result of one finished run; times prediction on the held-out clips.
    public mutating func add(_ summary: TrainingRun.Summary, config: ExperimentConfig, prepared: PreparedData) throws {
        try add(summary, config: config, clips: prepared.clips, testRows: prepared.testRows)
    }

    /// Adds the result of one finished run of any model kind (`clips`: cleaned samples of every table
    /// row); times prediction on the held-out clips.
    public mutating func add(_ summary: TrainingRun.Summary, config: ExperimentConfig, clips all: [[Float]],
                             testRows: [Int]) throws {
        var ms = Double.nan
        if !testRows.isEmpty {
            let predictor = try ModelFile.classifier(contentsOf: summary.modelURL)
            let clips = testRows.map { all[$0] }
            let start = Date()
            _ = predictor.predict(cleaned: clips)
            ms = Date().timeIntervalSince(start) * 1000 / Double(clips.count)
        }
        rows.append(Row(name: config.name, parameters: summary.parameters, secondsPerEpoch: summary.secondsPerEpoch,
                        trainingWindowsPerSecond: summary.trainingWindowsPerSecond,
                        bestValidationAccuracy: summary.bestValidationAccuracy,
                        testFileAccuracy: summary.test?.report.accuracy ?? .nan,
                        predictMillisecondsPerClip: ms, testRows: testRows))
    }

    /// Whether every config was scored on the same test files.
    public var sameSplit: Bool { Set(rows.map(\.testRows)).count <= 1 }

    /// The table as Markdown.
    public func markdown() -> String {
        func pct(_ v: Double) -> String { v.isFinite ? String(format: "%.1f%%", v * 100) : "n/a" }
        var lines = ["| config | parameters | s/epoch | train windows/s | best val acc | test file acc | predict ms/clip |",
                     "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows {
            lines.append("| \(r.name) | \(r.parameters) | \(String(format: "%.2f", r.secondsPerEpoch)) | "
                         + "\(String(format: "%.0f", r.trainingWindowsPerSecond)) | \(pct(r.bestValidationAccuracy)) | "
                         + "\(pct(r.testFileAccuracy)) | \(String(format: "%.2f", r.predictMillisecondsPerClip)) |")
        }
        if !sameSplit { lines.append("\nNote: the configs did not keep the same test files (different cleaning or window settings).") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes runs/compare/compare.md, compare.csv and compare.svg (test accuracy and speed bars).
    public func write(to folder: URL) throws {
        try writeAtomically("# train compare\n\n" + markdown(), to: folder.appendingPathComponent("compare.md"))
        var csv = ["config,parameters,seconds_per_epoch,train_windows_per_second,best_val_accuracy,test_file_accuracy,predict_ms_per_clip"]
        for r in rows {
            csv.append("\(r.name),\(r.parameters),\(r.secondsPerEpoch),\(r.trainingWindowsPerSecond),\(r.bestValidationAccuracy),\(r.testFileAccuracy),\(r.predictMillisecondsPerClip)")
        }
        try writeAtomically(csv.joined(separator: "\n") + "\n", to: folder.appendingPathComponent("compare.csv"))
        let accuracy = Charts.bars(title: "test file accuracy", labels: rows.map(\.name),
                                   values: rows.map { $0.testFileAccuracy * 100 }, unit: "%")
        let speed = Charts.bars(title: "training windows per second", labels: rows.map(\.name),
                                values: rows.map(\.trainingWindowsPerSecond))
        let height = 44.0 + 28.0 * Double(rows.count) + 20
        try writeAtomically(RunReport.stack([accuracy, speed], height: height), to: folder.appendingPathComponent("compare.svg"))
    }
}
