#ifndef TASKTRACE_PRELOAD_H
#define TASKTRACE_PRELOAD_H
/// The C half of the preload library loaded by `tasktrace record -- PROGRAM` (LD_PRELOAD).
///
/// It owns what Swift cannot express: the load-time constructor, the exit and signal handlers that finish the
/// trace, and an interposer of `dispatch_async_f` that sees the main actor's jobs (Swift 6.3's main executor
/// hands them straight to the main Dispatch queue, past the runtime's hooks). The Swift half (`TaskTracePreload`)
/// does the recording; the two talk through the `tasktrace_preload_swift_*` functions it exports.
/// Nothing here does anything unless the environment variable TASKTRACE_PRELOAD_OUTPUT is set at load.

/// Called by the Swift half once its recording runs: main-queue jobs are observed from now on.
void tasktrace_preload_observe_main_queue(int enabled);

#endif
