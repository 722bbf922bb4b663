// swift-tools-version: 6.1
import PackageDescription

/// Settings every target shares: the language-mode habits of apple/swift-log's manifest.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "tasktrace",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TaskTrace", targets: ["TaskTrace"]),
        .library(name: "TaskTraceExport", targets: ["TaskTraceExport"]),
        .library(name: "TaskTraceStore", targets: ["TaskTraceStore"]),
        .executable(name: "tasktrace", targets: ["TaskTraceCLI"]),
        // Loaded with LD_PRELOAD by `tasktrace record -- PROGRAM`: records a whole unmodified program.
        .library(name: "TaskTracePreload", type: .dynamic, targets: ["TaskTracePreload"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // gzip for `tasktrace export -o TRACE.json.gz` (the CLI's output files only).
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(name: "TaskTraceModel", swiftSettings: strictSettings),
        .target(
            name: "TaskTraceStore",
            dependencies: ["TaskTraceModel", "CSQLite"],
            swiftSettings: strictSettings
        ),
        // The Swift concurrency runtime's global-executor hooks (swiftcall function pointers Swift cannot declare).
        .target(name: "CTaskTraceHooks"),
        .target(
            name: "TaskTrace",
            dependencies: ["TaskTraceModel", "TaskTraceStore", "CTaskTraceHooks"],
            swiftSettings: strictSettings
        ),
        // Constructor, exit and signal handling, and the main-queue interposer of the preload library (C).
        .target(name: "CTaskTracePreload"),
        .target(
            name: "TaskTracePreload",
            dependencies: ["TaskTrace", "CTaskTracePreload"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TaskTraceExport",
            dependencies: ["TaskTraceModel"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TaskTraceDemo",
            dependencies: ["TaskTrace"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TaskTraceCLI",
            dependencies: [
                "TaskTraceModel", "TaskTraceStore", "TaskTrace", "TaskTraceExport", "TaskTraceDemo", "CZlib",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "TaskTraceModelTests", dependencies: ["TaskTraceModel"], swiftSettings: strictSettings),
        .testTarget(
            name: "TaskTraceStoreTests",
            dependencies: ["TaskTraceStore", "TaskTraceModel", "TaskTraceDemo"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TaskTraceTests",
            dependencies: ["TaskTrace", "TaskTraceStore", "TaskTraceModel", "CTaskTraceHooks", "TaskTraceDemo"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TaskTraceExportTests",
            dependencies: ["TaskTraceExport", "TaskTraceStore", "TaskTraceModel", "TaskTraceDemo"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TaskTraceDemoTests",
            dependencies: ["TaskTraceDemo", "TaskTrace", "TaskTraceModel", "TaskTraceStore", "TaskTraceExport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TaskTraceCLITests",
            dependencies: ["TaskTraceModel", "TaskTraceStore", "TaskTraceDemo"],
            swiftSettings: strictSettings
        ),
    ]
)
