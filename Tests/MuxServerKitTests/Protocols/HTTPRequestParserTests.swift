import MuxServerKit
import MuxTestSupport
import Testing

private func parse(_ bytes: [UInt8]) -> HTTPParseResult {
    bytes.withUnsafeBytes { HTTPRequestParser.parse($0) }
}

private func parse(_ text: String) -> HTTPParseResult {
    parse(Array(text.utf8))
}


private let wrkRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
private let curlRequest =
    "GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"

@Suite("HTTPRequestParser")
struct HTTPRequestParserTests {
    // MARK: Keep-alive

    @Test func http11KeepsAliveByDefault() {
        #expect(parse(wrkRequest) == .request(length: wrkRequest.utf8.count, keepAlive: true))
    }

    @Test func http10ClosesByDefault() {
        let request = "GET / HTTP/1.0\r\n\r\n"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: false))
    }

    @Test func http10KeepsAliveWhenAsked() {
        let request = "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: true))
    }

    @Test(arguments: [
        "Connection: close",
        "connection: CLOSE",
        "Connection:close",
        "Connection: Keep-Alive, close",
        "Connection: upgrade,close ,keep-alive",
        "Connection: \tclose\t ",
    ])
    func http11ClosesWhenAsked(header: String) {
        let request = "GET / HTTP/1.1\r\nHost: a\r\n\(header)\r\n\r\n"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: false))
    }

    @Test func closeMustBeAWholeToken() {
        let request = "GET / HTTP/1.1\r\nConnection: closed, notclose\r\nX-Connection: close\r\n\r\n"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: true))
    }

    @Test func http10CloseWinsOverKeepAlive() {
        let request = "GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: false))
    }

    // MARK: Real clients

    @Test func wrkRequestParses() {
        #expect(parse(wrkRequest) == .request(length: 40, keepAlive: true))
    }

    @Test func curlRequestParses() {
        #expect(parse(curlRequest) == .request(length: curlRequest.utf8.count, keepAlive: true))
    }

    @Test func methodsAndTargetsOfOtherShapes() {
        for request in [
            "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
            "GET http://example.com/a?b=c&d=%20#f HTTP/1.1\r\n\r\n",
            "M-SEARCH * HTTP/1.1\r\n\r\n",
        ] {
            #expect(parse(request) == .request(length: request.utf8.count, keepAlive: true), "\(request)")
        }
    }

    @Test func headerValuesMayHoldTabsAndObsText() {
        let request: [UInt8] = Array("GET / HTTP/1.1\r\nX-A: a\tb \u{7E}\r\nX-B: ".utf8) + [0xC3, 0xA9]
            + Array("\r\nX-Empty:\r\n\r\n".utf8)
        #expect(parse(request) == .request(length: request.count, keepAlive: true))
    }

    // MARK: Pipelining and split reads

    @Test func pipelinedRequestsAreParsedOneAtATime() {
        let second = "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n"
        let bytes = Array((wrkRequest + second).utf8)
        #expect(parse(bytes) == .request(length: wrkRequest.utf8.count, keepAlive: true))
        let rest = Array(bytes[wrkRequest.utf8.count...])
        #expect(parse(rest) == .request(length: second.utf8.count, keepAlive: false))
    }

    @Test func pipelinedRequestWithBodyStopsAtBodyEnd() {
        let first = "POST /a HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
        let bytes = Array((first + wrkRequest).utf8)
        #expect(parse(bytes) == .request(length: first.utf8.count, keepAlive: true))
        #expect(parse(Array(bytes[first.utf8.count...])) == .request(length: 40, keepAlive: true))
    }

    @Test(arguments: [
        wrkRequest,
        curlRequest,
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
    ])
    func everyPrefixIsIncomplete(request: String) {
        let bytes = Array(request.utf8)
        for length in 0..<bytes.count {
            #expect(parse(Array(bytes[..<length])) == .incomplete, "prefix of \(length) bytes")
        }
        if case .request(let length, _) = parse(bytes) {
            #expect(length == bytes.count)
        } else {
            Issue.record("full request did not parse: \(parse(bytes))")
        }
    }

    // MARK: Bodies

    @Test func bodyLengthIsCounted() {
        let head = "POST /echo HTTP/1.1\r\nHost: a\r\ncontent-length: 4\r\n\r\n"
        #expect(parse(head + "ping") == .request(length: head.utf8.count + 4, keepAlive: true))
        #expect(parse(head + "pin") == .incomplete)
        #expect(parse(head) == .incomplete)
    }

    @Test func repeatedEqualContentLengthIsAccepted() {
        let request = "POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 002\r\n\r\nok"
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: true))
    }

    @Test func contentLengthUpToOneMiBIsAccepted() {
        let head = "POST / HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n"
        #expect(parse(head) == .incomplete)
        let bytes = Array(head.utf8) + [UInt8](repeating: 0x61, count: 1 << 20)
        #expect(parse(bytes) == .request(length: bytes.count, keepAlive: true))
    }

    @Test(arguments: [
        "Content-Length: -1",
        "Content-Length: +5",
        "Content-Length: 5a",
        "Content-Length: 1 2",
        "Content-Length: 5, 5",
        "Content-Length:",
        "Content-Length: 0x10",
        "Content-Length: 1048577",
        "Content-Length: 99999999999999999999999999999999",
        "Content-Length: 5\r\nContent-Length: 6",
    ])
    func badContentLengthIsRefused(header: String) {
        #expect(parse("POST / HTTP/1.1\r\n\(header)\r\n\r\n") == .malformed(.badContentLength))
    }

    @Test(arguments: ["Transfer-Encoding: chunked", "transfer-encoding: identity", "TRANSFER-ENCODING:"])
    func transferEncodingIsRefused(header: String) {
        let request = "POST / HTTP/1.1\r\nHost: a\r\n\(header)\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        #expect(parse(request) == .malformed(.unsupportedTransferEncoding))
    }

    // MARK: Size limit

    @Test func headOfExactlyMaxSizeIsAccepted() {
        let start = "GET / HTTP/1.1\r\nX-Pad: "
        let end = "\r\n\r\n"
        let padding = HTTPRequestParser.maxHeaderBytes - start.utf8.count - end.utf8.count
        let request = start + String(repeating: "p", count: padding) + end
        #expect(request.utf8.count == HTTPRequestParser.maxHeaderBytes)
        #expect(parse(request) == .request(length: request.utf8.count, keepAlive: true))
        let tooLong = start + String(repeating: "p", count: padding + 1) + end
        #expect(parse(tooLong) == .malformed(.headersTooLarge))
    }

    @Test func unfinishedHeadIsIncompleteUpToTheLimit() {
        let start = "GET / HTTP/1.1\r\nX-Pad: "
        let atLimit = start + String(repeating: "p", count: HTTPRequestParser.maxHeaderBytes - start.utf8.count)
        #expect(parse(atLimit) == .incomplete)
        #expect(parse(atLimit + "p") == .malformed(.headersTooLarge))
    }

    @Test func hundredKilobyteHeaderIsRefused() {
        let request = "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "b", count: 100_000) + "\r\n\r\n"
        #expect(parse(request) == .malformed(.headersTooLarge))
    }

    @Test func endlessRequestTargetIsRefused() {
        #expect(parse("GET /" + String(repeating: "a", count: 9000)) == .malformed(.headersTooLarge))
    }

    // MARK: Request line

    @Test(arguments: [
        "GET /\r\n\r\n",
        "GET / \r\n\r\n",
        "GET\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.2\r\n\r\n",
        "GET / HTTP/1.10\r\n\r\n",
        "GET / HTTP/1.1 \r\n\r\n",
        "get / HTTP/1.1\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "\r\nGET / HTTP/1.1\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n",
        "GET\t/ HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\n\n",
        "GET / HTTP/1.1\rX",
        "G(T / HTTP/1.1\r\n\r\n",
    ])
    func badRequestLineIsRefused(request: String) {
        #expect(parse(request) == .malformed(.requestLine))
    }

    @Test func badRequestLineIsRefusedBeforeItsEnd() {
        // Garbage is answered at once: no valid request starts like these.
        #expect(parse("GET / HTTP/2") == .malformed(.requestLine))
        #expect(parse("get") == .malformed(.requestLine))
        #expect(parse("GET / http") == .malformed(.requestLine))
        #expect(parse("GET / HTTP/1.1\n") == .malformed(.requestLine))
    }

    @Test func nonASCIITargetIsRefused() {
        let request = Array("GET /".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\n\r\n".utf8)
        #expect(parse(request) == .malformed(.requestLine))
    }

    // MARK: Header lines

    @Test(arguments: [
        "Host 127.0.0.1",
        "Host",
        ": value",
        "Host : a",
        "Ho st: a",
        " folded: a",
        "\tfolded: a",
        "Host: a\r\n continued",
        "Host: a\rb",
        "Host: a\nX: b",
        "Hö: a",
    ])
    func badHeaderLineIsRefused(line: String) {
        #expect(parse("GET / HTTP/1.1\r\n\(line)\r\n\r\n") == .malformed(.headerLine))
    }

    @Test func headMustEndWithCRLF() {
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n\n") == .malformed(.headerLine))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\n\rX") == .malformed(.headerLine))
    }

    @Test func headerLineWithoutColonIsRefusedOnlyOnceItEnds() {
        #expect(parse("GET / HTTP/1.1\r\nHost") == .incomplete)
        #expect(parse("GET / HTTP/1.1\r\nHost\r") == .malformed(.headerLine))
    }

    // MARK: Binary data

    @Test func nulBytesAreRefused() {
        #expect(parse([0, 0, 0, 0]) == .malformed(.binaryData))
        #expect(parse(Array("GE".utf8) + [0]) == .malformed(.binaryData))
        #expect(parse(Array("GET /\u{0}".utf8)) == .malformed(.binaryData))
        #expect(parse(Array("GET / HTTP/1.1\r\nHost: a\u{0}b\r\n\r\n".utf8)) == .malformed(.binaryData))
        #expect(parse(Array("GET / HTTP/1.1\r\nHo\u{0}st: a\r\n\r\n".utf8)) == .malformed(.binaryData))
    }

    @Test func otherControlBytesAreRefused() {
        for control: UInt8 in Array(1...8) + Array(11...12) + Array(14...31) + [0x7F] {
            let inValue = Array("GET / HTTP/1.1\r\nX: a".utf8) + [control] + Array("\r\n\r\n".utf8)
            #expect(parse(inValue) == .malformed(.binaryData), "byte \(control)")
            let inTarget = Array("GET /".utf8) + [control]
            #expect(parse(inTarget) == .malformed(.binaryData), "byte \(control)")
        }
    }

    @Test func tlsClientHelloIsRefusedAtOnce() {
        // What a client speaking HTTPS to the plain port sends first.
        #expect(parse([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]) == .malformed(.binaryData))
    }

    @Test func randomBytesNeverCrashAndAreRefused() {
        var generator = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...600, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let result = parse(bytes)
            if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                #expect(result != .incomplete, "\(bytes)")
                if case .request = result { Issue.record("random bytes parsed as a request: \(bytes)") }
            }
        }
    }

    @Test func randomRequestLikeBytesNeverCrash() {
        // Bytes drawn mostly from the grammar's own alphabet reach the header and body code.
        let alphabet = Array("GET / HTTP/1.1\r\n:Content-Length: 12\r\nConnection: close\r\nTransfer-Encoding\t\r\n".utf8)
            + [0, 0x7F, 0xFF]
        var generator = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...200, using: &generator)
            let prefix = Bool.random(using: &generator) ? Array("GET / HTTP/1.1\r\n".utf8) : []
            let bytes = prefix + (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let result = parse(bytes)
            if case .request(let length, _) = result {
                #expect((1...bytes.count).contains(length))
                #expect(parse(Array(bytes[..<length])) == result)
                #expect(parse(Array(bytes[..<(length - 1)])) == .incomplete)
            }
        }
    }
}
