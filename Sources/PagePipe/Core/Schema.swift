/// The JSON Schema of pipeline.json and the `pagepipe stages` listing, both
/// generated from the registry so that they cannot drift from the code.
public enum PipelineSchema {
    public static func schema(_ registry: StageRegistry = .standard) -> JSONValue {
        .object([
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("title", .string("pagepipe pipeline")),
            ("description", .string("The stages pagepipe runs, in order, with their options.")),
            ("type", .string("object")),
            ("additionalProperties", .bool(false)),
            ("required", .array([.string("version"), .string("stages")])),
            ("properties", .object([
                ("version", .object([("const", .int(1))])),
                ("input", .object([
                    ("description", .string("Folders of pages, relative to this file.")),
                    ("oneOf", .array([
                        .object([("type", .string("string"))]),
                        .object([("type", .string("array")), ("items", .object([("type", .string("string"))]))]),
                    ])),
                ])),
                ("output", .object([("type", .string("string")),
                                    ("description", .string("Output folder, relative to this file."))])),
                ("stages", .object([
                    ("type", .string("array")),
                    ("minItems", .int(1)),
                    ("items", .object([("oneOf", .array(registry.all.map(stageSchema)))])),
                ])),
            ])),
        ])
    }

    static func stageSchema(_ d: StageDescriptor) -> JSONValue {
        .object([
            ("type", .string("object")),
            ("description", .string(d.summary)),
            ("additionalProperties", .bool(false)),
            ("required", .array([.string("stage")])),
            ("properties", .object([
                ("stage", .object([("const", .string(d.name))])),
                ("options", .object([
                    ("type", .string("object")),
                    ("additionalProperties", .bool(false)),
                    ("properties", .object(d.options.map { ($0.name, optionSchema($0)) })),
                ])),
            ])),
        ])
    }

    static func optionSchema(_ o: OptionInfo) -> JSONValue {
        var m: [(String, JSONValue)] = [("description", .string(o.doc))]
        switch o.type {
        case .bool: m.append(("type", .string("boolean")))
        case let .integer(lo, hi):
            m.append(("type", .string("integer")))
            if let lo { m.append(("minimum", .int(lo))) }
            if let hi { m.append(("maximum", .int(hi))) }
        case let .number(lo, hi):
            m.append(("type", .string("number")))
            if let lo { m.append(("minimum", .double(lo))) }
            if let hi { m.append(("maximum", .double(hi))) }
        case .string, .path: m.append(("type", .string("string")))
        case .choice(let values): m.append(("enum", .array(values.map { .string($0) })))
        case .stringList:
            m.append(("type", .string("array")))
            m.append(("items", .object([("type", .string("string"))])))
        case .choiceList(let values):
            m.append(("type", .string("array")))
            m.append(("items", .object([("enum", .array(values.map { .string($0) }))])))
        }
        m.append(("default", o.defaultValue))
        return .object(m)
    }

    /// "reads text (language if set); writes mentions, entities", with the default options.
    static func fieldsLine(_ f: StageFields) -> String {
        func names(_ s: Set<DocumentField>) -> String {
            DocumentField.allCases.filter(s.contains).map(\.rawValue).joined(separator: ", ")
        }
        var parts: [String] = []
        var reads = f.reads.isEmpty ? "" : names(f.reads)
        if !f.readsIfSet.isEmpty { reads += (reads.isEmpty ? "" : " ") + "(\(names(f.readsIfSet)) if set)" }
        if !reads.isEmpty { parts.append("reads " + reads) }
        if !f.writes.isEmpty { parts.append("writes " + names(f.writes)) }
        return parts.joined(separator: "; ")
    }

    /// Human-readable listing of every stage and its options.
    public static func listing(_ registry: StageRegistry = .standard) -> String {
        var out = ""
        for d in registry.all {
            out += "\(d.name)\(d.kind == .emitter ? " (emitter)" : "")\n    \(d.summary)\n"
            out += "    " + fieldsLine(d.fields) + "\n"
            if d.options.isEmpty { out += "    (no options)\n" }
            for o in d.options {
                out += "    \(o.name): \(o.type.typeName) = \(o.defaultValue.serialized)\n        \(o.doc)"
                switch o.type {
                case .integer, .number, .choice, .choiceList: out += " Allowed: \(o.type.expectation)."
                case .bool, .string, .stringList, .path: break
                }
                out += "\n"
            }
            out += "\n"
        }
        return out
    }
}
