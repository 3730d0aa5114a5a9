/// Recordings listed more than once under different names: the same cleaned audio, bit for bit
/// (`CleanFingerprint`), in several rows of audio.csv.
///
/// A copy on each side of a split makes the held-out part score audio the model was fitted on, the
/// leak the split exists to prevent; a copy under another label teaches the model both labels for
/// one sound. Copies in one part with one label only weigh that recording twice and are not said.
enum DuplicateAudio {
    /// At most this many recordings, and this many copies of each, are named in a warning; the rest
    /// are counted.
    static let namedRecordings = 3, namedCopies = 4

    /// Warnings (about `file`, audio.csv) for copies in different parts of `split` ("train",
    /// "validation", "test", or "fold K" with folds) and copies under different labels, among the
    /// rows `split` uses.
    /// - Parameter clips: the cleaned samples of every table row.
    static func warnings(split: Preparation.RowSplit, plan: SplitPlan, table: AudioTable, clips: [[Float]],
                         file: String) -> [DataWarning] {
        var part: [Int: String] = [:]
        for r in split.train { part[r] = "train" }
        for r in split.validation { part[r] = "validation" }
        for r in split.test { part[r] = "test" }
        // With folds, the test part is one fold and the others train: a copy in another fold leaks
        // into some fold's test, and naming the folds gives every fold's run the same message.
        if case .fold(let folds, _) = plan {
            for r in part.keys where folds.fold[r] >= 0 { part[r] = "fold \(folds.fold[r] + 1)" }
        }
        var byAudio: [String: [Int]] = [:]
        for r in part.keys.sorted() { byAudio[CleanFingerprint.of(clips[r]), default: []].append(r) }
        let copies = byAudio.values.filter { $0.count > 1 }.sorted { $0[0] < $1[0] }
        // each set listed with one copy of every part (or label) first, so that the copies that differ are
        // among those named (the one copy under another label was hidden in "and N more copies")
        let leaking = copies.filter { Set($0.map { part[$0]! }).count > 1 }.map { distinctFirst($0) { part[$0]! } }
        let relabelled = copies.filter { Set($0.map { table.rows[$0].label }).count > 1 }
            .map { distinctFirst($0) { table.rows[$0].label } }
        var out: [DataWarning] = []
        if case .fold(let folds, let k) = plan {
            out += withinFold(copies, split: split, folds: folds, test: k, table: table, file: file)
        }
        if !leaking.isEmpty {
            let named = listed(leaking) { "'\(table.rows[$0].fname)' (\(part[$0]!))" }
            out.append(DataWarning(file: file, message: "\(count(leaking.count)) listed more than once, with copies in "
                + "different parts of the split, so held-out accuracy counts audio the model was fitted on (the same "
                + "cleaned audio, bit for bit): \(named); give each recording's copies one value in a group column "
                + "(split.group_column) or list each recording once"))
        }
        if !relabelled.isEmpty {
            let named = listed(relabelled) { "'\(table.rows[$0].fname)' ('\(table.rows[$0].label)')" }
            out.append(DataWarning(file: file, message: "\(count(relabelled.count)) listed more than once under "
                + "different labels (the same cleaned audio, bit for bit): \(named); the model is taught both "
                + "labels for one sound"))
        }
        return out
    }

    /// A fold's run carves its validation files from the other folds: copies in one fold (one part to
    /// the warning above) can land on both sides of that carving, so validation, which chooses the
    /// saved epoch, scores audio trained on. Said for this fold's run (its test fold `test`, 0-based).
    private static func withinFold(_ copies: [[Int]], split: Preparation.RowSplit, folds: Folds, test: Int,
                                   table: AudioTable, file: String) -> [DataWarning] {
        let train = Set(split.train), validation = Set(split.validation)
        let carved: [[Int]] = copies.compactMap { set in
            let byFold = Dictionary(grouping: set.filter { train.contains($0) || validation.contains($0) }) { folds.fold[$0] }
            let split = byFold.values.first { rows in rows.contains(where: train.contains) && rows.contains(where: validation.contains) }
            return split.map { rows in distinctFirst(rows) { validation.contains($0) ? 1 : 0 } }
        }
        guard !carved.isEmpty else { return [] }
        let named = listed(carved) { "'\(table.rows[$0].fname)' (\(validation.contains($0) ? "validation" : "train"))" }
        return [DataWarning(file: file, message: "in the run that tests fold \(test + 1), \(count(carved.count)) "
            + "listed more than once with copies in its training and validation files, so validation (which chooses "
            + "a network's saved epoch) scores audio the model was fitted on (the same cleaned audio, bit for bit): "
            + "\(named); give each "
            + "recording's copies one value in a group column (split.group_column) or list each recording once")]
    }

    /// `rows` with the first row of each distinct `key` first, in order, then the others in order.
    private static func distinctFirst(_ rows: [Int], key: (Int) -> some Hashable) -> [Int] {
        var seen = Set<AnyHashable>(), first: [Int] = [], rest: [Int] = []
        for r in rows {
            if seen.insert(AnyHashable(key(r))).inserted { first.append(r) } else { rest.append(r) }
        }
        return first + rest
    }

    /// "1 recording is" / "N recordings are".
    private static func count(_ n: Int) -> String {
        n == 1 ? "1 recording is" : "\(n) recordings are"
    }

    /// The first `namedRecordings` sets of copies, each as its first `namedCopies` rows described and
    /// joined by " = ", then how many more there are.
    private static func listed(_ sets: [[Int]], _ describe: (Int) -> String) -> String {
        let named = sets.prefix(namedRecordings).map { rows in
            let shown = rows.prefix(namedCopies).map(describe).joined(separator: " = ")
            return rows.count > namedCopies ? shown + " and \(rows.count - namedCopies) more copies" : shown
        }.joined(separator: "; ")
        return sets.count > namedRecordings ? named + "; and \(sets.count - namedRecordings) more" : named
    }
}
