#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts detached pthreads with a name.
///
/// Linux limits a thread's OS name to 15 bytes, so the OS sees a short form (`tt-worker-1`) while the trace
/// records the full name (`tasktrace-worker-1`). Thread-safe (stateless).
enum NamedThread {
    /// The boxed body handed to `pthread_create`.
    private final class Start: Sendable {
        let osName: String
        let body: @Sendable () -> Void
        init(osName: String, body: @escaping @Sendable () -> Void) {
            self.osName = osName
            self.body = body
        }
    }

    /// The C entry point of every thread: unboxes and runs the body.
    private static let threadEntry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = {
        argument in
        guard let argument else { return nil }
        let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
        setCurrentThreadName(start.osName)
        start.body()
        return nil
    }

    /// Sets the OS name of the calling thread (best effort).
    private static func setCurrentThreadName(_ name: String) {
        #if os(Linux)
        // Glibc's module does not export pthread_setname_np; the kernel's per-thread comm file does the same.
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var bytes = Array(name.utf8)
        _ = write(descriptor, &bytes, bytes.count)
        #elseif canImport(Darwin)
        pthread_setname_np(name)
        #endif
    }

    /// Starts a detached thread running `body`. Returns false when the system refuses a new thread.
    @discardableResult
    static func start(osName: String, _ body: @escaping @Sendable () -> Void) -> Bool {
        let start = Unmanaged.passRetained(Start(osName: String(osName.prefix(15)), body: body))
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        defer { pthread_attr_destroy(&attributes) }
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let result = pthread_create(&thread, &attributes, threadEntry, start.toOpaque())
        if result != 0 {
            start.release()
            return false
        }
        return true
    }
}
