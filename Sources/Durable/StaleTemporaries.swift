import Foundation

extension AtomicFile {
    /// The longest file name the file systems here take, in bytes (NAME_MAX).
    static let longestName = 255

    /// A temporary file name for `name`: `.<name>.<UUID>.tmp`, with `name` cut (at a character's end)
    /// so that the whole stays within `longestName` bytes: the 42 bytes added made a valid name of
    /// 214 to 255 bytes impossible to write ("File name too long"), and one such recording stopped `train`.
    public static func temporaryName(for name: String) -> String {
        let added = ".".utf8.count + ".".utf8.count + 36 + ".tmp".utf8.count
        var kept = Substring(name)
        while kept.utf8.count + added > longestName { kept = kept.dropLast() }
        return ".\(kept).\(UUID().uuidString).tmp"
    }

    /// Whether `name` is an `AtomicFile` temporary file name: `.<name>.<UUID>.tmp`.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let stem = name.dropLast(4)
        guard let dot = stem.lastIndex(of: "."), dot > stem.index(after: stem.startIndex) else { return false }
        return UUID(uuidString: String(stem[stem.index(after: dot)...])) != nil
    }

    /// Removes the temporary files that writers killed between writing and renaming left in `folders`
    /// (and, with `recursive`, in their subfolders). Only the caller may be writing there (it holds
    /// the folder's `FolderLock`). Missing folders are skipped. - Returns: how many were removed.
    @discardableResult
    public static func removeStaleTemporaries(in folders: [URL], recursive: Bool) -> Int {
        var removed = 0
        for folder in folders {
            let names: [String]
            if recursive {
                names = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
            } else {
                names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            }
            for relative in names where isTemporaryName((relative as NSString).lastPathComponent) {
                if (try? FileManager.default.removeItem(at: folder.appendingPathComponent(relative))) != nil {
                    removed += 1
                }
            }
        }
        return removed
    }
}
