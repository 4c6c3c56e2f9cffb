import Foundation

/// `pipeline.json`, validated: `{"version": 1, "input": [...], "output": "...",
/// "stages": [{"stage": NAME, "options": {...}}, ...]}`.
public struct PipelineConfig: Sendable {
    public struct StageEntry: Sendable {
        public var descriptor: StageDescriptor
        /// Of the stage's own `Options` type.
        public var options: any StageOptions
        public var fields: StageFields { descriptor.fieldsFor(options) }

        public init(descriptor: StageDescriptor, options: any StageOptions) {
            self.descriptor = descriptor
            self.options = options
        }
    }

    /// The fields a page has before the first stage in `pagepipe run`: its id
    /// and its bytes (a WARC record also gives the url, but a file does not).
    public static let runInput: Set<DocumentField> = [.id, .html]

    public static let topLevelKeys = ["version", "input", "output", "stages"]

    public var stages: [StageEntry]
    /// Input folders from the file, resolved against its folder.
    public var inputs: [String]
    public var output: String?

    /// Loads and validates a file; every problem is reported in one error.
    public static func load(path: String, registry: StageRegistry = .standard) throws -> PipelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file")])
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(bytes: [UInt8](data), file: path, baseDirectory: base.isEmpty ? "." : base, registry: registry)
    }

    public static func parse(bytes: [UInt8], file: String = "pipeline.json", baseDirectory: String = ".",
                             registry: StageRegistry = .standard) throws -> PipelineConfig {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch let e as JSONParseError {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "not valid JSON: \(e)")])
        }
        return try validate(json, file: file, baseDirectory: baseDirectory, registry: registry)
    }

    public static func validate(_ json: JSONValue, file: String, baseDirectory: String,
                                registry: StageRegistry = .standard) throws -> PipelineConfig {
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
        var complete = true
        if let stagesValue = json["stages"] {
            guard case .array(let stageItems) = stagesValue else {
                fail("stages", "expected an array of {\"stage\": NAME, \"options\": {...}}")
                throw ConfigError(file: file, issues: issues)
            }
            if stageItems.isEmpty { fail("stages", "expected at least one stage") }
            for (k, item) in stageItems.enumerated() {
                let here = "stages[\(k)]"
                guard case .object(let members) = item else {
                    fail(here, "expected an object {\"stage\": NAME, \"options\": {...}}")
                    complete = false
                    continue
                }
                for (key, _) in members where key != "stage" && key != "options" {
                    fail("\(here).\(key)", "unknown key (known: stage, options)")
                }
                guard let nameValue = item["stage"] else { fail("\(here).stage", "missing"); complete = false; continue }
                guard let name = nameValue.stringValue else { fail("\(here).stage", "expected a string"); complete = false; continue }
                guard let descriptor = registry.descriptor(named: name) else {
                    fail("\(here).stage", "unknown stage \"\(name)\" (known: \(registry.names.joined(separator: ", ")))")
                    complete = false
                    continue
                }
                if let options = descriptor.decodeOptions(item["options"], "\(here).options", baseDirectory, &issues) {
                    entries.append(StageEntry(descriptor: descriptor, options: options))
                } else if let defaults = descriptor.decodeOptions(nil, "", baseDirectory, &issues) {
                    // Checked as the chain would be with the stage's defaults; never built.
                    entries.append(StageEntry(descriptor: descriptor, options: defaults))
                }
            }
        } else {
            fail("stages", "missing")
        }
        // The chain is checked only when every stage is known: a guess about a
        // chain with holes would add noise to the real problems.
        if complete { issues += checkChain(entries, given: runInput, registry: registry) }
        if !issues.isEmpty { throw ConfigError(file: file, issues: issues) }
        return PipelineConfig(stages: entries, inputs: inputs, output: output)
    }

    /// The problems of a chain of stages, in order: a stage placed after an
    /// emitter, a field read that no earlier stage writes (nor `given`, the
    /// fields the input provides), an emitter listed twice.
    /// - Parameter paths: the path of each entry, `stages[k]` by default.
    public static func checkChain(_ entries: [StageEntry], given: Set<DocumentField>, paths: [String]? = nil,
                                  registry: StageRegistry = .standard) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        var written = given
        var emitters: [String: String] = [:]
        var seenEmitter = false
        for (k, entry) in entries.enumerated() {
            let here = paths?[k] ?? "stages[\(k)]"
            let d = entry.descriptor
            if d.kind == .emitter {
                seenEmitter = true
                if let first = emitters[d.name] {
                    issues.append(ConfigIssue(path: here, message: "\(d.name) is already \(first): an emitter writes its files once per run"))
                } else {
                    emitters[d.name] = here
                }
            } else if seenEmitter {
                issues.append(ConfigIssue(path: "\(here).stage", message: "\(d.name) comes after an emitter; emitters must be last"))
            }
            let fields = entry.fields
            for field in DocumentField.allCases where fields.reads.contains(field) && !written.contains(field) {
                var message = "\(d.name) reads \(field.rawValue), which no earlier stage writes"
                if let writer = registry.writer(of: field) {
                    message += ": add \(writer.name) before it"
                }
                issues.append(ConfigIssue(path: here, message: message))
            }
            written.formUnion(fields.writes)
        }
        return issues
    }

    /// For each stage, the fields it writes that no later stage reads before
    /// another overwrites them.
    static func unreadFields(_ entries: [StageEntry]) -> [Set<DocumentField>] {
        let fields = entries.map(\.fields)
        return fields.indices.map { k in
            fields[k].writes.filter { field in
                for later in fields[(k + 1)...] {
                    if later.reads.contains(field) || later.readsIfSet.contains(field) { return false }
                    if later.writes.contains(field) { return true }
                }
                return true
            }
        }
    }

    /// Builds the stages. A stage may still refuse its options here (a
    /// dictionary file that does not exist, a language the profile lacks):
    /// reported with the option's path, or the stage's for a missing resource.
    /// - Parameter skipUnread: tell each stage which of its fields no later
    ///   stage reads (`Stage.skipWriting`); off for stage-level testing, which
    ///   prints every field after every stage.
    public func build(file: String, skipUnread: Bool = true) throws -> Pipeline {
        var stages: [any Stage] = []
        var issues: [ConfigIssue] = []
        for (k, entry) in self.stages.enumerated() {
            do {
                stages.append(try entry.descriptor.make(entry.options))
            } catch let e as OptionError {
                issues.append(ConfigIssue(path: "stages[\(k)].options.\(e.option)", message: e.message))
            } catch {
                issues.append(ConfigIssue(path: "stages[\(k)]", message: "\(entry.descriptor.name): \(error)"))
            }
        }
        if !issues.isEmpty { throw ConfigError(file: file, issues: issues) }
        if skipUnread {
            for (k, unread) in Self.unreadFields(self.stages).enumerated() where !unread.isEmpty {
                stages[k].skipWriting(unread)
            }
        }
        return Pipeline(stages: stages, descriptors: self.stages.map(\.descriptor))
    }
}
