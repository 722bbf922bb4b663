#ifndef TASKTRACE_CLOCK_H
#define TASKTRACE_CLOCK_H
/// The recorder's cheap time source: the x86 time-stamp counter, read inline (no call, no syscall, no vDSO).
///
/// `RDTSCP` waits until every earlier instruction has executed and every earlier load is globally visible before
/// it reads the counter, so a stamp taken after observing another thread's store (a job popped from the queue) is
/// not read early, ahead of that load (plain `RDTSC` may be). Ticks become nanoseconds on the writer thread, by
/// calibration against `CLOCK_MONOTONIC` (see `TSCCalibration`). Only usable where the counter is invariant (runs
/// at a constant rate in every power state) and has `RDTSCP`: `tasktrace_tsc_usable()` checks both with CPUID.
/// On other CPUs the functions return 0 and the recorder keeps `clock_gettime`. Thread-safe (no state).
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// 1 when the CPU reports an invariant TSC (CPUID 0x80000007 EDX bit 8) and RDTSCP (0x80000001 EDX bit 27).
static inline int tasktrace_tsc_usable(void) {
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid_max(0x80000000u, 0) < 0x80000007u) return 0;
    if (!__get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 27))) return 0;
    if (!__get_cpuid(0x80000007u, &eax, &ebx, &ecx, &edx) || !(edx & (1u << 8))) return 0;
    return 1;
}

/// The time-stamp counter, read after every earlier instruction has executed (`RDTSCP`).
static inline uint64_t tasktrace_tsc_read(void) {
    uint32_t lo, hi, aux;
    __asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
    (void)aux;
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
