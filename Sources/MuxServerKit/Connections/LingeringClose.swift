import MuxCore

/// A connection closing after its last reply shuts down its side and keeps reading (and
/// dropping) until the peer's EOF, at most this long and this many bytes: closing with unread
/// input would send an RST that can destroy the reply before the peer reads it. Both loops use it.
enum LingeringClose {
    static let nanoseconds: UInt64 = 2_000_000_000
    static let byteLimit = 1 << 20
}

/// What a lingering close needs of a connection, whichever loop owns it (`Connection`,
/// `RingConnection`): the steps are written once, here and in `LingeringCloses`; each loop only
/// says how it keeps reading and how it closes.
protocol LingeringConnection: AnyObject {
    var fd: Int32 { get }
    var isOpen: Bool { get }
    /// Bumped at each open, so a queued linger deadline cannot close a later connection on the fd.
    var generation: UInt32 { get }
    var readingPaused: Bool { get set }
    /// Reply sent and our side shut down: what still arrives is read and dropped.
    var draining: Bool { get set }
    var drainedBytes: Int { get set }
    var input: ByteBuffer { get set }
}

extension LingeringConnection {
    /// Input that arrived while lingering, dropped: true once more than `LingeringClose.byteLimit`
    /// has come, when the caller closes at once (a peer that never stops sending).
    func dropLingeringInput(_ count: Int) -> Bool {
        drainedBytes += count
        return drainedBytes > LingeringClose.byteLimit
    }
}

extension Connection: LingeringConnection {}
extension RingConnection: LingeringConnection {}
