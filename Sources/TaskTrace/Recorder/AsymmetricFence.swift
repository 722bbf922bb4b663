internal import CTaskTraceHooks

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How an append announces itself to the drainer (the "appending" flag of `ThreadEventLog`), and what the drainer
/// does so that it cannot miss an announcement.
///
/// The watermark needs a store–load (Dekker) guarantee: either the drainer sees a producer's flag, or the
/// producer's clock read comes after the drainer's. The symmetric way puts a full barrier on both sides: the flag
/// is a sequentially consistent store (`xchg` on x86, ~5 ns per append here). The asymmetric way moves the whole
/// cost to the drainer, once per drain: the producer stores the flag plainly (only the compiler is kept from moving
/// it past the clock read), and the drainer, after reading its own clock, calls `membarrier`, which makes every
/// running thread of the process execute a full barrier (an interrupt on its CPU) before returning. For each
/// producer, the point where it took that barrier is either after its flag store — the store is then visible to
/// the drainer's loads that follow the call — or before it, and then the producer's flag store, and its clock read
/// after it, come after the interrupt, which came after the drainer's clock read: its stamp is not below the
/// cutoff. A thread that was not running is between instructions, which is the same as the second case. The
/// close uses it the same way between setting `closed` and waiting for the flags.
///
/// `light` is decided once per process (registration can fail: an old kernel, a seccomp filter); a buffer keeps
/// the mode it started with. If a call fails after a successful registration (not expected), the drain treats
/// every log as inside an append (a cutoff no event can be in flight below, since a thread's next stamp is never
/// below its last one), and the last drain leaves the rings' memory to be freed with the logs.
/// Thread-safe (immutable, and a syscall).
enum AsymmetricFence {
    /// Producers may announce with a plain store. The environment variable `TASKTRACE_FENCE=symmetric` turns it off.
    static let light: Bool = {
        if let choice = getenv("TASKTRACE_FENCE"), String(cString: choice) == "symmetric" { return false }
        return tasktrace_membarrier_register() != 0
    }()

    /// The drainer's half: every running thread passes a full barrier. False when the call failed.
    static func heavy() -> Bool { tasktrace_membarrier() == 0 }
}
