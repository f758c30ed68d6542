// `mux-load`: flags → connections → worker threads → one JSON line and a readable summary.
import Foundation
import MuxCLI
import MuxCore
import MuxMessages
import MuxMetrics

public enum LoadCommand {
    public static let parser = ArgumentParser(
        program: "mux-load",
        summary: """
        Opens N client sockets against a MuxBench server (A of them active, the rest idle but open)
        and measures every round trip. Prints a "connected" JSON line when traffic starts (with the
        window's monotonic times), then one "result" JSON line; a readable summary goes to stderr.
        """,
        usage: "mux-load --port PORT [options]",
        options: [
            OptionSpec("host", value: "ADDR", default: "127.0.0.1", help: "server address"),
            OptionSpec("port", short: "p", value: "N", help: "server port (required)"),
            OptionSpec("connections", short: "c", value: "N", default: "100", help: "sockets opened and held for the whole run"),
            OptionSpec("active", short: "a", value: "A", default: "all", help: "the first A carry traffic; the rest stay idle"),
            OptionSpec("payload", value: "BYTES", default: "64", help: "echo request size"),
            OptionSpec("protocol", value: "NAME", default: "echo",
                       help: "echo, http (GET /, 200 expected) or redis (inline PING, +PONG expected; --payload ignored)"),
            OptionSpec("warmup", short: "w", value: "DURATION", default: "1s", help: "traffic not counted"),
            OptionSpec("duration", short: "d", value: "DURATION", default: "5s", help: "the measured window"),
            OptionSpec("pipeline", value: "P", default: "1", help: "requests in flight per active connection"),
            OptionSpec("rate", short: "r", value: "R", default: "closed loop",
                       help: "open loop: R requests/s in total, latency measured from each request's intended send time"),
            OptionSpec("pacing", value: "HOW", default: "spin if each thread and a server can have a CPU of their own, else sleep",
                       help: "open loop: spin (poll without blocking, never sleep) or sleep (block until the next send is due)"),
            OptionSpec("arrivals", value: "SCHEDULE", default: "constant",
                       help: "open loop: constant gaps (wrk2) or exponential ones (a Poisson process, mutilate's and Lancet's default)"),
            OptionSpec("seed", value: "N", default: "1", help: "seeds the exponential schedule"),
            OptionSpec("threads", short: "t", value: "T", default: "1", help: "threads, each with its own epoll"),
            OptionSpec("source-addresses", value: "RANGE",
                       help: "local addresses to spread connections over, e.g. 127.0.0.1-127.0.0.8"),
            OptionSpec("hgrm", value: "FILE", help: "write the latency distribution in HdrHistogram's text format"),
            OptionSpec("timeout", value: "DURATION", default: "5s", help: "a request unanswered this long is an error"),
            OptionSpec("short-connections",
                       help: "HTTP/1.0, one request per connection: connect, request, server closes, reconnect (latency includes the connect)"),
            OptionSpec("linger", value: "DURATION", default: "0s",
                       help: "keep connections open this long after printing the result"),
            OptionSpec("histograms", help: "put every bucket of every distribution in the result line (for merging several load generators)"),
            OptionSpec("wait-for-go",
                       help: "once connected, print an \"armed\" line and start only on a {\"type\":\"go\",\"delay_ns\":N} line on stdin; stdin closing later ends the run"),
        ])

