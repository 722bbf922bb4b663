// swift-tools-version: 6.1
import PackageDescription

// An ordinary async Swift program that knows nothing about tasktrace (no dependency on it): traced from outside
// with `tasktrace record -- .build/debug/UnmodifiedProgram`.
let package = Package(
    name: "unmodified-program",
    targets: [.executableTarget(name: "UnmodifiedProgram")]
)
