// How a command's step ends the command early: its line is already on stderr, the status is the
// exit status (ExitCode's, or 130 after an interruption). Lets a long command read as its steps.
import MuxCLI

struct CommandExit: Error {
    let status: Int32

    init(_ code: ExitCode) { status = code.rawValue }
    init(status: Int32) { self.status = status }

    /// Says `message` on stderr (already prefixed with the program) and exits with `code`.
    static func saying(_ message: String, _ code: ExitCode) -> CommandExit {
        printError(message)
        return CommandExit(code)
    }
}
