import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the first SIGINT or SIGTERM during a recording into a clean finish: `onInterrupt` runs (it cancels the
/// recording, which then flushes and finishes the trace: `meta.ended_unix_ns` written, `tasktrace check` passes).
/// A second signal ends the process at once, as the signal would have without this (an impatient Ctrl-C wins).
///
/// The handler only writes the signal's number to a pipe (async-signal-safe); a small thread reads it and runs
/// `onInterrupt`. Plain `sigaction` handlers rather than Dispatch signal sources, because those leave the signals
/// blocked after they are cancelled, and a later Ctrl-C (during the HTML export) would then do nothing.
///
/// One at a time per process. Not thread-safe: install and `remove()` from one thread.
final class RecordingInterrupt: @unchecked Sendable {
    private let readEnd: Int32
    private let reader: Thread
    /// Signalled by the reader thread when the pipe closes.
    private let finished = DispatchSemaphore(value: 0)

    /// Starts catching SIGINT and SIGTERM.
    init(onInterrupt: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readEnd = fds[0]
        interruptPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        reader = Thread { [finished] in
            var byte: UInt8 = 0
            while readEnd >= 0, read(readEnd, &byte, 1) == 1 {
                if RecordingInterrupt.record(Int32(byte)) { onInterrupt() }
            }
            finished.signal()
        }
        firstSignal = 0
        reader.start()
        guard readEnd >= 0 else { return }
        for number in [SIGINT, SIGTERM] { signal(number, forwardSignalToPipe) }
    }

    /// Remembers the first signal; true when this is it (run `onInterrupt`), false for a later one.
    private static func record(_ number: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard firstSignal == 0 else { return false }
        firstSignal = number
        return true
    }

    private static let lock = NSLock()

    /// Stops catching: the signals' default actions apply again. Returns the signal caught, if any.
    @discardableResult
    func remove() -> Int32? {
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        signalsSeen = 0
        let writeEnd = interruptPipeWriteEnd
        interruptPipeWriteEnd = -1
        if writeEnd >= 0 { close(writeEnd) }
        if readEnd >= 0 {
            finished.wait()
            close(readEnd)
        }
        Self.lock.lock()
        defer { Self.lock.unlock() }
        let number = firstSignal
        firstSignal = 0
        return number == 0 ? nil : number
    }
}

/// The pipe's write end while a `RecordingInterrupt` is installed, else -1; read by the signal handler.
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1
/// The first signal caught (0 = none); guarded by `RecordingInterrupt.lock`.
nonisolated(unsafe) private var firstSignal: Int32 = 0

/// Signal handler: async-signal-safe only. The first signal goes to the pipe; once one was forwarded, a second
/// restores the default action and re-raises, so it ends the process.
private func forwardSignalToPipe(_ number: Int32) {
    let fd = interruptPipeWriteEnd
    if fd < 0 || secondSignalEnds(number) {
        signal(number, SIG_DFL)
        raise(number)
        return
    }
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(fd, &byte, 1)
}

/// True from the second signal on (a plain counter: only the handler touches it).
nonisolated(unsafe) private var signalsSeen = 0
private func secondSignalEnds(_ number: Int32) -> Bool {
    signalsSeen += 1
    return signalsSeen > 1
}
