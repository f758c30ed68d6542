/// A connection closing after its last reply shuts down its side and keeps reading (and
/// dropping) until the peer's EOF, at most this long and this many bytes: closing with unread
/// input would send an RST that can destroy the reply before the peer reads it. Both loops use it.
enum LingeringClose {
    static let nanoseconds: UInt64 = 2_000_000_000
    static let byteLimit = 1 << 20
}
