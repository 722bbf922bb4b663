import ArgumentParser
import TaskTraceExport
import TaskTraceModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tasktrace bench-export [--tasks N] [--segments-per-task M]` (hidden): measures the Chrome JSON writer on
/// a synthetic in-memory timeline, output discarded. Prints events, bytes and events per second.
struct BenchExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-export",
        abstract: "Measure Chrome trace JSON export speed on a synthetic timeline.",
        shouldDisplay: false
    )

    @Option(help: "Number of tasks.")
    var tasks: Int = 10_000

    @Option(help: "State segments per task (transitions - 1).")
    var segmentsPerTask: Int = 300

    func run() throws {
        var records: [TaskRecord] = []
        for id in 1...max(tasks, 1) {
            records.append(TaskRecord(id: TraceTaskID(id), parentID: id == 1 ? nil : TraceTaskID(id / 2), name: "task-\(id)", kind: .spawned, file: "Bench/Bench.swift", line: id))
        }
        var builder = TimelineBuilder(
            tasks: records, threads: [ThreadRecord(id: 1, name: "worker-0", kind: .worker)], marks: [],
            untrackedJobs: [], meta: [:], expectedTransitions: records.count * (segmentsPerTask + 1)
        )
        let cycle: [TaskState] = [.scheduled, .running, .suspended]
        for step in 0...segmentsPerTask {
            for record in records {
                let state: TaskState = step == 0 ? .created : (step == segmentsPerTask ? .done : cycle[(step - 1) % 3])
                let thread: TraceThreadID = state == .running ? 1 : 0
                builder.add(TransitionRecord(taskID: record.id, timestamp: UInt64(step) * 1_500 + record.id, state: state, threadID: thread))
            }
        }
        let timeline = builder.finish()
        let events = timeline.segments.count + timeline.segments.states.filter { $0 == .running }.count
        var writer = ByteWriter { _ in }
        let start = Self.now()
        try ChromeTraceExporter.write(timeline, to: &writer)
        try writer.flush()
        let seconds = Double(Self.now() - start) / 1e9
        print("events: \(events) (X slices), bytes: \(writer.byteCount), seconds: \(seconds)")
        print("throughput: \(Int(Double(events) / seconds)) events/s, \(Int(Double(writer.byteCount) / seconds / 1e6)) MB/s")
    }

    private static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
