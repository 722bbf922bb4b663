#ifndef TASKTRACE_HOOKS_H
#define TASKTRACE_HOOKS_H
/// The Swift concurrency runtime's global-executor hooks, as tasktrace's process capture uses them.
///
/// libswift_Concurrency exports hook variables (`swift_task_enqueueGlobal_hook`, ...WithDelay, ...WithDeadline,
/// `swift_task_enqueueMainExecutor_hook`) holding Swift-calling-convention function pointers. Swift cannot
/// declare such a pointer portably, so this target owns them: it finds the variables with dlsym (so a runtime
/// without them degrades to "capture unavailable" instead of a link error), installs swiftcall trampolines that
/// forward to plain C callbacks registered from Swift, and puts back whatever was there before.
/// Thread-safety: install/restore are serialised by the caller (one process capture at a time); the trampolines
/// read the callbacks atomically, so a job enqueued during a restore goes either to tasktrace or to the runtime.
#include <stdint.h>
#include "CTaskTraceClock.h"
#include "CTaskTraceFence.h"

/// Called with a job the runtime wants run on the global executor (or the main executor).
typedef void (*tasktrace_job_callback)(void *_Nonnull job);
/// Called with a job to run after `delay_ns` nanoseconds.
typedef void (*tasktrace_delay_callback)(unsigned long long delay_ns, void *_Nonnull job);
/// Called with a job to run at a deadline (`sec`, `nsec`) on the runtime clock `clock` (1 continuous, 2 suspending).
typedef void (*tasktrace_deadline_callback)(long long sec, long long nsec, long long tsec, long long tnsec,
                                            int clock, void *_Nonnull job);

/// 1 when the four hook variables of the loaded Swift concurrency runtime were found, else 0.
int tasktrace_hooks_available(void);

/// Installs the trampolines (remembering the previous hooks). Returns 0 on success, -1 when the hooks are not
/// available, -2 when tasktrace's hooks are already installed.
int tasktrace_hooks_install(tasktrace_job_callback _Nonnull global, tasktrace_delay_callback _Nonnull delay,
                            tasktrace_deadline_callback _Nonnull deadline, tasktrace_job_callback _Nonnull main_job);

/// Puts the previous hooks back; later jobs go to the runtime's own executors. Safe to call when not installed.
void tasktrace_hooks_restore(void);

/// Runs a global job the way the runtime's own global executor does: on the generic executor (no actor, no task
/// executor). Returns 0, or -1 if `swift_job_run` could not be found (the job is then not run).
int tasktrace_run_global_job(void *_Nonnull job);

/// Hands a job to the runtime's own main executor (used after a restore, or when the main lane is unavailable).
/// Returns 0, or -1 when the original main enqueue is unknown (no main job was ever hooked).
int tasktrace_enqueue_main_original(void *_Nonnull job);

/// Calls the runtime's `swift_task_enqueueGlobalWithDelay(delay_ns, job)` — what a delayed job goes through before
/// any hook. Returns -1 when it is not exported. Used by tests to drive the delay hook end to end.
int tasktrace_enqueue_global_with_delay(unsigned long long delay_ns, void *_Nonnull job);

/// Whether the task `job` is marked cancelled (`swift_task_isCancelled`); -1 when that entry point is missing.
/// Call only while the task is alive (before its job runs).
int tasktrace_task_is_cancelled(void *_Nonnull job);

/// The name of the task running on the calling thread (`swift_task_getCurrentTaskName`), or NULL (no task, no
/// name, or the entry point is missing). The pointer lives as long as the task: copy it at once.
const char *_Nullable tasktrace_current_task_name(void);

#endif
