/// The processes of a data-parallel run and the collective operations between them. Every process
/// (rank) calls the same operations in the same order. `SingleProcess` is the run of one process
/// (every operation a no-op); `MPICollective` the ranks started by `mpirun`. `Cluster.current` is the
/// one the executables use.
public protocol Collective: AnyObject, Sendable {
    /// This process's index, 0..<size; rank 0 prints and writes files.
    var rank: Int { get }
    /// Number of processes.
    var size: Int { get }
    /// Number of processes on this host (they share its cores).
    var localSize: Int { get }
    /// Replaces `buffer` on every rank with the elementwise sum of every rank's `buffer`.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
    /// Replaces `buffer` on every rank with the elementwise sum of every rank's `buffer`.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
    /// Copies rank `root`'s `buffer` into every rank's.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int)
    /// Returns when every rank has called it; waits without spinning a core (rank 0 may be preparing
    /// data on every core meanwhile) and without a time limit.
    func barrier()
    /// Every rank's `local` concatenated in rank order; `counts[r]` is rank r's element count.
    func allgatherv(_ local: UnsafeBufferPointer<Float>, counts: [Int]) -> [Float]
    /// Every rank's `value`, in rank order.
    func allgather(_ value: UInt64) -> [UInt64]
}

extension Collective {
    /// The rows of a batch (or set) of `count` rows that this rank works on: contiguous, rank r gets
    /// count / size rows, the first count % size ranks one more (the same rule as a rank's replicas).
    public func shard(of count: Int) -> Range<Int> { Self.shard(of: count, rank: rank, size: size) }

    /// The rows `rank` of `size` ranks works on (see `shard(of:)`).
    public static func shard(of count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Runs `body` on rank 0 first while the other ranks wait, then on the other ranks: rank 0 makes
    /// what the others then only read (demo data, cleaned files, the feature cache).
    public func rankZeroFirst<T>(_ body: () throws -> T) rethrows -> T {
        if size == 1 { return try body() }
        if rank != 0 { barrier() }
        let result = try body()
        if rank == 0 { barrier() }
        return result
    }
}

/// The run of one process: rank 0 of 1, every collective operation leaves its data as it is.
public final class SingleProcess: Collective, @unchecked Sendable {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var localSize: Int { 1 }
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) {}
    public func barrier() {}
    public func allgatherv(_ local: UnsafeBufferPointer<Float>, counts: [Int]) -> [Float] { Array(local) }
    public func allgather(_ value: UInt64) -> [UInt64] { [value] }
}
