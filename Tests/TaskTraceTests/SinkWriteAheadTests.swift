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

        init(failOnWrite: Int? = nil) { self.failOnWrite = failOnWrite }

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

        /// Settles seen, and settles that came before any write or while a call was in progress.
        let settles = Atomic<Int>(0)
        let misplacedSettles = Atomic<Int>(0)

        func settle() throws {
            if inside.load(ordering: .sequentiallyConsistent) != 0 || written.withLock({ $0.isEmpty }) {
                misplacedSettles.add(1, ordering: .sequentiallyConsistent)
            }
            settles.add(1, ordering: .sequentiallyConsistent)
        }

        func finish(meta: [String: String]) throws {}
    }

    static func batch(_ id: TraceTaskID) -> TraceBatch { TraceBatch(tasks: [TaskRecord(id: id, kind: .root)]) }

    @Test("every batch written once, in order, never two at a time; each submit hands back the batch before it")
    func writesInOrderOneAtATime() throws {
        let sink = OrderSink()
        let ahead = try #require(SinkWriteAhead.start(sink: sink, niceness: 0))
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
        // Settled between writes when the next batch was not there yet: at least after the last one.
        #expect(sink.settles.load(ordering: .sequentiallyConsistent) >= 1)
        #expect(sink.misplacedSettles.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test("after a failed write the later batches are not written, and the first error is reported")
    func stopsAfterAFailedWrite() throws {
        let sink = OrderSink(failOnWrite: 3)
        let ahead = try #require(SinkWriteAhead.start(sink: sink, niceness: 0))
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
}
