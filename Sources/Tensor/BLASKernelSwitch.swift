import COpenBLAS
import CSupport
import Foundation

/// Runs OpenBLAS's best kernels on a CPU it does not recognise: the first call of every Earmark
/// executable. OpenBLAS picks its kernel family in a library constructor, before `main`, so when
/// `BLASKernelFamily` says another family should run, the process sets `OPENBLAS_CORETYPE` and
/// executes itself again (same binary, arguments and environment, plus that variable and
/// `EARMARK_OPENBLAS_DETECTED`, OpenBLAS's own choice, for `--version`). The new process finds
/// `OPENBLAS_CORETYPE` set and carries on, so there is at most one re-execution.
public enum BLASKernelSwitch {
    /// For tests: the family to take as OpenBLAS's detection (a pre-AVX2 one makes the process
    /// re-execute itself, as on a CPU that OpenBLAS 0.3.21 does not know).
    public static let pretendVariable = "EARMARK_TEST_OPENBLAS_DETECTED"

    /// Set before re-executing: the family OpenBLAS detected by itself.
    public static let detectedVariable = "EARMARK_OPENBLAS_DETECTED"

    /// Set before re-executing and removed by the new image: the process's name, which it takes
    /// back (an `execv` of /proc/self/exe names it "exe", which `pgrep -x train`, `killall` and
    /// `ps -C` do not find).
    static let nameVariable = "EARMARK_PROCESS_NAME"

    /// Re-executes the process with a better `OPENBLAS_CORETYPE` when OpenBLAS fell back to a generic
    /// family; returns when there is nothing to do (or `execv` failed: OpenBLAS's kernels then stay).
    /// A bad `EARMARK_OPENBLAS_CORETYPE` prints one error line and exits with status 1.
    /// Call it before anything else (before MPI_Init and any BLAS call).
    public static func runBestKernels() {
        if let name = getenv(nameVariable) {      // the image after a re-execution: its name back
            earmark_set_process_name(name)
            unsetenv(nameVariable)
        }
        let environment = ProcessInfo.processInfo.environment
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let cpu = BLASKernelFamily.cpu(fromCPUInfo: text)
        // what OpenBLAS detected; a test hook stands in for a CPU OpenBLAS does not know, so that the
        // re-execution runs on any machine (CLITests.StandardStreamTests)
        let detected = environment[pretendVariable] ?? BLAS.coreName
        let family: String?
        do {
            family = try BLASKernelFamily.family(coreName: detected, flags: cpu.flags, vendor: cpu.vendor,
                                                 environment: environment)
        } catch {
            let line = Array("error: \(error)\n".utf8)
            _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }   // a failure is not a trap
            exit(1)
        }
        guard let family else { return }
        let slower = "OpenBLAS's \(detected) kernels run, slower than its \(family) ones"
        guard earmark_started_by_dynamic_loader() == 0 else {
            // /proc/self/exe is the loader: executing it again would run the loader on Earmark's arguments
            warn("started through the dynamic loader, so it cannot execute itself again: \(slower) "
                 + "(set \(BLASKernelFamily.coreTypeVariable)=\(family) to choose them)")
            return
        }
        var name = [CChar](repeating: 0, count: 16)
        earmark_process_name(&name)
        setenv(nameVariable, String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), 1)
        setenv(detectedVariable, detected, 1)
        setenv(BLASKernelFamily.coreTypeVariable, family, 1)
        // descriptors closed at start were reopened before main: closed again, the new image sees what
        // the command was given (a closed standard output is said as such, not as a full device)
        earmark_close_descriptors_closed_at_start()
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        let reason = String(cString: strerror(errno))
        _ = earmark_reopen_closed_standard_descriptors()   // execv failed: no file may take their numbers
        unsetenv(BLASKernelFamily.coreTypeVariable)
        unsetenv(detectedVariable)
        unsetenv(nameVariable)
        warn("could not execute itself again with \(BLASKernelFamily.coreTypeVariable)=\(family) (\(reason)): \(slower)")
    }

    /// One `warning:` line on standard error, written with write(2) (nothing is set up yet).
    private static func warn(_ text: String) {
        let line = Array("warning: \(text)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// The kernel family in use and where it came from, for `--version`: `SkylakeX (chosen by Earmark
    /// from the CPU flags; OpenBLAS detected Prescott)`, `Haswell (OPENBLAS_CORETYPE)` or
    /// `SkylakeX (detected by OpenBLAS)`, or `Cooperlake (detected by OpenBLAS, which did not take
    /// OPENBLAS_CORETYPE=garbage)` when the variable names no family OpenBLAS knows.
    public static var description: String {
        describe(core: BLAS.coreName, environment: ProcessInfo.processInfo.environment)
    }

    /// `description` for the kernel family `core` in use and the process's `environment`.
    public static func describe(core: String, environment: [String: String]) -> String {
        guard let requested = environment[BLASKernelFamily.coreTypeVariable] else {
            return "\(core) (detected by OpenBLAS)"
        }
        if let detected = environment[detectedVariable], !detected.isEmpty {
            return "\(core) (chosen by Earmark from the CPU flags; OpenBLAS detected \(detected))"
        }
        guard requested.lowercased() == core.lowercased() else {
            return "\(core) (detected by OpenBLAS, which did not take "
                + "\(BLASKernelFamily.coreTypeVariable)=\(requested))"
        }
        return "\(core) (\(BLASKernelFamily.coreTypeVariable))"
    }
}
