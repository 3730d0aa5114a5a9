import Foundation

/// The processes this run is part of: `MPICollective` when the process was started by an MPI
/// launcher (`mpirun` sets OMPI_COMM_WORLD_SIZE or PMIX_RANK), otherwise `SingleProcess`. Without a
/// launcher MPI is never initialised, so plain `train` needs no MPI at run time beyond the library.
public enum Cluster {
    /// This process's collective, made on first use (MPI_Init happens then, for launched ranks).
    public static let current: Collective = {
        let env = ProcessInfo.processInfo.environment
        let launched = env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil
        return launched ? MPICollective() : SingleProcess()
    }()

    /// Start-up of a launched rank: on ranks other than 0 standard output goes to /dev/null (rank 0
    /// alone prints progress and results; errors still reach standard error).
    public static func start() {
        let c = current
        guard c.rank != 0 else { return }
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
    }

    /// End of a launched run: every rank waits for the others (rank 0 may still be writing the report),
    /// then MPI is finalised. Nothing to do for a single process.
    public static func finish() {
        (current as? MPICollective)?.finish()
    }
}
