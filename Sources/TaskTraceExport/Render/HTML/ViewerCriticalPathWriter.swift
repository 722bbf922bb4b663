import TaskTraceModel

/// Writes critical paths (`Timeline.criticalPaths()`) as the viewer's `criticalPaths` array, one object per path:
///
/// `{"task":ROOT,"start":NS,"end":NS,"chain":[…],"time":[…],"perMille":[…],"steps":{"task":[…],"start":[…],"end":[…]}}`
///
/// `task`, `chain` and `steps.task` are indices into the exported tasks (tree order); `chain` lists the path's
/// tasks in order of first appearance with each one's time on the path (`time`, ns) and share (`perMille`, 0…1000);
/// `steps` are the path's pieces in time order (ns since the trace started). Only numbers: no trace text.
///
/// Thread-safe (stateless).
enum ViewerCriticalPathWriter {
    /// Writes the array's elements (without the brackets) to `out`; paths naming a task index outside
    /// `0..<taskCount` (a path of another timeline) are skipped.
    static func write(_ paths: [CriticalPath], taskCount: Int, to out: inout ByteWriter) {
        let valid = 0..<taskCount
        var first = true
        for path in paths
        where valid.contains(path.taskIndex) && path.shares.allSatisfy({ valid.contains($0.taskIndex) })
            && path.steps.allSatisfy({ valid.contains($0.taskIndex) })
        {
            if !first { out.write(",") }
            first = false
            out.write("{\"task\":")
            out.writeDecimal(path.taskIndex)
            out.write(",\"start\":")
            out.writeDecimal(path.start)
            out.write(",\"end\":")
            out.writeDecimal(path.end)
            out.write(",\"chain\":")
            numbers(path.shares.map { UInt64($0.taskIndex) }, to: &out)
            out.write(",\"time\":")
            numbers(path.shares.map(\.time), to: &out)
            out.write(",\"perMille\":")
            numbers(path.shares.map { UInt64(max(0, $0.perMille)) }, to: &out)
            out.write(",\"steps\":{\"task\":")
            numbers(path.steps.map { UInt64($0.taskIndex) }, to: &out)
            out.write(",\"start\":")
            numbers(path.steps.map(\.start), to: &out)
            out.write(",\"end\":")
            numbers(path.steps.map(\.end), to: &out)
            out.write("}}")
        }
    }

    private static func numbers(_ values: [UInt64], to out: inout ByteWriter) {
        out.write("[")
        for (index, value) in values.enumerated() {
            if index > 0 { out.write(",") }
            out.writeDecimal(value)
        }
        out.write("]")
    }
}
