/// Why a recording could not start. Thread-safe (a value type).
public enum TraceRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The system refused to create the threads the runtime needs (a process or memory limit).
    case threadsUnavailable(String)

    public var description: String {
        switch self {
        case .threadsUnavailable(let which): "cannot start the recording: the system refused to create \(which)"
        }
    }
}
