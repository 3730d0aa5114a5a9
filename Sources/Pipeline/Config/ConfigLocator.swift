import Foundation

/// Finds the config named by `--mode M` or `--config FILE`; both at once is an error naming the file
/// (for every command that takes them: train, preprocess).
///
/// `--mode M` looks for cfg/M.yaml in the current folder, then in the data folder, then among the
/// configs built into the binaries (`BuiltInConfigs`, the shipped cfg/*.yaml), so the commands work
/// from any folder and a local cfg/ overrides a built-in config of the same name.
public enum ConfigLocator {
    /// Where the config of one mode comes from.
    public enum Source: Equatable, Sendable, CustomStringConvertible {
        /// A cfg/M.yaml file (in the current folder or the data folder).
        case file(URL)
        /// The copy of the shipped cfg/M.yaml built into the binaries.
        case builtIn

        public var description: String {
            switch self {
            case .file(let url): return url.path
            case .builtIn: return "built in"
            }
        }
    }

    /// Resolves and loads the config.
    /// - Throws: `ConfigError` naming every place looked at when nothing is found.
    public static func load(mode: String?, file: String?, data: DataFolder) throws -> ExperimentConfig {
        if let file, let mode {
            // one rule for every command taking both options: neither silently wins
            throw ConfigError(file: file, key: "",
                              "given together with --mode \(mode): give --mode or --config, not both")
        }
        if let file {
            return try ExperimentConfig.load(contentsOf: URL(fileURLWithPath: file))
        }
        let name = mode ?? "conv"
        switch locate(name, data: data) {
        case .file(let url)?:
            return try ExperimentConfig.load(contentsOf: url)
        case .builtIn?:
            return try ExperimentConfig.parse(BuiltInConfigs.texts[name]!, file: "cfg/\(name).yaml (built in)",
                                              defaultName: name)
        case nil:
            let looked = folders(data: data).map { $0.appendingPathComponent("cfg/\(name).yaml").path }
            throw ConfigError(file: "cfg/\(name).yaml", key: "",
                              "not found (looked in \(looked.joined(separator: ", ")) and the built-in configs "
                              + "\(BuiltInConfigs.texts.keys.sorted().joined(separator: ", "))); "
                              + "`train --list-modes` lists the modes, or pass --config FILE")
        }
    }

    /// Where `--mode name` would be read from, or nil when there is no such config.
    public static func locate(_ name: String, data: DataFolder) -> Source? {
        for folder in folders(data: data) {
            let url = folder.appendingPathComponent("cfg/\(name).yaml")
            // a folder of that name is not a config (it was listed as a mode, and shadowed the next one)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
                return .file(url)
            }
        }
        return BuiltInConfigs.texts[name] == nil ? nil : .builtIn
    }

    /// Every mode available (the local cfg/ folders' *.yaml and the built-in configs), sorted by
    /// name, each with the source `--mode` would use.
    public static func modes(data: DataFolder) -> [(name: String, source: Source)] {
        var names = Set(BuiltInConfigs.texts.keys)
        for folder in folders(data: data) {
            let cfg = folder.appendingPathComponent("cfg", isDirectory: true)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: cfg.path)) ?? []
            for f in files where f.hasSuffix(".yaml") { names.insert(String(f.dropLast(".yaml".count))) }
        }
        return names.sorted().compactMap { name in locate(name, data: data).map { (name, $0) } }
    }

    /// The folders searched for cfg/, in order: the current folder, then the data folder.
    static func folders(data: DataFolder) -> [URL] {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        return cwd.standardizedFileURL == data.root.standardizedFileURL ? [cwd] : [cwd, data.root]
    }
}
