/// A problem in a config file: names the file, the line and the key path, with a hint.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(file: String, line: Int? = nil, key: String, _ problem: String) {
        let place = line.map { "\(file):\($0)" } ?? file
        description = key.isEmpty ? "\(place): \(problem)" : "\(place): \(key): \(problem)"
    }
}
