/// Why a recording could not start. Thread-safe (a value type).
public enum TraceRuntimeError: Error, Sendable, CustomStringConvertible {
    /// The system refused to create the threads the runtime needs (a process or memory limit).
    case threadsUnavailable(String)
    /// `CaptureMode.process` could not take over the global executor (the reason says why).
    case captureUnavailable(String)
    /// A `TraceConfiguration` value is out of range (the text names it and the range).
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .threadsUnavailable(let which): "cannot start the recording: the system refused to create \(which)"
        case .captureUnavailable(let why): "cannot record the whole process: \(why)"
        case .invalidConfiguration(let what): "invalid recording configuration: \(what)"
        }
    }
}
