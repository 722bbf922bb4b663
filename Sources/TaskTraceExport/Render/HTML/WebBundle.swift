/// Joins the viewer's ES modules (`web/src/*.js`) into one classic script for an inline `<script>` element.
///
/// Why: a page opened from `file://` cannot `import` one inline module from another (modules are fetched by URL,
/// and inline ones have none), and the viewer must be one self-contained file. So the modules stay real ES
/// modules in `web/` (readable, loadable by any tool that understands `import`), and this turns each into a
/// function scope that returns its exports, evaluated in dependency order:
///
/// ```
/// import { a, b } from "./x.js";      ->   const { a, b } = modules["x.js"];
/// export function f() {}               ->   function f() {}          (f added to the module's exports)
/// ```
///
/// The web modules keep to that subset: imports on one line, only from `./name.js`, without `as`; exports only
/// as `export function|async function|const|let|class NAME`. Anything else is an error naming the line, so
/// an unsupported form fails the tests instead of silently misbehaving in a browser.
///
/// Thread-safe (stateless).
enum WebBundle {
    /// Why a set of modules could not be bundled.
    struct Failure: Error, CustomStringConvertible, Equatable {
        var description: String
    }

    /// Modules reachable from `entry`, dependencies first, wrapped as described above.
    /// - Throws: `Failure` for an unknown import, an import cycle, an unsupported `import`/`export` form, or a
    ///   bundle that would contain `</script` or `<!--` (which would end or corrupt the inline script).
    static func bundle(modules: [(name: String, source: String)], entry: String) throws -> String {
        var byName: [String: String] = [:]
        for module in modules { byName[module.name] = module.source }
        var parsed: [String: ParsedModule] = [:]
        for (name, source) in byName { parsed[name] = try parse(name: name, source: source) }
        let order = try dependencyOrder(entry: entry, parsed: parsed)

        var out = "(() => {\n\"use strict\";\nconst modules = Object.create(null);\n"
        for name in order {
            guard let module = parsed[name] else { continue }
            out += "// ---- \(name)\nmodules[\"\(name)\"] = (() => {\n"
            out += module.body
            out += "return Object.freeze({ \(module.exports.joined(separator: ", ")) });\n})();\n"
        }
        out += "})();\n"
        let lowered = out.lowercased()
        if lowered.contains("</script") || lowered.contains("<!--") {
            throw Failure(description: "the viewer's script contains '</script' or '<!--', which would break the page")
        }
        return out
    }

    /// Names of the modules reachable from `entry`, each after everything it imports.
    static func dependencyOrder(entry: String, modules: [(name: String, source: String)]) throws -> [String] {
        var parsed: [String: ParsedModule] = [:]
        for module in modules { parsed[module.name] = try parse(name: module.name, source: module.source) }
        return try dependencyOrder(entry: entry, parsed: parsed)
    }

    struct ParsedModule {
        var imports: [String] = []
        var exports: [String] = []
        var body = ""
    }

    private static func dependencyOrder(entry: String, parsed: [String: ParsedModule]) throws -> [String] {
        var order: [String] = []
        var done: Set<String> = []
        var inProgress: [String] = []
        func visit(_ name: String, from importer: String?) throws {
            if done.contains(name) { return }
            guard let module = parsed[name] else {
                throw Failure(description: "\(importer ?? "entry"): imports unknown module './\(name)'")
            }
            if inProgress.contains(name) {
                throw Failure(description: "import cycle: \((inProgress + [name]).joined(separator: " -> "))")
            }
            inProgress.append(name)
            for dependency in module.imports { try visit(dependency, from: name) }
            inProgress.removeLast()
            done.insert(name)
            order.append(name)
        }
        try visit(entry, from: nil)
        return order
    }

    private static let declarationKeywords = ["async function ", "function ", "const ", "let ", "class "]

    /// Rewrites one module's `import` and `export` lines; every other line is copied unchanged.
    static func parse(name: String, source: String) throws -> ParsedModule {
        var module = ParsedModule()
        var lineNumber = 0
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let location = "\(name):\(lineNumber)"
            if line.hasPrefix("import ") {
                let (names, target) = try parseImport(String(line), at: location)
                module.imports.append(target)
                module.body += "const { \(names) } = modules[\"\(target)\"];\n"
            } else if line.hasPrefix("export ") {
                let declaration = line.dropFirst("export ".count)
                guard let keyword = declarationKeywords.first(where: { declaration.hasPrefix($0) }) else {
                    throw Failure(description: "\(location): unsupported export form (use export function/const/let/class NAME)")
                }
                let identifier = declaration.dropFirst(keyword.count).prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" }
                guard !identifier.isEmpty else { throw Failure(description: "\(location): export without a name") }
                module.exports.append(String(identifier))
                module.body += declaration + "\n"
            } else {
                module.body += line + "\n"
            }
        }
        return module
    }

    /// `import { a, b } from "./x.js";` -> ("a, b", "x.js").
    private static func parseImport(_ line: String, at location: String) throws -> (String, String) {
        let failure = Failure(description: "\(location): unsupported import (use: import { a, b } from \"./file.js\";)")
        guard let open = line.firstIndex(of: "{"), let close = line.firstIndex(of: "}"), open < close else { throw failure }
        let names = line[line.index(after: open)..<close].split(separator: ",").map { $0.trimmingSpaces }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { throw failure }
        let rest = line[line.index(after: close)...].trimmingSpaces
        guard rest.hasPrefix("from \"./"), rest.hasSuffix(".js\";") else { throw failure }
        let target = rest.dropFirst("from \"./".count).dropLast("\";".count)
        guard !target.contains("/"), !target.contains("\"") else { throw failure }
        return (names.joined(separator: ", "), String(target))
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
