// See CTaskTraceHooks.h for why this is C. Every non-public runtime symbol this target touches is named here.
#define _GNU_SOURCE
#include "CTaskTraceHooks.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define TT_SWIFTCC __attribute__((swiftcall))

typedef TT_SWIFTCC void (*job_original)(void *job);
typedef TT_SWIFTCC void (*job_hook)(void *job, job_original original);
typedef TT_SWIFTCC void (*delay_original)(unsigned long long delay, void *job);
typedef TT_SWIFTCC void (*delay_hook)(unsigned long long delay, void *job, delay_original original);
typedef TT_SWIFTCC void (*deadline_original)(long long sec, long long nsec, long long tsec, long long tnsec,
                                              int clock, void *job);
typedef TT_SWIFTCC void (*deadline_hook)(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                          void *job, deadline_original original);

/// The runtime's SerialExecutorRef: an identity and an implementation word; both zero is the generic executor.
typedef struct {
    void *identity;
    uintptr_t implementation;
} tt_serial_executor_ref;
typedef TT_SWIFTCC void (*job_run_fn)(void *job, tt_serial_executor_ref executor);

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static int installed = 0;
static job_hook previous_global, previous_main;
static delay_hook previous_delay;
static deadline_hook previous_deadline;

static _Atomic(tasktrace_job_callback) on_global;
static _Atomic(tasktrace_delay_callback) on_delay;
static _Atomic(tasktrace_deadline_callback) on_deadline;
static _Atomic(tasktrace_job_callback) on_main;
static _Atomic(job_original) original_main;

/// The hook variables, looked up once.
static job_hook *global_slot(void) { return (job_hook *)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobal_hook"); }
static delay_hook *delay_slot(void) {
    return (delay_hook *)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDelay_hook");
}
static deadline_hook *deadline_slot(void) {
    return (deadline_hook *)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDeadline_hook");
}
static job_hook *main_slot(void) { return (job_hook *)dlsym(RTLD_DEFAULT, "swift_task_enqueueMainExecutor_hook"); }

static TT_SWIFTCC void global_trampoline(void *job, job_original original) {
    tasktrace_job_callback callback = atomic_load(&on_global);
    if (callback) callback(job); else original(job);
}

static TT_SWIFTCC void delay_trampoline(unsigned long long delay, void *job, delay_original original) {
    tasktrace_delay_callback callback = atomic_load(&on_delay);
    if (callback) callback(delay, job); else original(delay, job);
}

static TT_SWIFTCC void deadline_trampoline(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                           void *job, deadline_original original) {
    tasktrace_deadline_callback callback = atomic_load(&on_deadline);
    if (callback) callback(sec, nsec, tsec, tnsec, clock, job); else original(sec, nsec, tsec, tnsec, clock, job);
}

static TT_SWIFTCC void main_trampoline(void *job, job_original original) {
    atomic_store(&original_main, original);
    tasktrace_job_callback callback = atomic_load(&on_main);
    if (callback) callback(job); else original(job);
}

int tasktrace_hooks_available(void) {
    return global_slot() && delay_slot() && deadline_slot() && main_slot() && dlsym(RTLD_DEFAULT, "swift_job_run");
}

int tasktrace_hooks_install(tasktrace_job_callback global, tasktrace_delay_callback delay,
                            tasktrace_deadline_callback deadline, tasktrace_job_callback main_job) {
    if (!tasktrace_hooks_available()) return -1;
    pthread_mutex_lock(&install_lock);
    if (installed) {
        pthread_mutex_unlock(&install_lock);
        return -2;
    }
    atomic_store(&on_global, global);
    atomic_store(&on_delay, delay);
    atomic_store(&on_deadline, deadline);
    atomic_store(&on_main, main_job);
    previous_global = *global_slot();
    previous_delay = *delay_slot();
    previous_deadline = *deadline_slot();
    previous_main = *main_slot();
    *global_slot() = global_trampoline;
    *delay_slot() = delay_trampoline;
    *deadline_slot() = deadline_trampoline;
    *main_slot() = main_trampoline;
    installed = 1;
    pthread_mutex_unlock(&install_lock);
    return 0;
}

void tasktrace_hooks_restore(void) {
    pthread_mutex_lock(&install_lock);
    if (installed) {
        *global_slot() = previous_global;
        *delay_slot() = previous_delay;
        *deadline_slot() = previous_deadline;
        *main_slot() = previous_main;
        atomic_store(&on_global, NULL);
        atomic_store(&on_delay, NULL);
        atomic_store(&on_deadline, NULL);
        atomic_store(&on_main, NULL);
        installed = 0;
    }
    pthread_mutex_unlock(&install_lock);
}

int tasktrace_run_global_job(void *job) {
    static _Atomic(job_run_fn) run;
    job_run_fn function = atomic_load(&run);
    if (!function) {
        function = (job_run_fn)dlsym(RTLD_DEFAULT, "swift_job_run");
        if (!function) return -1;
        atomic_store(&run, function);
    }
    tt_serial_executor_ref generic = {NULL, 0};
    function(job, generic);
    return 0;
}

int tasktrace_enqueue_main_original(void *job) {
    job_original original = atomic_load(&original_main);
    if (!original) return -1;
    original(job);
    return 0;
}

int tasktrace_task_is_cancelled(void *job) {
    typedef TT_SWIFTCC _Bool (*is_cancelled_fn)(void *task);
    static _Atomic(is_cancelled_fn) cached;
    is_cancelled_fn function = atomic_load(&cached);
    if (!function) {
        function = (is_cancelled_fn)dlsym(RTLD_DEFAULT, "swift_task_isCancelled");
        if (!function) return -1;
        atomic_store(&cached, function);
    }
    return function(job) ? 1 : 0;
}

const char *tasktrace_current_task_name(void) {
    typedef TT_SWIFTCC const char *(*name_fn)(void);
    static _Atomic(name_fn) cached;
    name_fn function = atomic_load(&cached);
    if (!function) {
        function = (name_fn)dlsym(RTLD_DEFAULT, "swift_task_getCurrentTaskName");
        if (!function) return NULL;
        atomic_store(&cached, function);
    }
    return function();
}

int tasktrace_enqueue_global_with_delay(unsigned long long delay_ns, void *job) {
    typedef TT_SWIFTCC void (*enqueue_fn)(unsigned long long delay, void *job);
    enqueue_fn function = (enqueue_fn)dlsym(RTLD_DEFAULT, "swift_task_enqueueGlobalWithDelay");
    if (!function) return -1;
    function(delay_ns, job);
    return 0;
}
