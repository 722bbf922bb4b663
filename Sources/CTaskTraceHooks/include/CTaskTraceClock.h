#ifndef TASKTRACE_CLOCK_H
#define TASKTRACE_CLOCK_H
/// The recorder's cheap time source: the x86 time-stamp counter, read inline (no call, no syscall, no vDSO).
///
/// The read is `LFENCE; RDTSC`: the fence lets it start only once every earlier instruction has completed, so a
/// stamp taken after observing another thread's store (a job popped from the queue), or after announcing an
/// append (see `EventBuffer`), is never read ahead of it. Plain `RDTSC` may run early; `RDTSCP` orders the same
/// way but cost ~17 ns here against ~15 ns (and ~9 ns unfenced, ~21 ns for `clock_gettime`). Ticks become
/// nanoseconds on the writer thread, by calibration against `CLOCK_MONOTONIC` (see
/// `StampConverter`). `LFENCE` serialises dispatch on Intel, and on AMD as Linux configures it (the kernel's own
/// `rdtsc_ordered` relies on the same). Only usable where the counter is invariant (constant rate in every power
/// state): `tasktrace_tsc_usable()` checks it with CPUID; `TraceClock` also requires the kernel to use it.
/// On other CPUs the functions return 0 and the recorder keeps `clock_gettime`. Thread-safe (no state).
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// 1 when the CPU reports an invariant TSC (CPUID 0x80000007 EDX bit 8).
static inline int tasktrace_tsc_usable(void) {
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_max(0x80000000u, 0) < 0x80000007u) return 0;
    if (!__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 8))) return 0;
    return 1;
}

/// The time-stamp counter, read after every earlier instruction has completed (`LFENCE; RDTSC`).
static inline uint64_t tasktrace_tsc_read(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

/// Keeps every later instruction (loads included) from starting before the clock read that precedes this call:
/// the writer reads the time, then whether each thread is inside an append, and the second must not run first.
static inline void tasktrace_after_clock_read_fence(void) {
    __asm__ __volatile__("mfence; lfence" ::: "memory");
}
#else
static inline int tasktrace_tsc_usable(void) { return 0; }
static inline uint64_t tasktrace_tsc_read(void) { return 0; }
static inline void tasktrace_after_clock_read_fence(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
#endif

#endif
