extension Tensor {
    /// Calls `body` with the base address of the storage of `owners[i][keyPath: field]` for every i, in
    /// order, all taken on the calling thread and all valid during the call: the one way Earmark holds
    /// several tensors' storage at once (parameter values and gradients of every replica, optimizer
    /// slots). Threads started inside `body` may read and write through the pointers, in element ranges
    /// that do not overlap. The tensors must not be resized or reassigned during the call.
    ///
    /// Each owner is a class instance, so the accesses are to different objects and do not overlap
    /// (pointers to several elements of one stored array of tensors could not be held at once).
    /// - Precondition: no tensor is empty.
    public static func withStorage<Owner: AnyObject, Result>(
        of owners: [Owner], _ field: ReferenceWritableKeyPath<Owner, Tensor>,
        _ body: ([UnsafeMutablePointer<Float>]) -> Result
    ) -> Result {
        withStorage(of: owners, accessing: { owner, use in use(&owner[keyPath: field]) }, body)
    }

    /// `withStorage(of:_:_:)` with each owner's tensor reached by `access`, which passes it inout to
    /// the closure it is given: `{ parameter, use in use(&parameter.value) }`. Through a key path, a
    /// computed property (`Parameter.value`, which counts its changes) is read, changed as a copy of
    /// the whole array and set back; a direct access like this one changes the storage in place.
    public static func withStorage<Owner: AnyObject, Result>(
        of owners: [Owner],
        accessing access: (Owner, (inout Tensor) -> Result) -> Result,
        _ body: ([UnsafeMutablePointer<Float>]) -> Result
    ) -> Result {
        var pointers: [UnsafeMutablePointer<Float>] = []
        pointers.reserveCapacity(owners.count)
        // the nested calls below pass `access` into itself, which Swift allows only to an escaping closure
        return withoutActuallyEscaping(access) { access in
            // one nested access per tensor: every pointer stays valid until the innermost call returns
            func nest(_ i: Int) -> Result {
                if i == owners.count { return body(pointers) }
                return access(owners[i]) { tensor in
                    tensor.data.withUnsafeMutableBufferPointer { storage in
                        precondition(storage.count > 0, "Tensor.withStorage: tensor \(i) of \(owners.count) is empty")
                        pointers.append(storage.baseAddress!)
                        return nest(i + 1)
                    }
                }
            }
            return nest(0)
        }
    }
}
