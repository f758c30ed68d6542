/// The object in `table`'s slot for `fd`, made by `make` on the slot's first use (the table
/// grows to at least twice its size). Slots keep their object after a close, so a later
/// connection on the fd reuses it and its buffers: churn allocates nothing once warmed up.
/// Both server loops index their connections this way; called per accept, not per request.
func connectionSlot<C: AnyObject>(for fd: Int32, in table: inout [C?], make: () -> C) -> C {
    let index = Int(fd)
    if index >= table.count {
        table += repeatElement(nil, count: max(index + 1, table.count * 2, 64) - table.count)
    }
    if let existing = table[index] { return existing }
    let created = make()
    table[index] = created
    return created
}
