import Glibc
import Synchronization
import TaskTraceModel
import TaskTraceStore
import Testing

@testable import TaskTrace

/// The second thread that writes one part of a backlog while the writer derives the next (`SinkWriteAhead`): the
/// sink must see every batch once, in order, one call at a time, and no batch after a failed write.
@Suite("Write-ahead of a backlog's parts")
struct SinkWriteAheadTests {
    /// Records the id of each batch's single task row, and whether two calls ever overlapped.
    final class OrderSink: TraceSink, Sendable {
        let written = Mutex<[TraceTaskID]>([])
        let inside = Atomic<Int>(0)
        let overlapped = Atomic<Bool>(false)
        let failOnWrite: Int?

        struct Refused: Error {}

        func write(_ batch: TraceBatch) throws {
            if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                overlapped.store(true, ordering: .sequentiallyConsistent)
            }
            defer { inside.subtract(1, ordering: .sequentiallyConsistent) }
            // Long enough for the submitter to try to hand over the next batch meanwhile.
            for _ in 0..<20_000 { _ = inside.load(ordering: .relaxed) }
            let count = written.withLock { written in
                written.append(contentsOf: batch.tasks.map(\.id))
                return written.count
            }
            if count == failOnWrite { throw Refused() }
        }

        /// Settles seen, and settles that came before any write or while another call was in progress.
        let settles = Atomic<Int>(0)
        let misplacedSettles = Atomic<Int>(0)
        /// How long a settle takes (a WAL being folded), in microseconds.
        let settleMicros: UInt32

        init(failOnWrite: Int? = nil, settleMicros: UInt32 = 0) {
            self.failOnWrite = failOnWrite
            self.settleMicros = settleMicros
        }

        func settle() throws {
            if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 || written.withLock({ $0.isEmpty }) {
                misplacedSettles.add(1, ordering: .sequentiallyConsistent)
            }
            defer { inside.subtract(1, ordering: .sequentiallyConsistent) }
            settles.add(1, ordering: .sequentiallyConsistent)
            if settleMicros > 0 { usleep(settleMicros) }
        }

