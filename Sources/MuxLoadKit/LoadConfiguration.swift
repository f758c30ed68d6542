import MuxCore

public enum LoadProtocol: String, CaseIterable, Sendable {
    case echo
    case http
    /// Redis's inline `PING\r\n`, each reply checked to be exactly `+PONG\r\n`.
    case redis
}

public struct LoadConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port: UInt16 = 0
    public var connections = 100
    public var active = 100
    public var payloadBytes = 64
    public var wireProtocol = LoadProtocol.echo
    public var warmupSeconds = 1.0
    public var durationSeconds = 5.0
    public var pipeline = 1
    /// Open loop: requests per second in total, spread evenly over the active connections.
    public var rate: Double?
    public var threads = 1
    public var sourceAddresses: [String] = []
    public var hgrmPath: String?
    /// A request outstanding this long is counted as a timeout error.
    public var requestTimeoutSeconds = 5.0
    public var connectTimeoutSeconds = 5.0
    /// Keep the connections open this long after the window (the result is printed first), so a
    /// collector's end-of-window snapshot of the server sees no teardown.
    public var lingerSeconds = 0.0
    /// HTTP/1.0 short connections, as the classic tutorials serve them: each active connection
    /// connects, sends one request, reads the reply until the server closes, and connects again.
    public var shortConnections = false
    /// Every bucket of every distribution in the result line, for a collector that merges several
    /// load generators exactly.
    public var fullHistograms = false
    /// Start the traffic only on the collector's go line on stdin (StartHandshake.swift), so that
    /// several load generators start their windows together.
    public var waitForGo = false
    /// Open loop: how a load thread waits for its next send; nil: chosen at run time (PacingChoice).
    public var pacing: Pacing?
    /// Open loop: the schedule of intended send times.
    public var arrivals = Arrivals.constant
    /// Seeds the exponential schedule (each thread draws from its own stream of it).
    public var seed: UInt64 = 1

    public init() {}
}

/// How an open-loop load thread waits: `spin` polls its sockets without blocking and never
/// sleeps (Lancet, mutilate, Treadmill), so a send goes out within a loop turn of its time;
/// `sleep` blocks in epoll until the next send is due, late by the kernel's wake-up.
public enum Pacing: String, CaseIterable, Sendable {
    case spin
    case sleep
}

/// Open-loop schedule: `constant` gaps (wrk2) or `exponential` ones, a Poisson process (mutilate,
/// Lancet).
public enum Arrivals: String, CaseIterable, Sendable {
    case constant
    case exponential
}

/// "127.0.0.1-127.0.0.8" or "127.0.0.1,127.0.0.2": the local addresses connections are spread over.
/// Strict: an empty part ("127.0.0.1-", "a,,b", "127.0.0.1.") is malformed, not skipped.
public func parseSourceAddresses(_ text: String) -> [String]? {
    func octets(_ address: Substring) -> [UInt8]? {
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber), let octet = UInt8(part) else { return nil }
            result.append(octet)
        }
        return result
    }
    var result: [String] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        let ends = part.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 1 || ends.count == 2 else { return nil }
        var parsed: [[UInt8]] = []
        for end in ends {
            guard let o = octets(end) else { return nil }
            parsed.append(o)
        }
        let first = parsed[0], last = parsed[parsed.count - 1]
        guard first[0...2] == last[0...2], first[3] <= last[3] else { return nil }
        let prefix = first[0...2].map(String.init).joined(separator: ".")
        for octet in first[3]...last[3] { result.append("\(prefix).\(octet)") }
    }
    return result.isEmpty ? nil : result
}
