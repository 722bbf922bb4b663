#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The likely reason a write to a trace failed when SQLite could not say which OS error it met (it loses the
/// error number of a failed `COMMIT`): the process's file size limit reached, or no space left on the device.
enum WriteFailureReason {
    /// A short reason for writes to `path` failing now, or nil when neither limit explains it.
    static func guess(path: String) -> String? {
        var limit = rlimit()
        if getrlimit(fileSizeResource, &limit) == 0, limit.rlim_cur != rlim_t.max {
            let largest = ["", "-wal"].map { fileSize(path + $0) }.max() ?? 0
            // A write that would cross the limit fails; the file then sits within a page or two of it.
            if largest + 2 * 65_536 >= UInt64(limit.rlim_cur) {
                return "File too large (the process's file size limit, \(limit.rlim_cur) bytes, is reached)"
            }
        }
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        var space = statvfs()
        if statvfs(folder.isEmpty ? "/" : folder, &space) == 0 {
            let free = UInt64(space.f_bavail) * UInt64(space.f_frsize)
            if free < 1 << 20 { return "No space left on device (\(free) bytes free)" }
        }
        return nil
    }

    private static func fileSize(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }
}

#if canImport(Glibc)
/// Glibc imports `RLIMIT_FSIZE` as an enum case while `getrlimit` takes its raw value.
private let fileSizeResource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
#else
private let fileSizeResource = RLIMIT_FSIZE
#endif
