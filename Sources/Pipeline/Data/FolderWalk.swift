import Foundation

/// The files below a folder given to `predict`, or of `augmentation.noise.folder`: its regular files,
/// links followed (a link to a clip is that clip, a link to a folder is walked; both were left out,
/// called "a link to nothing"), each folder walked once (a link cycle ends; a link to a folder above
/// the one given is not walked, which took predict out of it), hidden entries skipped, names sorted
/// before each folder is walked, so that the files and their order depend on the folder's contents,
/// not on the order the file system lists them. Paths stay under the folder as given, links and all,
/// so that predictions.csv names what the user named. What is left out is kept by kind, for the
/// warnings.
struct FolderWalk {
    /// The regular files (or links to them), sorted by path.
    var files: [URL] = []
    /// Folders that cannot be listed and entered, with the system's reason.
    var closed: [(path: String, reason: String)] = []
    /// Entries whose name is not UTF-8, as Foundation shows them (U+FFFD: they cannot be opened by name).
    var notUTF8Paths: [String] = []
    /// Links that lead to no file.
    var danglingLinks: [String] = []
    /// Entries that are neither a file nor a folder: pipes, sockets, devices.
    var specialPaths: [String] = []
    /// How many entries' names are not UTF-8.
    var notUTF8: Int { notUTF8Paths.count }
    /// How many entries are neither a file nor a folder (links to nothing among them).
    var other: Int { danglingLinks.count + specialPaths.count }
    /// Entries that cannot be looked at for another reason (a path beyond the system's length limit),
    /// with the system's reason.
    var unreachable: [(path: String, reason: String)] = []

    init(_ folder: URL) {
        var walked = FolderWalk.ancestors(of: folder)
        walk(folder, walked: &walked)
        files.sort { FolderWalk.byBytes($0.path, $1.path) }
    }

    /// Order by the names' UTF-8 bytes: String's `<` takes canonically equivalent names ("café" composed
    /// and decomposed) as equal, which left their order to the file system's listing.
    static func byBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// The device and inode of each folder above `folder` (its physical path's), so that a link up
    /// to one of them ends like a cycle: `predict clips/sub` with `clips/sub/up -> ..` classified all
    /// of clips/, and a link to / would walk the whole file system.
    /// Both the physical path's folders and those of the path as given count: a folder given through a
    /// link (`lp/clips/sub -> /elsewhere/sub`) has `lp/clips` above it as the user sees it. A folder
    /// of the path as given that is the named folder itself, or inside it (`clips/all -> .`, or
    /// `clips/sub/up` with `up -> ..`), is not above it: counted, it stopped the walk before it began.
    private static func ancestors(of folder: URL) -> Set<[UInt64]> {
        guard let resolved = realpath(folder.path, nil) else { return [] }
        let real = String(cString: resolved)
        free(resolved)
        var found: Set<[UInt64]> = []
        func climb(_ start: String, above: Bool) {
            var path = start
            while path != "/" {
                path = (path as NSString).deletingLastPathComponent
                if path.isEmpty { break }
                if !above, let r = realpath(path, nil) {
                    let inside = String(cString: r)
                    free(r)
                    if inside == real || inside.hasPrefix(real == "/" ? "/" : real + "/") { continue }
                }
                var info = stat()
                if stat(path, &info) == 0 { found.insert([UInt64(info.st_dev), UInt64(info.st_ino)]) }
            }
        }
        climb(real, above: true)
        climb(folder.standardizedFileURL.path, above: false)
        return found
    }

    /// Each folder is known by its device and inode (a path, resolved through Foundation, collided for
    /// paths of the length limit, and a folder was skipped as walked).
    private mutating func walk(_ dir: URL, walked: inout Set<[UInt64]>) {
        var info = stat()
        guard stat(dir.path, &info) == 0 else {
            unreachable.append((dir.path, String(cString: strerror(errno))))
            return
        }
        guard walked.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
        if let reason = PathAccess.listProblem(dir.path) {
            closed.append((dir.path, reason))
            return
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted(by: FolderWalk.byBytes)
        // keyed by the name's bytes: Swift's String equality takes "café" composed and decomposed for one
        // name, and the second, a valid file of its own, was left out as "not UTF-8"
        var seen = Set<[UInt8]>()
        for name in names where !name.hasPrefix(".") {
            // a name of bytes that are not UTF-8 reads as U+FFFD, and may read as another entry's valid
            // name: the second is not that entry (it was classified twice)
            guard seen.insert(Array(name.utf8)).inserted else { notUTF8Paths.append(dir.appendingPathComponent(name).path); continue }
            let url = dir.appendingPathComponent(name)
            var info = stat()
            guard stat(url.path, &info) == 0 else {
                let reason = errno
                // a name that is not UTF-8 shows U+FFFD and cannot be opened by it; a name that holds the
                // character itself (valid UTF-8) is looked at like any other
                if name.contains("\u{FFFD}") { notUTF8Paths.append(url.path) }
                else if reason == ENOENT { danglingLinks.append(url.path) }       // a link to nothing
                else { unreachable.append((url.path, String(cString: strerror(reason)))) }
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(url, walked: &walked)
            case S_IFREG: files.append(url)
            default: specialPaths.append(url.path)
            }
        }
    }
}
