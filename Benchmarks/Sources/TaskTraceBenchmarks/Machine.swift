import Foundation

/// What the figures were measured on: CPU, cores, load, memory high-water mark.
enum Machine {
    /// `uptime`'s load averages (1, 5, 15 min), read from /proc/loadavg.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.map {
            String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces)
        }
            ?? "unknown"
    }

    static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Peak resident set size of this process so far, MiB (`getrusage` reports KiB on Linux).
    static func peakRSSMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