    public static func configuration(from arguments: [String]) throws(UsageError) -> LoadConfiguration? {
        let parsed = try parser.parse(arguments)
        if parsed.helpRequested { return nil }
        func bad(_ message: String) -> UsageError { UsageError(program: parser.program, message: message) }
        var c = LoadConfiguration()
        if let host = parsed.string("host") {
            guard (try? SocketAddress(host: host, port: 0)) != nil else {
                throw bad("--host: expected an IPv4 address such as 127.0.0.1, got '\(host)'")
            }
            c.host = host
        }
        guard let port = try parsed.integer(NumberRules.loadPort) else { throw bad("--port: required (the server's port)") }
        c.port = UInt16(port)
        c.connections = try parsed.integer(NumberRules.connections) ?? c.connections
        if parsed.string("active") == "all" || parsed.string("active") == nil {
            c.active = c.connections
        } else {
            c.active = try parsed.integer(NumberRules.active)!
            guard c.active <= c.connections else {
                throw bad("--active: expected at most --connections (\(c.connections)), got '\(c.active)'")
            }
        }
        c.payloadBytes = try parsed.integer(NumberRules.payload) ?? c.payloadBytes
        if let name = try parsed.choice("protocol", LoadProtocol.allCases.map(\.rawValue)) { c.wireProtocol = LoadProtocol(rawValue: name)! }
        c.warmupSeconds = try parsed.number(NumberRules.warmup) ?? c.warmupSeconds
        c.durationSeconds = try parsed.number(NumberRules.duration) ?? c.durationSeconds
        c.pipeline = try parsed.integer(NumberRules.pipeline) ?? c.pipeline
        c.rate = try parsed.number(NumberRules.rate) ?? c.rate
        c.threads = try parsed.integer(NumberRules.threads) ?? c.threads
        if let name = try parsed.choice("pacing", Pacing.allCases.map(\.rawValue)) { c.pacing = Pacing(rawValue: name)! }
        if let name = try parsed.choice("arrivals", Arrivals.allCases.map(\.rawValue)) { c.arrivals = Arrivals(rawValue: name)! }
        if let seed = try parsed.int("seed", in: 0...Int.max) { c.seed = UInt64(seed) }
        if let text = parsed.string("source-addresses") {
            guard let addresses = parseSourceAddresses(text) else {
                throw bad("--source-addresses: expected a range such as 127.0.0.1-127.0.0.8 or a comma list, got '\(text)'")
            }
            // Each must be an address of this machine: a foreign one fails every bind with
            // EADDRNOTAVAIL, which mid-run reads as local ports exhausted.
            for address in Set(addresses).sorted() {
                if let problem = sourceAddressProblem(address) {
                    throw bad("--source-addresses: \(address) \(problem); connections can only come from this machine's "
                              + "addresses, e.g. 127.0.0.1-127.0.0.8")
                }
            }
            c.sourceAddresses = addresses
        }
        c.hgrmPath = parsed.string("hgrm")
        c.requestTimeoutSeconds = try parsed.number(NumberRules.requestTimeout) ?? c.requestTimeoutSeconds
        c.lingerSeconds = try parsed.number(NumberRules.linger) ?? c.lingerSeconds
        if parsed.flags.contains("short-connections") {
            guard c.wireProtocol == .http, c.pipeline == 1, c.rate == nil else {
                throw bad("--short-connections: needs --protocol http, --pipeline 1 and closed loop (no --rate)")
            }
            c.shortConnections = true
        }
        c.fullHistograms = parsed.flags.contains("histograms")
        c.waitForGo = parsed.flags.contains("wait-for-go")
        return c
    }

    public static func main(_ arguments: [String]) -> Int32 {
        let configuration: LoadConfiguration
        switch invocation(help: parser.help(), { () throws(UsageError) in try Self.configuration(from: arguments) }) {
        case let .run(parsed): configuration = parsed
        case let .exit(status): return status
        }
        signal(SIGPIPE, SIG_IGN)
        do {
            var status = ExitCode.success.rawValue
            _ = try run(configuration, announce: { printLine($0) }) { report in
                // The histogram file first: a collector may end this process once it has read
                // the result line. A file that cannot be written still leaves the result line.
                if let path = configuration.hgrmPath {
                    do { try report.histogram.writePercentileDistribution(to: path) } catch {
                        printError("mux-load: --hgrm: \(error)")
                        status = ExitCode.failure.rawValue
                    }
                }
                printLine(report.jsonLine())
                printError(report.summaryText())
                // Not a measurement: exit 1 with the reason (the result line stays, for the record).
                if let reason = report.message().everyRequestFailed {
                    printError("mux-load: \(reason)")
                    status = ExitCode.failure.rawValue
                }
            }
            return status
        } catch {
            printError("mux-load: \(error)")
            return ExitCode.failure.rawValue
        }
    }

