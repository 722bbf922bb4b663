import Foundation

/// Time to a first frame of an HTML export in headless Chromium (Debian's `chromium`), when one is installed:
/// the wall time of `chromium --headless --screenshot` on the page, which loads it, lays it out, runs its
/// scripts and paints once. Browser start-up is included; the same command on an empty page is measured
/// alongside so the page's own share can be told apart.
enum ChromiumProbe {
    static func executable() -> String? {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    /// Seconds until the screenshot of `page` was written, or nil when Chromium failed.
    static func firstFrameSeconds(of page: String, chromium: String, scratch: String) -> Double? {
        let shot = scratch + "/first-frame.png"
        try? FileManager.default.removeItem(atPath: shot)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1280,800",
            "--user-data-dir=\(scratch)/chromium-profile", "--screenshot=\(shot)", page,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = Stopwatch.nanos()
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        let seconds = Double(Stopwatch.nanos() - start) / 1e9
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: shot) else { return nil }
        return seconds
    }
}
