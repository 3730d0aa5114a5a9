import Foundation

/// The folders of one data set, the reference layout: audio.csv and wavfiles/ in, clean/,
/// pickles/, models/ and runs/ out, all beside each other (docs/FORMATS.md §1).
public struct DataFolder: Sendable {
    public let root: URL
    public init(root: URL) { self.root = root.standardizedFileURL }

    public var csv: URL { root.appendingPathComponent("audio.csv") }
    public var wavfiles: URL { root.appendingPathComponent("wavfiles", isDirectory: true) }
    public var clean: URL { root.appendingPathComponent("clean", isDirectory: true) }
    public var pickles: URL { root.appendingPathComponent("pickles", isDirectory: true) }
    public var models: URL { root.appendingPathComponent("models", isDirectory: true) }
    public var runs: URL { root.appendingPathComponent("runs", isDirectory: true) }
    /// plots/: `preprocess --plots`.
    public var plots: URL { root.appendingPathComponent("plots", isDirectory: true) }

    /// models/<name>.safetensors: the best model of a run.
    public func model(_ name: String) -> URL { models.appendingPathComponent("\(name).safetensors") }
    /// models/<name>.checkpoint.safetensors: the latest state, with the optimizer, for --resume.
    public func checkpoint(_ name: String) -> URL { models.appendingPathComponent("\(name).checkpoint.safetensors") }
    /// runs/<name>/
    public func run(_ name: String) -> URL { runs.appendingPathComponent(name, isDirectory: true) }

    /// Path of `url` for messages: relative to the current folder when inside it (as the user
    /// typed it: `mydata/wavfiles/x.wav`), else the full path.
    public func display(_ url: URL) -> String {
        let p = url.standardizedFileURL.path
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path + "/"
        return p.hasPrefix(cwd) ? String(p.dropFirst(cwd.count)) : p
    }

    /// Reads audio.csv, naming it in messages as `display` does.
    public func readTable() throws -> AudioTable {
        try AudioTable(contentsOf: csv, displayName: display(csv))
    }

    /// Whether audio.csv exists.
    public var hasTable: Bool { FileManager.default.fileExists(atPath: csv.path) }

    /// Refuses a file that stands where one of `folders` goes, before any work: a run with several
    /// parts (the folds, the configs of `train compare`) found it only when its part came, after the
    /// earlier parts had trained and replaced their models.
    /// - Throws: `FileError` naming the file.
    public func refuseFilesWhereFoldersGo(_ folders: [URL]) throws {
        for folder in folders {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), !isFolder.boolValue {
                throw FileError(display(folder), "is a file, not a folder: move it away")
            }
            // a link to nothing: fileExists follows it and says no, and mkdir then fails on it
            var info = stat()
            if !FileManager.default.fileExists(atPath: folder.path), lstat(folder.path, &info) == 0 {
                throw FileError(display(folder), "is a link to nothing, where a folder goes: remove it")
            }
        }
    }

    /// Creates each of `folders` when missing and checks that it can be written: what `train` does
    /// before it fits or trains anything, so that a read-only report folder is not found after the
    /// new model replaced the old one (leaving it beside the old report).
    /// - Throws: `FileError` naming the folder, "cannot be created" or "cannot be written (reason):
    ///   nothing was trained or replaced".
    public func requireWritable(_ folders: [URL]) throws {
        for folder in folders {
            try createFolder(folder, named: display(folder))
            if access(folder.path, W_OK) != 0 {
                throw FileError(display(folder), "cannot be written (\(String(cString: strerror(errno)))): "
                                + "nothing was trained or replaced")
            }
        }
    }
}

/// Size and modification time of a file: what a derived file records of its source. Of the file a
/// link leads to, not of the link (whose stamp stayed the same when its target was replaced, so the
/// old clean audio and feature cache were reused).
public struct SourceStamp: Codable, Equatable, Sendable {
    public var size: Int
    public var modified: Double

    /// - Returns: nil when the file does not exist or cannot be inspected.
    public init?(of url: URL) {
        guard let a = try? FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path),
              let size = (a[.size] as? NSNumber)?.intValue, let date = a[.modificationDate] as? Date else { return nil }
        self.size = size
        self.modified = date.timeIntervalSince1970
    }
}
