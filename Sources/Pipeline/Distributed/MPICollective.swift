import CMPI
import Foundation
import Synchronization

/// The ranks of an Open MPI job (MPI_COMM_WORLD). Errors are returned, not fatal inside MPI
/// (MPI_ERRORS_RETURN): a failed call prints `error: rank R: MPI_X failed: ...` and aborts the job.
/// A watchdog ends this rank with an error naming it when one collective call waits longer than
/// EARMARK_MPI_TIMEOUT seconds (default 300): a peer that died or hangs cannot block the others
/// for ever (mpirun also names a rank that died and ends the job).
public final class MPICollective: Collective, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    public let localSize: Int
    /// Seconds one collective call may wait before the watchdog ends the process.
    public let timeout: Double
    /// The variable that sets `timeout` (default 300 s; `EnvironmentCheck` holds its range).
    public static let timeoutVariable = "EARMARK_MPI_TIMEOUT"
    private let comm: MPI_Comm
    /// Monotonic start (ns) of the collective call in progress, 0 outside calls; read by the watchdog.
    private let callStart = Atomic<UInt64>(0)
    private let callName = Mutex<String>("")

    /// Initialises MPI (once per process) and starts the watchdog.
    init() {
        MPI_Init(nil, nil)
        comm = earmark_mpi_comm_world()
        MPI_Comm_set_errhandler(comm, earmark_mpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &s)
        rank = Int(r); size = Int(s)
        let env = ProcessInfo.processInfo.environment
        localSize = env["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1
        timeout = env[Self.timeoutVariable].flatMap { Double($0) } ?? 300   // its range: EnvironmentCheck
        startWatchdog()
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard buffer.count > 0 else { return }
        timed("MPI_Allreduce") {
            MPI_Allreduce(earmark_mpi_in_place(), buffer.baseAddress, count32(buffer.count),
                          earmark_mpi_float(), earmark_mpi_sum(), comm)
        }
    }

    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {
        guard buffer.count > 0 else { return }
        timed("MPI_Allreduce") {
            MPI_Allreduce(earmark_mpi_in_place(), buffer.baseAddress, count32(buffer.count),
                          earmark_mpi_double(), earmark_mpi_sum(), comm)
        }
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {
        guard buffer.count > 0 else { return }
        timed("MPI_Bcast") {
            MPI_Bcast(buffer.baseAddress, count32(buffer.count), earmark_mpi_byte(), Int32(root), comm)
        }
    }

    public func barrier() {
        var request: MPI_Request? = nil
        check("MPI_Ibarrier", MPI_Ibarrier(comm, &request))
        var done: Int32 = 0
        while done == 0 {
            check("MPI_Test", MPI_Test(&request, &done, nil))
            if done == 0 { usleep(5_000) }
        }
    }

    public func allgatherv(_ local: UnsafeBufferPointer<Float>, counts: [Int]) -> [Float] {
        precondition(counts.count == size && counts[rank] == local.count,
                     "allgatherv: \(local.count) local elements, counts \(counts)")
        let counts32 = counts.map(count32)
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + counts32[r - 1] }
        var out = [Float](repeating: 0, count: counts.reduce(0, +))
        timed("MPI_Allgatherv") {
            out.withUnsafeMutableBufferPointer { o in
                MPI_Allgatherv(local.baseAddress, count32(local.count), earmark_mpi_float(), o.baseAddress,
                               counts32, displacements, earmark_mpi_float(), comm)
            }
        }
        return out
    }

    public func allgather(_ value: UInt64) -> [UInt64] {
        var mine = value
        var out = [UInt64](repeating: 0, count: size)
        timed("MPI_Allgather") {
            out.withUnsafeMutableBufferPointer { o in
                MPI_Allgather(&mine, 1, earmark_mpi_uint64(), o.baseAddress, 1, earmark_mpi_uint64(), comm)
            }
        }
        return out
    }

    /// Waits for every rank (without a time limit), then finalises MPI.
    func finish() {
        barrier()
        MPI_Finalize()
    }

    // MARK: errors and the watchdog

    private func count32(_ n: Int) -> Int32 {
        precondition(n <= Int(Int32.max), "MPI message of \(n) elements exceeds Int32")
        return Int32(n)
    }

    /// Runs one MPI call under the watchdog and checks its result.
    private func timed(_ name: String, _ call: () -> Int32) {
        callName.withLock { $0 = name }
        callStart.store(DispatchTime.now().uptimeNanoseconds, ordering: .releasing)
        let code = call()
        callStart.store(0, ordering: .releasing)
        check(name, code)
    }

    /// On a failed call: one line naming this rank and the call, then the job is aborted.
    private func check(_ name: String, _ code: Int32) {
        guard code != earmark_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(earmark_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &text, &length)
        let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fail("\(name) failed: \(message) (did another rank die?)")
        MPI_Abort(comm, 1)
        exit(1)
    }

    private func fail(_ problem: String) {
        StandardStreams.toStandardError("error: rank \(rank) of \(size): \(problem)\n")
    }

    private func startWatchdog() {
        let limit = UInt64(timeout * 1e9)
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: min(1, timeout / 4))
                let start = callStart.load(ordering: .acquiring)
                guard start != 0, DispatchTime.now().uptimeNanoseconds - start > limit else { continue }
                let name = callName.withLock { $0 }
                fail("no answer from the other ranks for \(Int(timeout)) s in \(name): "
                     + "a rank died or hangs (EARMARK_MPI_TIMEOUT sets the limit)")
                _exit(1)
            }
        }
        thread.start()
    }
}