    /// The whole run: connect, traffic, join. `announce` gets the "connected" JSON line; `deliver`
    /// gets the report while the connections are still open (they linger, then close).
    public static func run(_ configuration: LoadConfiguration, announce: (String) -> Void,
                           deliver: (LoadReport) -> Void = { _ in }) throws -> LoadReport {
        let fileLimit = raiseFileLimit()
        // Each connection is one descriptor; leave room for epoll, stdio and the like.
        let needed = configuration.connections + 32 + configuration.threads
        guard needed <= fileLimit else { throw LoadError.fileLimit(needed: needed, limit: fileLimit) }
        let fds = try Connector.connectAll(configuration, fileLimit: fileLimit)
        // Connection i goes to thread i mod T, so the active ones (the first A) are spread evenly.
        let threads = min(configuration.threads, fds.count)
        var workers: [LoadWorker] = []
        do {
            for w in 0..<threads {
                let mine = Array(stride(from: w, to: fds.count, by: threads))
                workers.append(try LoadWorker(configuration: configuration, fds: mine.map { fds[$0] }, ids: mine.map { UInt32($0) }))
            }
        } catch {
            for fd in fds { close(fd) }
            throw error
        }
        // Open loop: spin only where no thread takes another's (or the server's) CPU; say why not.
        let pacing = PacingChoice.choose(requested: configuration.pacing, threads: threads,
                                         allowedCPUs: RunningPlace.allowedCPUs())
        if configuration.rate != nil, let note = pacing.note { printError(note) }
        // Several load generators start together: the collector's go line says when.
        var startDelay: UInt64 = 2_000_000
        if configuration.waitForGo {
            announce(ArmedMessage(connections: fds.count, pid: getpid()).jsonLine())
            startDelay = try StartGate.awaitGo(timeoutSeconds: StartGate.goTimeoutSeconds)
            StartGate.endWhenStdinCloses()
        }
        let start = monotonicNanoseconds() + startDelay
        let warmupEnd = start + UInt64(configuration.warmupSeconds * 1e9)
        let end = warmupEnd + UInt64(configuration.durationSeconds * 1e9)
        announce(ConnectedMessage(connections: fds.count, startNs: start, warmupEndNs: warmupEnd, endNs: end,
                                  pid: getpid()).jsonLine())
        let group = DispatchGroup()
        // Open loop: the platform's hiccups beside the workers, over the same window. Not beside
        // a spinning worker: the meter's 1,000 wake-ups a second on the worker's CPU preempt it and
        // were most of its excess latency at 40,000/s (results/busy-client-40k-hiccup-meter-2026-12-06.txt);
        // a spinning worker's own send lateness is the platform's noise floor there.
        let meter = configuration.rate != nil && pacing.pacing == .sleep ? HiccupMeter() : nil
        if let meter {
            group.enter()
            let thread = Thread {
                meter.run(warmupEnd: warmupEnd, end: end)
                group.leave()
            }
            thread.stackSize = 1 << 18
            thread.start()
        }
        for (index, worker) in workers.enumerated() {
            group.enter()
            let thread = Thread {
                worker.run(start: start, warmupEnd: warmupEnd, end: end, workerIndex: index, workerCount: threads,
                           pacing: pacing.pacing)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        // The window's CPU time, all threads: sampled here at its edges while the workers run.
        sleepUntil(warmupEnd)
        let cpuAtStart = ProcessCPUTime.now()
        sleepUntil(end)
        let cpuAtEnd = ProcessCPUTime.now()
        group.wait()
        var report = LoadReport(configuration: configuration, results: workers.map(\.result))
        if configuration.rate != nil { report.pacing = pacing.pacing }
        report.windowCPU = cpuAtEnd.since(cpuAtStart)
        if let meter { report.hiccups = HiccupSummary(histogram: meter.histogram, scheduling: meter.scheduling, cpu: Int(meter.cpu)) }
        deliver(report)
        if configuration.lingerSeconds > 0 { usleep(useconds_t(configuration.lingerSeconds * 1e6)) }
        return report
    }
}

/// Why no connection can come from `address` (it is no address of this machine), or nil: a
/// socket bound there on an ephemeral port tells, and is closed at once.
func sourceAddressProblem(_ address: String) -> String? {
    guard let local = try? SocketAddress(host: address, port: 0) else { return "is not an IPv4 address" }
    let syscalls = Syscalls()
    do {
        let (fd, _) = try Socket.listen(on: local, backlog: 1, syscalls: syscalls)
        syscalls.close(fd)
        return nil
    } catch {
        return error.code == EADDRNOTAVAIL ? "is not an address of this machine (bind: EADDRNOTAVAIL)" : "cannot be bound (\(error))"
    }
}

/// Sleeps until `deadline` (monotonic ns); returns at once if it has passed.
private func sleepUntil(_ deadline: UInt64) {
    while true {
        let now = monotonicNanoseconds()
        if now >= deadline { return }
        var pause = timespec(tv_sec: Int((deadline - now) / 1_000_000_000), tv_nsec: Int((deadline - now) % 1_000_000_000))
        nanosleep(&pause, nil)
    }
}
