// swift-tools-version: 6.1
import PackageDescription

// A tiny program that traces its own work. Not part of CI: `swift run` here writes my-program.sqlite.
let package = Package(
    name: "trace-my-program",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "tasktrace", path: "../..")],
    targets: [
        .executableTarget(
            name: "TraceMyProgram",
            dependencies: [.product(name: "TaskTrace", package: "tasktrace")]
        )
    ]
)
