#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `bytes` to standard output in full (large JSON documents included); a closed pipe (`| head`) ends the
/// output quietly rather than with an error.
func writeStandardOutput(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { buffer in
            write(STDOUT_FILENO, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
        }
        if written < 0 {
            if errno == EINTR { continue }
            if errno == EPIPE { return }
            throw CleanExit.failure("cannot write to standard output (errno \(errno))")
        }
        offset += written
    }
}
