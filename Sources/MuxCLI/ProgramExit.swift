#if canImport(Glibc)
import Glibc
#endif

/// Exit statuses shared by every MuxBench executable (Sources/README.md, Conventions).
public enum ExitCode: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
    case regression = 3
}

/// Writes one line to stderr without buffering surprises.
public func printError(_ line: String) { writeLine(line, to: 2) }

/// Writes text to stdout at once (machine-readable lines must not wait in a buffer).
public func printLine(_ line: String) { writeLine(line, to: 1) }

private func writeLine(_ line: String, to fd: Int32) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    text.utf8CString.withUnsafeBufferPointer { buffer in
        var offset = 0
        let count = buffer.count - 1
        while offset < count {
            let n = write(fd, buffer.baseAddress! + offset, count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}

/// What a command line asks an executable to do: run with a configuration, or exit with a status.
public enum Invocation<Configuration> {
    case run(Configuration)
    case exit(Int32)
}

/// Runs an executable's parser: nil from it means help was asked for (printed, exit 0); a usage
/// error is reported as its one line (exit 2).
public func invocation<Configuration>(help: @autoclosure () -> String,
                                      _ parse: () throws(UsageError) -> Configuration?) -> Invocation<Configuration> {
    do {
        guard let configuration = try parse() else {
            printLine(help())
            return .exit(ExitCode.success.rawValue)
        }
        return .run(configuration)
    } catch {
        printError(error.description)
        return .exit(ExitCode.usage.rawValue)
    }
}

/// Parses a subcommand's `arguments` for a caller that returns its exit status: help asked for
/// is printed (exit 0), a usage error is reported as its one line (exit 2).
public func parseSubcommand(_ parser: ArgumentParser, _ arguments: [String]) -> Invocation<ParsedArguments> {
    invocation(help: parser.help()) { () throws(UsageError) -> ParsedArguments? in
        let parsed = try parser.parse(arguments)
        return parsed.helpRequested ? nil : parsed
    }
}

/// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the limit now in force.
@discardableResult
public func raiseFileLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(clamping: limit.rlim_cur)
}
