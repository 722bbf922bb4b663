import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry points: record what a piece of async code does, into a SQLite file or any `TraceSink`.
///
/// ```swift
/// let total = try await TaskTrace.record(to: "run.sqlite", workers: 2) { runtime in
///     let parts = (1...4).map { n in runtime.spawn("part \(n)") { try await work(n) } }
///     return try await runtime.gather(parts).reduce(0, +)
/// }
/// ```
/// Thread-safe: recordings may run concurrently, each with its own executor, threads and sink.
public enum TaskTrace {
    /// Runs `body` as the root task (kind `root`, named `name`) on a fresh `TracingExecutor` with `workers`
    /// threads and records every task's life cycle into a new SQLite file at `path` (replacing any file there).
    ///
    /// Writes `meta` (format and tool version, start/end wall time, clock, host, pid, command, workers,
    /// dropped_events) and flushes and finalizes the file whether `body` returns, throws or is cancelled.
    ///
    /// With `capture: .process` every task of the process is recorded while `body` runs — `Task {}`,
    /// `Task.detached {}`, library code's tasks — not only those started through the runtime (see `CaptureMode`).
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws; `CancellationError` if the caller was cancelled; a store error if the file
    ///   cannot be created or written; `TraceRuntimeError.captureUnavailable` if `.process` cannot be had.
    public static func record<T: Sendable>(
        to path: String, workers: Int = 1, capture: CaptureMode = .executor, name: String = "main",
        command: String? = nil, _ body: @escaping @Sendable (TraceRuntime) async throws -> T
    ) async throws -> T {
        let sink = try SQLiteTraceSink(path: path)
        var configuration = TraceConfiguration(workers: workers)
        configuration.capture = capture
        return try await record(into: sink, configuration: configuration, name: name, command: command, body)
    }

    /// Same as `record(to:…)`, into any sink (`InMemoryTraceSink` in tests).
    public static func record<T: Sendable>(
        into sink: any TraceSink, workers: Int = 1, capture: CaptureMode = .executor, name: String = "main",
        command: String? = nil, _ body: @escaping @Sendable (TraceRuntime) async throws -> T
    ) async throws -> T {
        var configuration = TraceConfiguration(workers: workers)
        configuration.capture = capture
        return try await record(into: sink, configuration: configuration, name: name, command: command, body)
    }

    /// Same, with every tuning knob (buffer size, flush interval, clock, blocking threads).
    public static func record<T: Sendable>(
        into sink: any TraceSink, configuration: TraceConfiguration, name: String = "main", command: String? = nil,
        _ body: @escaping @Sendable (TraceRuntime) async throws -> T
    ) async throws -> T {
        try configuration.validate()
        let recorder = TraceRecorder(sink: sink, configuration: configuration)
        let runtime = TraceRuntime(recorder: recorder, configuration: configuration)
        let startedUnix = TraceClock.unixNanos()
        var meta = [
            MetaKey.formatVersion: String(TraceFormat.version),
            MetaKey.tasktraceVersion: TraceFormat.toolVersion,
            MetaKey.startedUnixNs: String(startedUnix),
            MetaKey.clock: configuration.clock.name,
            MetaKey.host: hostName(),
            MetaKey.pid: String(getpid()),
            MetaKey.command: command ?? CommandLine.arguments.joined(separator: " "),
            MetaKey.workers: String(runtime.workerCount),
        ]
        if configuration.capture == .process { meta[ProcessRecording.captureMetaKey] = "process" }
        let writerStarted = recorder.start(meta: meta)
        guard writerStarted else { throw TraceRuntimeError.threadsUnavailable("the writer thread") }
        guard runtime.executor.start() else {
            _ = await recorder.stop(meta: [:])
            throw TraceRuntimeError.threadsUnavailable("any worker thread")
        }
        runtime.blockingPool.start()
        if configuration.capture == .process {
            do {
                _ = try ProcessCapture.install(runtime.executor)
            } catch {
                await runtime.executor.stopRecording()
                runtime.executor.shutdown()
                runtime.blockingPool.shutdown()
                _ = await recorder.stop(meta: [:])
                throw error
            }
        }

        let root = runtime.start(name: name, kind: .root, file: nil, line: nil) { try await body(runtime) }
        let result = await withTaskCancellationHandler {
            await root.result
        } onCancel: {
            root.cancel(reason: "recording cancelled")
        }

        if configuration.capture == .process { ProcessCapture.restore() }
        await runtime.executor.stopRecording()
        if configuration.capture == .process { runtime.executor.recordLateFrees() }
        runtime.executor.shutdown()
        runtime.blockingPool.shutdown()
        let endedUnix = TraceClock.unixNanos()
        let stop = await recorder.stop(meta: [
            MetaKey.endedUnixNs: String(endedUnix),
            MetaKey.durationNs: String(recorder.buffer.now()),
        ])
        let value = try result.get()
        if let sinkError = stop.sinkError { throw sinkError }
        return value
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
