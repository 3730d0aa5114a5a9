#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An exclusive advisory lock on a folder (`flock` on the folder itself, so no lock file is created
/// and a read-only folder can be locked). The lock lasts until the process ends (a killed holder
/// releases it at once). Earmark's commands hold it on the data folder while they write in it.
public enum FolderLock {
    /// Locks `folder`, waiting for another holder; `waiting(pid)` is called once before waiting
    /// (pid: the holder's process id when the system tells it). - Returns: false when the folder
    /// cannot be opened (it does not exist): nothing was locked.
    @discardableResult
    public static func acquire(_ folder: URL, waiting: (Int?) -> Void) -> Bool {
        let fd = folder.withUnsafeFileSystemRepresentation { open($0!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else { return false }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return true }   // the descriptor stays open: the lock lasts
        guard errno == EWOULDBLOCK else { close(fd); return false }
        waiting(holder(of: fd))
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR { close(fd); return false }
        }
        return true
    }

    /// The pid holding an flock on the file behind `fd`, from /proc/locks (Linux); nil elsewhere.
    static func holder(of fd: Int32) -> Int? {
        var st = stat()
        guard fstat(fd, &st) == 0,
              let locks = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let device = String(format: "%02x:%02x:%d", major(st.st_dev), minor(st.st_dev), st.st_ino)
        for line in locks.split(separator: "\n") where !line.contains("->") {
            // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
            let f = line.split(separator: " ")
            if f.count >= 6, f[1] == "FLOCK", f[5] == device { return Int(f[4]) }
        }
        return nil
    }

    private static func major(_ dev: UInt) -> UInt32 { UInt32((dev >> 8) & 0xfff) | UInt32((dev >> 32) & ~0xfff) }
    private static func minor(_ dev: UInt) -> UInt32 { UInt32(dev & 0xff) | UInt32((dev >> 12) & ~0xff) }
}
