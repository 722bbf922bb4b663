// swift-tools-version: 6.1
import PackageDescription

/// tasktrace's benchmarks, kept out of the root package so it never pulls benchmark-only code.
/// Run: `swift run -c release --package-path Benchmarks <name>` (see Benchmarks/README.md).
let package = Package(
    name: "tasktrace-benchmarks",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "tasktrace-benchmarks", targets: ["TaskTraceBenchmarks"])],
    dependencies: [.package(name: "tasktrace", path: "../")],
    targets: [
        .systemLibrary(name: "CSQLiteBench", providers: [.apt(["libsqlite3-dev"])]),
        .executableTarget(
            name: "StoreIngestBenchmark",
            dependencies: [
                "CSQLiteBench",
                .product(name: "TaskTraceStore", package: "tasktrace"),
                .product(name: "TaskTrace", package: "tasktrace"),
            ]
        ),
        // The one suite (issue 11): runtime overhead against Swift's global executor, hot path, store, exports.
        .executableTarget(
            name: "TaskTraceBenchmarks",
            dependencies: [
                .product(name: "TaskTrace", package: "tasktrace"),
                .product(name: "TaskTraceStore", package: "tasktrace"),
                .product(name: "TaskTraceExport", package: "tasktrace"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
        .executableTarget(
            name: "RuntimeBenchmark",
            dependencies: [.product(name: "TaskTrace", package: "tasktrace")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        ),
    ]
)
