// See CTaskTracePreload.h. This file is compiled only into the libTaskTracePreload.so product.
#define _GNU_SOURCE
#include "CTaskTracePreload.h"
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Implemented in Swift (TaskTracePreload, @_cdecl).
extern int tasktrace_preload_swift_start(void);
extern void tasktrace_preload_swift_finish(int signal_number);
extern uint64_t tasktrace_preload_swift_main_enqueued(void *job);
extern void tasktrace_preload_swift_main_run(uint64_t task_id, void (*work)(void *), void *context);

typedef void (*work_fn)(void *);
typedef void (*dispatch_async_f_fn)(void *queue, void *context, work_fn work);

static atomic_int observing_main;
static int signal_pipe[2] = {-1, -1};

void tasktrace_preload_observe_main_queue(int enabled) { atomic_store(&observing_main, enabled); }

// MARK: - Main-queue interposer

/// A main-actor job wrapped so the lane sees its start and end.
struct main_job {
    work_fn work;
    void *context;
    uint64_t task_id;
};

static void run_main_job(void *argument) {
    struct main_job *job = argument;
    tasktrace_preload_swift_main_run(job->task_id, job->work, job->context);
    free(job);
}

/// True when `work` lies in the Swift concurrency runtime (its main executor's job runner), i.e. `context` is a Job.
static int is_swift_job_runner(work_fn work) {
    static atomic_uintptr_t runtime_base;
    uintptr_t base = atomic_load(&runtime_base);
    if (!base) {
        Dl_info info;
        void *anchor = dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal");
        if (!anchor || !dladdr(anchor, &info)) return 0;
        base = (uintptr_t)info.dli_fbase;
        atomic_store(&runtime_base, base);
    }
    Dl_info info;
    return dladdr((void *)work, &info) && (uintptr_t)info.dli_fbase == base;
}

void dispatch_async_f(void *queue, void *context, work_fn work) {
    static _Atomic(dispatch_async_f_fn) real;
    dispatch_async_f_fn forward = atomic_load(&real);
    if (!forward) {
        forward = (dispatch_async_f_fn)dlsym(RTLD_NEXT, "dispatch_async_f");
        if (!forward) abort();  // no libdispatch behind us: nothing sensible to do
        atomic_store(&real, forward);
    }
    static _Atomic(void *) main_queue;
    if (atomic_load(&observing_main) && !atomic_load(&main_queue)) {
        atomic_store(&main_queue, dlsym(RTLD_DEFAULT, "_dispatch_main_q"));
    }
    if (atomic_load(&observing_main) && queue && queue == atomic_load(&main_queue) && is_swift_job_runner(work)) {
        struct main_job *job = malloc(sizeof *job);
        if (job) {
            job->work = work;
            job->context = context;
            job->task_id = tasktrace_preload_swift_main_enqueued(context);
            forward(queue, job, run_main_job);
            return;
        }
    }
    forward(queue, context, work);
}

// MARK: - Finishing the trace

static void finish_at_exit(void) { tasktrace_preload_swift_finish(0); }

static void on_signal(int signal_number) {
    int saved = errno;
    unsigned char byte = (unsigned char)signal_number;
    if (write(signal_pipe[1], &byte, 1) < 0) { /* nothing to do in a handler */ }
    errno = saved;
}

/// Finishes the trace outside the signal handler (SQLite and locks are not async-signal-safe), then lets the
/// signal do what it would have done.
static void *signal_watcher(void *unused) {
    (void)unused;
    unsigned char byte;
    while (read(signal_pipe[0], &byte, 1) != 1) {
        if (errno != EINTR) return NULL;
    }
    tasktrace_preload_swift_finish(byte);
    signal(byte, SIG_DFL);
    // This thread may have been born with the signal blocked (threads started during load inherit the loader's
    // mask); unblocked here, the re-raised signal ends the process at once, as the original would have.
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, byte);
    pthread_sigmask(SIG_UNBLOCK, &only, NULL);
    raise(byte);
    return NULL;
}

static void install_signal_handlers(void) {
    if (pipe(signal_pipe) != 0) return;
    pthread_t thread;
    if (pthread_create(&thread, NULL, signal_watcher, NULL) != 0) return;
    pthread_detach(thread);
    int signals[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        sigaction(signals[i], &action, NULL);
    }
}

__attribute__((constructor)) static void tasktrace_preload_init(void) {
    if (!getenv("TASKTRACE_PRELOAD_OUTPUT")) return;
    if (tasktrace_preload_swift_start() != 0) return;
    // Children of the traced program are not recorded into the same file: give them back the user's LD_PRELOAD.
    const char *original = getenv("TASKTRACE_PRELOAD_ORIGINAL_LD_PRELOAD");
    if (original && *original) setenv("LD_PRELOAD", original, 1); else unsetenv("LD_PRELOAD");
    unsetenv("TASKTRACE_PRELOAD_ORIGINAL_LD_PRELOAD");
    atexit(finish_at_exit);
    install_signal_handlers();
}
