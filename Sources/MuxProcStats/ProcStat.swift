// The one parser of /proc/PID/stat (and /proc/PID/task/TID/stat) in MuxBench: the collector's
// CPU ticks, states and process trees, and the tests' probes, all read it through this type.
// The command name (field 2) is in parentheses and may itself hold spaces and parentheses
// (`a) (b` is a valid name), so fields are counted after the LAST `)`, never by splitting the line.
#if canImport(Glibc)
import Glibc
#endif

public struct ProcStat: Equatable, Sendable {
    public var pid: Int32
    /// `comm`: the executable's name or what prctl(PR_SET_NAME) set, at most 15 bytes.
    public var command: String
    /// The state letter: R running, S sleeping, D disk sleep, T stopped, t traced, Z zombie, ...
    public var state: Character
    public var parent: Int32
    /// utime and stime (fields 14 and 15), in clock ticks.
    public var userTicks: UInt64
    public var systemTicks: UInt64

    /// One stat line; nil when it is not in the kernel's layout.
    public init?(text: String) {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = Int32(text[..<open].trimmingBlanks()) else { return nil }
        // After the name: field 3 (state) is fields[0], so field N is fields[N - 3].
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, fields[0].count == 1, let state = fields[0].first,
              let parent = Int32(fields[1]), let user = UInt64(fields[11]), let system = UInt64(fields[12])
        else { return nil }
        self.pid = pid
        self.command = String(text[text.index(after: open)..<close])
        self.state = state
        self.parent = parent
        self.userTicks = user
        self.systemTicks = system
    }

    /// `/proc/PID/stat`; nil when the process is gone.
    public static func read(pid: Int32) -> ProcStat? { read(path: "/proc/\(pid)/stat") }

    /// A stat file by path (`/proc/PID/task/TID/stat`, `/proc/thread-self/stat`); nil when gone.
    public static func read(path: String) -> ProcStat? { readProcFile(path).flatMap(ProcStat.init(text:)) }

    /// Every process in /proc now (a process that ends while it is read is left out).
    public static func all() -> [ProcStat] { numberedEntries(of: "/proc").compactMap { read(pid: $0) } }

    /// Clock ticks per second (`_SC_CLK_TCK`), the unit of utime and stime.
    public static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    public var userSeconds: Double { Double(userTicks) / Self.ticksPerSecond }
    public var systemSeconds: Double { Double(systemTicks) / Self.ticksPerSecond }

    /// The state in words ("stopped", "running", "sleeping", ...), as a failure reason says it.
    public var stateInWords: String {
        let words: [Character: String] = ["R": "running", "S": "sleeping", "D": "disk sleep", "T": "stopped",
                                          "t": "stopped by a tracer", "Z": "zombie", "X": "dead", "I": "idle"]
        return words[state] ?? String(state)
    }
}

/// The names of `directory` that are numbers (/proc's PIDs, a task folder's TIDs), ascending.
public func numberedEntries(of directory: String) -> [Int32] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var numbers: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if let number = Int32(name) { numbers.append(number) }
    }
    return numbers.sorted()
}

/// A /proc file's whole text (they are generated on read, so their size says nothing); nil when
/// it cannot be opened (the process is gone) or read.
public func readProcFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension Substring {
    /// Without the spaces and tabs at either end.
    func trimmingBlanks() -> Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
