import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns the first SIGINT or SIGTERM during a recording into a clean finish: `onInterrupt` runs (it cancels the
/// recording, which then flushes and finishes the trace: `meta.ended_unix_ns` written, `tasktrace check` passes).
/// A second signal ends the process at once, as the signal would have without this (an impatient Ctrl-C wins).
///
/// Not thread-safe: install and remove from one thread; the handlers run on a Dispatch queue.
final class RecordingInterrupt: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    /// Written once on `queue` (the handlers' serial queue), read after `remove()`.
    private(set) var signalNumber: Int32?
    private let queue = DispatchQueue(label: "tasktrace.recording-interrupt")

    /// Starts catching SIGINT and SIGTERM.
    init(onInterrupt: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in
                if signalNumber == nil {
                    signalNumber = number
                    onInterrupt()
                } else {
                    signal(number, SIG_DFL)
                    raise(number)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops catching: the signals' default actions apply again. Returns the signal caught, if any.
    @discardableResult
    func remove() -> Int32? {
        for source in sources { source.cancel() }
        sources = []
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        return queue.sync { signalNumber }
    }
}
