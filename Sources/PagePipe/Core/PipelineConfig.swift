import Foundation

/// A configuration problem, with the JSON path it concerns.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// All configuration problems found at once.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var issues: [ConfigIssue]
    public var description: String {
        "\(file): invalid pipeline (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
            + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// `pipeline.json`, validated: `{"version": 1, "input": [...], "output": "...",
/// "stages": [{"stage": NAME, "options": {...}}, ...]}`.
public struct PipelineConfig: Sendable {
    public struct StageEntry: Sendable {
        public var descriptor: StageDescriptor
        public var options: StageOptions
    }

    public static let topLevelKeys = ["version", "input", "output", "stages"]

    public var stages: [StageEntry]
    /// Input folders from the file, resolved against its folder.
    public var inputs: [String]
    public var output: String?

    /// Loads and validates a file; every problem is reported in one error.
    public static func load(path: String) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file")])
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(bytes: [UInt8](data), file: path, baseDirectory: base.isEmpty ? "." : base)
    }

    public static func parse(bytes: [UInt8], file: String = "pipeline.json", baseDirectory: String = ".") throws -> PipelineConfig {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch let e as JSONParseError {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "not valid JSON: \(e)")])
        }
        return try validate(json, file: file, baseDirectory: baseDirectory)
    }

    public static func validate(_ json: JSONValue, file: String, baseDirectory: String) throws -> PipelineConfig {
        var issues: [ConfigIssue] = []
        func fail(_ path: String, _ message: String) { issues.append(ConfigIssue(path: path, message: message)) }

        guard case .object(let top) = json else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "expected an object with \"version\" and \"stages\"")])
        }
        for (key, _) in top where !topLevelKeys.contains(key) {
            fail(key, "unknown key (known: \(topLevelKeys.joined(separator: ", ")))")
        }
        switch json["version"] {
        case .int(1)?: break
        case nil: fail("version", "missing (expected 1)")
        case let v?: fail("version", "expected 1, got \(v.serialized)")
        }

        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || baseDirectory == "." ? p : baseDirectory + "/" + p
        }
        var inputs: [String] = []
        switch json["input"] {
        case nil: break
        case .string(let s)?: inputs = [resolve(s)]
        case .array(let items)?:
            for (k, item) in items.enumerated() {
                if let s = item.stringValue { inputs.append(resolve(s)) } else { fail("input[\(k)]", "expected a string (a folder)") }
            }
        case .some: fail("input", "expected a folder or an array of folders")
        }
        var output: String?
        switch json["output"] {
        case nil: break
        case .string(let s)?: output = resolve(s)
        case .some: fail("output", "expected a string (a folder)")
        }

        var entries: [StageEntry] = []
        var seenParse = false
        if let stagesValue = json["stages"] {
            guard case .array(let stageItems) = stagesValue else {
                fail("stages", "expected an array of {\"stage\": NAME, \"options\": {...}}")
                throw ConfigError(file: file, issues: issues)
            }
            if stageItems.isEmpty { fail("stages", "expected at least one stage") }
            var seenEmitter = false
            for (k, item) in stageItems.enumerated() {
                let here = "stages[\(k)]"
                guard case .object(let members) = item else {
                    fail(here, "expected an object {\"stage\": NAME, \"options\": {...}}")
                    continue
                }
                for (key, _) in members where key != "stage" && key != "options" {
                    fail("\(here).\(key)", "unknown key (known: stage, options)")
                }
                guard let nameValue = item["stage"] else { fail("\(here).stage", "missing"); continue }
                guard let name = nameValue.stringValue else { fail("\(here).stage", "expected a string"); continue }
                guard let descriptor = StageRegistry.descriptor(named: name) else {
                    fail("\(here).stage", "unknown stage \"\(name)\" (known: \(StageRegistry.names.joined(separator: ", ")))")
                    continue
                }
                if descriptor.needsTree && !seenParse {
                    fail("\(here).stage", "\(name) needs parse-html earlier in the chain")
                }
                if descriptor.name == "parse-html" { seenParse = true }
                if descriptor.kind == .emitter { seenEmitter = true } else if seenEmitter {
                    fail("\(here).stage", "\(name) comes after an emitter; emitters must be last")
                }
                if let options = try? validateOptions(item["options"], descriptor: descriptor, path: "\(here).options",
                                                      baseDirectory: baseDirectory, issues: &issues) {
                    entries.append(StageEntry(descriptor: descriptor, options: options))
                }
            }
        } else {
            fail("stages", "missing")
        }
        if !issues.isEmpty { throw ConfigError(file: file, issues: issues) }
        return PipelineConfig(stages: entries, inputs: inputs, output: output)
    }

    /// Validates one stage's options (nil = all defaults). Appends problems to `issues`.
    public static func validateOptions(_ value: JSONValue?, descriptor: StageDescriptor, path: String,
                                       baseDirectory: String, issues: inout [ConfigIssue]) throws -> StageOptions {
        var given: [String: JSONValue] = [:]
        let before = issues.count
        switch value {
        case nil, .null?: break
        case .object(let members)?:
            for (key, v) in members {
                guard let spec = descriptor.options.first(where: { $0.name == key }) else {
                    let known = descriptor.options.map(\.name)
                    issues.append(ConfigIssue(path: "\(path).\(key)", message: "unknown option for \(descriptor.name) "
                        + (known.isEmpty ? "(it has no options)" : "(known: \(known.joined(separator: ", ")))")))
                    continue
                }
                if let accepted = spec.accept(v) {
                    given[key] = accepted
                } else {
                    issues.append(ConfigIssue(path: "\(path).\(key)", message: "expected \(spec.expectation), got \(v.serialized)"))
                }
            }
        case .some:
            issues.append(ConfigIssue(path: path, message: "expected an object of options"))
        }
        if issues.count > before { throw ConfigError(file: "", issues: []) }
        return StageOptions(specs: descriptor.options, given: given, baseDirectory: baseDirectory)
    }

    /// Builds the stages. A stage may still refuse its options here (a
    /// dictionary file that does not exist): reported with the stage's path.
    /// - Parameter skipUnreadText: let parse-html skip rendering a text that the
    ///   next stage replaces unread (off for stage-level testing, which shows it).
    public func build(file: String, skipUnreadText: Bool = true) throws -> Pipeline {
        var stages: [any Stage] = []
        var issues: [ConfigIssue] = []
        for (k, entry) in self.stages.enumerated() {
            do {
                stages.append(try entry.descriptor.make(entry.options))
            } catch {
                issues.append(ConfigIssue(path: "stages[\(k)].options", message: "\(error)"))
            }
        }
        if !issues.isEmpty { throw ConfigError(file: file, issues: issues) }
        if skipUnreadText {
            for k in stages.indices.dropLast() where self.stages[k + 1].descriptor.replacesText {
                if var parse = stages[k] as? ParseHTML {
                    parse.renderText = false
                    stages[k] = parse
                }
            }
        }
        return Pipeline(stages: stages, descriptors: self.stages.map(\.descriptor))
    }
}
