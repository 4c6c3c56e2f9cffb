/// The JSON shapes of a document's fields, shared by `stage` output and emitters.
public enum DocumentJSON {
    public static func entities(_ entities: [Entity]) -> JSONValue {
        .array(entities.map {
            .object([("name", .string($0.name)), ("type", .string($0.type.rawValue)), ("count", .int($0.count))])
        })
    }

    public static func mentions(_ mentions: [Mention]) -> JSONValue {
        .array(mentions.map {
            .object([("start", .int($0.start)), ("end", .int($0.end)), ("type", .string($0.type.rawValue)),
                     ("text", .string($0.text))])
        })
    }

    /// Every field a stage has set, for stage-level testing: `id` first, then
    /// the fields in a fixed order, then stage-specific extras.
    public static func object(_ d: Document) -> JSONValue {
        var m: [(String, JSONValue)] = []
        for field in DocumentField.serialized {
            guard var v = d.json(field) else { continue }
            // Four digits are plenty to read; emit-jsonl writes the full value.
            if field == .languageConfidence, case .double(let c) = v { v = .double((c * 10000).rounded() / 10000) }
            m.append((field.rawValue, v))
        }
        m.append(contentsOf: d.extra)
        return .object(m)
    }
}
