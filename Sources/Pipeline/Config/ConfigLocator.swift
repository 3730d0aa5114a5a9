import Foundation

/// Finds the config named by `--mode M` (cfg/M.yaml) or `--config FILE`; both at once is an error
/// naming the file (for every command that takes them: train, preprocess).
public enum ConfigLocator {
    /// Resolves and loads the config. `--mode M` looks for cfg/M.yaml in the current folder, then
    /// in the data folder.
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
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let candidates = [cwd, data.root].map { $0.appendingPathComponent("cfg/\(name).yaml") }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw ConfigError(file: "cfg/\(name).yaml", key: "",
                              "not found (looked in \(candidates.map(\.path).joined(separator: ", "))); "
                              + "modes are the file names in cfg/, e.g. conv or time, or pass --config FILE")
        }
        return try ExperimentConfig.load(contentsOf: found)
    }
}
