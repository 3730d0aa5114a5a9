import Foundation
import Yams

/// A YAML node with the file and key path it came from, so that every error names both.
struct ConfigNode {
    let node: Node
    let key: String
    let file: String

    var line: Int? { node.mark?.line }

    func error(_ problem: String) -> ConfigError {
        ConfigError(file: file, line: line, key: key, problem)
    }

    private func child(_ node: Node, _ name: String) -> ConfigNode {
        ConfigNode(node: node, key: key.isEmpty ? name : "\(key).\(name)", file: file)
    }

    /// The value of `name` in a mapping, the other keys not checked: read before the keys allowed
    /// beside it are known (a schedule's or a model's `kind` decides them, so that an unknown key
    /// lists only that kind's). Nil when the node is no mapping or lacks the key.
    func peek(_ name: String) -> ConfigNode? {
        guard let map = node.mapping else { return nil }
        for (k, v) in map where k.string == name { return child(v, name) }
        return nil
    }

    /// The entries of a mapping; any key outside `allowed` is an error listing the allowed ones.
    func mapping(allowed: [String]) throws -> [String: ConfigNode] {
        if case .scalar(let s) = node, s.string.isEmpty || s.string == "~" || s.string == "null" { return [:] }
        guard let map = node.mapping else {
            throw error("expected a mapping with keys \(allowed.joined(separator: ", "))")
        }
        var out: [String: ConfigNode] = [:]
        for (k, v) in map {
            guard let name = k.string else { throw error("a key is not a string") }
            let c = child(v, name)
            guard allowed.contains(name) else {
                throw ConfigError(file: file, line: k.mark?.line, key: c.key,
                                  "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
            }
            guard out[name] == nil else { throw c.error("key appears twice") }
            out[name] = c
        }
        return out
    }

    /// The entries of a mapping whose keys are the user's names (class names), in the file's order.
    func namedEntries() throws -> [(name: String, value: ConfigNode)] {
        guard let map = node.mapping else { throw error("expected a mapping") }
        var out: [(name: String, value: ConfigNode)] = []
        for (k, v) in map {
            guard let name = k.string else { throw error("a key is not a string") }
            let c = child(v, name)
            guard !out.contains(where: { $0.name == name }) else { throw c.error("key appears twice") }
            out.append((name, c))
        }
        return out
    }

    /// Whether the value is a mapping.
    var isMapping: Bool { node.mapping != nil }

    /// Items of a sequence.
    func sequence() throws -> [ConfigNode] {
        guard let seq = node.sequence else { throw error("expected a list") }
        return seq.enumerated().map { ConfigNode(node: $0.element, key: "\(key)[\($0.offset)]", file: file) }
    }

    /// A one-key mapping `{name: body}` (the form of a layer entry).
    func singleEntry(allowed: [String]) throws -> (name: String, body: ConfigNode) {
        guard let map = node.mapping, map.count == 1, let (k, v) = map.first, let name = k.string else {
            throw error("expected one layer as `type: {arguments}` (types: \(allowed.joined(separator: ", ")))")
        }
        guard allowed.contains(name) else {
            throw ConfigError(file: file, line: k.mark?.line, key: "\(key).\(name)",
                              "unknown layer type (known: \(allowed.joined(separator: ", ")))")
        }
        return (name, child(v, name))
    }

    private var scalarText: String? {
        guard case .scalar(let s) = node else { return nil }
        return s.string
    }

    /// Whether the value is YAML null (`null`, `~` or nothing).
    var isNull: Bool {
        guard case .scalar(let s) = node else { return false }
        return s.string.isEmpty || s.string == "~" || s.string == "null"
    }

    func string() throws -> String {
        guard let s = scalarText else { throw error("expected a string") }
        return s
    }

    func choice<T: RawRepresentable>(_ type: T.Type, among options: [T]) throws -> T where T.RawValue == String {
        let s = try string()
        guard let v = T(rawValue: s), options.contains(where: { $0.rawValue == v.rawValue }) else {
            throw error("'\(s)' is not one of \(options.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }

    func int(min: Int = .min, max: Int = .max) throws -> Int {
        guard let s = scalarText, let v = Int(s) else {
            throw error("expected an integer, got '\(scalarText ?? "a collection")'")
        }
        guard v >= min, v <= max else {
            throw error("\(v) is out of range [\(min), \(max == .max ? "inf" : String(max))]")
        }
        return v
    }

    func double(min: Double = -.infinity, max: Double = .infinity, minExclusive: Bool = false) throws -> Double {
        guard let s = scalarText, let v = Double(s), v.isFinite else {
            throw error("expected a number, got '\(scalarText ?? "a collection")'")
        }
        // the networks compute in 32-bit floats (with subnormals flushed to zero): a smaller magnitude
        // became 0 there (clipvalue 1e-50 passed the range check, trained nothing, and wrote a model whose
        // stored config, `clipvalue: 0.0`, no command could read back). Checked first and on the bits
        // (`isZero`, `isSubnormal`): with denormals-are-zero set, a subnormal Double compares as 0.
        guard v.isZero || (!v.isSubnormal && v.magnitude >= Double(Float.leastNormalMagnitude)) else {
            throw error("\(s) is too small: numbers other than 0 need a magnitude of at least "
                        + "\(Float.leastNormalMagnitude), the smallest normal 32-bit float")
        }
        guard (minExclusive ? v > min : v >= min), v <= max else {
            throw error("\(v) is out of range \(minExclusive ? "(" : "[")\(min), \(max)]")
        }
        return v
    }

    func bool() throws -> Bool {
        switch scalarText?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got '\(scalarText ?? "a collection")'")
        }
    }

    /// A pair of positive integers written `[a, b]` or a single `a` meaning `[a, a]` (Keras tuples).
    func pair() throws -> (Int, Int) {
        if node.sequence != nil {
            let items = try sequence()
            guard items.count == 2 else { throw error("expected two integers like [3, 3]") }
            return (try items[0].int(min: 1, max: 65536), try items[1].int(min: 1, max: 65536))
        }
        let v = try int(min: 1, max: 65536)
        return (v, v)
    }
}
