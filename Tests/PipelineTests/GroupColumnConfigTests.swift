import Foundation
import Pipeline
import XCTest

/// `split.group_column`: decoding, printing only when named, and how audio.csv's columns are used.
final class GroupColumnConfigTests: XCTestCase {
    let layers = "model:\n  layers:\n    - flatten: {}\n    - dense: {units: classes, activation: softmax}\n"

    func testGroupColumnIsPrintedOnlyWhenNamedAndRoundTrips() throws {
        let plain = try ExperimentConfig.parse(layers, file: "cfg/x.yaml", defaultName: "x")
        XCTAssertNil(plain.split.groupColumn)
        XCTAssertFalse(plain.yaml().contains("group_column"))
        for name in ["part", "machine id", "yes", "a: b", "x\"y", "1st"] {
            let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            let c = try ExperimentConfig.parse(layers + "split: {test: 0.2, group_column: \(quoted)}\n",
                                               file: "cfg/x.yaml", defaultName: "x")
            XCTAssertEqual(c.split.groupColumn, name)
            let printed = ["part", "machine id"].contains(name) ? name : quoted
            XCTAssertTrue(c.yaml().hasSuffix("  validation: 0.1\n  group_column: \(printed)\n"), c.yaml())
            var back = try ExperimentConfig.parse(c.yaml(), file: "printed", defaultName: "x")
            back.source = c.source
            XCTAssertEqual(back, c, name)
            XCTAssertNotEqual(c.configHash, plain.configHash)
        }
        XCTAssertThrowsError(try ExperimentConfig.parse(layers + "split: {group_column: label}\n", file: "cfg/x.yaml",
                                                        defaultName: "x")) {
            XCTAssertTrue("\($0)".contains("split.group_column"), "\($0)")
        }
    }

    func testGroupValuesComeFromTheNamedOrTheDefaultColumn() throws {
        let csv = "fname,label,group,part\na.wav,x, m1 ,p1\nb.wav,y,m2,p1\n"
        let table = try AudioTable(data: Data(csv.utf8), file: "data/audio.csv")
        var config = ExperimentConfig(name: "x")
        let byDefault = try XCTUnwrap(Preparation.groups(table: table, config: config))
        XCTAssertEqual(byDefault.column, "group")
        XCTAssertEqual(byDefault.values, ["m1", "m2"])
        config.split.groupColumn = "part"
        XCTAssertEqual(try Preparation.groups(table: table, config: config)?.values, ["p1", "p1"])

        let noGroups = try AudioTable(data: Data("fname,label\na.wav,x\n".utf8), file: "data/audio.csv")
        XCTAssertNil(try Preparation.groups(table: noGroups, config: ExperimentConfig(name: "x")), "by file")
        config.source = "cfg/mine.yaml"
        XCTAssertThrowsError(try Preparation.groups(table: noGroups, config: config)) {
            XCTAssertEqual("\($0)", "data/audio.csv: has no column 'part', which split.group_column of cfg/mine.yaml "
                           + "names (columns: fname, label). Hint: add the column to audio.csv or remove "
                           + "split.group_column to split by file")
        }
    }
}
