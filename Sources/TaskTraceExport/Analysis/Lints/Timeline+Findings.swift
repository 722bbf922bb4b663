import TaskTraceModel

extension Timeline {
    /// Every lint finding of this timeline, most severe first (see `Finding.listedBefore`).
    ///
    /// Pure and deterministic: the same timeline and options give the same findings. Meant for a whole trace;
    /// on a windowed or filtered timeline the lints see only what is kept. Findings never rest on an inferred
    /// outcome as if it were observed (an inferred `errored` is never "never retrieved").
    /// Runs in O(segments log segments) plus the findings' own size.
    public func findings(options: LintOptions = LintOptions()) -> [Finding] {
        let context = LintContext(self, options: options)
        var findings: [Finding] = []
        findings += context.blockingJobs()
        findings += context.errorsNeverRetrieved()
        findings += context.unfinishedAtEnd()
        findings += context.ignoredCancellations()
        findings += context.starvation()
        findings += context.orphans()
        findings += context.timeoutsFired()
        return findings.sorted(by: Finding.listedBefore)
    }
}
