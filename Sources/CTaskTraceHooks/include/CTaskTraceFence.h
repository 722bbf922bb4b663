#ifndef TASKTRACE_FENCE_H
#define TASKTRACE_FENCE_H
/// An asymmetric fence for the recorder's watermark: producers announce an append with a plain store, and the
/// writer, once per drain, makes every running thread of the process pass a full memory barrier
/// (`membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, Linux 4.14+), instead of every append paying a locked
/// instruction. See `AsymmetricFence` (Swift) for the argument. Thread-safe (no state of its own).
#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/// Registers the process for expedited private membarriers. 1 when the writer may rely on
/// `tasktrace_membarrier`, 0 when the kernel lacks it or refuses it (a seccomp filter, an old kernel).
static inline int tasktrace_membarrier_register(void) {
#if defined(__linux__) && defined(SYS_membarrier)
    long commands = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (commands < 0 || !(commands & MEMBARRIER_CMD_PRIVATE_EXPEDITED)) return 0;
    return syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 ? 1 : 0;
#else
    return 0;
#endif
}

/// Every running thread of the process passes a full memory barrier before this returns. 0, or -1 on failure.
static inline int tasktrace_membarrier(void) {
#if defined(__linux__) && defined(SYS_membarrier)
    return syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0 ? 0 : -1;
#else
    return -1;
#endif
}

/// Keeps the compiler from moving memory accesses across this point (no instruction is emitted).
static inline void tasktrace_compiler_barrier(void) { __asm__ __volatile__("" ::: "memory"); }

#endif
