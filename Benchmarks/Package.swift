// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so the root never builds them (as in swift-nio's Benchmarks/).
let package = Package(
    name: "tasktrace-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "tasktrace", path: "../")],
    targets: [
        .executableTarget(
            name: "RuntimeBenchmark",
            dependencies: [.product(name: "TaskTrace", package: "tasktrace")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        )
    ]
)
