@testable import TaskTraceExport
import TaskTraceModel
import Testing

/// The Chrome export writes each track's name from the task's parts instead of escaping `displayName`: the two must
/// never drift apart.
@Suite("Chrome track names")
struct ChromeTrackNamesTests {
    static func task(id: TraceTaskID, name: String?, kind: TaskKind) -> TimelineTask {
        TimelineTask(
            id: id, parentID: nil, parentIndex: nil, name: name, kind: kind, file: nil, line: nil, error: nil,
            depth: 0, childCount: 0, descendantCount: 0, createdAt: nil, endedAt: nil, finalState: nil,
            isUnfinished: false, segments: 0..<0)
    }

    @Test func everyNameIsTheEscapedDisplayName() {
        let base = TaskIDText.blockingIDBase
        let ids: [TraceTaskID] = [
            0, 1, 9, 10, 2_620_563, base - 1, base, base + 1, base + 99, (base << 1) - 1, base << 1, UInt64.max,
        ]
        let names: [String?] = [
            nil, "", "fetch", "q\"uote\\", "nl\n\u{1}\u{7F}", "\u{2028}x\u{2029}", "é 😀 ’", "#7",
        ]
        var tasks: [TimelineTask] = []
        for kind in TaskKind.allCases {
            for id in ids {
                for name in names { tasks.append(Self.task(id: id, name: name, kind: kind)) }
            }
        }
        let trackNames = ChromeTrackNames(tasks)
        #expect(trackNames.count == tasks.count)
        for (index, task) in tasks.enumerated() {
            let written = trackNames.withName(index) { Array($0) }
            let expected = ByteWriter.jsonStringBytes(task.displayName)
            #expect(written == expected, "\(task.displayName.debugDescription)")
        }
        #expect(ChromeTrackNames([]).count == 0)
    }
}
