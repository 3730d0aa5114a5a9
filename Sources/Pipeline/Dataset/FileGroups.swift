/// Files gathered into groups by the value of a group column (part id, machine, speaker, session),
/// each group with the one class that stratifies it.
///
/// - A group's class is the majority label of its files; a tie goes to the label that sorts first.
///   A group whose files carry more than one label ("mixed") is still kept whole: its files all go
///   where the group goes, and the group counts for its majority class (`mixed` names it for a
///   warning). Keeping it whole is the point of grouping: splitting it would leak the group.
/// - A file with an empty group value is a group of its own.
/// - Groups are ordered by their first file, so with one file per group the groups are the files
///   in index order (the group split then equals the by-file split).
struct FileGroups {
    /// File indices of each group, ascending; groups ordered by their first file.
    var members: [[Int]] = []
    /// The group value of each group ("" for a file without one).
    var names: [String] = []
    /// The class of each group (its majority label).
    var labels: [String] = []
    /// Names of the groups whose files carry more than one label, in group order.
    var mixed: [String] = []

    /// Groups the files whose labels are `labels` by `groups` (one value per file, trimmed by the
    /// caller); `groups == nil` makes every file a group of its own.
    init(labels: [String], groups: [String]?) {
        precondition(groups == nil || groups!.count == labels.count, "FileGroups: one group value per file")
        var position: [String: Int] = [:]
        for index in labels.indices {
            let name = groups?[index] ?? ""
            if !name.isEmpty, let g = position[name] {
                members[g].append(index)
                continue
            }
            if !name.isEmpty { position[name] = members.count }
            members.append([index])
            names.append(name)
        }
        for files in members {
            var count: [String: Int] = [:]
            for f in files { count[labels[f], default: 0] += 1 }
            let top = count.values.max()!
            self.labels.append(count.keys.filter { count[$0] == top }.min()!)
            if count.count > 1 { mixed.append(names[self.labels.count - 1]) }
        }
    }

    /// Group indices per class, classes sorted, each list in group order.
    var byClass: [(label: String, groups: [Int])] {
        var out: [String: [Int]] = [:]
        for (g, label) in labels.enumerated() { out[label, default: []].append(g) }
        return out.keys.sorted().map { ($0, out[$0]!) }
    }

    /// The warning for mixed groups, if any.
    func mixedWarning(column: String) -> DataWarning? {
        guard let first = mixed.first else { return nil }
        let count = mixed.count == 1 ? "group '\(first)' has" : "\(mixed.count) groups (first '\(first)') have"
        return DataWarning(file: nil, message: "\(column) \(count) files of more than one label: each stays whole "
                                             + "and is stratified as its majority label")
    }
}
