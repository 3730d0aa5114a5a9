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

    /// A fresh folder with the tiny data set and cfg/tiny.yaml of `epochs` epochs.
    func makeData(epochs: Int) throws -> URL {
        let root = try makeTemporaryFolder("earmark-mpi")
        folders.append(root)
        try TinyData.make(in: root, epochs: epochs)
        return root
    }

    /// `train` on one rank with two replicas.
    func trainAlone(_ arguments: [String], in root: URL) throws -> CLI.Result {
        try CLI.run("train", arguments, in: root, environment: ["EARMARK_THREADS": "2"])
    }

    /// `train` on `ranks` ranks of one replica each, through mpirun (root allowed in tests only).
    func trainMPI(ranks: Int, _ arguments: [String], in root: URL) throws -> CLI.Result {
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
                                                   "EARMARK_MPI_TIMEOUT": "60"])
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
