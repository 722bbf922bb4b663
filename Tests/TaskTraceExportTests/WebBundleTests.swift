import Foundation
@testable import TaskTraceExport
import Testing

/// The viewer's sources: the copy compiled into the binary equals web/, every module is used, the bundler
/// rewrites imports and exports as documented and refuses what it does not understand, and no module builds
/// markup from strings.
@Suite("Web sources and bundle")
struct WebBundleTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("web")

    @Test func embeddedSourcesMatchTheWebFolder() throws {
        let css = try String(contentsOf: Self.web.appendingPathComponent("viewer.css"), encoding: .utf8)
        #expect(WebSources.stylesheet == css, "web/viewer.css changed: run scripts/embed-web.sh")
        let folder = Self.web.appendingPathComponent("src")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".js") }.sorted()
        #expect(WebSources.modules.map(\.name) == names, "web/src files changed: run scripts/embed-web.sh")
        for module in WebSources.modules {
            let onDisk = try String(contentsOf: folder.appendingPathComponent(module.name), encoding: .utf8)
            #expect(module.source == onDisk, "web/src/\(module.name) changed: run scripts/embed-web.sh")
        }
    }

    @Test func everyModuleIsReachableFromMain() throws {
        let order = try WebBundle.dependencyOrder(entry: "main.js", modules: WebSources.modules)
        #expect(Set(order) == Set(WebSources.modules.map(\.name)))
        #expect(order.last == "main.js")
        #expect(try HTMLViewerExporter.script.get().contains("modules[\"main.js\"]"))
    }

    @Test func noModuleParsesMarkup() {
        let forbidden = ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"]
        for module in WebSources.modules {
            for word in forbidden {
                #expect(!module.source.contains(word), "web/src/\(module.name) uses \(word): trace text must stay text")
            }
        }
    }

    @Test func importsAndExportsAreRewrittenInDependencyOrder() throws {
        let modules = [
            (name: "main.js", source: "import { twice } from \"./math.js\";\nconsole.log(twice(2));\n"),
            (name: "math.js", source: "import { one } from \"./base.js\";\nexport function twice(x) { return x * 2 * one; }\nexport const half = 0.5;\n"),
            (name: "base.js", source: "export const one = 1;\n"),
        ]
        let script = try WebBundle.bundle(modules: modules, entry: "main.js")
        let base = try #require(script.range(of: "modules[\"base.js\"] = "))
        let math = try #require(script.range(of: "modules[\"math.js\"] = "))
        let main = try #require(script.range(of: "modules[\"main.js\"] = "))
        #expect(base.lowerBound < math.lowerBound && math.lowerBound < main.lowerBound)
        #expect(script.contains("const { one } = modules[\"base.js\"];"))
        #expect(script.contains("function twice(x)") && !script.contains("export "))
        #expect(script.contains("return Object.freeze({ twice, half });"))
    }

    @Test(arguments: [
        ("import { a } from \"./missing.js\";\n", "imports unknown module"),
        ("import * as all from \"./b.js\";\n", "unsupported import"),
        ("import { a as b } from \"./b.js\";\n", "unsupported import"),
        ("export default function () {}\n", "unsupported export"),
        ("export { a };\n", "unsupported export"),
        ("const s = \"</script>\";\n", "'</script'"),
    ])
    func unsupportedFormsAreRefused(source: String, message: String) {
        let modules = [(name: "main.js", source: source), (name: "b.js", source: "export const a = 1;\n")]
        #expect {
            try WebBundle.bundle(modules: modules, entry: "main.js")
        } throws: { error in
            (error as? WebBundle.Failure)?.description.contains(message) ?? false
        }
    }

    @Test func importCyclesAreRefused() {
        let modules = [
            (name: "main.js", source: "import { b } from \"./b.js\";\nexport const a = 1;\n"),
            (name: "b.js", source: "import { a } from \"./main.js\";\nexport const b = 2;\n"),
        ]
        #expect(throws: WebBundle.Failure.self) { try WebBundle.bundle(modules: modules, entry: "main.js") }
    }
}
