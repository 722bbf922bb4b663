#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes an export's temporary file when the process is interrupted (SIGINT, SIGTERM, SIGHUP) mid-export, then
/// lets the signal end the process as it would have: Ctrl-C during a long export leaves no `.NAME.tmp` behind.
///
/// One temporary file at a time (the CLI runs one export at once). The path is kept as a C string so the signal
/// handler only calls async-signal-safe functions (`unlink`, `signal`, `raise`).
enum InterruptCleanup {
    /// The armed path; written only on the exporting thread, read by the handler.
    nonisolated(unsafe) fileprivate static var armedPath: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var handlersInstalled = false

    /// Removes `temporaryPath` if a terminating signal arrives before `disarm()`.
    static func arm(_ temporaryPath: String) {
        disarm()
        armedPath = strdup(temporaryPath)
        guard !handlersInstalled else { return }
        handlersInstalled = true
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] { signal(signalNumber, removeArmedFileAndRaise) }
    }

    /// The file was committed or removed: nothing to clean up any more.
    static func disarm() {
        let path = armedPath
        armedPath = nil
        free(path)
    }
}

private func removeArmedFileAndRaise(_ signalNumber: Int32) {
    if let path = InterruptCleanup.armedPath { unlink(path) }
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
}
