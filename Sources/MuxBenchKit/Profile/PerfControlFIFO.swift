// perf's control FIFOs (`--control=fifo:CTL,ACK`): how a perf started with its events disabled
// (`--delay=-1`) is switched on and off at the window's edges, each command acknowledged.
import Foundation
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

final class PerfControlFIFO {
    /// The paths perf is given; the FIFOs live in `directory`, which the caller owns.
    let controlPath: String
    let acknowledgementPath: String
    private var control: Int32 = -1          // owned: our write end of the control FIFO
    private var acknowledgement: Int32 = -1  // owned: our read end of the acknowledgement FIFO

    /// Makes the two FIFOs in `directory`.
    init(directory: String) throws {
        controlPath = directory + "/ctl"
        acknowledgementPath = directory + "/ack"
        guard mkfifo(controlPath, 0o600) == 0 else { throw SyscallError("mkfifo", errno) }
        guard mkfifo(acknowledgementPath, 0o600) == 0 else { throw SyscallError("mkfifo", errno) }
    }

    /// perf's `--control` argument.
    var perfArgument: String { "--control=fifo:\(controlPath),\(acknowledgementPath)" }

    /// Opens our ends once perf has opened its own (a FIFO opened for writing without a reader
    /// fails with ENXIO): false when `isRunning` turns false or 10 s pass first.
    func connect(while isRunning: () -> Bool) -> Bool {
        let deadline = monotonicNanoseconds() + 10_000_000_000
        while control < 0 {
            control = open(controlPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            if control < 0 {
                guard errno == ENXIO, isRunning(), monotonicNanoseconds() < deadline else { return false }
                usleep(10_000)
            }
        }
        acknowledgement = open(acknowledgementPath, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        return acknowledgement >= 0
    }

    /// Sends `enable` or `disable` and waits (5 s at most) for perf's acknowledgement.
    func send(_ word: String) -> Bool {
        guard control >= 0, acknowledgement >= 0 else { return false }
        let written = (word + "\n").withCString { write(control, $0, strlen($0)) }
        guard written > 0 else { return false }
        var pfd = pollfd(fd: acknowledgement, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&pfd, 1, 5000) } while ready < 0 && errno == EINTR
        guard ready == 1 else { return false }
        var reply = [UInt8](repeating: 0, count: 16)
        return read(acknowledgement, &reply, reply.count) > 0
    }

    deinit {
        if control >= 0 { close(control) }
        if acknowledgement >= 0 { close(acknowledgement) }
    }
}
