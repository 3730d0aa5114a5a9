import ArgumentParser
import Foundation

/// `bench machine`: the machine description (`MachineInfo`) as one JSON object on stdout, so that
/// benchmarks/run.py can pick the results.json entry of this CPU and OpenBLAS kernel before it runs anything.
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine", abstract: "Print the CPU model, OpenBLAS kernel and version as JSON.")

    func run() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(MachineInfo.collect()), as: UTF8.self))
    }
}
