import CMPI
import Foundation

/// The linked Open MPI, for `--version`.
public enum MPILibrary {
    /// Under an MPI launcher (`mpirun` sets OMPI_COMM_WORLD_SIZE or PMIX_RANK) the running library's
    /// own string (`MPI_Get_library_version`); otherwise the version compiled against, because
    /// outside a launcher Earmark does not touch MPI at run time.
    public static var version: String {
        let env = ProcessInfo.processInfo.environment
        guard env["OMPI_COMM_WORLD_SIZE"] != nil || env["PMIX_RANK"] != nil else {
            let compiled = "\(earmark_ompi_major()).\(earmark_ompi_minor()).\(earmark_ompi_release())"
            return "Open MPI \(compiled) (compiled against)"
        }
        var buffer = [CChar](repeating: 0, count: Int(earmark_mpi_max_library_version_string()) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == earmark_mpi_success() else { return "Open MPI (unknown)" }
        // the string may span lines (Open MPI adds its repository revision and date): keep the first
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).first.map(String.init)?
            .trimmingCharacters(in: .whitespaces) ?? text
    }
}
