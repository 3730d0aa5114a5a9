import Durable
import Foundation

/// File checks shared by the crash, disk-full, lock and durable-write tests.
enum CrashFiles {
    /// Every regular file under `root` (hidden ones included), relative to `root`.
    static func all(under root: URL) -> Set<String> {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: Set<String> = []
        while let path = walker.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder),
               !isFolder.boolValue { files.insert(path) }
        }
        return files
    }

    /// The `AtomicFile` temporary files under `root`.
    static func temporaries(under root: URL) -> [String] {
        all(under: root).filter { AtomicFile.isTemporaryName(($0 as NSString).lastPathComponent) }.sorted()
    }

    /// The bytes of `relative` under `root` (empty when missing).
    static func bytes(_ relative: String, in root: URL) -> Data {
        (try? Data(contentsOf: root.appendingPathComponent(relative))) ?? Data()
    }

    /// A copy of `source` at `destination` (replacing it), times kept (`cp -a`) so that the copy's
    /// clean files and caches stay up to date with its sources.
    static func copy(_ source: URL, to destination: URL) throws {
        try? FileManager.default.removeItem(at: destination)
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/bin/cp")
        cp.arguments = ["-a", source.path, destination.path]
        try cp.run()
        cp.waitUntilExit()
        guard cp.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
