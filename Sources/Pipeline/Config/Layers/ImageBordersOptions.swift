import Layers

/// Keras's border argument of `zero_padding2d` (`padding`) and `cropping2d` (`cropping`): one integer
/// for every side, [rows, columns] for top and bottom / left and right, or [[top, bottom], [left,
/// right]]; printed in the last form.
extension ImageBorders {
    /// The borders in `node`; errors name the key through `ConfigNode`.
    init(_ node: ConfigNode) throws {
        if node.node.sequence == nil {
            self.init(try node.int(min: 0, max: 65536))
            return
        }
        let items = try node.sequence()
        guard items.count == 2 else { throw node.error("expected n, [rows, columns] or [[top, bottom], [left, right]]") }
        func pair(_ item: ConfigNode) throws -> (Int, Int) {
            if item.node.sequence == nil {
                let v = try item.int(min: 0, max: 65536)
                return (v, v)
            }
            let two = try item.sequence()
            guard two.count == 2 else { throw item.error("expected two integers like [1, 2]") }
            return (try two[0].int(min: 0, max: 65536), try two[1].int(min: 0, max: 65536))
        }
        let (rows, columns) = (try pair(items[0]), try pair(items[1]))
        self.init(top: rows.0, bottom: rows.1, left: columns.0, right: columns.1)
    }

    /// `[[top, bottom], [left, right]]`.
    var yaml: String { "[[\(top), \(bottom)], [\(left), \(right)]]" }
}
