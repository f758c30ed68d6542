@testable import MuxLoadKit
import Testing

/// What goes on the wire and how replies are checked, without sockets.
@Suite struct RequestCodecTests {
    private func scan(_ text: String) -> HTTPResponseScan {
        Array(text.utf8).withUnsafeBytes { scanHTTPResponse($0) }
    }

    // MARK: scanHTTPResponse

    @Test func aWholeResponseWithItsBody() {
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"
        #expect(scan(response) == .response(length: response.utf8.count, ok: true, closes: false))
    }

    @Test func everyPrefixOfAResponseIsIncomplete() {
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        let bytes = Array(response.utf8)
        for end in 0..<bytes.count {
            let result = bytes[0..<end].withUnsafeBytes { scanHTTPResponse($0) }
            #expect(result == .incomplete, "prefix of \(end) bytes")
        }
    }

    @Test func pipelinedResponsesAreTakenOneAtATime() {
        let one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let two = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        #expect(scan(one + two) == .response(length: one.utf8.count, ok: true, closes: false))
        #expect(scan(one + String(two.prefix(10))) == .response(length: one.utf8.count, ok: true, closes: false))
    }

    @Test func headerNamesAreCaseInsensitive() {
        let response = "HTTP/1.1 200 OK\r\ncontent-LENGTH:3\r\nCONNECTION: Close\r\n\r\nabc"
        #expect(scan(response) == .response(length: response.utf8.count, ok: true, closes: true))
        let keepAlive = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
        #expect(scan(keepAlive) == .response(length: keepAlive.utf8.count, ok: true, closes: false))
    }

    @Test func aStatusOtherThan200IsNotOK() {
        let response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        #expect(scan(response) == .response(length: response.utf8.count, ok: false, closes: false))
        let created = "HTTP/1.0 201 Created\r\nContent-Length: 0\r\n\r\n"
        #expect(scan(created) == .response(length: created.utf8.count, ok: false, closes: false))
    }

    @Test(arguments: [
        "HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",             // not HTTP
        "GARBAGE",                                                    // wrong from the first byte
        "HTTP/1.1 200 OK\r\n\r\n",                                    // no Content-Length
        "HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n",             // not a number
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",                 // no digits
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n",     // absurd
    ])
    func malformedResponses(_ text: String) {
        #expect(scan(text) == .malformed, "\(text.debugDescription)")
    }

    @Test func anEndlessHeadIsMalformedNotForeverIncomplete() {
        let head = "HTTP/1.1 200 OK\r\nX-Filler: " + String(repeating: "a", count: 20_000)
        #expect(scan(head) == .malformed)
    }

    // MARK: echo payloads

    @Test func echoPayloadCarriesSequenceAndConnection() {
        var bytes = [UInt8](repeating: 0, count: 64)
        bytes.withUnsafeMutableBytes { fillEchoPayload($0.baseAddress!, count: 64, connection: 0x0403_0201, sequence: 0x0102_0304_0506_0708) }
        #expect(Array(bytes[0..<8]) == [8, 7, 6, 5, 4, 3, 2, 1], "sequence, little-endian")
        #expect(Array(bytes[8..<12]) == [1, 2, 3, 4], "connection, little-endian")
        for i in 0..<64 {
            #expect(bytes[i] == echoByte(connection: 0x0403_0201, sequence: 0x0102_0304_0506_0708, index: i))
        }
    }

    @Test func payloadsDifferBetweenRequestsAndConnections() {
        func payload(_ connection: UInt32, _ sequence: UInt64, _ count: Int = 32) -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            bytes.withUnsafeMutableBytes { fillEchoPayload($0.baseAddress!, count: count, connection: connection, sequence: sequence) }
            return bytes
        }
        #expect(payload(1, 5) != payload(1, 6), "a reply to the wrong request is caught")
        #expect(payload(1, 5) != payload(2, 5), "a reply from another connection is caught")
        #expect(payload(1, 5) == payload(1, 5))
        // A payload shorter than the header still has its bytes defined; one byte works.
        #expect(payload(7, 300, 1) == [UInt8(truncatingIfNeeded: 300)])
        // Beyond the header, bytes vary with the position, so a shifted reply is caught too.
        let long = payload(1, 0, 64)
        #expect(Array(long[12..<32]) != Array(long[13..<33]))
    }

    // MARK: --source-addresses

    @Test func sourceAddressRangesAndLists() {
        #expect(parseSourceAddresses("127.0.0.1-127.0.0.3") == ["127.0.0.1", "127.0.0.2", "127.0.0.3"])
        #expect(parseSourceAddresses("127.0.0.5") == ["127.0.0.5"])
        #expect(parseSourceAddresses("127.0.0.1,127.0.1.9") == ["127.0.0.1", "127.0.1.9"])
        #expect(parseSourceAddresses("127.0.0.1-127.0.0.2,10.0.0.7") == ["127.0.0.1", "127.0.0.2", "10.0.0.7"])
        #expect(parseSourceAddresses("127.0.0.4-127.0.0.4") == ["127.0.0.4"])
        #expect(parseSourceAddresses("127.0.0.250-127.0.0.255")?.count == 6)
    }

    @Test(arguments: ["junk", "", ",", "127.0.0", "127.0.0.1.2", "127.0.0.256", "127.0.0.1-",
                      "127.0.0.9-127.0.0.1", "127.0.0.1-127.0.1.5", "127.0.0.1-127.0.0.2-127.0.0.3", "a.b.c.d",
                      "-127.0.0.1", "127.0.0.1,", "127.0.0.1,,127.0.0.2", "127.0.0.1.", "127.0.0.+1"])
    func malformedSourceAddresses(_ text: String) {
        #expect(parseSourceAddresses(text) == nil, "\(text.debugDescription)")
    }

    // MARK: TimeRing

    @Test func timeRingIsFIFOAcrossWrapAndGrowth() {
        var ring = TimeRing(capacity: 4)
        defer { ring.deallocate() }
        var expected: [UInt64] = []
        var next: UInt64 = 1
        // Interleave pushes and pops so the head wraps before and after each doubling.
        for round in 0..<200 {
            for _ in 0..<(round % 7 + 1) { ring.push(next); expected.append(next); next += 1 }
            for _ in 0..<(round % 5) where !expected.isEmpty {
                #expect(ring.first == expected.first)
                #expect(ring.popFirst() == expected.removeFirst())
            }
            #expect(ring.count == expected.count)
        }
        while !expected.isEmpty { #expect(ring.popFirst() == expected.removeFirst()) }
        #expect(ring.count == 0)
        #expect(ring.first == nil)
    }

    @Test func timeRingGrowsFarBeyondItsInitialCapacity() {
        // A stalled server queues many intended send times on one connection.
        var ring = TimeRing(capacity: 1)
        defer { ring.deallocate() }
        ring.push(0)
        _ = ring.popFirst()  // head no longer at slot 0 when growth starts
        for value in 0..<10_000 as Range<UInt64> { ring.push(value) }
        #expect(ring.count == 10_000)
        for value in 0..<10_000 as Range<UInt64> { #expect(ring.popFirst() == value) }
        ring.push(42)
        ring.removeAll()
        #expect(ring.count == 0 && ring.first == nil)
        ring.push(43)
        #expect(ring.popFirst() == 43)
    }

    @Test func nextPowerOfTwo() {
        #expect([0, 1, 2, 3, 4, 5, 1000, 1024, 1025].map(\.nextPowerOfTwo) == [1, 1, 2, 4, 4, 8, 1024, 1024, 2048])
    }
}
