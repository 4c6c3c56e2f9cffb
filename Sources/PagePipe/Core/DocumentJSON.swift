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
        var m: [(String, JSONValue)] = [("id", .string(d.id))]
        if let v = d.url { m.append(("url", .string(v))) }
        if let v = d.title { m.append(("title", .string(v))) }
        if let v = d.date { m.append(("date", .string(v))) }
        if let v = d.site { m.append(("site", .string(v))) }
        if let v = d.author { m.append(("author", .string(v))) }
        if let v = d.language { m.append(("language", .string(v))) }
        if let v = d.languageConfidence { m.append(("languageConfidence", .double((v * 10000).rounded() / 10000))) }
        if let v = d.text { m.append(("text", .string(v))) }
        if let v = d.mentions { m.append(("mentions", mentions(v))) }
        if let v = d.entities { m.append(("entities", entities(v))) }
        m.append(contentsOf: d.extra)
        return .object(m)
    }
}