        func finish(meta: [String: String]) throws {}
    }

    static func batch(_ id: TraceTaskID) -> TraceBatch { TraceBatch(tasks: [TaskRecord(id: id, kind: .root)]) }

    @Test("every batch written once, in order, never two at a time; each submit hands back the batch before it")
    func writesInOrderOneAtATime() throws {
        let sink = OrderSink()
        let ahead = try #require(SinkWriteAhead.start(sink: sink))
        var handedBack: [TraceTaskID] = []
        for id in TraceTaskID(1)...40 {
            let result = ahead.submit(Self.batch(id))
            #expect(result.error == nil)
            if let done = result.done { handedBack += done.tasks.map(\.id) }
        }
        let last = ahead.finish()
        if let done = last.done { handedBack += done.tasks.map(\.id) }
        ahead.close()
        #expect(sink.written.withLock { $0 } == Array(1...40))
        #expect(handedBack == Array(1...40))
        let overlapped = sink.overlapped.load(ordering: .sequentiallyConsistent)
        #expect(!overlapped)
        #expect(ahead.cpuNanos > 0)
        // Settled after writes, never during one or before the first.
        #expect(sink.settles.load(ordering: .sequentiallyConsistent) >= 1)
        #expect(sink.misplacedSettles.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test("a settle does not hold up the next hand-over; finish waits for it and for the write after it")
    func settleDoesNotHoldUpTheWriter() throws {
        let sink = OrderSink(settleMicros: 200_000)
        let ahead = try #require(SinkWriteAhead.start(sink: sink))
        _ = ahead.submit(Self.batch(1))
        let deadline = ContinuousClock.now + .seconds(10)
        while sink.settles.load(ordering: .sequentiallyConsistent) == 0, ContinuousClock.now < deadline { usleep(100) }
        // The thread now settles for 200 ms: handing over the next batch must not wait for that.
        let handOver = ContinuousClock().measure { _ = ahead.submit(Self.batch(2)) }
        #expect(handOver < .milliseconds(100), "the hand-over waited \(handOver)")
        _ = ahead.finish()
        // Both written, the second after the settle; nothing in progress once finish returned.
        #expect(sink.written.withLock { $0 } == [1, 2])
        #expect(sink.inside.load(ordering: .sequentiallyConsistent) == 0)
        ahead.close()
        #expect(sink.misplacedSettles.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test("after a failed write the later batches are not written, and the first error is reported")
    func stopsAfterAFailedWrite() throws {
        let sink = OrderSink(failOnWrite: 3)
        let ahead = try #require(SinkWriteAhead.start(sink: sink))
        var errors = 0
        for id in TraceTaskID(1)...10 where ahead.submit(Self.batch(id)).error != nil { errors += 1 }
        let last = ahead.finish()
        ahead.close()
        #expect(last.error is OrderSink.Refused)
        #expect(errors >= 1)
        #expect(sink.written.withLock { $0 } == [1, 2, 3])
        // Not after the failed write: at most after the two good ones.
        #expect(sink.settles.load(ordering: .sequentiallyConsistent) <= 2)
    }

    /// A sink for a whole recording that is slow to write and checks that its calls never overlap and that
    /// `finish` comes after every other call returned. Keeps each task's states in order.
    final class CallOrderSink: TraceSink, Sendable {
        let inside = Atomic<Int>(0)
        let overlaps = Atomic<Int>(0)
        let writes = Atomic<Int>(0)
        let finishedEarly = Atomic<Bool>(false)
        let lives = Mutex<[TraceTaskID: [TaskState]]>([:])
        let kinds = Mutex<[TraceTaskID: TaskKind]>([:])

        private func enter() {
            if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                overlaps.add(1, ordering: .sequentiallyConsistent)
            }
        }
        private func leave() { inside.subtract(1, ordering: .sequentiallyConsistent) }

        func write(_ batch: TraceBatch) throws {
            enter()
            defer { leave() }
            usleep(2_000)
            writes.add(1, ordering: .sequentiallyConsistent)
            lives.withLock { lives in
                for transition in batch.transitions { lives[transition.taskID, default: []].append(transition.state) }
            }
            kinds.withLock { kinds in for task in batch.tasks { kinds[task.id] = task.kind } }
        }
        func idle() throws {
            enter()
            leave()
        }
        func settle() throws {
            enter()
            defer { leave() }
            usleep(1_000)
        }
        func finish(meta: [String: String]) throws {
            if inside.load(ordering: .sequentiallyConsistent) != 0 { finishedEarly.store(true, ordering: .sequentiallyConsistent) }
            enter()
            leave()
        }
    }

    @Test("a recording whose backlog spans several parts: one sink call at a time, finish last, every life whole",
          arguments: [1, 4])
    func recordingBacklogThroughTheWriteAhead(workers: Int) async throws {
        let sink = CallOrderSink()
        // ~3 events per child, all drained at the end (no periodic flush): more than two parts' worth.
        let children = 2 * TraceRecorder.eventsPerWrite / 3 + 1_000
        var configuration = TraceConfiguration(workers: workers)
        configuration.flushIntervalNanos = 3_600_000_000_000
        let sum = try await TaskTrace.record(into: sink, configuration: configuration) { _ in
            await withTaskGroup(of: Int.self) { group in
                for index in 0..<children { group.addTask { index & 1 } }
                return await group.reduce(0, +)
            }
        }
        #expect(sum == children / 2)
        #expect(sink.overlaps.load(ordering: .sequentiallyConsistent) == 0)
        let finishedEarly = sink.finishedEarly.load(ordering: .sequentiallyConsistent)
        #expect(!finishedEarly)
        #expect(sink.writes.load(ordering: .sequentiallyConsistent) >= 3)
        let childIDs = sink.kinds.withLock { kinds in kinds.filter { $0.value == .groupChild }.map(\.key) }
        #expect(childIDs.count == children)
        let lives = sink.lives.withLock { $0 }
        #expect(childIDs.allSatisfy { lives[$0] == [.created, .scheduled, .running, .done] })
    }
}
