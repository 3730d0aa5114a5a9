import Foundation
import Tensor

/// Which file a source is, beyond its size and time: the device and inode it lives in and the time
/// its inode last changed (ctime), of the file a link leads to. Renames and swaps move inodes, and
/// every write, `touch -d` or permission change sets ctime, none of which a copy of size and time
/// can hide. A copy that keeps times (`cp -p`, `rsync -a`, a moved data folder) has another identity
/// with the same audio, so a changed identity is a reason to compare the source's bytes
/// (`SourceIdentity.contentHash`), not to clean it again.
public struct SourceIdentity: Codable, Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    /// ctime in nanoseconds since 1970.
    public var changed: Int64

    /// - Returns: nil when the file does not exist or cannot be inspected.
    public init?(of url: URL) {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// `ContentHash` of the file's bytes as 16 hex digits (seeded with its length), or nil when it
    /// cannot be read or is not a regular file (a pipe put in its place would block the read). The
    /// file is mapped, not copied.
    public static func contentHash(of url: URL) -> String? {
        var info = stat()
        guard stat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
              let bytes = try? Data(contentsOf: url, options: .alwaysMapped) else { return nil }
        return bytes.withUnsafeBytes { ContentHash.hex(ContentHash.of($0, seed: UInt64($0.count))) }
    }
}
