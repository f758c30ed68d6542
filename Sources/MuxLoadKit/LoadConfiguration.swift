import MuxCore

public enum LoadProtocol: String, CaseIterable, Sendable {
    case echo
    case http
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

    public init() {}
}

/// "127.0.0.1-127.0.0.8" or "127.0.0.1,127.0.0.2": the local addresses connections are spread over.
public func parseSourceAddresses(_ text: String) -> [String]? {
    var result: [String] = []
    for part in text.split(separator: ",") {
        let ends = part.split(separator: "-")
        guard ends.count == 1 || ends.count == 2 else { return nil }
        let octets = ends.map { $0.split(separator: ".").compactMap { UInt8($0) } }
        guard octets.allSatisfy({ $0.count == 4 }) else { return nil }
        if ends.count == 1 {
            result.append(String(ends[0]))
            continue
        }
        guard octets[0][0...2] == octets[1][0...2], octets[0][3] <= octets[1][3] else { return nil }
        let prefix = octets[0][0...2].map(String.init).joined(separator: ".")
        for last in octets[0][3]...octets[1][3] { result.append("\(prefix).\(last)") }
    }
    return result.isEmpty ? nil : result
}
