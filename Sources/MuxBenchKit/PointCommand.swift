import MuxCLI

public func runPoint(arguments: [String]) -> Int32 {
    printError("mux-bench run: not implemented yet")
    return ExitCode.failure.rawValue
}

public func runSweep(arguments: [String]) -> Int32 {
    printError("mux-bench sweep: not implemented yet")
    return ExitCode.failure.rawValue
}
